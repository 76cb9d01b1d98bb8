"""Writers of the bpm app: definitions, instances, the task inbox, timers, messages, incidents.

Every change to an instance happens under a row lock on the instance (`select_for_update`),
restores its serialized engine state (or takes the run this process kept from its previous
step while the row still has that version: `_RunCache`), advances it, dumps it back with a
bumped `lock_version`, and mirrors what it waits for into the indexed tables (tasks, timers,
messages). Every token move, task and timer is an event of the case "process_instance",
linked to the business object the process is about; a step's events are appended together
at its end (`_journaled`).
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.core.case_access import can_read_case, case_types
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.services import EventEntry, ObjectRef, event_append, event_append_many

from . import engine, events, scope
from .actions import run_action
from .errors import BpmError
from .formschema import clean_form_data
from .models import (
    DefinitionStatus,
    HumanTask,
    Incident,
    InstanceStatus,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from .stepwrites import StaleRowError, StepWrites, begin_with_next_statement, drawn_key

logger = logging.getLogger(__name__)
_P = ParamSpec("_P")
_R = TypeVar("_R")

CASE = ProcessInstance.EVENT_CASE_TYPE
# A timer whose step failed waits this long before the next attempt.
TIMER_RETRY_AFTER = timedelta(minutes=5)
TIMER_BATCH = 50
MAX_VARIABLES_CHARS = 200_000


def can_manage_definitions(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin


def _require_designer(actor: User | None) -> None:
    if not can_manage_definitions(actor):
        raise permission_denied(_("Only an administrator can upload and deploy processes."))


# -- definitions ------------------------------------------------------------------------------


def _read(xml: bytes) -> engine.BpmnDocument:
    try:
        return engine.read_document(xml)
    except engine.BpmnFileError as exc:
        raise DomainError(BpmError.INVALID_BPMN, exc.message, details=exc.details) from exc


def _called_definitions(
    xml: bytes, doc: engine.BpmnDocument
) -> tuple[dict[str, int], list[dict[str, str]]]:
    """The stored definitions that the call activities name by process key (Camunda's
    `calledElement`, Zeebe's `processId`) when the file does not hold that process: the
    latest deployed version of each, pinned in the metadata so that an instance always
    runs the version it started with. Calls of processes not deployed are named."""
    own = {p["id"] for p in doc.processes}
    pinned: dict[str, int] = {}
    missing: list[dict[str, str]] = []
    for element_id, process_key in engine.called_processes(xml).items():
        if process_key in own or process_key in pinned:
            continue
        found = (
            ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED)
            .filter(Q(key=process_key) | Q(process_id=process_key))
            .order_by("-deployed_at", "-version")
            .values_list("pk", flat=True)
            .first()
        )
        if found is None:
            missing.append(
                {
                    "id": element_id,
                    "tag": "callActivity",
                    "reason": str(
                        _("calls the process %(key)s, which is not deployed; deploy it first")
                        % {"key": process_key}
                    ),
                }
            )
        else:
            pinned[process_key] = found
    return pinned, missing


def _called_files(called: Mapping[str, Any]) -> dict[str, bytes]:
    rows = ProcessDefinition.objects.filter(pk__in=[int(pk) for pk in called.values()])
    by_pk = {row.pk: row.xml_bytes for row in rows}
    return {key: by_pk[int(pk)] for key, pk in called.items() if int(pk) in by_pk}


def _compile(definition: ProcessDefinition) -> engine.CompiledProcess:
    called = definition.metadata.get("called") or {}
    return engine.compile_process(
        definition.xml_bytes, definition.process_id, _called_files(called) if called else None
    )


def _problems(
    xml: bytes, doc: engine.BpmnDocument, called: Mapping[str, int], missing_calls: bool = False
) -> list[dict[str, str]]:
    found = [u.as_dict() for u in doc.unsupported]
    if not doc.is_executable:
        return found
    found += [
        u.as_dict()
        for u in engine.check_executable(
            xml, doc.main_process_id, _called_files(called) if called else None
        )
        # A call of a process that is not deployed is named once, by Greenwave.
        if not (missing_calls and "was not found" in u.reason)
    ]
    now = timezone.now()
    for element_id, text in doc.timer_dates.items():
        try:
            moment = datetime.fromisoformat(text.strip("'\""))
        except ValueError:
            continue
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        if moment < now:
            found.append(
                {"id": element_id, "tag": "timeDate", "reason": f"the timer date {text} is past"}
            )
    for element_id, action in doc.service_actions.items():
        from .actions import action_names

        if action.startswith("decision:"):
            reason = _decision_missing(action.split(":", 2)[1])
            if reason:
                found.append({"id": element_id, "tag": "businessRuleTask", "reason": reason})
        elif action not in action_names():
            found.append(
                {"id": element_id, "tag": "serviceTask", "reason": f"unknown action {action!r}"}
            )
    return found


def _decision_missing(key: str) -> str:
    """Why a business-rule task's decision cannot be evaluated ("" if it can): the decision
    must be stored and deployed in Decisions under the key the task names."""
    from greenwave.decisions import selectors as decisions

    try:
        decisions.decision_for_evaluation(actor=None, key=key)
    except DomainError:
        return str(
            _("the decision %(key)s is not deployed in Decisions; upload its DMN with this key")
            % {"key": key}
        )
    return ""


@transaction.atomic
def definition_upload(
    *, actor: User | None, xml: bytes, key: str = "", name: str = "", description: str = ""
) -> ProcessDefinition:
    """Store the file as the next version of its key (a draft until deployed)."""
    _require_designer(actor)
    doc = _read(xml)
    key = (key or doc.main_process_id).strip()[:100]
    if not key:
        raise DomainError(BpmError.INVALID_BPMN, _("The process has no id."))
    # Serialise versions of one key.
    ProcessDefinition.objects.select_for_update().filter(key=key).exists()
    latest = ProcessDefinition.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0
    called, missing = _called_definitions(xml, doc) if doc.is_executable else ({}, [])
    metadata = doc.metadata()
    if called:
        metadata["called"] = called
    definition = ProcessDefinition.objects.create(
        key=key,
        name=(name or doc.name or key)[:200],
        version=latest + 1,
        xml=xml,
        is_executable=doc.is_executable,
        process_id=doc.main_process_id,
        metadata=metadata,
        unsupported=missing + _problems(xml, doc, called, bool(missing)),
        description=description,
        created_by=actor,
    )
    event_append(
        case_type=definition.EVENT_CASE_TYPE,
        case_id=definition.pk,
        activity=events.DEFINITION_UPLOADED,
        actor=actor,
        payload={"key": key, "version": definition.version, "unsupported": definition.unsupported},
    )
    return definition


@transaction.atomic
def definition_deploy(*, actor: User | None, definition: ProcessDefinition) -> ProcessDefinition:
    """Make this version the one new instances start on; running ones stay on theirs."""
    _require_designer(actor)
    definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
    if not definition.is_executable:
        raise DomainError(
            BpmError.NOT_EXECUTABLE,
            _("This diagram is a model, not a program: no process is marked executable."),
        )
    if definition.unsupported:
        raise DomainError(
            BpmError.UNSUPPORTED_ELEMENTS,
            _("The engine cannot execute these elements: %(items)s.")
            % {
                "items": "; ".join(
                    f"{u.get('id') or u.get('tag')}: {u.get('reason')}"
                    for u in definition.unsupported
                )
            },
            details={"unsupported": definition.unsupported},
        )
    if definition.status != DefinitionStatus.DEPLOYED:
        definition.status = DefinitionStatus.DEPLOYED
        definition.deployed_at = timezone.now()
        definition.save(update_fields=["status", "deployed_at", "updated_at"])
        event_append(
            case_type=definition.EVENT_CASE_TYPE,
            case_id=definition.pk,
            activity=events.DEFINITION_DEPLOYED,
            actor=actor,
            payload={"key": definition.key, "version": definition.version},
        )
    return definition


def definition_upload_and_deploy(
    *, actor: User | None, xml: bytes, key: str = "", name: str = ""
) -> ProcessDefinition:
    with transaction.atomic():
        definition = definition_upload(actor=actor, xml=xml, key=key, name=name)
        return definition_deploy(actor=actor, definition=definition)


def definition_export(*, definition: ProcessDefinition) -> bytes:
    """The uploaded bytes, untouched: ids, the diagram, foreign extensions, comments,
    whitespace, quoting and the XML declaration exactly as the modeler wrote them."""
    return bytes(definition.xml_bytes)


def library_install(*, actor: User | None) -> list[ProcessDefinition]:
    """Deploy the built-in processes; a key whose latest version is the same file is skipped."""
    from .library import library_xml

    _require_designer(actor)
    installed = []
    for key, xml in library_xml().items():
        latest = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
        if latest is not None and latest.xml_bytes == xml:
            continue
        installed.append(definition_upload_and_deploy(actor=actor, xml=xml, key=key))
    return installed


# -- instances --------------------------------------------------------------------------------


def _objects(instance: ProcessInstance) -> list[ObjectRef]:
    # By id: the definition row need not be loaded to link to it.
    definition = str(instance.definition_id)
    refs = [ObjectRef(ProcessDefinition.EVENT_CASE_TYPE, definition, "definition")]
    if instance.object_type and instance.object_id:
        refs.append(ObjectRef(instance.object_type, instance.object_id, "subject"))
    return refs


class _Journal:
    """The events of one step of one instance (the first one a step appends to), appended
    in one go when the step ends (`event_append_many`: one statement on PostgreSQL instead
    of four per event). `new_case` comes with the first event (a just inserted instance)."""

    def __init__(self) -> None:
        self.instance_pk: int | None = None
        self.new_case = False
        self.entries: list[EventEntry] = []
        self.writes: StepWrites | None = None  # a step's writes held back to go with them
        self.commit = False  # the service's transaction ends with its last flush

    def flush(self, *, last: bool = False) -> None:
        writes, self.writes = self.writes, None
        if self.entries and self.instance_pk is not None:
            append = writes.append_events if writes is not None else event_append_many
            append(
                case_type=CASE,
                case_id=self.instance_pk,
                entries=self.entries,
                new_case=self.new_case,
            )
            self.entries = []
            self.new_case = False  # what was appended is now the case's previous event
        if writes is not None:
            # the step's writes, and the events (and the COMMIT) in the same message
            writes.send(commit=last and self.commit)


_JOURNAL: ContextVar[_Journal | None] = ContextVar("bpm_step_journal", default=None)


def _journaled(service: Callable[_P, _R]) -> Callable[_P, _R]:
    """The service's events of its instance are appended together when it returns (inside
    its transaction: they commit with the step or not at all; nothing if it raises)."""

    @functools.wraps(service)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        journal = _Journal()
        token = _JOURNAL.set(journal)
        try:
            result = service(*args, **kwargs)
            journal.flush(last=True)
            return result
        finally:
            _JOURNAL.reset(token)

    return run


def _flush_journal() -> None:
    """Write the collected events now: before code that appends to the case directly."""
    journal = _JOURNAL.get()
    if journal is not None:
        journal.flush()


def _send_or_hold(instance: ProcessInstance, writes: StepWrites, created: list[HumanTask]) -> None:
    """Insert the step's new tasks (the first with the key its lock drew) and send the
    writes; inside a journaled step of this instance, when every new task has its key (the
    events name it), hold them instead: the journal sends them with the events."""
    drawn = instance.__dict__.pop("drawn_key", None)  # the lock drew the next task's key
    if created and drawn is not None:
        created[0].pk = drawn
    for task in created:
        writes.insert(task)
    journal = _JOURNAL.get()
    if (
        journal is not None
        and journal.instance_pk in (None, instance.pk)
        and all(task.pk is not None for task in created)
    ):
        journal.writes = writes  # sent with the events, when the step ends
    else:
        writes.send()


def _event(
    instance: ProcessInstance,
    activity: str,
    actor: User | None,
    payload: Mapping[str, Any] | None = None,
    *,
    new_case: bool = False,
) -> None:
    journal = _JOURNAL.get()
    if journal is not None and journal.instance_pk in (None, instance.pk):
        if journal.instance_pk is None:
            journal.instance_pk, journal.new_case = instance.pk, new_case
        journal.entries.append(
            EventEntry(
                activity, getattr(actor, "pk", None), payload, _objects(instance), timezone.now()
            )
        )
        return
    event_append(
        case_type=CASE,
        case_id=instance.pk,
        activity=activity,
        actor=actor,
        payload=payload,
        objects=_objects(instance),
        new_case=new_case,
    )


def _action_handler(name: str, element_id: str, variables: dict[str, Any]) -> Any:
    if name.startswith("decision:"):
        return _evaluate_decision(name, variables)
    return run_action(name, element_id, variables)


def _evaluate_decision(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A business-rule task: evaluate the decision (decisions app) on the process variables."""
    from greenwave.decisions import services as decisions

    _prefix, key, result_variable = [*name.split(":", 2), "decision_result"][:3]
    try:
        evaluation = decisions.decision_evaluate(actor=None, key=key, context=dict(variables))
    except DomainError as exc:
        raise RuntimeError(exc.message) from exc
    if evaluation.errors:
        raise RuntimeError("; ".join(str(e) for e in evaluation.errors))
    # Numbers as numbers (the JSON answer of the API writes them as exact decimal text).
    return {result_variable: engine.feel_value(evaluation.value)}


