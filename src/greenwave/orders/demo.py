"""Demo money: invoices of a few open B2B deals at «Счёт» or later — some paid in full, some
in part, some overdue (the receivables buckets and a reminder for the worker) — entered by
the demo finance manager. Deterministic (the deals in id order) and idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from greenwave.core.errors import DomainError
from greenwave.documents import services as doc_services
from greenwave.sales.models import Deal, DealStatus

from . import services
from .models import Payment

SELLER = {
    "name": "ООО «Гринвейв»",
    "full_name": "Общество с ограниченной ответственностью «Гринвейв»",
    "inn": "7701234560",
    "kpp": "770101001",
    "ogrn": "1027700123450",
    "address": "123112, г. Москва, Пресненская наб., д. 12",
    "bank_name": "ПАО Сбербанк",
    "bik": "044525225",
    "account": "40702810938000012345",
    "corr_account": "30101810400000000225",
    "signatory_name": "Смирнова Анна Петровна",
    "signatory_position": "Генеральный директор",
    "chief_accountant": "Кузнецова Ольга Игоревна",
    "is_default": True,
}
# (days since issue, payment days, share paid): paid, partly paid, overdue by 3, 12, 45 and
# 120 days, not yet due.
PLAN = (
    (20, 5, Decimal(1)),
    (15, 5, Decimal(1)),
    (10, 10, Decimal("0.4")),
    (8, 5, Decimal(0)),
    (17, 5, Decimal(0)),
    (50, 5, Decimal("0.5")),
    (125, 5, Decimal(0)),
    (2, 10, Decimal(0)),
)


def seed_money(context: dict[str, Any]) -> None:
    if Payment.objects.exists():
        return
    finance = context.get("users", {}).get("finance")
    seller = doc_services.legal_entity_default() or doc_services.legal_entity_create(
        actor=None, data=dict(SELLER)
    )
    deals = list(
        Deal.objects.filter(
            status=DealStatus.OPEN,
            company__isnull=False,
            company__is_deleted=False,
            amount__gt=0,
            pipeline__code="b2b",
            invoices__isnull=True,
        )
        .select_related("company", "stage")
        .order_by("-stage__order", "pk")[: len(PLAN)]
    )
    today = timezone.localdate()
    for deal, (age, days, share) in zip(deals, PLAN, strict=False):
        try:
            invoice = doc_services.invoice_create_from_deal(actor=None, deal=deal, seller=seller)
            issued = today - timedelta(days=age)
            invoice = doc_services.invoice_issue(
                actor=None,
                invoice=invoice,
                issue_date=issued,
                due_date=issued + timedelta(days=days),
            )
        except DomainError:
            continue
        amount = (invoice.total * share).quantize(Decimal("0.01"))
        if amount > 0:
            services.payment_record(
                actor=finance,
                invoice=invoice,
                amount=amount,
                payment_date=min(issued + timedelta(days=3), today),
                document_number=str(400 + invoice.pk),
                payer_inn=deal.company.inn if deal.company else "",
                payer_name=deal.company.name if deal.company else "",
                purpose=f"Оплата по счёту № {invoice.number} от {issued:%d.%m.%Y}",
            )
