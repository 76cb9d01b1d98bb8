"""Error codes of the analytics app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class AnalyticsError(ErrorCode):
    EMPTY_SEGMENT = "analytics.empty_segment"
    NPS_ANSWERED = "analytics.nps_answered"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(AnalyticsError.NPS_ANSWERED)
