"""The invoice side of a payment: what an invoice has received and the status that follows.

The orders app records payments and refunds (its `Payment` rows and their events); the
invoice's own fields — `paid_amount`, `status`, `paid_at` — are written only here, by the app
that owns the invoice. Callers hold a transaction: `invoice_lock_for_payment` takes the row
lock (`SELECT … FOR UPDATE`) so two payments entered at once are applied one after the other.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.core.errors import CoreError, DomainError

from .models import Invoice, InvoiceStatus


def invoice_lock_for_payment(invoice_id: int) -> Invoice:
    """The invoice under its row lock (only its own row); call inside a transaction."""
    invoice = Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice_id).first()
    if invoice is None:
        raise DomainError(CoreError.NOT_FOUND, _("Invoice not found."))
    return invoice


def invoice_status_for(paid_amount: Decimal, total: Decimal) -> str:
    """The status of an issued invoice that has received `paid_amount` of its `total`."""
    if paid_amount <= 0:
        return InvoiceStatus.ISSUED
    if paid_amount >= total:
        return InvoiceStatus.PAID
    return InvoiceStatus.PARTIALLY_PAID


def invoice_apply_payment(invoice: Invoice, delta: Decimal) -> bool:
    """Add `delta` (negative for a refund) to what a locked invoice has received and set its
    status; True when this made it paid in full. The caller checked the amount (no
    overpayment, no refund beyond what was paid) under the same lock."""
    if invoice.paid_amount + delta < 0:
        raise DomainError(
            CoreError.VALIDATION,
            _("Invoice %(number)s cannot have received less than nothing.")
            % {"number": invoice.number},
        )
    was_paid = invoice.status == InvoiceStatus.PAID
    invoice.paid_amount += delta
    invoice.status = invoice_status_for(invoice.paid_amount, invoice.total)
    if was_paid and invoice.status == InvoiceStatus.PAID:
        return False
    invoice.paid_at = timezone.now() if invoice.status == InvoiceStatus.PAID else None
    invoice.save(update_fields=["paid_amount", "status", "paid_at", "updated_at"])
    return invoice.status == InvoiceStatus.PAID
