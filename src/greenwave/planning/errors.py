"""Error codes of the planning app."""

from greenwave.core.errors import ErrorCode


class PlanningError(ErrorCode):
    DAY_ALREADY_CLOSED = "planning.day_already_closed"
    MISS_COMMENT_REQUIRED = "planning.miss_comment_required"
    GOAL_REQUIRED = "planning.goal_required"
    NOT_YOUR_DAY = "planning.not_your_day"
    INVALID = "planning.invalid"
