"""Error codes of the decisions app (stable API surface)."""

from greenwave.core.errors import ErrorCode


class DecisionsError(ErrorCode):
    INVALID_KEY = "decisions.invalid_key"
    MODEL_INVALID = "decisions.model_invalid"
    MODEL_TOO_LARGE = "decisions.model_too_large"
    FEEL_INVALID = "decisions.feel_invalid"
    NOT_DEPLOYED = "decisions.not_deployed"
    UNKNOWN_DECISION = "decisions.unknown_decision"
    INVALID_INPUT = "decisions.invalid_input"
    EVALUATION_FAILED = "decisions.evaluation_failed"
