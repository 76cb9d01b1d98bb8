"""Error codes of the activities app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class ActivitiesError(ErrorCode):
    NEXT_DATE_REQUIRED = "activities.next_date_required"
    RESULT_REQUIRED = "activities.result_required"
    ASSIGNEE_OUT_OF_SCOPE = "activities.assignee_out_of_scope"
    NOT_OPEN = "activities.not_open"
    REASON_REQUIRED = "activities.reason_required"
    INVALID = "activities.invalid"
    NOT_ALLOWED = "activities.not_allowed"
    NO_LINK = "activities.no_link"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(ActivitiesError.NOT_OPEN)