class _RunCache:
    """Restored runs of the instances this process advanced last, so that the next step of a
    hot instance skips parsing its saved state. An entry is taken out for a step (one owner
    at a time) and put back only when the step's transaction commits (`on_commit`); it is
    used only while the locked row still has the version it was saved as — another worker's
    step, a rolled-back step or a restored backup changes `lock_version` or `updated_at`,
    and then the state is restored from the row as before."""

    SIZE = 256  # hot instances per process: a bound on the memory the kept runs hold

    def __init__(self) -> None:
        self._runs: OrderedDict[int, tuple[tuple[Any, ...], engine.ProcessRun]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _version(instance: ProcessInstance) -> tuple[Any, ...]:
        return (
            instance.lock_version,
            instance.updated_at,
            instance.definition_id,
            instance.serializer_version,
        )

    def take(self, instance: ProcessInstance) -> engine.ProcessRun | None:
        with self._lock:
            entry = self._runs.pop(instance.pk, None)
        if entry is None or entry[0] != self._version(instance):
            return None
        return entry[1]

    def keep(self, instance: ProcessInstance, run: engine.ProcessRun) -> None:
        pk, version = instance.pk, self._version(instance)

        def put() -> None:
            with self._lock:
                self._runs[pk] = (version, run)
                self._runs.move_to_end(pk)
                while len(self._runs) > self.SIZE:
                    self._runs.popitem(last=False)

        transaction.on_commit(put)

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()


_RUNS = _RunCache()


def _restore(instance: ProcessInstance) -> engine.ProcessRun:
    cached = _RUNS.take(instance)
    if cached is not None:
        return cached
    definition = instance.definition
    try:
        return engine.ProcessRun.restore(
            instance.state,
            instance.serializer_version,
            # The specs of the instance's version: parsed once per process (cached).
            compiled=lambda: _compile(definition),
            actions=_action_handler,
            service_actions=instance.definition.metadata.get("service_actions", {}),
        )
    except engine.EngineError as exc:
        raise DomainError(BpmError.ENGINE_ERROR, exc.message) from exc


def _user_by_ref(value: Any) -> User | None:
    if isinstance(value, User):
        return value
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return User.objects.filter(pk=int(value), is_active=True).first()
    if isinstance(value, str) and value:
        return User.objects.filter(username=value, is_active=True).first()
    return None


def _resolve(expression: str, variables: Mapping[str, Any]) -> Any:
    if expression.startswith("="):  # FEEL (Camunda 8, Greenwave): a name or an expression
        text = expression[1:].strip()
        if text in variables:
            return variables[text]
        try:
            return engine.feel_evaluate(text, variables)
        except engine.SandboxError:
            return None
    if expression.startswith("${") and expression.endswith("}"):
        return variables.get(expression[2:-1].strip())
    return expression


# Russian role names as lanes are usually written (the .po files may not be compiled).
ROLE_ALIASES = {
    "колл-центр": RoleCode.CALL_CENTER,
    "охотник": RoleCode.HUNTER,
    "клоузер": RoleCode.CLOSER,
    "фермер": RoleCode.FARMER,
    "менеджер по ключевым клиентам": RoleCode.KAM,
    "руководитель отдела продаж": RoleCode.HEAD_OF_SALES,
    "руководитель": RoleCode.HEAD_OF_SALES,
    "юрист": RoleCode.LAWYER,
    "финансист": RoleCode.FINANCE,
    "бухгалтер": RoleCode.ACCOUNTANT,
    "бухгалтерия": RoleCode.ACCOUNTANT,
    "hr": RoleCode.HR,
    "отдел кадров": RoleCode.HR,
    "кадровик": RoleCode.HR,
    "администратор": RoleCode.ADMIN,
}


def role_code(name: str) -> str:
    """A lane or group name as a role code: the code itself or the role's name (ru/en)."""
    if not name:
        return ""
    if name in RoleCode.values:
        return name
    wanted = name.strip().casefold()
    if wanted in ROLE_ALIASES:
        return str(ROLE_ALIASES[wanted])
    for language in ("ru", "en"):
        with translation.override(language):
            for code, label in RoleCode.choices:
                if str(label).casefold() == wanted:
                    return str(code)
    return ""


def _new_task(
    instance: ProcessInstance, ready: engine.ReadyTask, variables: Mapping[str, Any]
) -> HumanTask:
    """The task row for a ready user task (not saved: `_sync` inserts it with the step's
    other writes)."""
    meta = instance.definition.metadata.get("user_tasks", {}).get(ready.spec_id, {})
    variables = {**variables, **ready.data}  # a multi-instance item (e.g. `reader`) wins
    assignee = _user_by_ref(_resolve(str(meta.get("assignee") or ""), variables))
    role = role_code(str(meta.get("candidate_role") or ""))
    for group in meta.get("candidate_groups") or []:  # Camunda's groups: the first known role
        role = role or role_code(str(group))
    team_ref = _resolve(str(meta.get("candidate_team") or ""), variables)
    candidate_team = (
        Team.objects.filter(
            Q(name=team_ref) | Q(pk=int(team_ref) if str(team_ref).isdigit() else 0)
        ).first()
        if team_ref
        else None
    )
    due = engine.iso_duration(str(meta.get("due_in") or ""))
    if assignee is None and not role and candidate_team is None:
        # Nobody named: the person who started the process gets it.
        assignee = instance.responsible
    # Team ids, not rows: the task needs only the key.
    team_id = (
        (assignee.team_id if assignee else None)
        or (candidate_team.pk if candidate_team else None)
        or instance.team_id
    )
    return HumanTask(
        instance=instance,
        engine_task_id=ready.task_id,
        element_id=ready.spec_id,
        name=(meta.get("name") or ready.name or ready.spec_id)[:255],
        assignee=assignee,
        candidate_role=role,
        candidate_team=candidate_team,
        team_id=team_id,
        form_schema=meta.get("form") or [],
        due_at=timezone.now() + due if due else None,
    )


def _sync(
    instance: ProcessInstance,
    run: engine.ProcessRun,
    actor: User | None,
    *,
    waited: bool = True,
    ready_before: set[str] | None = None,
    writes: StepWrites | None = None,
) -> None:
    """Save the state and mirror tasks, timers and messages into their tables.

    The instance's UPDATE, the cancelled tasks' and the new tasks' rows are sent together
    (`StepWrites`: one round trip on PostgreSQL), after what the caller put in `writes`
    (a completion: the closed task's UPDATE).

    `waited=False` says the state before this step waited for no event (no timer, no
    message). Timer and subscription rows are written only here, for what the saved state
    waits for, and resolved here (or by firing, cancelling) once it does not wait any more;
    so then neither table can hold a live row of this instance, and when the new state waits
    for nothing either, both are left unread.

    `ready_before` are the engine's ready user tasks before the step (whose open task rows
    the previous save wrote) minus the one the step closed itself: then the rows to cancel
    and to open are the difference with the ready tasks after it, without reading the rows.
    """
    snap = run.snapshot()
    now = timezone.now()
    elements = instance.definition.metadata.get("elements", {})
    for move in run.moves:
        if elements.get(move.spec_id, {}).get("tag") == "userTask":
            continue  # the task_completed event says it better
        _event(
            instance,
            events.TOKEN_MOVED,
            actor,
            {"element": move.spec_id, "name": move.name, "kind": move.kind},
        )
    passed = [move.spec_id for move in run.moves]
    run.moves.clear()
    instance.state = run.dump()
    instance.serializer_version = engine.SERIALIZER_VERSION
    instance.lock_version += 1
    instance.variables = snap.variables
    instance.element_states = snap.element_states
    if snap.completed and instance.status == InstanceStatus.RUNNING:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = now
    writes = writes if writes is not None else StepWrites()
    writes.save(instance)
    _RUNS.keep(instance, run)

    ready_ids = {t.task_id for t in snap.ready_tasks}
    if ready_before is not None:
        gone = ready_before - ready_ids
        if gone:
            writes.update(
                HumanTask,
                {"status": TaskStatus.CANCELLED, "updated_at": now},
                instance=instance.pk,
                engine_task_id__in=gone,
                status=TaskStatus.OPEN,
            )
        known = ready_before
    else:
        rows = list(instance.tasks.order_by().values_list("pk", "engine_task_id", "status"))
        stale = [
            pk
            for pk, task_id, status in rows
            if status == TaskStatus.OPEN and task_id not in ready_ids
        ]
        if stale:
            writes.update(
                HumanTask, {"status": TaskStatus.CANCELLED, "updated_at": now}, pk__in=stale
            )
        known = {task_id for _pk, task_id, _status in rows}
    created = [
        _new_task(instance, ready, snap.variables)
        for ready in snap.ready_tasks
        if ready.task_id not in known
    ]
    _send_or_hold(instance, writes, created)
    for task in created:
        _event(
            instance,
            events.TASK_CREATED,
            actor,
            {
                "task": task.pk,
                "element": task.element_id,
                "name": task.name,
                "assignee": task.assignee.username if task.assignee else None,
                "candidate_role": task.candidate_role,
            },
        )

    actions = instance.definition.metadata.get("service_actions", {})
    if any(element in actions for element in passed):
        from .notifications import step_effects

        _flush_journal()  # the effects append to the case themselves
        step_effects(instance, passed, actor)
    if waited or snap.timers:
        _sync_timers(instance, snap, actor, now)
    if waited or snap.messages:
        _sync_messages(instance, snap)
    if instance.status == InstanceStatus.COMPLETED:
        _event(
            instance,
            events.PROCESS_COMPLETED,
            actor,
            # The outcome is what other apps read (a deal's gate: was the contract approved?).
            {"definition": instance.definition.key, "outcome": instance_outcome(instance)},
        )


def _sync_timers(
    instance: ProcessInstance, snap: engine.Snapshot, actor: User | None, now: datetime
) -> None:
    waiting = {t.task_id: t for t in snap.timers}
    timers = list(instance.timers.order_by("pk"))
    for timer in timers:
        if timer.fired_at is not None or timer.cancelled_at is not None:
            continue
        if timer.engine_task_id in waiting:
            continue
        # The engine went past it without our worker: it fired on a step or was cancelled.
        if snap.element_states.get(timer.element_id) == "done":
            timer.fired_at = now
            _event(instance, events.TIMER_FIRED, actor, {"element": timer.element_id})
        else:
            timer.cancelled_at = now
        timer.save()
    known_timers = {timer.engine_task_id for timer in timers}
    for waiting_timer in snap.timers:
        if waiting_timer.task_id not in known_timers and waiting_timer.due_at is not None:
            Timer.objects.create(
                instance=instance,
                engine_task_id=waiting_timer.task_id,
                element_id=waiting_timer.spec_id,
                due_at=waiting_timer.due_at,
            )


def _sync_messages(instance: ProcessInstance, snap: engine.Snapshot) -> None:
    waits = {(m.task_id, m.message_name) for m in snap.messages}
    known_messages = set(instance.subscriptions.values_list("engine_task_id", "message_name"))
    stale = known_messages - waits
    if stale:
        gone = Q()
        for task_id, message_name in stale:
            gone |= Q(engine_task_id=task_id, message_name=message_name)
        instance.subscriptions.filter(gone).delete()
    MessageSubscription.objects.bulk_create(
        MessageSubscription(
            instance=instance,
            engine_task_id=m.task_id,
            element_id=m.spec_id,
            message_name=m.message_name,
            correlation_key=instance.business_key,
        )
        for m in snap.messages
        if (m.task_id, m.message_name) not in known_messages
    )


def _fail(
    instance: ProcessInstance,
    run: engine.ProcessRun,
    actor: User | None,
    exc: engine.EngineError,
    *,
    writes: StepWrites | None = None,
) -> None:
    """A step failed: keep the state at the failed element, record the incident."""
    instance.status = InstanceStatus.FAILED
    _sync(instance, run, actor, writes=writes)
    incident = Incident.objects.create(
        instance=instance, element_id=exc.element_id, error=exc.message
    )
    _event(
        instance,
        events.INCIDENT_RAISED,
        actor,
        {"incident": incident.pk, "element": exc.element_id, "error": exc.message},
    )


def _lock_instance(pk: int, *, draw_task_key: bool = False) -> ProcessInstance:
    """The instance under its row lock, with its definition and initiator. Only the instance
    row is locked: the definition is shared by every instance of the version. The saved
    state is read only when it is used: a step of a cached run (`_RunCache`) needs none.
    `draw_task_key`: the key of the task the step will most likely open is drawn with it
    (`stepwrites.drawn_key`), so that its events go with the step's writes."""
    try:
        with begin_with_next_statement():
            return (
                ProcessInstance.objects.select_for_update(of=("self",))
                .select_related("definition", "responsible")
                .defer("state")
                .annotate(**(drawn_key(HumanTask) if draw_task_key else {}))
                .get(pk=pk)
            )
    except ProcessInstance.DoesNotExist:
        # After waiting for the lock, PostgreSQL re-checks the join on the row as the other
        # transaction left it; a move to another version changed its definition, so the join
        # finds nothing. The row locked alone is the answer (its relations load on demand).
        return ProcessInstance.objects.select_for_update().get(pk=pk)


def _advance(
    instance: ProcessInstance,
    actor: User | None,
    operation: Callable[[engine.ProcessRun], Any],
    *,
    allow_failed: bool = False,
    locked: ProcessInstance | None = None,
    closed_task: str | None = None,
    writes: StepWrites | None = None,
) -> Any:
    """Lock the instance (unless the caller holds it as `locked`), restore, run the operation,
    save; `instance` ends with the saved values. Call inside a transaction. `closed_task` is
    the engine task whose row the caller closed (a completion): the task rows then follow
    from the engine's ready tasks before and after (see `_sync`)."""
    if locked is None:
        locked = _lock_instance(instance.pk)
    allowed = (
        {InstanceStatus.RUNNING, InstanceStatus.FAILED}
        if allow_failed
        else {InstanceStatus.RUNNING}
    )
    if locked.status not in allowed:
        raise DomainError(
            BpmError.INSTANCE_NOT_RUNNING,
            _("The process is %(status)s.") % {"status": locked.get_status_display()},
            status=409,
        )
    run = _restore(locked)
    waited = run.waits_for_events()
    ready_before = None if closed_task is None else run.ready_task_ids() - {closed_task}
    try:
        result = operation(run)
    except engine.EngineError as exc:
        _fail(locked, run, actor, exc, writes=writes)
        return None
    _sync(locked, run, actor, waited=waited, ready_before=ready_before, writes=writes)
    if instance is not locked:  # what refresh_from_db() would read back, without the query
        for f in ProcessInstance._meta.concrete_fields:
            setattr(instance, f.attname, getattr(locked, f.attname))
    return result


def _variable_name_ok(name: str) -> bool:
    """An identifier, or FEEL's name of words separated by single spaces ("Vacation
    Approval"); never one starting with an underscore (the engine's own)."""
    words = name.split(" ")
    return not name.startswith("_") and all(w.isidentifier() for w in words)


def _check_variables(variables: Mapping[str, Any]) -> dict[str, Any]:
    import json

    try:
        text = json.dumps(dict(variables))
    except (TypeError, ValueError) as exc:
        raise DomainError(
            BpmError.INVALID_VARIABLES, _("Process variables must be JSON values.")
        ) from exc
    if len(text) > MAX_VARIABLES_CHARS:
        raise DomainError(BpmError.INVALID_VARIABLES, _("Process variables are too large."))
    bad = sorted(str(k) for k in variables if not _variable_name_ok(str(k)))
    if bad:
        raise DomainError(
            BpmError.INVALID_VARIABLES,
            _(
                "Variable names must be identifiers, or words separated by single spaces "
                "as FEEL allows: %(names)s."
            )
            % {"names": ", ".join(bad)},
        )
    return dict(variables)


@transaction.atomic
@_journaled
def instance_start(
    *,
    actor: User | None,
    definition: ProcessDefinition,
    variables: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str | int = "",
    business_key: str = "",
) -> ProcessInstance:
    """Start the definition (a deployed version) for an optional business object."""
    if definition.status != DefinitionStatus.DEPLOYED:
        raise DomainError(BpmError.NOT_DEPLOYED, _("Only a deployed process can be started."))
    data = _check_variables(variables or {})
    object_id = str(object_id)
    business_key = business_key or (f"{object_type}:{object_id}" if object_type else "")
    # Before anything runs as the system: every record named must be the caller's to read.
    scope.check_records(
        actor, variables=data, object_type=object_type, object_id=object_id, keys=(business_key,)
    )
    if actor is not None:
        data.setdefault("initiator", actor.username)
    try:
        compiled = _compile(definition)
    except engine.EngineError as exc:
        raise DomainError(BpmError.ENGINE_ERROR, exc.message) from exc
    instance = ProcessInstance(
        definition=definition,
        state="",
        serializer_version=engine.SERIALIZER_VERSION,
        object_type=object_type[:40],
        object_id=object_id[:64],
        business_key=business_key[:120],
        responsible=actor,
        team_id=scope.instance_team_id(
            actor, object_type=object_type, object_id=object_id, business_key=business_key
        ),
    )
    try:
        run = engine.ProcessRun.start(
            compiled,
            variables=data,
            actions=_action_handler,
            service_actions=definition.metadata.get("service_actions", {}),
        )
    except engine.EngineError as exc:
        raise DomainError(
            BpmError.ENGINE_ERROR,
            _("The process failed at its first step: %(error)s") % {"error": exc.message},
            details={"element": exc.element_id},
        ) from exc
    instance.save()  # the state is written by _sync below, in this transaction
    _event(
        instance,
        events.PROCESS_STARTED,
        actor,
        {"definition": definition.key, "version": definition.version},
        new_case=True,  # the row was inserted just now: no earlier event, no other writer
    )
    # A new instance has no timer, message or task rows.
    _sync(instance, run, actor, waited=False, ready_before=set())
    return instance


@transaction.atomic
def instance_cancel(*, actor: User | None, instance: ProcessInstance) -> ProcessInstance:
    if actor is not None and not (actor.is_greenwave_admin or instance.responsible_id == actor.pk):
        raise permission_denied(_("Only the initiator or an administrator can cancel a process."))

    def cancel(run: engine.ProcessRun) -> None:
        run.cancel()

    _advance(instance, actor, cancel, allow_failed=True)
    now = timezone.now()
    ProcessInstance.objects.filter(pk=instance.pk).update(
        status=InstanceStatus.CANCELLED, ended_at=now
    )
    instance.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    instance.timers.filter(fired_at=None, cancelled_at=None).update(cancelled_at=now)
    instance.subscriptions.all().delete()
    instance.refresh_from_db()
    _event(instance, events.PROCESS_CANCELLED, actor)
    return instance


# -- moving instances between versions --------------------------------------------------------

MAX_MAPPING_ITEMS = 200


def can_migrate_instances(actor: User | None) -> bool:
    """An administrator or a head (who reaches only the instances their scope shows)."""
    return actor is None or actor.is_greenwave_admin or actor.has_role(RoleCode.HEAD_OF_SALES)


@dataclass
class MigrationCheck:
    """What moving one instance to another version does (the dry run) or did."""

    instance_id: int
    from_version: int
    to_version: int
    allowed: bool
    migrated: bool = False
    steps: list[dict[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def problems(self) -> list[dict[str, str]]:
        return [s for s in self.steps if s["problem"]]


def _check_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    items = dict(mapping or {})
    bad = [
        k
        for k, v in items.items()
        if not isinstance(k, str)
        or not isinstance(v, str)
        or not k.strip()
        or not v.strip()
        or len(k) > 200
        or len(v) > 200
    ]
    if bad or len(items) > MAX_MAPPING_ITEMS:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("The mapping must pair element ids (old id → new id)."),
            details={"mapping": [str(k) for k in bad]},
        )
    return {k.strip(): v.strip() for k, v in items.items() if k.strip() != v.strip()}


def _problem_text(step: engine.MigrationStep, version: int) -> str:
    element = f"{step.element_id} ({step.name})" if step.name else step.element_id
    values = {
        "element": element,
        "version": version,
        "target": step.target_id or step.element_id,
        "kind": step.kind,
        "target_kind": step.target_kind,
    }
    if step.problem == "missing":
        text = _("The process is at %(element)s, but version %(version)s has no %(target)s.")
    elif step.problem == "kind_changed":
        text = _("%(element)s is a %(kind)s, but a %(target_kind)s in version %(version)s.")
    elif step.problem == "event_changed":
        text = _("%(element)s waits for another kind of event in version %(version)s.")
    elif step.problem == "subprocess_missing":
        text = _("The sub-process that %(element)s runs is not in version %(version)s.")
    else:
        text = _("The mapping names %(element)s, which the process does not have.")
    return text % values


def _migration_refusal(instance: ProcessInstance, target: ProcessDefinition) -> None:
    """Checks that do not need the engine: same process, deployed, another version, running."""
    source = instance.definition
    if target.key != source.key:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("Version %(version)s belongs to another process.") % {"version": target.version},
        )
    if target.pk == source.pk:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("The process is already on version %(version)s.") % {"version": target.version},
        )
    if target.status != DefinitionStatus.DEPLOYED:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("Only a deployed version can take running processes."),
        )
    if instance.status not in {InstanceStatus.RUNNING, InstanceStatus.FAILED}:
        raise DomainError(
            BpmError.INSTANCE_NOT_RUNNING,
            _("The process is %(status)s.") % {"status": instance.get_status_display()},
            status=409,
        )


