from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "greenwave.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from greenwave.core.case_access import register_case_access
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.sales.gates import register_document_source

        from . import events, selectors

        register_case_access("invoice", selectors.invoice_visible)
        register_document_source(selectors.deal_gate_documents)
        register_activity_labels(
            {
                events.LEGAL_ENTITY_CREATED: _("Legal entity added"),
                events.LEGAL_ENTITY_CHANGED: _("Legal entity changed"),
                events.INVOICE_CREATED: _("Invoice drafted"),
                events.INVOICE_CHANGED: _("Invoice changed"),
                events.INVOICE_ISSUED: _("Invoice issued"),
                events.INVOICE_CANCELLED: _("Invoice cancelled"),
                events.PAYMENT_RECEIVED: _("Payment received"),
                events.PAYMENT_REFUNDED: _("Payment refunded"),
                events.INVOICE_PAID: _("Invoice paid"),
                events.TEMPLATE_UPLOADED: _("Document template uploaded"),
                events.DOCUMENT_GENERATED: _("Document generated"),
                events.DOCUMENT_SENT_FOR_APPROVAL: _("Document sent for approval"),
                events.DOCUMENT_SENT: _("Document sent to the client"),
            }
        )
