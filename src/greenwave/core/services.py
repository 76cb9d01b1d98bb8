"""Writers of the shared kernel: the one service that appends to the event log."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import CoreError, DomainError
from .models import Event, EventObject, SavedFilter

M = TypeVar("M", bound=models.Model)


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


def _lock_last_event(case_type: str, case_id: str) -> tuple[str, datetime] | None:
    """Lock the case for this transaction's appends and read its last event (activity and
    time), `None` for a case without events."""
    _lock_case(case_type, case_id)
    return (
        Event.objects.filter(case_type=case_type, case_id=case_id)
        .order_by("-timestamp", "-id")
        .values_list("activity", "timestamp")
        .first()
    )


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
    previous = None if new_case else _lock_last_event(case_type, case_key)
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


@dataclass(frozen=True, slots=True)
class EventEntry:
    """One event of a case for `event_append_many`: what `event_append` takes for it."""

    activity: str
    actor_id: int | None = None
    payload: Mapping[str, Any] | None = None
    objects: Sequence[ObjectRef] = ()
    timestamp: datetime | None = None


# The case's lock, its previous event, the events and their links: one round trip. The ids
# are drawn from the sequence first so that the links can name their events (`entry` is
# materialized: each row's `nextval` once, read by both inserts). The sequence is looked up
# once a statement (an InitPlan; `pg_get_serial_sequence` and the cast of its name were per
# row), and the inserts return nothing (a data-modifying `WITH` runs to completion whether
# read or not): with both, ~8 % less of the server's time for a process step's events
# (bench/README.md, bpmserver2). Every parameter has its type written (a
# parameter in a SELECT list has none to infer), so that a caller can prepare the statement
# (a process step: `bpm.stepwrites`).
_PREVIOUS_SQL = """
WITH case_lock AS (SELECT pg_advisory_xact_lock(hashtext(%(lock)s::text)) AS done),
previous AS (
    SELECT e.activity, e.timestamp FROM core_event e, case_lock
    WHERE e.case_type = %(case_type)s::text AND e.case_id = %(case_id)s::text
    ORDER BY e.timestamp DESC, e.id DESC LIMIT 1
),"""
# A case created in this transaction has no earlier event and no other writer (`new_case`).
_NO_PREVIOUS_SQL = """
WITH previous AS (SELECT NULL::text AS activity, NULL::timestamptz AS timestamp WHERE false),"""
_APPEND_MANY_SQL = """
entry AS MATERIALIZED (
    SELECT nextval((SELECT pg_get_serial_sequence('core_event', 'id')::regclass)) AS id,
        x.n, x.activity, x.timestamp, x.actor_id, x.payload, x.prev_activity, x.prev_timestamp
    FROM jsonb_to_recordset(%(entries)s::jsonb) AS x(
        n integer, activity text, timestamp timestamptz, actor_id bigint, payload jsonb,
        prev_activity text, prev_timestamp timestamptz)
    ORDER BY x.n
),
appended AS (
    INSERT INTO core_event (id, case_type, case_id, activity, timestamp, actor_id, payload,
        prev_activity, prev_timestamp)
    SELECT entry.id, %(case_type)s::text, %(case_id)s::text, entry.activity, entry.timestamp,
        entry.actor_id, entry.payload,
        CASE WHEN entry.n = 0 THEN COALESCE((SELECT activity FROM previous), '')
            ELSE entry.prev_activity END,
        CASE WHEN entry.n = 0 THEN (SELECT timestamp FROM previous)
            ELSE entry.prev_timestamp END
    FROM entry
),
linked AS (
    INSERT INTO core_eventobject (event_id, object_type, object_id, qualifier)
    SELECT entry.id, link.object_type, link.object_id, link.qualifier
    FROM entry JOIN jsonb_to_recordset(%(links)s::jsonb) AS link(
        n integer, object_type text, object_id text, qualifier text) ON link.n = entry.n
)
SELECT entry.id FROM entry ORDER BY entry.n
"""


def event_append_many_statement(
    *, case_type: str, case_id: str | int, entries: Sequence[EventEntry], new_case: bool = False
) -> tuple[str, dict[str, Any]]:
    """PostgreSQL's one statement of `event_append_many` (its rows: the events' ids, in
    order), for a caller that sends it along with other statements (a process step)."""
    case_key = str(case_id)
    now = timezone.now()
    stamps = [entry.timestamp or now for entry in entries]
    rows = [
        {
            "n": n,
            "activity": entry.activity,
            "timestamp": stamps[n].isoformat(),
            "actor_id": entry.actor_id,
            "payload": dict(entry.payload or {}),
            "prev_activity": entries[n - 1].activity if n else "",
            "prev_timestamp": stamps[n - 1].isoformat() if n else None,
        }
        for n, entry in enumerate(entries)
    ]
    links = [
        {"n": n, "object_type": t, "object_id": i, "qualifier": q}
        for n, entry in enumerate(entries)
        for t, i, q in sorted({(o.type, o.id, o.qualifier) for o in entry.objects})
    ]
    return (_NO_PREVIOUS_SQL if new_case else _PREVIOUS_SQL) + _APPEND_MANY_SQL, {
        "lock": f"{case_type}:{case_key}",
        "case_type": case_type,
        "case_id": case_key,
        "entries": json.dumps(rows),
        "links": json.dumps(links),
    }


# No savepoint, as for `event_append`.
@transaction.atomic(savepoint=False)
def event_append_many(
    *, case_type: str, case_id: str | int, entries: Sequence[EventEntry], new_case: bool = False
) -> list[int]:
    """Append several events of one case, in order, as `event_append` would one by one (the
    first links to the case's previous event, each next one to the one before it); returns
    their ids. On PostgreSQL one statement takes the case's lock, reads the previous event
    and inserts the events and their links — a process step writes its events in one go."""
    if not entries:
        return []
    if connection.vendor == "postgresql":
        sql, params = event_append_many_statement(
            case_type=case_type, case_id=case_id, entries=entries, new_case=new_case
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [int(row[0]) for row in cursor.fetchall()]
    case_key = str(case_id)
    now = timezone.now()
    stamps = [entry.timestamp or now for entry in entries]
    previous = None if new_case else _lock_last_event(case_type, case_key)
    events = []
    for n, entry in enumerate(entries):
        events.append(
            Event(
                case_type=case_type,
                case_id=case_key,
                activity=entry.activity,
                timestamp=stamps[n],
                actor_id=entry.actor_id,
                payload=dict(entry.payload or {}),
                prev_activity=entries[n - 1].activity if n else (previous[0] if previous else ""),
                prev_timestamp=stamps[n - 1] if n else (previous[1] if previous else None),
            )
        )
    created = Event.objects.bulk_create(events)
    EventObject.objects.bulk_create(
        EventObject(event=event, object_type=t, object_id=i, qualifier=q)
        for event, entry in zip(created, entries, strict=True)
        for t, i, q in sorted({(o.type, o.id, o.qualifier) for o in entry.objects})
    )
    return [int(event.pk) for event in created]


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
                bulkcopy.EVENT_COLUMNS,
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
                bulkcopy.EVENT_OBJECT_COLUMNS,
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


def record_create(
    record: M,
    *,
    activity: str,
    actor: HasPk | None,
    snapshot: Callable[[M], Mapping[str, Any]],
    objects: Iterable[ObjectRef] = (),
    new_case: bool = False,
) -> M:
    """The one way a hand-entered record is added (the counterpart of `record_update`): insert
    its row and append its first event, `{"after": snapshot(record)}`."""
    record.save()
    event_append_for(
        record,
        activity=activity,
        actor=actor,
        payload={"after": snapshot(record)},
        objects=objects,
        new_case=new_case,
    )
    return record


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


def typed_fields(schema: type) -> tuple[str, ...]:
    """The keys of a per-entity `TypedDict` of changes, in declaration order."""
    return tuple(schema.__annotations__)


def fields_check(changes: Mapping[str, Any], schema: type) -> None:
    """Refuse keys the entity's `TypedDict` does not declare: forms and API patches pass plain
    dictionaries, which mypy cannot check against it."""
    unknown = set(changes) - set(typed_fields(schema))
    if unknown:
        raise TypeError(f"unknown fields of {schema.__name__}: {sorted(unknown)}")


def record_update(  # noqa: PLR0913 -- keyword-only: the entity's hooks, each named at the call
    rows: models.QuerySet[M],
    *,
    pk: Any,
    changes: Mapping[str, Any],
    schema: type,
    apply: Callable[[M], None],
    snapshot: Callable[[M], Mapping[str, Any]],
    activity: str,
    actor: HasPk | None,
    case: Callable[[M], models.Model] | None = None,
    payload: Callable[[M], Mapping[str, Any]] | None = None,
    objects: Callable[[M], Iterable[ObjectRef]] | None = None,
) -> M:
    """The one way a hand-edited record changes: lock its row, apply the typed changes, save
    only the columns that changed and append one `{"changes": {field: [old, new]}}` event
    (plus `payload(record)`) for the fields of `snapshot` that differ. Nothing changed: no
    save and no event.

    `changes` are the keyword arguments the entity's service took as `**Unpack[schema]`;
    mypy checks them at the call sites, and the keys are checked here too because forms and
    API patches pass plain dictionaries. `apply` cleans and sets them on the locked record
    (and may refuse with a `DomainError`); `case` names the event's case when it is not the
    record itself (a client profile's changes belong to the company)."""
    fields_check(changes, schema)
    record = rows.select_for_update(of=("self",)).get(pk=pk)
    columns = [f for f in record._meta.concrete_fields if not f.primary_key]
    stored = {f.attname: copy.deepcopy(getattr(record, f.attname)) for f in columns}
    before = snapshot(record)
    apply(record)
    diff = changes_between(before, snapshot(record))
    if not diff:
        return record
    changed = [f.name for f in columns if getattr(record, f.attname) != stored[f.attname]]
    changed += [f.name for f in columns if getattr(f, "auto_now", False) and f.name not in changed]
    record.save(update_fields=changed)
    event_append_for(
        case(record) if case else record,
        activity=activity,
        actor=actor,
        payload={"changes": diff, **(payload(record) if payload else {})},
        objects=objects(record) if objects else (),
    )
    return record


def assign(record: models.Model, values: Mapping[str, Any]) -> None:
    """Set the record's fields from `values` (not saved)."""
    for name, value in values.items():
        setattr(record, name, value)


@dataclass(frozen=True)
class RecordHistory(Generic[M]):
    """What the event log tells of one kind of hand-edited record, declared once: its
    creation's `{"after": …}` and its changes' `{field: [old, new]}` are read by the same
    `snapshot`, so the two events of a record always speak of the same fields.

    `rows` are the rows an update locks (with the relations the snapshot reads), `schema` the
    `TypedDict` of its changes, `shown` the fields the log keeps in words rather than as
    stored (a relation by its name, a date in ISO); the services call `create` and `update`
    with what varies."""

    rows: models.QuerySet[M]
    schema: type
    changed: str
    created: str = ""
    shown: Callable[[M], Mapping[str, Any]] | None = None

    def stored(self, record: M) -> dict[str, Any]:
        """The record's `schema` fields as they stand on it (what an update's cleaning merges
        the changes into)."""
        return {name: getattr(record, name) for name in typed_fields(self.schema)}

    def snapshot(self, record: M) -> dict[str, Any]:
        """The record's `schema` fields as its events tell them: as stored, but for those
        `shown` gives (replaced or added)."""
        data = self.stored(record)
        if self.shown is not None:
            data.update(self.shown(record))
        return data

    def create(
        self,
        record: M,
        *,
        actor: HasPk | None,
        objects: Iterable[ObjectRef] = (),
        new_case: bool = False,
    ) -> M:
        return record_create(
            record,
            activity=self.created,
            actor=actor,
            snapshot=self.snapshot,
            objects=objects,
            new_case=new_case,
        )

    def update(
        self,
        record: M,
        changes: Mapping[str, Any],
        apply: Callable[[M], None],
        *,
        actor: HasPk | None,
        case: Callable[[M], models.Model] | None = None,
        payload: Callable[[M], Mapping[str, Any]] | None = None,
        objects: Callable[[M], Iterable[ObjectRef]] | None = None,
    ) -> M:
        return record_update(
            self.rows,
            pk=record.pk,
            changes=changes,
            schema=self.schema,
            apply=apply,
            snapshot=self.snapshot,
            activity=self.changed,
            actor=actor,
            case=case,
            payload=payload,
            objects=objects,
        )