def _compiled(definition: ProcessDefinition) -> Any:
    try:
        return _compile(definition)
    except engine.EngineError as exc:
        raise DomainError(BpmError.ENGINE_ERROR, exc.message) from exc


def _migration_check(
    instance: ProcessInstance,
    target: ProcessDefinition,
    plan: engine.MigrationPlan,
    run: engine.ProcessRun,
) -> MigrationCheck:
    steps = [
        {
            "element": s.element_id,
            "name": s.name,
            "kind": s.kind,
            "state": s.state,
            "target": s.target_id,
            "problem": s.problem,
            "message": _problem_text(s, target.version) if s.problem else "",
        }
        for s in plan.steps
    ]
    targets = {s.element_id: s.target_id for s in plan.steps}
    tasks = [
        {
            "id": t.pk,
            "name": t.name,
            "element": t.element_id,
            "target": targets.get(t.element_id, ""),
            "assignee": t.assignee.username if t.assignee else None,
        }
        for t in instance.tasks.filter(status=TaskStatus.OPEN).select_related("assignee")
    ]
    return MigrationCheck(
        instance_id=instance.pk,
        from_version=instance.definition.version,
        to_version=target.version,
        allowed=plan.allowed,
        steps=steps,
        added=plan.added,
        removed=plan.removed,
        tasks=tasks,
        mapping=plan.mapping,
    )


