"""The inbox: who may take a task, claim, give back, hand over, complete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError

from .. import engine, events, scope
from ..errors import BpmError
from ..formschema import clean_form_data
from ..models import (
    HumanTask,
    ProcessInstance,
    TaskStatus,
)
from ..stepwrites import StaleRowError, StepWrites, begin_with_next_statement
from .definitions import _compile
from .files import _store_files
from .journal import _JOURNAL, _event, _journaled
from .steps import (
    _GUARD,
    _RUNS,
    _advance,
    _lock_instance,
    forget_keys,
    model_copy,
    next_task_key,
    optimistic_guard,
)


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


def task_variables(*, task: HumanTask) -> dict[str, Any]:
    """The process data as this task sees it: the instance's variables with the task's own
    data over them (read from the saved state, without taking the services' run cache), so
    each task of a multi-instance step shows its own item (`reader`) rather than the one the
    loop handed out last. The instance's alone when its state no longer holds the task."""
    instance = task.instance
    variables = dict(instance.variables or {})
    if not task.engine_task_id or not instance.state:
        return variables
    definition = instance.definition
    try:
        run = engine.ProcessRun.restore(
            instance.state, instance.serializer_version, compiled=lambda: _compile(definition)
        )
    except engine.EngineError:
        return variables
    return {**variables, **(run.task_data(task.engine_task_id) or {})}


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
    fields (stored as the step runs) always takes the second way.

    Before both, when this process kept the instance's run and copy from its last step
    (PostgreSQL), the step runs without the lock from them (`_task_complete_optimistic`);
    when the rows are no longer what the copy holds, it rolls back (nothing of it left)
    and the locked ways follow."""
    schema = task.form_schema if isinstance(task.form_schema, list) else []
    if (
        task.status == TaskStatus.OPEN
        and not files
        and not any(isinstance(s, dict) and s.get("type") == "file" for s in schema)
        and (task.assignee_id in (None, actor.pk) or actor.is_greenwave_admin)
    ):
        kept = _RUNS.take_kept(task.instance_id)
        if kept is not None:
            try:
                return _task_complete_optimistic(
                    actor=actor, task=model_copy(task), data=data, kept=kept
                )
            except (StaleRowError, DomainError):
                pass  # rolled back: the kept copy or the task's was out of date
            except IntegrityError:
                forget_keys()  # rolled back: a key of the block was taken (`next_key`)
        try:
            # A copy: the caller's object stays as it was if this way gives up.
            return _task_complete(
                actor=actor, task=model_copy(task), data=data, files=None, trusted=True
            )
        except (StaleRowError, DomainError):
            pass  # rolled back: the copy was out of date, or the row decides the refusal
    return _task_complete(actor=actor, task=task, data=data, files=files, trusted=False)


@transaction.atomic
def _task_complete_optimistic(
    *,
    actor: User,
    task: HumanTask,
    data: Mapping[str, Any],
    kept: tuple[ProcessInstance, engine.ProcessRun],
) -> HumanTask:
    """A completion of a task of an instance whose run this process kept (`_RunCache`),
    without the lock: the step runs from the kept copy of the instance and its run, and its
    writes (one message ending in COMMIT) start with the instance's UPDATE guarded by what
    the copy holds (`optimistic_guard`), so that a copy out of date — another worker's
    step, a cancel, a migration, a timer — stops the message before its COMMIT (then
    `StaleRowError`: the caller goes the locked way). The next task's key comes from the
    connection's block (`next_task_key`); the first statement carries the BEGIN."""
    instance, run = kept
    guard = optimistic_guard(instance)
    if guard is None:
        raise StaleRowError("no version of the kept instance to guard its step with")
    with begin_with_next_statement():
        instance.__dict__[_GUARD] = guard
        instance.__dict__["drawn_key"] = next_task_key()
        task.instance = instance
        return _complete(actor=actor, task=task, data=data, files=None, trusted=True, run=run)


@transaction.atomic
def _task_complete(
    *,
    actor: User,
    task: HumanTask,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None,
    trusted: bool,
) -> HumanTask:
    if trusted:
        task.instance = _lock_instance(task.instance_id, draw_task_key=True)
    else:
        task, _instance = _lock_task(task)
    return _complete(actor=actor, task=task, data=data, files=files, trusted=trusted)


@_journaled
def _complete(
    *,
    actor: User,
    task: HumanTask,
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None,
    trusted: bool,
    run: engine.ProcessRun | None = None,
) -> HumanTask:
    """The completion of `task` whose `instance` is locked (or kept: `run`)."""
    instance = task.instance
    if not (is_candidate(actor, task) or actor.is_greenwave_admin):
        raise DomainError(BpmError.TASK_NOT_YOURS, _("This task is not yours."), status=403)
    unchanged = (
        # The copy's values the step relies on (who may complete it, its form and element):
        # a row that differs is not updated, and the step starts over from the row.
        {
            "status": TaskStatus.OPEN,
            "updated_at": task.updated_at,
            "instance_id": instance.pk,
            "engine_task_id": task.engine_task_id,
            "element_id": task.element_id,
            "assignee_id": task.assignee_id,
            "candidate_role": task.candidate_role,
            "candidate_team_id": task.candidate_team_id,
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
    writes.update_row(
        HumanTask,
        # By key: the users are not loaded (`task.assignee` of a claimed task would be).
        {attname: getattr(task, attname) for attname in _COMPLETION_COLUMNS},
        where={"id": task.pk, **unchanged},
        expect=1,
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
        instance,
        actor,
        complete,
        locked=instance,
        closed_task=task.engine_task_id,
        writes=writes,
        run=run,
    )
    journal = _JOURNAL.get()
    if journal is not None:  # nothing of the transaction follows the journal's last flush
        journal.commit = True
    return task


# The columns a completion writes (attributes: a user by its key).
_COMPLETION_COLUMNS = (
    "status",
    "completed_by_id",
    "completed_at",
    "result",
    "assignee_id",
    "claimed_by_id",
    "claimed_at",
    "updated_at",
)
