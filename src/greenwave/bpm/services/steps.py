"""One step of an instance: under the instance's row lock (`_lock_instance`) restore its
run (or take the one this process kept from its previous step: `_RunCache`), advance it,
dump it back with a bumped `lock_version` and mirror what it waits for into the indexed
tables (tasks, timers, messages: `_sync`); a failed step raises an incident (`_fail`).

A task completion of an instance this process kept (PostgreSQL) first goes without the
lock: from the kept copy and run, its instance UPDATE guarded by what the copy holds
(`optimistic_guard`), the next task's key from a block (`next_task_key`); a guard that
fails rolls it back and it runs again under the lock (`tasks.task_complete`)."""

from __future__ import annotations

import copy
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import django
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model, Q
from django.db.models.base import ModelState
from django.db.models.fields import Field, return_None  # type: ignore[attr-defined]
from django.db.models.signals import post_init, pre_init
from django.db.utils import DJANGO_VERSION_PICKLE_KEY
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.core.errors import DomainError
from greenwave.decisions import services as decisions

from .. import engine, events
from ..actions import run_action
from ..errors import BpmError
from ..models import (
    HumanTask,
    Incident,
    InstanceStatus,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from ..stepwrites import (
    ModelColumns,
    RowVersions,
    StepWrites,
    begin_with_next_statement,
    column_converters,
    prepared,
)
from .definitions import _compile
from .journal import _event, _flush_journal, _send_or_hold
from .subjects import instance_outcome


def _action_handler(name: str, element_id: str, variables: dict[str, Any]) -> Any:
    if name.startswith("decision:"):
        return _evaluate_decision(name, variables)
    return run_action(name, element_id, variables)


def _evaluate_decision(name: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A business-rule task: evaluate the decision (decisions app) on the process variables."""
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
    and then the state is restored from the row as before.

    An entry also keeps a copy of the instance as its step saved it (without its state; with
    its definition and initiator, and the row's version its UPDATE returned: `RowVersions`):
    a task completion may then run without the lock from that copy (`take_kept`, an
    optimistic step) — its UPDATE of the instance then requires the row, the definition's
    and the initiator's to be still what the copy holds (`optimistic_guard`), and when they
    are not, the step rolls back and runs again under the lock."""

    SIZE = 256  # hot instances per process: a bound on the memory the kept runs hold

    def __init__(self) -> None:
        self._runs: OrderedDict[
            int, tuple[tuple[Any, ...], engine.ProcessRun, ProcessInstance | None]
        ] = OrderedDict()
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

    def take_kept(self, pk: int) -> tuple[ProcessInstance, engine.ProcessRun] | None:
        """The kept copy of a running instance and its run, taken out of the cache (the
        copy is then the caller's to change: nobody else holds it); None when there is
        none."""
        with self._lock:
            entry = self._runs.get(pk)
            if (
                entry is None
                or entry[2] is None
                or entry[2].status != InstanceStatus.RUNNING
                or ROW_VERSION not in entry[2].__dict__
            ):
                return None
            del self._runs[pk]
        return entry[2], entry[1]

    def keep(
        self,
        instance: ProcessInstance,
        run: engine.ProcessRun,
        versions: RowVersions | None = None,
    ) -> None:
        """Keep the run (and a copy of the instance, when its write returns its row's
        `versions`) once the step's transaction commits."""
        pk, version = instance.pk, self._version(instance)
        kept = _kept_copy(instance) if versions is not None else None

        def put() -> None:
            if kept is not None:
                _versioned(kept, versions)
            with self._lock:
                self._runs[pk] = (version, run, kept)
                self._runs.move_to_end(pk)
                while len(self._runs) > self.SIZE:
                    self._runs.popitem(last=False)

        transaction.on_commit(put)

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()


_GUARD = "optimistic_guard"  # the key in an instance's `__dict__` of its step's guard
# The key in a kept instance's or initiator's `__dict__` of its row's version (`RowVersions`).
ROW_VERSION = "row_version"


def _kept_copy(instance: ProcessInstance) -> ProcessInstance | None:
    """The instance as its step saved it, for the next optimistic step (`take_kept`): on
    PostgreSQL, with its definition and its initiator (every column loaded, a copy of its
    own: the caller's user object stays the caller's) at hand."""
    db = connections[DEFAULT_DB_ALIAS]  # looked up once (`connection` looks it up each time)
    if db.vendor != "postgresql" or not (
        ProcessInstance.definition.is_cached(instance)
        and ProcessInstance.responsible.is_cached(instance)
    ):
        return None
    user = instance.responsible
    if user is not None and (user.pk != instance.responsible_id or user.get_deferred_fields()):
        return None
    kept = model_copy(instance)  # its own `_state`: as the row is once the step commits
    kept._state.adding, kept._state.db = False, db.alias
    for name in ("state", _OPENED, "drawn_key", _GUARD, ROW_VERSION):
        kept.__dict__.pop(name, None)
    if user is not None:
        # (a request's user may be a lazy object: `copy.copy` copies what it wraps)
        own = model_copy(user) if type(user) is user.__class__ else copy.copy(user)
        kept._state.fields_cache["responsible"] = own
    return kept


def _versioned(kept: ProcessInstance, versions: RowVersions | None) -> None:
    """The row versions the kept copy's step wrote and compared, put on the copy (once the
    step has committed): without its own row's version the copy is not used."""
    if versions is None or "row" not in versions:
        return
    kept.__dict__[ROW_VERSION] = versions["row"]
    user = kept.responsible
    if user is not None and "responsible" in versions:
        user.__dict__[ROW_VERSION] = versions["responsible"]


_M = TypeVar("_M", bound=Model)
_REDUCE, _GETSTATE = Model.__reduce__, Model.__getstate__
_SETSTATE = getattr(Model, "__setstate__")  # noqa: B009 (not in the stubs)


def model_copy(obj: _M) -> _M:
    """What `copy.copy(obj)` gives for a model object — its own `_state` with its own cache of
    related objects, the same field values (a memoryview's bytes in a new memoryview), and
    Django's version mark `copy.copy` leaves in `__dict__` (it goes through pickling's
    `__reduce__`) — without the pickling protocol: ~1 µs instead of ~11 µs; a completion
    makes four copies (its task, the kept instance twice, the version kept by
    `_DEFINITIONS`)."""
    cls = obj.__class__
    if (
        cls.__reduce__ is not _REDUCE
        or cls.__getstate__ is not _GETSTATE
        or getattr(cls, "__setstate__") is not _SETSTATE  # noqa: B009
    ):
        return copy.copy(obj)  # a model with its own pickling: as it says
    values = obj.__dict__.copy()
    old = values["_state"]
    model_state = ModelState.__new__(ModelState)
    model_state.__dict__.update(old.__dict__)
    model_state.fields_cache = model_state.fields_cache.copy()  # as `__getstate__`
    values["_state"] = model_state
    for name, value in values.items():
        if isinstance(value, memoryview):
            values[name] = memoryview(bytes(value))
    values[DJANGO_VERSION_PICKLE_KEY] = django.__version__
    new = cls.__new__(cls)
    new.__dict__ = values
    return new


# How `new_row` fills a model's fields for one set of keywords: (attname, a related
# object's name or None, `_GIVEN` or the field's default getter, None for a None default).
_GIVEN = object()
_ROW_PLANS: dict[tuple[type[Model], tuple[str, ...]], list[tuple[str, str | None, Any]]] = {}


def new_row(model: type[_M], **values: Any) -> _M:
    """`model(**values)` — values by attname, related objects by field name — without
    `Model.__init__`'s general path (~19 µs → ~5 µs for a task): the fields in their order,
    a default (`get_default`) for each one not given, related objects set through their
    descriptors as `__init__` sets them. `__init__` itself when a `pre_init` / `post_init`
    receiver listens to the model."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)
    key = (model, tuple(values))
    plan = _ROW_PLANS.get(key)
    if plan is None:
        plan = _ROW_PLANS[key] = _row_plan(model, values)
    row = model.__new__(model)
    row._state = ModelState()
    fields = row.__dict__
    for attname, related, default in plan:
        if related is not None:
            setattr(row, related, values[related])
        elif default is _GIVEN:
            fields[attname] = values[attname]
        elif default is None:
            fields[attname] = None  # a field whose default is None (`return_None`)
        else:
            fields[attname] = default()
    return row


def _row_plan(model: type[Model], values: Mapping[str, Any]) -> list[tuple[str, str | None, Any]]:
    plan: list[tuple[str, str | None, Any]] = []
    names: set[str] = set()
    for field in model._meta.concrete_fields:
        if (field.attname not in values and field.column is None) or field.generated:
            continue  # as `__init__` leaves them
        if field.is_relation and field.name in values:
            plan.append((field.attname, field.name, _GIVEN))
            names.add(field.name)
        elif field.attname in values:
            plan.append((field.attname, None, _GIVEN))
            names.add(field.attname)
        elif type(field).get_default is not Field.get_default:
            plan.append((field.attname, None, field.get_default))  # its own (a foreign key's)
        else:
            # What `Field.get_default` calls (a cached callable); None for `return_None`.
            default = field._get_default  # type: ignore[attr-defined]
            plan.append((field.attname, None, None if default is return_None else default))
    unknown = set(values) - names
    if unknown:
        raise TypeError(f"new_row: {model.__name__} has no field {sorted(unknown)}")
    return plan


def optimistic_guard(instance: ProcessInstance) -> dict[str, Any] | None:
    """What the lock's read would have given a step of the instance, as conditions on its
    UPDATE (`StepWrites.save(guard=…)`): the instance's row still the version its last step
    wrote (`RowVersions`: any write of the row since makes another), its definition's
    version (`updated_at`, as the lock's cache of definitions asks), its initiator's row
    still the version the lock read with it — or, when the copy's initiator was not read
    from its row (a start's: the caller's user object), its every column as the copy holds
    them, and its version returned to guard the next step with. None: the copy has no
    version (the step goes the locked way)."""
    version = instance.__dict__.get(ROW_VERSION)
    if version is None:
        return None
    exists: list[tuple[type[Any], dict[str, Any]]] = [
        (
            ProcessDefinition,
            {"id": instance.definition_id, "updated_at": instance.definition.updated_at},
        )
    ]
    learn: list[tuple[str, type[Any]]] = []
    user = instance.responsible
    if user is not None:
        known = user.__dict__.get(ROW_VERSION)
        if known is not None:
            exists.append((User, {"id": user.pk, "xmin": known[0], "ctid": known[1]}))
        else:
            exists.append(
                (User, {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields})
            )
            learn.append(("responsible", User))
    return {
        "where": {"xmin": version[0], "ctid": version[1]},
        "exists": exists,
        "learn": learn,
    }


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


@functools.lru_cache(maxsize=512)
def role_code(name: str) -> str:
    """A lane or group name as a role code: the code itself or the role's name (ru/en).
    Remembered per name (each task of a lane asks again; a name that is not a code or an
    alias is looked for among the roles' names in both languages, each a translation
    activated and put back)."""
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
    return new_row(
        HumanTask,
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
    passed = _journal_moves(instance, run, actor)
    writes = writes if writes is not None else StepWrites()
    _save_run(instance, run, snap, now, writes)
    created = _sync_tasks(instance, snap, now, ready_before, writes)
    _send_or_hold(instance, writes, created)
    instance.__dict__[_OPENED] = created
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
    _after_step(instance, snap, actor, now, passed=passed, waited=waited)


# The key in an instance object's `__dict__` of the tasks its last step opened (`tasks_opened`).
_OPENED = "opened_tasks"


def tasks_opened(instance: ProcessInstance) -> list[HumanTask]:
    """The task rows that the last step run on this object opened, as they were inserted
    (`instance_start`'s instance; `task_complete`'s answer's `.instance`): a caller that
    goes on with one need not read it again — `task_complete` checks the caller's copy of a
    task against its row under the lock, and a copy that is out of date is decided by the
    row. Empty when the step opened none or no step ran on this object. Rows of a step whose
    transaction then rolled back are not there."""
    return list(instance.__dict__.get(_OPENED, ()))


def _journal_moves(
    instance: ProcessInstance, run: engine.ProcessRun, actor: User | None
) -> list[str]:
    """The events of the token's moves (not of user tasks); the elements passed."""
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
    return passed


def _save_run(
    instance: ProcessInstance,
    run: engine.ProcessRun,
    snap: engine.Snapshot,
    now: datetime,
    writes: StepWrites,
) -> None:
    """The instance's new state and version into `writes`; the run kept for the next step."""
    instance.state = run.dump()
    instance.serializer_version = engine.SERIALIZER_VERSION
    instance.lock_version += 1
    instance.variables = snap.variables
    instance.element_states = snap.element_states
    if snap.completed and instance.status == InstanceStatus.RUNNING:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = now
    guard = instance.__dict__.pop(_GUARD, None)  # an optimistic step's (`take_kept`)
    instance.__dict__.pop(ROW_VERSION, None)  # the version it had: the write makes a new one
    if instance._state.adding:  # a start whose key was drawn (`start_keys_drawn`)
        versions = writes.insert(instance, version=True)
    else:
        versions = writes.save(instance, guard=guard, version=True)
    _RUNS.keep(instance, run, versions)
    if ProcessInstance.definition.is_cached(instance) and instance.definition.pk is not None:
        _DEFINITIONS.put(instance.definition)


def _sync_tasks(
    instance: ProcessInstance,
    snap: engine.Snapshot,
    now: datetime,
    ready_before: set[str] | None,
    writes: StepWrites,
) -> list[HumanTask]:
    """The open task rows the step ended are cancelled (into `writes`, not sent); the new
    rows, not yet inserted (`_send_or_hold` does, the first with the key its lock drew)."""
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
    return created


def _after_step(
    instance: ProcessInstance,
    snap: engine.Snapshot,
    actor: User | None,
    now: datetime,
    *,
    passed: list[str],
    waited: bool,
) -> None:
    """Once the rows are sent: the service steps' effects, the timer and message rows, the
    completion event."""
    actions = instance.definition.metadata.get("service_actions", {})
    if any(element in actions for element in passed):
        from ..notifications import step_effects

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


class _LockStatement:
    """The lock of a step, written once per process (the ORM composed it on every step):
    the instance row without its state, the responsible user joined, the definition's
    `updated_at` — the definition itself (its XML, its metadata) comes from `_DEFINITIONS`
    while the row still has that version — and, on PostgreSQL, the user row's version
    (`RowVersions`: what guards the next optimistic step) and the drawn key of the next
    task (`drawn_key`)."""

    def __init__(self, *, draw_task_key: bool) -> None:
        quote = connection.ops.quote_name
        self.instance = ModelColumns(ProcessInstance, "i", exclude=("state",))
        self.user = ModelColumns(User, "u")
        updated = ProcessDefinition._meta.get_field("updated_at")
        self.definition_col = updated.get_col("d")
        self.definition_converters = column_converters(self.definition_col)
        postgres = connection.vendor == "postgresql"
        draw = postgres and draw_task_key
        task_table = HumanTask._meta.db_table
        lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
        # Identifiers and constants of the models only: nothing from outside.
        self.sql = (
            f"SELECT {self.instance.sql}, (SELECT d.{quote(updated.column)} "  # noqa: S608
            f"FROM {quote(ProcessDefinition._meta.db_table)} d WHERE d.id = i.definition_id), "
            f"{self.user.sql}"
            + (", u.xmin::text, u.ctid::text" if postgres else "")
            + (f", nextval(pg_get_serial_sequence('{task_table}', 'id'))" if draw else "")
            + f" FROM {quote(ProcessInstance._meta.db_table)} i"
            f" LEFT OUTER JOIN {quote(User._meta.db_table)} u ON u.id = i.responsible_id"
            f" WHERE i.id = %s{lock}"
        )
        self.draw = draw
        self.versioned = postgres

    def load(self, row: Sequence[Any]) -> ProcessInstance:
        width = self.instance.width
        instance: ProcessInstance = self.instance.build(row[:width])
        updated_at = row[width]
        for converter in self.definition_converters:
            updated_at = converter(updated_at, self.definition_col, connection)
        user_row = row[width + 1 : width + 1 + self.user.width]
        if self.draw:
            instance.__dict__["drawn_key"] = row[-1]
        ProcessInstance.definition.field.set_cached_value(
            instance, _DEFINITIONS.get(instance.definition_id, updated_at)
        )
        if user_row[0] is None and instance.responsible_id is None:
            ProcessInstance.responsible.field.set_cached_value(instance, None)
        elif user_row[0] == instance.responsible_id:
            user = self.user.build(user_row)
            if self.versioned:  # the version of the row the user was built from
                at = width + 1 + self.user.width
                user.__dict__[ROW_VERSION] = (row[at], row[at + 1])
            ProcessInstance.responsible.field.set_cached_value(instance, user)
        # else: the row changed under the lock's wait; the user loads on demand.
        return instance


class _DefinitionCache:
    """Process versions by id, kept while their row's `updated_at` is the same: a deployed
    version does not change (a status change saves `updated_at`); a step needs its XML and
    metadata, which the lock then need not read."""

    SIZE = 64

    def __init__(self) -> None:
        self._rows: OrderedDict[int, ProcessDefinition] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, definition: ProcessDefinition) -> None:
        """Keep the version a step ran with (a copy: not the caller's object), so that the
        next step's lock finds it; `get` still compares `updated_at` with the row's."""
        with self._lock:
            cached = self._rows.get(definition.pk)
        if cached is definition or (
            cached is not None and cached.updated_at == definition.updated_at
        ):
            return  # the lock's own, or the same version: kept already
        kept = model_copy(definition)
        with self._lock:
            self._rows[definition.pk] = kept
            self._rows.move_to_end(definition.pk)
            while len(self._rows) > self.SIZE:
                self._rows.popitem(last=False)

    def get(self, pk: int, updated_at: datetime | None) -> ProcessDefinition:
        with self._lock:
            cached = self._rows.get(pk)
        if cached is not None and cached.updated_at == updated_at:
            return cached
        definition = ProcessDefinition.objects.get(pk=pk)
        self.put(definition)
        return definition

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


_DEFINITIONS = _DefinitionCache()
_LOCKS: dict[tuple[str, bool], _LockStatement] = {}


_KEY_SQL: dict[type[Any], str] = {}
_KEYS: weakref.WeakKeyDictionary[Any, dict[type[Any], list[int]]] = weakref.WeakKeyDictionary()
_KEY_BLOCK = 64  # keys drawn at once per connection and table


def next_key(model: type[Any]) -> int:
    """On PostgreSQL, a key of `model`'s sequence from a block drawn per connection in one
    statement (carrying the BEGIN of a step that draws it, `begin_with_next_statement`):
    the task an optimistic step will most likely open (as the lock draws one:
    `drawn_key`). Keys not used are gaps, as a rolled-back insert leaves; keys of one
    table are not in time order across connections. A row inserted meanwhile with a key
    of the block (rows written with their keys, then the sequence reset: the datagen's
    loader) makes the step fail on the key: `forget_keys`, and the locked way follows."""
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    raw = db.connection
    blocks = _KEYS.get(raw)
    if blocks is None:
        blocks = _KEYS[raw] = {}
    keys = blocks.get(model)
    if not keys:
        sql = _KEY_SQL.get(model)
        if sql is None:
            # A table name of the models and a constant only: nothing from outside.
            sql = _KEY_SQL[model] = (
                "SELECT nextval(pg_get_serial_sequence("  # noqa: S608
                f"'{model._meta.db_table}', 'id')) FROM generate_series(1, {_KEY_BLOCK})"
            )
        with db.cursor() as cursor:
            cursor.execute(prepared(sql, db))
            keys = blocks[model] = [row[0] for row in cursor.fetchall()][::-1]
    return keys.pop()


def next_task_key() -> int:
    return next_key(HumanTask)


def forget_keys() -> None:
    """Drop the blocks of keys this connection drew (`next_key`)."""
    if connection.connection is not None:
        _KEYS.pop(connection.connection, None)


_START_KEYS: dict[str, str] = {}


def start_keys_drawn(instance: ProcessInstance) -> bool:
    """On PostgreSQL, the key of a new instance and of the task it will most likely open,
    drawn from their sequences in one statement (carrying the transaction's BEGIN): the
    row is then inserted once, with its first state, among the step's writes (`_save_run`)
    — not inserted empty and updated in the same transaction — and the start's events go
    in the same message (the task's key drawn as a completion's lock draws it). False
    elsewhere: the caller inserts the row first. Keys drawn and not used are gaps."""
    if connection.vendor != "postgresql":
        return False
    sql = _START_KEYS.get("sql")
    if sql is None:
        # Table names of the models only: nothing from outside.
        sql = _START_KEYS["sql"] = "SELECT " + ", ".join(
            f"nextval(pg_get_serial_sequence('{model._meta.db_table}', 'id'))"
            for model in (ProcessInstance, HumanTask)
        )
    with begin_with_next_statement(), connection.cursor() as cursor:
        cursor.execute(prepared(sql))
        instance.pk, instance.__dict__["drawn_key"] = cursor.fetchone()
    return True


def start_keys_from_blocks(instance: ProcessInstance) -> bool:
    """On PostgreSQL, the keys of a new instance and of the task it will most likely open
    from the connection's blocks (`next_key`): with its BEGIN carried by the message
    (`begin_with_next_statement`), a start is one message — the instance's INSERT with its
    first state, the task's, the events, COMMIT — but once in a block, when a block is
    drawn. False elsewhere. A key of a block that a row took meanwhile makes the start fail
    on the key (`start_key_taken`): the caller drops the blocks and draws them again
    (`start_keys_drawn`)."""
    if connection.vendor != "postgresql":
        return False
    instance.pk = next_key(ProcessInstance)
    instance.__dict__["drawn_key"] = next_task_key()
    return True


def start_key_taken(error: Exception) -> bool:
    """`error` is the unique violation of the key of an instance or task row (a key of a
    block taken: `start_keys_from_blocks`), not any other integrity error."""
    diag = getattr(error.__cause__, "diag", None)
    return (
        getattr(diag, "sqlstate", None) == "23505"
        and getattr(diag, "constraint_name", None) in _KEY_CONSTRAINTS
    )


_KEY_CONSTRAINTS = {f"{model._meta.db_table}_pkey" for model in (ProcessInstance, HumanTask)}


def _lock_instance(pk: int, *, draw_task_key: bool = False) -> ProcessInstance:
    """The instance under its row lock, with its definition and initiator. Only the instance
    row is locked: the definition is shared by every instance of the version. The saved
    state is read only when it is used: a step of a cached run (`_RunCache`) needs none.
    `draw_task_key`: the key of the task the step will most likely open is drawn with it
    (`stepwrites.drawn_key`), so that its events go with the step's writes."""
    key = (connection.vendor, draw_task_key)
    statement = _LOCKS.get(key)
    if statement is None:
        statement = _LOCKS[key] = _LockStatement(draw_task_key=draw_task_key)
    sql = prepared(statement.sql)
    with begin_with_next_statement(), connection.cursor() as cursor:
        cursor.execute(sql, (pk,))
        row = cursor.fetchone()
    if row is None:
        raise ProcessInstance.DoesNotExist("ProcessInstance matching query does not exist.")
    return statement.load(row)


def _advance(
    instance: ProcessInstance,
    actor: User | None,
    operation: Callable[[engine.ProcessRun], Any],
    *,
    allow_failed: bool = False,
    locked: ProcessInstance | None = None,
    closed_task: str | None = None,
    writes: StepWrites | None = None,
    run: engine.ProcessRun | None = None,
) -> Any:
    """Lock the instance (unless the caller holds it as `locked`), restore, run the operation,
    save; `instance` ends with the saved values. Call inside a transaction. `closed_task` is
    the engine task whose row the caller closed (a completion): the task rows then follow
    from the engine's ready tasks before and after (see `_sync`). `run`: the instance's
    kept run (an optimistic step: `locked` is the kept copy, guarded by its UPDATE)."""
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
    run = run if run is not None else _restore(locked)
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