def instance_migration_check(
    *,
    actor: User | None,
    instance: ProcessInstance,
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
) -> MigrationCheck:
    """The dry run: which active elements land where, what is refused. Changes nothing."""
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    items = _check_mapping(mapping)
    instance = ProcessInstance.objects.select_related("definition").get(pk=instance.pk)
    _migration_refusal(instance, target)
    run = _restore(instance)
    plan = run.plan_migration(_compiled(target), items)
    return _migration_check(instance, target, plan, run)


@transaction.atomic
def instance_migrate(
    *,
    actor: User | None,
    instance: ProcessInstance,
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
) -> MigrationCheck:
    """Move a running instance onto another version of its process, under its row lock.

    Refused (nothing changed) unless every element the instance is at exists in the target
    with the same kind. Task rows of tasks that stay keep their assignee and claim; the form
    and name come from the target; timers keep their due moment.
    """
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    items = _check_mapping(mapping)
    locked = (
        ProcessInstance.objects.select_for_update().select_related("definition").get(pk=instance.pk)
    )
    _migration_refusal(locked, target)
    source = locked.definition
    run = _restore(locked)
    compiled = _compiled(target)
    plan = run.plan_migration(compiled, items)
    check = _migration_check(locked, target, plan, run)
    if not plan.allowed:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("The process cannot move to version %(version)s: %(problems)s")
            % {
                "version": target.version,
                "problems": " ".join(p["message"] for p in check.problems),
            },
            details={"problems": check.problems},
            status=409,
        )
    try:
        run.migrate(compiled, items)
    except engine.EngineError as exc:
        raise DomainError(BpmError.MIGRATION_REFUSED, exc.message, status=409) from exc
    snap = run.snapshot()
    user_tasks = target.metadata.get("user_tasks", {})
    ready = {t.task_id: t for t in snap.ready_tasks}
    for task in locked.tasks.filter(status=TaskStatus.OPEN, engine_task_id__in=ready):
        meta = user_tasks.get(ready[task.engine_task_id].spec_id, {})
        task.element_id = ready[task.engine_task_id].spec_id
        task.name = (meta.get("name") or task.name)[:255]
        task.form_schema = meta.get("form") or []
        task.save(update_fields=["element_id", "name", "form_schema", "updated_at"])
    timers = {t.task_id: t for t in snap.timers}
    for timer in locked.timers.filter(fired_at=None, cancelled_at=None, engine_task_id__in=timers):
        timer.element_id = timers[timer.engine_task_id].spec_id
        timer.save(update_fields=["element_id", "updated_at"])
    waits: dict[str, list[engine.WaitingMessage]] = {}
    for wait in snap.messages:
        waits.setdefault(wait.task_id, []).append(wait)
    for sub in locked.subscriptions.filter(engine_task_id__in=waits):
        if len(waits[sub.engine_task_id]) == 1:  # the same wait, maybe for a renamed message
            sub.element_id = waits[sub.engine_task_id][0].spec_id
            sub.message_name = waits[sub.engine_task_id][0].message_name
            sub.save(update_fields=["element_id", "message_name", "updated_at"])
    locked.definition = target
    _sync(locked, run, actor)
    _event(
        locked,
        events.INSTANCE_MIGRATED,
        actor,
        {
            "from_version": source.version,
            "to_version": target.version,
            "from_definition": source.pk,
            "to_definition": target.pk,
            "mapping": plan.mapping,
            "elements": {s.element_id: s.target_id for s in plan.steps},
        },
    )
    instance.refresh_from_db()
    check.migrated = True
    return check


