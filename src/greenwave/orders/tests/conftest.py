"""Fixtures of the orders tests: the documents fixtures (our legal entity, a client, a B2B
deal) and issued invoices of the client with known numbers and totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from greenwave.documents import services as doc_services
from greenwave.documents.models import Invoice
from greenwave.documents.tests import conftest as documents_fixtures

# The documents tests' fixtures: our legal entity, a client with requisites, a B2B deal.
b2b = documents_fixtures.b2b
stages = documents_fixtures.stages
seller = documents_fixtures.seller
client_company = documents_fixtures.client_company
product = documents_fixtures.product
deal = documents_fixtures.deal

ISSUED = date(2026, 12, 1)


@pytest.fixture
def finance(make_user: Callable[..., Any]) -> Any:
    return make_user("fin", roles=["finance"])


@pytest.fixture
def make_invoice(
    seller: Any, client_company: Any, two_teams: dict[str, Any]
) -> Callable[..., Invoice]:
    def make(
        total: str,
        *,
        issue_date: date = ISSUED,
        due_date: date | None = None,
        buyer: Any = None,
        deal: Any = None,
    ) -> Invoice:
        invoice = doc_services.invoice_create(
            actor=None,
            buyer=buyer or client_company,
            deal=deal,
            lines=[doc_services.LineInput(name="Труба", quantity=Decimal(1), price=Decimal(total))],
        )
        return doc_services.invoice_issue(
            actor=None, invoice=invoice, issue_date=issue_date, due_date=due_date or issue_date
        )

    return make


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Service messages are checked in English (the pages render in the user's language)."""
    from django.utils import translation

    with translation.override("en"):
        yield
