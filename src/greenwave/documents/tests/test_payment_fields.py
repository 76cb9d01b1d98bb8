"""The invoice side of a payment (`documents.payments`): what an invoice has received and the
status that follows, written only by the documents app (the orders app records payments)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from greenwave.core.errors import DomainError
from greenwave.documents import payments, services
from greenwave.documents.models import Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db


def _issued(seller, deal, two_teams) -> Invoice:
    hunter = two_teams["hunter_a"]
    return services.invoice_issue(
        actor=hunter, invoice=services.invoice_create_from_deal(actor=hunter, deal=deal)
    )


def test_status_follows_what_the_invoice_received(seller, deal, two_teams) -> None:
    invoice = _issued(seller, deal, two_teams)  # total 12962.88
    with transaction.atomic():
        locked = payments.invoice_lock_for_payment(invoice.pk)
        assert payments.invoice_apply_payment(locked, Decimal("5000.00")) is False
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == (
        InvoiceStatus.PARTIALLY_PAID,
        Decimal("5000.00"),
    )
    assert invoice.paid_at is None
    with transaction.atomic():
        locked = payments.invoice_lock_for_payment(invoice.pk)
        assert payments.invoice_apply_payment(locked, Decimal("7962.88")) is True
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.paid_at is not None
    paid_at = invoice.paid_at
    # A refund makes it wait again; back to nothing received, it is issued again.
    with transaction.atomic():
        locked = payments.invoice_lock_for_payment(invoice.pk)
        assert payments.invoice_apply_payment(locked, Decimal("-2962.88")) is False
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_at) == (InvoiceStatus.PARTIALLY_PAID, None)
    with transaction.atomic():
        locked = payments.invoice_lock_for_payment(invoice.pk)
        payments.invoice_apply_payment(locked, Decimal("-10000.00"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == (InvoiceStatus.ISSUED, Decimal("0.00"))
    assert paid_at is not None


def test_an_invoice_never_receives_less_than_nothing(seller, deal, two_teams) -> None:
    invoice = _issued(seller, deal, two_teams)
    with transaction.atomic():
        locked = payments.invoice_lock_for_payment(invoice.pk)
        with pytest.raises(DomainError, match="less than nothing"):
            payments.invoice_apply_payment(locked, Decimal("-0.01"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == (InvoiceStatus.ISSUED, Decimal("0.00"))


def test_an_unknown_invoice_is_not_found(db) -> None:
    with pytest.raises(DomainError) as missing, transaction.atomic():
        payments.invoice_lock_for_payment(10**9)
    assert missing.value.status == 404