@transaction.atomic
def instances_migrate(
    *,
    actor: User | None,
    instances: Iterable[ProcessInstance],
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> list[MigrationCheck]:
    """Move several instances (e.g. every running one of a version): each one that can move
    moves; each refused one is reported with its reasons and stays as it was."""
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    results: list[MigrationCheck] = []
    for instance in instances:
        try:
            if dry_run:
                results.append(
                    instance_migration_check(
                        actor=actor, instance=instance, target=target, mapping=mapping
                    )
                )
                continue
            with transaction.atomic():
                results.append(
                    instance_migrate(actor=actor, instance=instance, target=target, mapping=mapping)
                )
        except DomainError as exc:
            if exc.code == CoreError.PERMISSION_DENIED:
                raise
            problems = (exc.details or {}).get("problems") or []
            results.append(
                MigrationCheck(
                    instance_id=instance.pk,
                    from_version=instance.definition.version,
                    to_version=target.version,
                    allowed=False,
                    steps=list(problems),
                    error=str(exc.message),
                )
            )
    return results


# -- the inbox --------------------------------------------------------------------------------


def is_candidate(actor: User, task: HumanTask) -> bool:
    """The assignee; or, for an offer, a holder of the role within scope (see `scope`)."""
    return scope.is_candidate(actor, task)


def _lock_task(task: HumanTask) -> tuple[HumanTask, ProcessInstance]:
    instance = _lock_instance(task.instance_id)
    locked = HumanTask.objects.get(pk=task.pk)
    locked.instance = instance
    if locked.status != TaskStatus.OPEN:
        raise DomainError(
            BpmError.TASK_NOT_OPEN,
            _("This task is already %(status)s.") % {"status": locked.get_status_display()},
            status=409,
        )
    return locked, instance


@transaction.atomic
def task_claim(*, actor: User, task: HumanTask) -> HumanTask:
    task, instance = _lock_task(task)
    if task.assignee_id == actor.pk:
        return task
    if task.assignee_id is not None or not is_candidate(actor, task):
        raise DomainError(BpmError.TASK_NOT_YOURS, _("You cannot take this task."), status=403)
    task.assignee, task.claimed_by, task.claimed_at = actor, actor, timezone.now()
    task.team = actor.team or task.team
    task.save()
    _event(instance, events.TASK_CLAIMED, actor, {"task": task.pk, "element": task.element_id})
    return task


@transaction.atomic
def task_unclaim(*, actor: User, task: HumanTask) -> HumanTask:
    task, instance = _lock_task(task)
    if task.claimed_by_id is None or (
        task.assignee_id != actor.pk and not actor.is_greenwave_admin
    ):
        raise DomainError(
            BpmError.TASK_NOT_YOURS, _("Only a task you took can be given back."), status=403
        )
    task.assignee, task.claimed_by, task.claimed_at = None, None, None
    task.save()
    _event(instance, events.TASK_UNCLAIMED, actor, {"task": task.pk, "element": task.element_id})
    return task


@transaction.atomic
def task_delegate(*, actor: User, task: HumanTask, to: User) -> HumanTask:
    task, instance = _lock_task(task)
    if not (task.assignee_id == actor.pk or actor.is_greenwave_admin or is_candidate(actor, task)):
        raise DomainError(
            BpmError.TASK_NOT_YOURS, _("Only the assignee can hand the task over."), status=403
        )
    if not to.is_active:
        raise DomainError(BpmError.TASK_NOT_YOURS, _("The user is not active."))
    previous = task.assignee.username if task.assignee else None
    task.assignee, task.claimed_by, task.claimed_at = to, to, timezone.now()
    task.team = to.team or task.team
    task.save()
    _event(
        instance,
        events.TASK_DELEGATED,
        actor,
        {"task": task.pk, "element": task.element_id, "from": previous, "to": to.username},
    )
    return task


def _store_files(
    actor: User, task: HumanTask, instance: ProcessInstance, values: dict[str, Any]
) -> None:
    """Keep the uploads of the form's file fields with the process (under a random name);
    the variable holds what people see: the file's id, name and size."""
    from django.core.files.uploadedfile import UploadedFile

    from .models import ProcessFile

    for name, value in list(values.items()):
        if not isinstance(value, UploadedFile):
            continue
        original = os.path.basename(value.name or "file")[:255]
        extension = os.path.splitext(original)[1].lower()
        stored = ProcessFile(
            instance=instance,
            task=task,
            field=name,
            original_name=original,
            content_type=(value.content_type or "application/octet-stream")[:120],
            size=value.size or 0,
            uploaded_by=actor,
        )
        stored.file.save(f"{uuid.uuid4().hex}{extension}", value, save=False)
        stored.save()
        values[name] = {"file_id": stored.pk, "name": original, "size": stored.size}
        _event(
            instance,
            events.FILE_ATTACHED,
            actor,
            {"file": stored.pk, "name": original, "size": stored.size, "element": task.element_id},
        )


def process_file_attach(
    *,
    actor: User | None,
    instance: ProcessInstance,
    field: str,
    name: str,
    content: bytes,
    content_type: str,
    element_id: str = "",
) -> Any:
    """Keep a file another app made for the process (the employee's application made from
    its template) with the process, like a form's upload: every approver sees it."""
    from django.core.files.base import ContentFile

    from .models import ProcessFile

    original = os.path.basename(name or "file")[:255]
    stored = ProcessFile(
        instance=instance,
        field=field[:100],
        original_name=original,
        content_type=content_type[:120],
        size=len(content),
        uploaded_by=actor,
    )
    extension = os.path.splitext(original)[1].lower()
    stored.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    stored.save()
    _event(
        instance,
        events.FILE_ATTACHED,
        actor,
        {"file": stored.pk, "name": original, "size": stored.size, "element": element_id},
    )
    return stored


def task_complete(
    *,
    actor: User,
    task: HumanTask,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
) -> HumanTask:
    """Validate the form, complete the task in the engine and move the process on.

    `files` are the uploads of the form's file fields (the HTML form); they are stored with
    the process and the variable holds the file's id and name.

    The caller's copy of an open task is trusted first (no read of the task row under the
    lock): the step's UPDATE of the row then requires it to be still open and unchanged
    (`updated_at`, assignment, element), and when it is not — or the step refuses — the
    step is rolled back and done again from the row read under the lock. A form with file
    fields (stored as the step runs) always takes the second way."""
    schema = task.form_schema if isinstance(task.form_schema, list) else []
    if (
        task.status == TaskStatus.OPEN
        and not files
        and not any(isinstance(s, dict) and s.get("type") == "file" for s in schema)
        and (task.assignee_id in (None, actor.pk) or actor.is_greenwave_admin)
    ):
        try:
            # A copy: the caller's object stays as it was if this way gives up.
            return _task_complete(
                actor=actor, task=copy.copy(task), data=data, files=None, trusted=True
            )
        except (StaleRowError, DomainError):
            pass  # rolled back: the copy was out of date, or the row decides the refusal
    return _task_complete(actor=actor, task=task, data=data, files=files, trusted=False)


@transaction.atomic
@_journaled
def _task_complete(
    *,
    actor: User,
    task: HumanTask,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None,
    trusted: bool,
) -> HumanTask:
    if trusted:
        instance = _lock_instance(task.instance_id, draw_task_key=True)
        task.instance = instance
    else:
        task, instance = _lock_task(task)
    if not (is_candidate(actor, task) or actor.is_greenwave_admin):
        raise DomainError(BpmError.TASK_NOT_YOURS, _("This task is not yours."), status=403)
    unchanged = (
        # The copy's values the step relies on (who may complete it, its form and element):
        # a row that differs is not updated, and the step starts over from the row.
        {
            "status": TaskStatus.OPEN,
            "updated_at": task.updated_at,
            "instance": instance.pk,
            "engine_task_id": task.engine_task_id,
            "element_id": task.element_id,
            "assignee": task.assignee_id,
            "candidate_role": task.candidate_role,
            "candidate_team": task.candidate_team_id,
        }
        if trusted
        else {}
    )
    values = clean_form_data(task.form_schema, data, files)
    scope.check_records(actor, variables=values)
    _store_files(actor, task, instance, values)
    now = timezone.now()
    task.status, task.completed_by, task.completed_at, task.result = (
        TaskStatus.COMPLETED,
        actor,
        now,
        values,
    )
    if task.assignee_id is None:
        task.assignee, task.claimed_by, task.claimed_at = actor, actor, now
    task.updated_at = now
    # Sent with the step's other writes (after the engine's advance, in one round trip).
    writes = StepWrites()
    writes.update(
        HumanTask,
        # By key: the users are not loaded (`task.assignee` of a claimed task would be).
        {name: getattr(task, attname) for name, attname in _COMPLETION_COLUMNS},
        expect=1,
        pk=task.pk,
        **unchanged,
    )
    _event(
        instance,
        events.TASK_COMPLETED,
        actor,
        {
            "task": task.pk,
            "element": task.element_id,
            "name": task.name,
            "data": values,
            "waited_seconds": int((now - task.created_at).total_seconds()),
        },
    )

    def complete(run: engine.ProcessRun) -> None:
        run.complete_user_task(task.engine_task_id, values)

    _advance(
        instance, actor, complete, locked=instance, closed_task=task.engine_task_id, writes=writes
    )
    journal = _JOURNAL.get()
    if journal is not None:  # nothing of the transaction follows the journal's last flush
        journal.commit = True
    return task


# The columns a completion writes: (field, attribute) — a user by its key.
_COMPLETION_COLUMNS = (
    ("status", "status"),
    ("completed_by", "completed_by_id"),
    ("completed_at", "completed_at"),
    ("result", "result"),
    ("assignee", "assignee_id"),
    ("claimed_by", "claimed_by_id"),
    ("claimed_at", "claimed_at"),
    ("updated_at", "updated_at"),
)


# -- timers, messages, incidents --------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _due_timers(now: datetime) -> QuerySet[Timer]:
    return (
        Timer.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=now)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - TIMER_RETRY_AFTER))
        .order_by("due_at", "pk")
    )


