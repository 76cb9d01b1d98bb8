"""Writers of the shared kernel: the one service that appends to the event log."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import CoreError, DomainError
from .models import Event, EventObject, SavedFilter


class HasPk(Protocol):
    pk: Any


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """A business object an event involves: its type name, its id and how it is involved."""

    type: str
    id: str
    qualifier: str = ""


def case_type_of(obj: models.Model) -> str:
    """The stable event-log name of a model: `EVENT_CASE_TYPE` if it declares one."""
    declared = getattr(obj, "EVENT_CASE_TYPE", None)
    return str(declared) if declared else obj._meta.model_name or type(obj).__name__.lower()


def ref(obj: models.Model, qualifier: str = "") -> ObjectRef:
    return ObjectRef(case_type_of(obj), str(obj.pk), qualifier)


def _lock_case(case_type: str, case_id: str) -> None:
    """Serialise appends to one case so two writers never read the same previous event.

    PostgreSQL: a transaction-scoped advisory lock on the case. SQLite needs nothing: its
    IMMEDIATE transactions already admit one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{case_type}:{case_id}"])


# No savepoint: the callers are services inside their own transaction, which a failure here
# rolls back as a whole (a savepoint would cost two statements per event for nothing).
@transaction.atomic(savepoint=False)
def event_append(
    *,
    case_type: str,
    case_id: str | int,
    activity: str,
    actor: HasPk | None,
    payload: Mapping[str, Any] | None = None,
    objects: Iterable[ObjectRef] = (),
    timestamp: datetime | None = None,
    new_case: bool = False,
) -> Event:
    """Append one event, linking it to the previous event of the same case.

    `new_case=True` is for the first event of a record inserted in the current transaction:
    no other transaction can see the record yet, so there is no previous event to read and
    no concurrent append to lock against.
    """
    case_key = str(case_id)
    previous = None
    if not new_case:
        _lock_case(case_type, case_key)
        previous = (
            Event.objects.filter(case_type=case_type, case_id=case_key)
            .order_by("-timestamp", "-id")
            .values_list("activity", "timestamp")
            .first()
        )
    event = Event.objects.create(
        case_type=case_type,
        case_id=case_key,
        activity=activity,
        timestamp=timestamp or timezone.now(),
        actor_id=getattr(actor, "pk", None),
        payload=dict(payload or {}),
        prev_activity=previous[0] if previous else "",
        prev_timestamp=previous[1] if previous else None,
    )
    links = {(o.type, o.id, o.qualifier) for o in objects}
    if links:
        EventObject.objects.bulk_create(
            EventObject(event=event, object_type=t, object_id=i, qualifier=q)
            for t, i, q in sorted(links)
        )
    return event


def event_append_for(
    obj: models.Model,
    *,
    activity: str,
    actor: HasPk | None,
    payload: Mapping[str, Any] | None = None,
    objects: Iterable[ObjectRef] = (),
    new_case: bool = False,
) -> Event:
    """Shortcut for the common case: the model instance itself is the case."""
    return event_append(
        case_type=case_type_of(obj),
        case_id=obj.pk,
        activity=activity,
        actor=actor,
        payload=payload,
        objects=objects,
        new_case=new_case,
    )


@transaction.atomic
def event_append_created(
    cases: Sequence[models.Model],
    *,
    activity: str,
    actor: HasPk | None,
    payloads: Sequence[Mapping[str, Any]],
    objects: Sequence[Iterable[ObjectRef]] | None = None,
    batch_size: int = 2000,
) -> list[Event]:
    """The first event of each of many records inserted in the current transaction (the rows
    of an import): what `event_append_for` writes for each, in bulk inserts.

    Only for records created in this transaction: no other transaction can see them yet, so
    nothing can have been appended to their cases and no case lock is taken (one advisory lock
    per case would exhaust PostgreSQL's lock table at a few thousand records).
    """
    if len(payloads) != len(cases) or (objects is not None and len(objects) != len(cases)):
        raise ValueError("one payload (and one list of objects) per case")
    when = timezone.now()
    actor_id = getattr(actor, "pk", None)
    rows = [
        Event(
            case_type=case_type_of(case),
            case_id=str(case.pk),
            activity=activity,
            timestamp=when,
            actor_id=actor_id,
            payload=dict(payload),
        )
        for case, payload in zip(cases, payloads, strict=True)
    ]
    if any(row.case_id == "None" for row in rows):
        raise ValueError("every case must be saved first")
    created = Event.objects.bulk_create(rows, batch_size=batch_size)
    if objects is not None:
        EventObject.objects.bulk_create(
            (
                EventObject(event=event, object_type=t, object_id=i, qualifier=q)
                for event, refs in zip(created, objects, strict=True)
                for t, i, q in sorted({(o.type, o.id, o.qualifier) for o in refs})
            ),
            batch_size=batch_size,
        )
    return created


