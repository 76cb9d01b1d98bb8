"""Demo deals and leads for the demo company (idempotent: skipped when deals exist)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greenwave.core.services import event_append
from greenwave.crm.models import Company, Product

from . import services
from .models import Deal, LeadSource, Pipeline

DEALS = [
    # subject, owner, stage code, amount, outcome
    ("Поставка насосного оборудования", "hunter", "qualification", 420000, ""),
    ("Годовой контракт на расходники", "hunter", "needs", 1250000, ""),
    ("Модернизация склада", "closer", "presentation", 880000, ""),
    ("Партия фильтров", "closer", "cp_preparation", 156000, ""),
    ("Комплект КИП", "kam", "cp_approval", 2300000, ""),
    ("Запчасти к линии розлива", "farmer", "contract", 640000, ""),
    ("Сервисное обслуживание", "hunter2", "qualification", 310000, ""),
    ("Трубопроводная арматура", "hunter2", "presentation", 975000, ""),
    ("Поставка редукторов", "farmer2", "invoice", 510000, ""),
    ("Насосы для котельной", "hunter", "needs", 730000, "lost"),
    ("Автоматика для линии", "closer", "payment", 1120000, "won"),
]


def _client_of(owner: Any, used: set[int]) -> Company | None:
    """A demo client of the owner, else of the owner's team (each used once if possible)."""
    for scope in ({"responsible": owner}, {"team": owner.team}):
        client = Company.objects.filter(**scope).exclude(pk__in=used).order_by("pk").first()
        if client is not None:
            used.add(client.pk)
            return client
    return None


LEADS = [
    (
        "Иван Петров",
        "ООО «Ромашка»",
        "+7 916 123-45-67",
        "Нужны насосы для водоснабжения",
        "yandex",
    ),
    ("Мария Соколова", "ИП Соколова М.А.", "+7 903 222-11-00", "Запрос прайс-листа", "google"),
    ("Алексей Ким", "ООО «ТехноСнаб»", "+7 495 777-88-99", "Оптовая закупка фильтров", "email"),
    ("Ольга Белова", "АО «Медтехника»", "+7 812 600-10-20", "Сервис оборудования", ""),
]


def seed_sales(context: dict[str, Any]) -> None:
    if Deal.objects.exists():
        return
    users = context["users"]
    b2b = Pipeline.objects.get(code="b2b")
    stages = {s.code: s for s in b2b.stages.all()}
    used: set[int] = set()
    products = list(Product.objects.filter(prices__price_list__kind="base").distinct()[:3])
    for index, (subject, login, stage_code, amount, outcome) in enumerate(DEALS):
        owner = users[login]
        client = _client_of(owner, used)
        deal = services.deal_create(
            actor=owner,
            title=f"{subject} — {client.name}" if client else subject,
            pipeline=b2b,
            stage=stages[stage_code],
            amount=Decimal(amount),
            responsible=owner,
            company=client,
            contacts=list(client.contacts.all()[:1]) if client else [],
        )
        if products and index % 3 == 0:  # some deals are priced by product lines
            product = products[index % len(products)]
            price = product.prices.filter(price_list__kind="base").first()
            unit = price.amount if price is not None and price.amount > 0 else Decimal(amount)
            quantity = max(Decimal(1), (Decimal(amount) / unit).quantize(Decimal(1)))
            services.deal_add_item(actor=owner, deal=deal, product=product, quantity=quantity)
        if stage_code == "qualification":
            # A call made on the deal: the first stage's output is met, it may move on.
            event_append(case_type="deal", case_id=deal.pk, activity="call_completed", actor=owner)
        if outcome == "lost":
            services.deal_lose(
                actor=owner, deal=deal, reason=b2b.loss_reasons.first(), comment="Дорого"
            )
        elif outcome == "won":
            services.deal_approve(actor=users["finance"], deal=deal, kind="payment")
            services.deal_win(actor=owner, deal=deal)
    for name, company, phone, need, utm in LEADS:
        services.lead_create(
            actor=None,
            source=LeadSource.WEB_FORM if utm else LeadSource.CALL,
            responsible=users["callcenter"],
            contact_name=name,
            company_name=company,
            phone=phone,
            need=need,
            utm_source=utm,
            utm_medium="cpc" if utm else "",
            utm_campaign="pumps-2026" if utm else "",
        )
