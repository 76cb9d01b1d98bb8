"""Writers of the documents app, one module per part: `common` (roles, numbering),
`entities` (our legal entities, the client's bank details), `invoices`, `templates`,
`generation` (documents of a deal and their PDF by the worker), `approval` (bpm approval
processes and sending). The public names are re-exported here, so callers import
`greenwave.documents.services` as before.

Invoices follow the shared contract of INVOICE_EVENTS.md: case type "invoice", one case per
invoice, the deal (qualifier "deal") and the buyer (qualifier "buyer") among the objects,
money as strings with two decimals and dates in ISO.
"""

from __future__ import annotations

from .approval import (
    DOCUMENT_APPROVAL_STAGES,
    approval_process_for,
    approval_state,
    contract_link_to_approval,
    deal_contract_approval_start,
    document_send,
    document_send_for_approval,
    documents_record_approvals,
    download_name,
)
from .common import (
    CENTS,
    DEFAULT_PAYMENT_DAYS,
    FINANCE_ROLES,
    INVOICE_KEEPERS,
    _is_finance,
    document_number_next,
)
from .entities import (
    CLIENT_BANK_FIELDS,
    LEGAL_ENTITY_FIELDS,
    LEGAL_ENTITY_REQUIRED,
    LEGAL_ENTITY_TEXT_FIELDS,
    client_bank_account_merge,
    client_bank_account_of,
    client_bank_account_set,
    legal_entity_create,
    legal_entity_default,
    legal_entity_update,
)
from .generation import (
    CONTRACT_PROCESS,
    DOCUMENT_KEEPERS,
    DOCUMENT_PROCESS,
    PDF_REQUEUE_AFTER,
    PDF_STALLED_AFTER,
    _require_document_writer,
    document_generate,
    document_pdf_convert,
    document_version_pdf,
    documents_pdf_requeue,
    require_document_writer,
)
from .invoices import (
    LineInput,
    _require_invoice_writer,
    deal_lines,
    invoice_cancel,
    invoice_create,
    invoice_create_from_deal,
    invoice_issue,
    invoice_update,
    require_invoice_writer,
)
from .templates import (
    TEMPLATE_ADMIN_ROLES,
    can_manage_templates,
    document_template_set_active,
    document_template_upload,
)

__all__ = [
    "CENTS",
    "CLIENT_BANK_FIELDS",
    "CONTRACT_PROCESS",
    "DEFAULT_PAYMENT_DAYS",
    "DOCUMENT_APPROVAL_STAGES",
    "DOCUMENT_KEEPERS",
    "DOCUMENT_PROCESS",
    "FINANCE_ROLES",
    "INVOICE_KEEPERS",
    "LEGAL_ENTITY_FIELDS",
    "LEGAL_ENTITY_REQUIRED",
    "LEGAL_ENTITY_TEXT_FIELDS",
    "PDF_REQUEUE_AFTER",
    "PDF_STALLED_AFTER",
    "TEMPLATE_ADMIN_ROLES",
    "LineInput",
    "_is_finance",
    "_require_document_writer",
    "_require_invoice_writer",
    "approval_process_for",
    "approval_state",
    "can_manage_templates",
    "client_bank_account_merge",
    "client_bank_account_of",
    "client_bank_account_set",
    "contract_link_to_approval",
    "deal_contract_approval_start",
    "deal_lines",
    "document_generate",
    "document_number_next",
    "document_pdf_convert",
    "document_send",
    "document_send_for_approval",
    "document_template_set_active",
    "document_template_upload",
    "document_version_pdf",
    "documents_pdf_requeue",
    "documents_record_approvals",
    "download_name",
    "invoice_cancel",
    "invoice_create",
    "invoice_create_from_deal",
    "invoice_issue",
    "invoice_update",
    "legal_entity_create",
    "legal_entity_default",
    "legal_entity_update",
    "require_document_writer",
    "require_invoice_writer",
]
