"""Error codes of the analytics app."""

from greenwave.core.errors import ErrorCode


class AnalyticsError(ErrorCode):
    EMPTY_SEGMENT = "analytics.empty_segment"
    NPS_ANSWERED = "analytics.nps_answered"
