"""Error codes of the documents app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class DocumentsError(ErrorCode):
    INVALID_REQUISITES = "documents.invalid_requisites"
    NO_LEGAL_ENTITY = "documents.no_legal_entity"
    NO_BUYER = "documents.no_buyer"
    NO_LINES = "documents.no_lines"
    INVALID_LINE = "documents.invalid_line"
    WRONG_STATUS = "documents.wrong_status"
    MISSING_REQUISITES = "documents.missing_requisites"
    INVALID_TEMPLATE = "documents.invalid_template"
    RENDER_FAILED = "documents.render_failed"
    PDF_UNAVAILABLE = "documents.pdf_unavailable"
    NOT_APPROVED = "documents.not_approved"
    APPROVAL_UNAVAILABLE = "documents.approval_unavailable"
    NO_RECIPIENT = "documents.no_recipient"
    SEND_FAILED = "documents.send_failed"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(DocumentsError.WRONG_STATUS)
