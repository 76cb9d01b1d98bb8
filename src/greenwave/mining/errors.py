"""Error codes of the mining app."""

from greenwave.core.errors import ErrorCode


class MiningError(ErrorCode):
    UNKNOWN_CASE_TYPE = "mining.unknown_case_type"
    NO_MODEL = "mining.no_model"
    BAD_MODEL = "mining.bad_model"