@transaction.atomic
def timer_fire_next(
    *, now: datetime, worker: str, exclude: Collection[int] = (), attempted: list[int] | None = None
) -> tuple[int, bool] | None:
    """Fire the next due timer that no other worker is firing: `(timer id, fired)`, or None
    when nothing is due.

    The row lock held for the whole firing is the claim: a worker killed mid-step leaves no
    claim behind (its transaction and lock die with its connection), so another worker fires
    the timer on its next poll, and `fired_at`, written in the same transaction as the step,
    keeps it exactly once. `attempted` receives the id before the step runs, so a caller
    can tell which timer failed.
    """
    qs = _due_timers(now).exclude(pk__in=exclude)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    timer = qs.first()
    if timer is None:
        return None
    if attempted is not None:
        attempted.append(timer.pk)
    instance = ProcessInstance.objects.select_related("definition").get(pk=timer.instance_id)
    timer.fired_at = now
    timer.claimed_by, timer.claimed_at = worker, None
    timer.save(update_fields=["fired_at", "claimed_by", "claimed_at", "updated_at"])
    if instance.status != InstanceStatus.RUNNING:
        return timer.pk, False
    _event(instance, events.TIMER_FIRED, None, {"element": timer.element_id})

    def fire(run: engine.ProcessRun) -> bool:
        return run.fire_timer(timer.engine_task_id)

    _advance(instance, None, fire)
    return timer.pk, True


