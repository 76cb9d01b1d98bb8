"""The money pages link what they name: a client to its card, an invoice to its page — only
when the reader may open it, and with one query per kind of record for the whole page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from greenwave.crm.models import Company
from greenwave.orders import services


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _hand_to_team_b(company: Any, two_teams: dict[str, Any]) -> None:
    """The client moved to team B; its old invoices stay with team A."""
    Company.objects.filter(pk=company.pk).update(
        team=two_teams["team_b"], responsible=two_teams["hunter_b"]
    )


def test_receivables_by_client_link_each_client_the_reader_may_open(
    make_invoice, client_company, two_teams, finance
) -> None:
    make_invoice("500.00")
    html = _login(finance).get("/money/receivables/").content.decode()
    link = f'<a href="/clients/companies/{client_company.pk}/" data-testid="receivable-client">'
    assert link in html
    _hand_to_team_b(client_company, two_teams)
    html = _login(two_teams["head_a"]).get("/money/receivables/").content.decode()
    assert "ООО «Ромашка»" in html
    assert 'data-testid="receivable-client"' not in html


def test_receivables_by_manager_link_no_client(make_invoice, finance) -> None:
    make_invoice("500.00")
    html = _login(finance).get("/money/receivables/?group_by=manager").content.decode()
    assert 'data-testid="receivable-client"' not in html


def test_payments_link_the_invoice_and_the_client_in_a_fixed_number_of_queries(
    make_invoice, client_company, finance, django_assert_num_queries
) -> None:
    for _ in range(3):
        services.payment_record(actor=finance, invoice=make_invoice("100.00"), amount="40")
    reader = _login(finance)
    with django_assert_num_queries(QUERIES_PAYMENTS):
        html = reader.get("/money/payments/").content.decode()
    assert html.count('data-testid="payment-invoice"') == 3
    assert html.count(f'href="/clients/companies/{client_company.pk}/"') == 3


# The payments page with three payments: the page as before, then which invoices and which
# clients the reader may open — one query each, however many payments.
QUERIES_PAYMENTS = 11


def test_payments_name_a_client_the_reader_may_not_open_without_a_link(
    make_invoice, client_company, two_teams, finance
) -> None:
    invoice = make_invoice("100.00")
    services.payment_record(actor=finance, invoice=invoice, amount="40")
    _hand_to_team_b(client_company, two_teams)
    html = _login(two_teams["head_a"]).get("/money/payments/").content.decode()
    assert f'href="/documents/invoices/{invoice.pk}/"' in html
    assert "ООО «Ромашка»" in html
    assert f"/clients/companies/{client_company.pk}/" not in html