_EVENT_COPY_COLUMNS = (
    "id",
    "case_type",
    "case_id",
    "activity",
    "timestamp",
    "actor_id",
    "payload",
    "prev_activity",
    "prev_timestamp",
)


def event_append_created_rows(
    cases: Iterable[tuple[str, str, Mapping[str, Any], Iterable[ObjectRef]]],
    *,
    activity: str,
    actor: HasPk | None,
    chunk: int = 5000,
) -> int:
    """`event_append_created` for records given as (case type, case id, payload, objects)
    rather than model instances — the rows of an import written by `COPY` — consumed as a
    stream, `chunk` at a time. PostgreSQL: each chunk's events and their objects by `COPY`
    (event ids reserved from the sequence); other databases: bulk inserts. The same rule: only
    for records created in this transaction (no case lock). Returns how many events."""
    from . import bulkcopy

    when = timezone.now()
    actor_id = getattr(actor, "pk", None)
    written = 0
    stream = iter(cases)
    while batch := list(itertools.islice(stream, chunk)):
        written += len(batch)
        if bulkcopy.supported():
            ids = bulkcopy.reserve_ids(Event, len(batch))
            bulkcopy.copy_rows(
                Event,
                _EVENT_COPY_COLUMNS,
                (
                    (
                        pk,
                        case_type,
                        case_id,
                        activity,
                        when,
                        actor_id,
                        json.dumps(payload),
                        "",
                        None,
                    )
                    for pk, (case_type, case_id, payload, _refs) in zip(ids, batch, strict=True)
                ),
            )
            bulkcopy.copy_rows(
                EventObject,
                ("event_id", "object_type", "object_id", "qualifier"),
                (
                    (pk, t, i, q)
                    for pk, (*_case, refs) in zip(ids, batch, strict=True)
                    for t, i, q in sorted({(o.type, o.id, o.qualifier) for o in refs})
                ),
            )
            continue
        created = Event.objects.bulk_create(
            Event(
                case_type=case_type,
                case_id=case_id,
                activity=activity,
                timestamp=when,
                actor_id=actor_id,
                payload=dict(payload),
            )
            for case_type, case_id, payload, _refs in batch
        )
        EventObject.objects.bulk_create(
            EventObject(event=event, object_type=t, object_id=i, qualifier=q)
            for event, (*_case, refs) in zip(created, batch, strict=True)
            for t, i, q in sorted({(o.type, o.id, o.qualifier) for o in refs})
        )
    return written


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """`{field: [old, new]}` for the fields that differ — the payload of a *changed* event."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def saved_filter_save(*, actor: Any, path: str, name: str, query: str) -> SavedFilter:
    """Save (or overwrite by name) the actor's filter of a list page."""
    name = name.strip()[:80]
    if not name:
        raise DomainError(CoreError.VALIDATION, _("Name the filter."))
    if not path.startswith("/") or len(query) > 2000:
        raise DomainError(CoreError.VALIDATION, _("This filter cannot be saved."))
    query = "&".join(p for p in query.split("&") if p and not p.startswith("page="))
    saved, _created = SavedFilter.objects.update_or_create(
        user=actor, path=path, name=name, defaults={"query": query}
    )
    return saved


def saved_filter_delete(*, actor: Any, pk: int) -> None:
    SavedFilter.objects.filter(user=actor, pk=pk).delete()
