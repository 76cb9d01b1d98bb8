"""Error codes of the sales app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class SalesError(ErrorCode):
    GATE_NOT_MET = "sales.gate_not_met"
    WRONG_PIPELINE = "sales.wrong_pipeline"
    DEAL_CLOSED = "sales.deal_closed"
    DEAL_NOT_CLOSED = "sales.deal_not_closed"
    STALE_VERSION = "sales.stale_version"
    LOSS_REASON_REQUIRED = "sales.loss_reason_required"
    OVERRIDE_NOT_ALLOWED = "sales.override_not_allowed"
    APPROVAL_NOT_ALLOWED = "sales.approval_not_allowed"
    LEAD_CLOSED = "sales.lead_closed"
    DISQUALIFICATION_REASON_REQUIRED = "sales.disqualification_reason_required"
    INVALID_CHECKLIST = "sales.invalid_checklist"
    STAGE_IN_USE = "sales.stage_in_use"
    WEB_FORM_REJECTED = "sales.web_form_rejected"
    NOT_LAST_STAGE = "sales.not_last_stage"
    CONTRACT_MISSING = "sales.contract_missing"
    DEAL_HANDED_OVER = "sales.deal_handed_over"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(
    SalesError.DEAL_CLOSED,
    SalesError.DEAL_NOT_CLOSED,
    SalesError.LEAD_CLOSED,
    SalesError.STAGE_IN_USE,
    SalesError.NOT_LAST_STAGE,
    SalesError.GATE_NOT_MET,
    SalesError.STALE_VERSION,
    SalesError.CONTRACT_MISSING,
    SalesError.DEAL_HANDED_OVER,
)
