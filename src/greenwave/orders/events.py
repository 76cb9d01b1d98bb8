"""Event-log activity names written by the orders app. The payment events follow the shared
contract of INVOICE_EVENTS.md (case type "invoice", case id the invoice's pk); their names and
labels are declared by the documents app, which owns the invoice."""

from greenwave.documents.events import INVOICE_PAID, PAYMENT_RECEIVED, PAYMENT_REFUNDED

__all__ = ["INVOICE_PAID", "OVERDUE_REMINDED", "PAYMENT_RECEIVED", "PAYMENT_REFUNDED"]

OVERDUE_REMINDED = "invoice_overdue_reminded"