def timers_fire_due(now: datetime | None = None, *, worker: str = "") -> int:
    """The periodic job of `run_worker`: fire every due timer once.

    A timer whose step fails is marked (`claimed_at`) and retried after TIMER_RETRY_AFTER,
    so one broken instance neither stops the others nor spins the worker.
    """
    moment = now or timezone.now()
    name = worker or _worker_name()
    fired = 0
    failed: list[int] = []
    for _attempt in range(TIMER_BATCH):
        attempted: list[int] = []
        try:
            outcome = timer_fire_next(now=moment, worker=name, exclude=failed, attempted=attempted)
        except Exception:
            if not attempted:
                raise
            logger.exception("timer %s failed", attempted[-1])
            failed.append(attempted[-1])
            Timer.objects.filter(pk=attempted[-1]).update(claimed_by=name, claimed_at=moment)
            continue
        if outcome is None:
            break
        fired += int(outcome[1])
    return fired


def tasks_escalate_overdue(now: datetime | None = None) -> int:
    """The periodic job: an overdue open task is escalated once to the head of its team.

    The event (case = the process, linked to the business object) is what timelines,
    "who holds up whom" and notifications read; `escalated_at` makes it happen once.
    """
    moment = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        qs = HumanTask.objects.filter(
            status=TaskStatus.OPEN, escalated_at=None, due_at__lt=moment
        ).select_related("instance__definition", "team__head", "assignee")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        for task in qs[:TIMER_BATCH]:
            head = task.team.head if task.team else None
            _event(
                task.instance,
                events.TASK_OVERDUE,
                None,
                {
                    "task": task.pk,
                    "element": task.element_id,
                    "name": task.name,
                    "assignee": task.assignee.username if task.assignee else None,
                    "candidate_role": task.candidate_role,
                    "escalated_to": head.username if head else None,
                    "due_at": task.due_at.isoformat() if task.due_at else None,
                },
            )
            HumanTask.objects.filter(pk=task.pk).update(escalated_at=moment)
            escalated += 1
    return escalated


@transaction.atomic
def message_correlate(
    *,
    actor: User | None,
    name: str,
    correlation_key: str = "",
    payload: Mapping[str, Any] | None = None,
) -> list[ProcessInstance]:
    """Deliver a message to the processes waiting for it, or start one with a message start.

    A user's message reaches only the processes they see, and names only records they may
    read (`scope`); the system's (actor None) reaches every process."""
    data = _check_variables(payload or {})
    scope.check_records(actor, variables=data, keys=(correlation_key,))
    subs = MessageSubscription.objects.filter(message_name=name).select_related("instance")
    visible = scope.visible_instances_q(actor) if actor is not None else Q()
    if visible:
        subs = subs.filter(instance__in=ProcessInstance.objects.filter(visible))
    if correlation_key:
        subs = subs.filter(correlation_key=correlation_key)
    waiting = list({s.instance_id: s.instance for s in subs.order_by("created_at")}.values())
    if not correlation_key and len(waiting) > 1:
        raise DomainError(
            BpmError.MESSAGE_NOT_CORRELATED,
            _("Several processes wait for %(name)s: give a correlation key.") % {"name": name},
            details={"instances": [i.pk for i in waiting]},
            status=409,
        )
    delivered: list[ProcessInstance] = []
    for instance in waiting:

        def deliver(run: engine.ProcessRun) -> bool:
            return run.deliver_message(name, data)

        _event(instance, events.MESSAGE_CORRELATED, actor, {"message": name})
        _advance(instance, actor, deliver)
        delivered.append(instance)
    if delivered:
        return delivered
    starts = [
        d
        for d in ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED).order_by(
            "key", "-version"
        )
        if name in d.metadata.get("message_starts", [])
    ]
    latest: dict[str, ProcessDefinition] = {}
    for d in starts:
        latest.setdefault(d.key, d)
    for definition in latest.values():
        instance = instance_start(
            actor=actor, definition=definition, variables=data, business_key=correlation_key
        )
        _event(instance, events.MESSAGE_CORRELATED, actor, {"message": name})
        if instance.subscriptions.filter(message_name=name).exists():

            def deliver_start(run: engine.ProcessRun) -> bool:
                return run.deliver_message(name, data)

            _advance(instance, actor, deliver_start)
        delivered.append(instance)
    if not delivered:
        raise DomainError(
            BpmError.MESSAGE_NOT_CORRELATED,
            _("No process waits for the message %(name)s.") % {"name": name},
            status=404,
        )
    return delivered


