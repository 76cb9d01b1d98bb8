"""Error codes of the outreach app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class OutreachError(ErrorCode):
    INVALID_FILTERS = "outreach.invalid_filters"
    TEMPLATE_INVALID = "outreach.template_invalid"
    NO_RECIPIENTS = "outreach.no_recipients"
    WRONG_STATE = "outreach.wrong_state"
    NOT_ALLOWED = "outreach.not_allowed"
    INVALID = "outreach.invalid"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(OutreachError.WRONG_STATE)
