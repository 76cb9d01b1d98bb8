"""The receivables card of the home page: scoped like the receivables page, hidden when
nothing is owed, its figures clicking through to the invoices behind them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from greenwave.orders.home import home_receivables


def test_card_sums_what_is_owed_and_what_is_overdue(make_invoice, two_teams, finance) -> None:
    today = timezone.localdate()
    make_invoice("1000", issue_date=today - timedelta(days=20), due_date=today - timedelta(10))
    make_invoice("300", issue_date=today, due_date=today + timedelta(days=10))
    for reader in (two_teams["director"], two_teams["head_a"], finance, two_teams["admin"]):
        card = home_receivables(reader)
        assert card is not None, reader.username
        assert card["total"].total == Decimal("1300.00")
        assert card["total"].invoices == 2
        assert card["overdue"] == Decimal("1000.00")
        assert [row.name for row in card["top"]] == ["ООО «Ромашка»"]


def test_card_is_hidden_without_debts_or_for_managers(make_invoice, two_teams, finance) -> None:
    assert home_receivables(finance) is None  # nothing owed yet
    today = timezone.localdate()
    make_invoice("500", issue_date=today, due_date=today + timedelta(days=3))
    assert home_receivables(two_teams["hunter_a"]) is None  # a manager: their deals' cards
    assert home_receivables(two_teams["head_b"]) is None  # team B owes nothing
    card = home_receivables(two_teams["head_a"])
    assert card is not None
    assert card["overdue"] == Decimal("0.00")


def test_card_on_the_home_page_links_to_its_invoices(make_invoice, two_teams) -> None:
    today = timezone.localdate()
    invoice = make_invoice("1000", issue_date=today - timedelta(20), due_date=today - timedelta(5))
    client = Client()
    client.force_login(two_teams["director"])
    page = client.get("/").content.decode()
    assert 'data-testid="home-receivables"' in page
    link = f"{reverse('orders:receivable_invoices')}?group_by=client&amp;key={invoice.buyer_id}"
    assert link in page
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert invoice.number in listed
    client.force_login(two_teams["hunter_b"])
    assert 'data-testid="home-receivables"' not in client.get("/").content.decode()