@transaction.atomic
def incident_retry(*, actor: User | None, incident: Incident) -> ProcessInstance:
    if actor is not None and not (
        actor.is_greenwave_admin or incident.instance.responsible_id == actor.pk
    ):
        raise permission_denied(_("Only the initiator or an administrator can retry."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.resolved_at is not None:
        raise DomainError(BpmError.NO_INCIDENT, _("This incident is already resolved."), status=409)
    instance = incident.instance
    ProcessInstance.objects.filter(pk=instance.pk, status=InstanceStatus.FAILED).update(
        status=InstanceStatus.RUNNING
    )
    incident.retries += 1
    incident.save(update_fields=["retries", "updated_at"])

    def retry(run: engine.ProcessRun) -> list[str]:
        return run.retry_failed()

    _advance(instance, actor, retry)
    instance.refresh_from_db()
    if instance.status != InstanceStatus.FAILED:
        incident.resolved_at = timezone.now()
        incident.save(update_fields=["resolved_at", "updated_at"])
        _event(instance, events.INCIDENT_RESOLVED, actor, {"incident": incident.pk})
    return instance


# -- processes bound to a business object (a deal) --------------------------------------------

# How a record type is named in messages («сделка», not `deal`).
SUBJECT_LABELS = {
    "deal": gettext_lazy("deal"),
    "lead": gettext_lazy("lead"),
    "company": gettext_lazy("client"),
    "contact": gettext_lazy("contact"),
}


def subject_label(subject_type: str) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type))


def definition_subject(definition: ProcessDefinition) -> str:
    """The record type the process is started from (`gw:subject` of its process), or ""."""
    for process in definition.metadata.get("processes", []):
        if process.get("id") == definition.process_id:
            return str(process.get("subject") or "")
    return ""


def instance_outcome(instance: ProcessInstance) -> str:
    """How a run ended: the `gw:outcome` of the end event it reached (e.g. approved), or ""."""
    elements = instance.definition.metadata.get("elements", {})
    for element_id, state in instance.element_states.items():
        outcome = elements.get(element_id, {}).get("outcome") if state == "done" else None
        if outcome:
            return str(outcome)
    return ""


def _check_subject(
    actor: User | None, definition: ProcessDefinition, object_type: str, object_id: str
) -> None:
    """A process is bound to a real record the actor may see, never to typed text."""
    subject = definition_subject(definition)
    if object_type or object_id:
        types = case_types()
        if object_type not in types:
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("Unknown business object type “%(type)s”: use one of %(types)s.")
                % {"type": object_type, "types": ", ".join(types)},
                details={"object_type": object_type, "types": types},
            )
        if not object_id:
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("Give the id of the %(subject)s the process is for.")
                % {"subject": subject_label(object_type)},
                details={"object_type": object_type},
            )
        if actor is not None and not can_read_case(actor, object_type, object_id):
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("There is no %(subject)s #%(id)s that you can see.")
                % {"subject": subject_label(object_type), "id": object_id},
                details={"object_type": object_type, "object_id": object_id},
                status=404,
            )
    if subject and object_type != subject:
        raise DomainError(
            BpmError.SUBJECT_REQUIRED,
            _("“%(process)s” is started from a %(subject)s: open it and start the process there.")
            % {"process": definition.name, "subject": subject_label(subject)},
            details={"subject": subject},
        )


@transaction.atomic
def instance_start_checked(
    *,
    actor: User | None,
    definition: ProcessDefinition,
    variables: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str | int = "",
    business_key: str = "",
) -> ProcessInstance:
    """A start asked for by a person (page, API): the business object, if any, must be a record
    the actor sees, and a process about deals only starts for a deal. The id is also given to
    the process as the variable `<type>_id` (e.g. `deal_id`)."""
    object_type, object_id = object_type.strip(), str(object_id).strip()
    _check_subject(actor, definition, object_type, object_id)
    data = dict(variables or {})
    if object_type:
        data.setdefault(f"{object_type}_id", int(object_id) if object_id.isdigit() else object_id)
    return instance_start(
        actor=actor,
        definition=definition,
        variables=data,
        object_type=object_type,
        object_id=object_id,
        business_key=business_key,
    )


def subject_processes(*, subject_type: str) -> list[ProcessDefinition]:
    """The processes started from a record of this type: the latest deployed version of each."""
    latest: dict[str, ProcessDefinition] = {}
    deployed = ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED).defer("xml")
    for definition in deployed.order_by("key", "-version"):
        latest.setdefault(definition.key, definition)
    found = [d for d in latest.values() if definition_subject(d) == subject_type]
    return sorted(found, key=lambda d: d.name)


@dataclass(frozen=True)
class SubjectRun:
    """One run of a process for a record, as the record's page lists it."""

    id: int
    key: str
    name: str
    status: str
    status_label: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in {InstanceStatus.RUNNING, InstanceStatus.FAILED}


def subject_runs(*, subject_type: str, subject_id: str | int, limit: int = 20) -> list[SubjectRun]:
    """The runs of processes for one record, newest first (one query)."""
    rows = (
        ProcessInstance.objects.filter(object_type=subject_type, object_id=str(subject_id))
        .select_related("definition")
        .only(
            "status",
            "element_states",
            "created_at",
            "ended_at",
            "definition__key",
            "definition__name",
            "definition__metadata",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        SubjectRun(
            id=row.pk,
            key=row.definition.key,
            name=row.definition.name,
            status=row.status,
            status_label=str(row.get_status_display()),
            outcome=instance_outcome(row) if row.status == InstanceStatus.COMPLETED else "",
            started_at=row.created_at,
            ended_at=row.ended_at,
        )
        for row in rows
    ]


@transaction.atomic
def subject_process_start(
    *,
    actor: User | None,
    key: str,
    subject_type: str,
    subject_id: str | int,
    variables: Mapping[str, Any] | None = None,
) -> ProcessInstance:
    """Start the latest deployed version of `key` for a record (e.g. from a deal's card).

    Refused when the process is not one started from such records, or when a run of it for
    the same record is still open (the caller holds the record's row lock, so two clicks
    cannot both pass)."""
    found = [d for d in subject_processes(subject_type=subject_type) if d.key == key]
    definition = found[0] if found else None
    if definition is None:
        raise DomainError(
            BpmError.NOT_DEPLOYED,
            _("No deployed process “%(key)s” is started from a %(subject)s.")
            % {"key": key, "subject": subject_label(subject_type)},
            details={"key": key},
        )
    running = ProcessInstance.objects.filter(
        definition__key=key,
        object_type=subject_type,
        object_id=str(subject_id),
        status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED],
    ).first()
    if running is not None:
        raise DomainError(
            BpmError.ALREADY_RUNNING,
            _("“%(process)s” is already running for this %(subject)s (#%(pk)s).")
            % {
                "process": definition.name,
                "subject": subject_label(subject_type),
                "pk": running.pk,
            },
            details={"instance": running.pk},
            status=409,
        )
    return instance_start_checked(
        actor=actor,
        definition=definition,
        variables=variables,
        object_type=subject_type,
        object_id=subject_id,
    )
