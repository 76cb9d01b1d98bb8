"""The events of a step: each token move, task and timer is an event of the case
"process_instance", linked to the business object; a step's events are appended
together at its end (`_journaled`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.core.services import EventEntry, ObjectRef, event_append, event_append_many

from ..models import (
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
)
from ..stepwrites import StepWrites

CASE = ProcessInstance.EVENT_CASE_TYPE
_P = ParamSpec("_P")
_R = TypeVar("_R")


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
