from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.documents.models import Invoice
from greenwave.orders import services
from greenwave.orders.models import Payment
from greenwave.sales.models import Deal


def _events(invoice: Invoice) -> list[tuple[str, dict[str, Any]]]:
    return [
        (e.activity, e.payload)
        for e in Event.objects.filter(case_type="invoice", case_id=str(invoice.pk)).order_by("id")
    ]


def test_partial_then_full_payment_turns_the_invoice_paid(make_invoice, finance) -> None:
    invoice = make_invoice("12000.00")
    services.payment_record(
        actor=finance, invoice=invoice, amount="5000.50", payment_date=date(2026, 12, 2)
    )
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.paid_amount == Decimal("5000.50")
    payment = services.payment_record(
        actor=finance, invoice=invoice, amount=Decimal("6999.50"), payment_date=date(2026, 12, 3)
    )
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.paid_at is not None
    events = _events(invoice)
    assert events[-2] == (
        "payment_received",
        {
            "amount": "6999.50",
            "payment_date": "2026-12-03",
            "payment_id": payment.pk,
            "invoice_number": invoice.number,
        },
    )
    assert events[-1] == (
        "invoice_paid",
        {"number": invoice.number, "total": "12000.00", "paid_date": "2026-12-03"},
    )


def test_overpayment_is_refused_and_nothing_changes(make_invoice, finance) -> None:
    invoice = make_invoice("1000.00")
    services.payment_record(actor=finance, invoice=invoice, amount="600")
    with pytest.raises(DomainError) as caught:
        services.payment_record(actor=finance, invoice=invoice, amount="400.01")
    assert caught.value.code == "orders.overpayment"
    assert "400.00" in caught.value.message
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("600.00")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("amount", ["0", "-5", "1.001", "abc", "NaN"])
def test_bad_amounts_are_refused(make_invoice, finance, amount) -> None:
    invoice = make_invoice("1000.00")
    with pytest.raises(DomainError) as caught:
        services.payment_record(actor=finance, invoice=invoice, amount=amount)
    assert caught.value.code == "validation_error"
    assert not Payment.objects.exists()


def test_only_finance_and_accounting_enter_payments(make_invoice, two_teams) -> None:
    invoice = make_invoice("1000.00")
    with pytest.raises(DomainError) as caught:
        services.payment_record(actor=two_teams["hunter_a"], invoice=invoice, amount="10")
    assert caught.value.status == 403


def test_draft_and_cancelled_invoices_take_no_payment(seller, client_company, finance) -> None:
    from greenwave.documents import services as doc_services

    draft = doc_services.invoice_create(
        actor=None,
        buyer=client_company,
        lines=[doc_services.LineInput(name="X", quantity=Decimal(1), price=Decimal(10))],
    )
    with pytest.raises(DomainError) as caught:
        services.payment_record(actor=finance, invoice=draft, amount="5")
    assert caught.value.code == "orders.not_payable"


def test_refund_reopens_the_invoice(make_invoice, finance) -> None:
    invoice = make_invoice("1000.00")
    payment = services.payment_record(actor=finance, invoice=invoice, amount="1000")
    refund = services.payment_refund(actor=finance, payment=payment, amount="300")
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.paid_amount == Decimal("700.00")
    assert invoice.paid_at is None
    assert _events(invoice)[-1][0] == "payment_refunded"
    assert _events(invoice)[-1][1]["payment_id"] == refund.pk
    with pytest.raises(DomainError) as caught:
        services.payment_refund(actor=finance, payment=payment, amount="700.01")
    assert caught.value.code == "orders.refund_too_large"
    services.payment_refund(actor=finance, payment=payment, amount="700")
    invoice.refresh_from_db()
    assert invoice.status == "issued"
    assert invoice.paid_amount == 0


def test_paid_invoice_moves_its_deal_to_money(make_invoice, finance, deal, stages) -> None:
    from greenwave.sales import services as sales_services

    sales_services.deal_move(actor=None, deal=deal, stage=stages["invoice"], override_comment="t")
    invoice = make_invoice("500.00", deal=deal)
    services.payment_record(actor=finance, invoice=invoice, amount="500")
    deal = Deal.objects.get(pk=deal.pk)
    assert deal.stage.code == "payment"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_payments_never_overpay(make_invoice, finance) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite admits one writer at a time")
    invoice = make_invoice("1000.00")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            barrier.wait()
            services.payment_record(actor=finance, invoice=invoice, amount="600")
            outcomes.append("ok")
        except DomainError as error:
            outcomes.append(str(error.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "orders.overpayment"]
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("600.00")
    assert Payment.objects.filter(invoice=invoice).count() == 1
