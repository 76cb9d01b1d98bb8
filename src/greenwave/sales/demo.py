"""Demo leads for the demo company's call centre (idempotent: skipped when new leads exist)."""

from __future__ import annotations

from typing import Any

from . import services
from .models import Lead, LeadSource, LeadStatus

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
    """New leads waiting for the call centre (the deals and their history come from the
    generator: greenwave.datagen.demo)."""
    if Lead.objects.filter(status=LeadStatus.NEW).exists():
        return
    users = context["users"]
    operators = [users[login] for login in ("callcenter", "callcenter2") if login in users]
    for index, (name, company, phone, need, utm) in enumerate(LEADS):
        services.lead_create(
            actor=None,
            source=LeadSource.WEB_FORM if utm else LeadSource.CALL,
            responsible=operators[index % len(operators)] if operators else None,
            contact_name=name,
            company_name=company,
            phone=phone,
            need=need,
            utm_source=utm,
            utm_medium="cpc" if utm else "",
            utm_campaign="pumps-2026" if utm else "",
        )
