"""Fixtures of the activities tests: a client and a deal in team A, a client in team B."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.crm import services as crm_services
from greenwave.crm.models import Company, Contact
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline


@pytest.fixture
def company_a(two_teams: dict[str, Any]) -> Company:
    return crm_services.company_create(actor=two_teams["hunter_a"], name="ООО «Ромашка»")


@pytest.fixture
def contact_a(two_teams: dict[str, Any], company_a: Company) -> Contact:
    return crm_services.contact_create(
        actor=two_teams["hunter_a"], company=company_a, full_name="Иван Петров"
    )


@pytest.fixture
def company_b(two_teams: dict[str, Any]) -> Company:
    return crm_services.company_create(actor=two_teams["hunter_b"], name="АО «Южный ветер»")


@pytest.fixture
def deal_a(two_teams: dict[str, Any], company_a: Company) -> Deal:
    return sales_services.deal_create(
        actor=two_teams["hunter_a"],
        title="Поставка бумаги",
        pipeline=Pipeline.objects.get(code="b2b"),
        company=company_a,
    )


def soon(hours: float = 2) -> datetime:
    return timezone.now() + timedelta(hours=hours)
