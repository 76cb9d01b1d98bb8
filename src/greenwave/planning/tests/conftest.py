"""Fixtures of the planning tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from greenwave.activities.tests.conftest import company_a, company_b, deal_a  # noqa: F401
from greenwave.documents import services as doc_services
from greenwave.orders.demo import SELLER
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, DealStatus, Pipeline
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401


@pytest.fixture
def won_and_invoiced(default_pipelines: None) -> Callable[[Any, Any], Any]:  # noqa: F811
    """A deal «Поставка» of 120 000 for `company`, won by `hunter` today and invoiced (issued
    today, due today) by the demo seller: the invoice."""

    def make(hunter: Any, company: Any) -> Any:
        deal = sales_services.deal_create(
            actor=hunter,
            title="Поставка",
            pipeline=Pipeline.objects.get(code="b2b"),
            company=company,
            amount=Decimal("120000"),
        )
        Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
        seller = doc_services.legal_entity_create(actor=None, data=dict(SELLER))
        invoice = doc_services.invoice_create_from_deal(actor=None, deal=deal, seller=seller)
        today = timezone.localdate()
        return doc_services.invoice_issue(
            actor=None, invoice=invoice, issue_date=today, due_date=today
        )

    return make
