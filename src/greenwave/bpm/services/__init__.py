"""Writers of the bpm app, one module per part: `definitions` (upload, deploy, export, the
built-in library), `instances` (start, cancel, a record's process start), `migration` (moving
instances between versions), `tasks` (the inbox: claim, give back, hand over, complete),
`files` (files kept with a process), `timers` (the worker's due timers and overdue tasks),
`messages` (correlation), `incidents` (retry), `subjects` (processes bound to a business
object), and underneath them `steps` (one step of an instance) and `journal` (its events).
The public names are re-exported here, so callers import `greenwave.bpm.services` as before.

Every change to an instance happens under a row lock on the instance (`select_for_update`),
restores its serialized engine state (or takes the run this process kept from its previous
step while the row still has that version: `_RunCache`), advances it, dumps it back with a
bumped `lock_version`, and mirrors what it waits for into the indexed tables (tasks, timers,
messages). Every token move, task and timer is an event of the case "process_instance",
linked to the business object the process is about; a step's events are appended together
at its end (`_journaled`). A test that replaces a private function patches the module that
calls it (e.g. `services.timers._advance`).
"""

from __future__ import annotations

from .definitions import (
    can_manage_definitions,
    definition_deploy,
    definition_export,
    definition_upload,
    definition_upload_and_deploy,
    library_install,
)
from .files import (
    process_file_attach,
)
from .incidents import (
    incident_retry,
)
from .instances import (
    MAX_VARIABLES_CHARS,
    instance_cancel,
    instance_start,
    instance_start_checked,
    subject_process_start,
)
from .journal import (
    CASE,
    _event,
)
from .messages import (
    message_correlate,
)
from .migration import (
    MAX_MAPPING_ITEMS,
    MigrationCheck,
    can_migrate_instances,
    instance_migrate,
    instance_migration_check,
    instances_migrate,
)
from .steps import (
    _RUNS,
    ROLE_ALIASES,
    _advance,
    _resolve,
    _RunCache,
    _sync,
    _user_by_ref,
    role_code,
    tasks_opened,
)
from .subjects import (
    SUBJECT_LABELS,
    SubjectRun,
    definition_subject,
    instance_outcome,
    subject_label,
    subject_processes,
    subject_runs,
)
from .tasks import (
    is_candidate,
    task_claim,
    task_complete,
    task_delegate,
    task_unclaim,
    task_variables,
)
from .timers import (
    TIMER_BATCH,
    TIMER_RETRY_AFTER,
    tasks_escalate_overdue,
    timer_fire_next,
    timers_fire_due,
)

__all__ = [
    "CASE",
    "MAX_MAPPING_ITEMS",
    "MAX_VARIABLES_CHARS",
    "ROLE_ALIASES",
    "SUBJECT_LABELS",
    "TIMER_BATCH",
    "TIMER_RETRY_AFTER",
    "_RUNS",
    "MigrationCheck",
    "SubjectRun",
    "_RunCache",
    "_advance",
    "_event",
    "_resolve",
    "_sync",
    "_user_by_ref",
    "can_manage_definitions",
    "can_migrate_instances",
    "definition_deploy",
    "definition_export",
    "definition_subject",
    "definition_upload",
    "definition_upload_and_deploy",
    "incident_retry",
    "instance_cancel",
    "instance_migrate",
    "instance_migration_check",
    "instance_outcome",
    "instance_start",
    "instance_start_checked",
    "instances_migrate",
    "is_candidate",
    "library_install",
    "message_correlate",
    "process_file_attach",
    "role_code",
    "subject_label",
    "subject_process_start",
    "subject_processes",
    "subject_runs",
    "task_claim",
    "task_complete",
    "task_delegate",
    "task_unclaim",
    "task_variables",
    "tasks_escalate_overdue",
    "tasks_opened",
    "timer_fire_next",
    "timers_fire_due",
]
