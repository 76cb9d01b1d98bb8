"""Error codes of the planning app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class PlanningError(ErrorCode):
    DAY_ALREADY_CLOSED = "planning.day_already_closed"
    MISS_COMMENT_REQUIRED = "planning.miss_comment_required"
    GOAL_REQUIRED = "planning.goal_required"
    NOT_YOUR_DAY = "planning.not_your_day"
    INVALID = "planning.invalid"
    PLAN_LOCKED = "planning.plan_locked"
    UNKNOWN_KPI = "planning.unknown_kpi"
    BAD_TARGET = "planning.bad_target"
    BAD_PERIOD = "planning.bad_period"
    NOT_A_HEAD = "planning.not_a_head"
    BAD_FILE = "planning.bad_file"
    BAD_KPI = "planning.bad_kpi"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(PlanningError.DAY_ALREADY_CLOSED, PlanningError.PLAN_LOCKED)
