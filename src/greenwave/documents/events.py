"""Event-log activity names written by the documents app (see INVOICE_EVENTS.md for the
invoice contract: payloads with money as strings and ISO dates)."""

LEGAL_ENTITY_CREATED = "legal_entity_created"
LEGAL_ENTITY_CHANGED = "legal_entity_changed"
INVOICE_CREATED = "invoice_created"
INVOICE_CHANGED = "invoice_changed"
INVOICE_ISSUED = "invoice_issued"
INVOICE_CANCELLED = "invoice_cancelled"
# Written by the money issue (payments); named here so the labels live with the invoice.
PAYMENT_RECEIVED = "payment_received"
PAYMENT_REFUNDED = "payment_refunded"
INVOICE_PAID = "invoice_paid"
TEMPLATE_UPLOADED = "document_template_uploaded"
DOCUMENT_GENERATED = "document_generated"
DOCUMENT_SENT_FOR_APPROVAL = "document_sent_for_approval"
DOCUMENT_SENT = "document_sent"
