"""Event-log activity names written by the orders app. The payment events follow the shared
contract of INVOICE_EVENTS.md (case type "invoice", case id the invoice's pk); their names and
labels are declared by the documents app, which owns the invoice."""

from greenwave.documents.events import INVOICE_PAID, PAYMENT_RECEIVED, PAYMENT_REFUNDED

__all__ = ["INVOICE_PAID", "OVERDUE_REMINDED", "PAYMENT_RECEIVED", "PAYMENT_REFUNDED"]

OVERDUE_REMINDED = "invoice_overdue_reminded"

ORDER_CREATED = "order_created"
SHIPMENT_MADE = "shipment_made"
ORDER_SHIPPED = "order_shipped"
SUPPLIER_ORDER_PLACED = "supplier_order_placed"
SUPPLIER_ORDER_RECEIVED = "supplier_order_received"
SUPPLIER_ORDER_CHANGED = "supplier_order_changed"
CLAIM_OPENED = "claim_opened"
CLAIM_STATUS_CHANGED = "claim_status_changed"
CLAIM_CLOSED = "claim_closed"
CLAIM_ESCALATED = "claim_escalated"
