"""Error codes of the bpm app."""

from greenwave.core.errors import ErrorCode, conflict_codes


class BpmError(ErrorCode):
    INVALID_BPMN = "bpm.invalid_bpmn"
    UNSUPPORTED_ELEMENTS = "bpm.unsupported_elements"
    NOT_EXECUTABLE = "bpm.not_executable"
    NOT_DEPLOYED = "bpm.not_deployed"
    TASK_NOT_OPEN = "bpm.task_not_open"
    TASK_NOT_YOURS = "bpm.task_not_yours"
    INVALID_FORM_DATA = "bpm.invalid_form_data"
    INSTANCE_NOT_RUNNING = "bpm.instance_not_running"
    ENGINE_ERROR = "bpm.engine_error"
    MESSAGE_NOT_CORRELATED = "bpm.message_not_correlated"
    NO_INCIDENT = "bpm.no_incident"
    UNKNOWN_ACTION = "bpm.unknown_action"
    INVALID_VARIABLES = "bpm.invalid_variables"
    MIGRATION_REFUSED = "bpm.migration_refused"
    INVALID_SUBJECT = "bpm.invalid_subject"
    SUBJECT_REQUIRED = "bpm.subject_required"
    ALREADY_RUNNING = "bpm.already_running"


# Refusals by a record's current state: 409 Conflict (see `core.errors.conflict_codes`).
STATE_CONFLICTS = conflict_codes(
    BpmError.ALREADY_RUNNING,
    BpmError.TASK_NOT_OPEN,
    BpmError.INSTANCE_NOT_RUNNING,
    BpmError.NO_INCIDENT,
    BpmError.MIGRATION_REFUSED,
)
