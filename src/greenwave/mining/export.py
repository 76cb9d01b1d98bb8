"""Exports of the mined log for analysts' own tools: XES (one case type) and OCEL 2.0 (JSON
and XML: the cases and every object their events involve, from `EventObject`).

Everything is a generator of text chunks over server-side cursors (`traces`, `iterator()`),
so a log of a million cases leaves in bounded memory: nothing builds a list of events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.bpm.models import HumanTask, ProcessInstance
from greenwave.bpm.scope import visible_instances_q
from greenwave.core.models import Event, EventObject

from .log import (
    CaseLog,
    _as_datetime,
    json_text,
    label_name,
    period_q,
    present_case_types,
    team_owned_model,
    traces,
    visible_cases,
)

TASK_TYPE = HumanTask.EVENT_CASE_TYPE  # the process tasks named by the instances' events
ALL = "all"  # the case type of the one object-centric log of everything

FORMATS = ("xes", "ocel2-json", "ocel2-xml")
CHUNK = 2000
MEDIA_TYPES = {
    "xes": "application/xml",
    "ocel2-json": "application/json",
    "ocel2-xml": "application/xml",
}
EXTENSIONS = {"xes": "xes", "ocel2-json": "jsonocel", "ocel2-xml": "xmlocel"}


# The XES log's opening: the declaration, the log element and the three extensions it uses.
XES_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<log xes.version="1.0" xes.features="nested-attributes" '
    'xmlns="http://www.xes-standard.org/">\n'
    '<extension name="Concept" prefix="concept" '
    'uri="http://www.xes-standard.org/concept.xesext"/>\n'
    '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
    '<extension name="Organizational" prefix="org" '
    'uri="http://www.xes-standard.org/org.xesext"/>\n'
)


def _time(value: datetime) -> str:
    return value.isoformat()


def xes(actor: User, log: CaseLog) -> Iterator[str]:
    """XES 1.0 of the mined case type: a trace per case, an event per activity."""
    yield XES_HEAD + f'<string key="concept:name" value={quoteattr(log.event_case_type)}/>\n'
    # Each label's two attributes, quoted once (a log has few labels and millions of events).
    named: dict[str, str] = {}
    for case_id, steps in traces(actor, log, chunk=CHUNK):
        parts = [f'<trace><string key="concept:name" value={quoteattr(case_id)}/>']
        for label, ts, actor_id in steps:
            attributes = named.get(label)
            if attributes is None:
                attributes = named[label] = (
                    f'<string key="concept:name" value={quoteattr(label_name(log, label))}/>'
                    f'<string key="activity" value={quoteattr(label)}/>'
                )
            resource = f'<string key="org:resource" value="{actor_id}"/>' if actor_id else ""
            parts.append(
                f'<event>{attributes}<date key="time:timestamp" value="{_time(ts)}"/>'
                f"{resource}</event>"
            )
        parts.append("</trace>\n")
        yield "".join(parts)
    yield "</log>\n"


def log_events(actor: User, log: CaseLog) -> QuerySet[Event]:
    """Every event (raw activities) of the readable cases of the log, in the period."""
    qs = Event.objects.filter(case_type=log.event_case_type).filter(period_q(log))
    cases = visible_cases(actor, log)
    if cases is not None:
        qs = qs.filter(case_id__in=cases.order_by().values(key=Cast("pk", CharField())))
    return qs.order_by("id")


def _keys(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.order_by().values(key=Cast("pk", CharField()))


def all_events(
    actor: User,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    team_id: int | None = None,
    user_id: int | None = None,
) -> QuerySet[Event]:
    """The events of every case type in the log that the actor may read: deals and leads
    (scoped records), process instances (`bpm.scope`), every team-owned record (activities,
    invoices, orders…) by its team, and case types of no team-owned record (payments…) only
    for a reader of every team. A team or person narrows the team-owned cases to theirs."""
    reads_all = visible_team_ids(actor) is None
    condition: Q | None = None
    for case_type in present_case_types():
        model = team_owned_model(case_type)
        qs: QuerySet[Any] | None
        if case_type == ProcessInstance.EVENT_CASE_TYPE:
            qs = ProcessInstance.objects.filter(visible_instances_q(actor))
        elif model is not None:
            qs = scope_records(model._default_manager.all(), actor=actor)
        elif reads_all and not (team_id or user_id):
            condition = _or(condition, Q(case_type=case_type))
            continue
        else:
            continue
        if team_id:
            qs = qs.filter(team_id=team_id)
        if user_id:
            qs = qs.filter(responsible_id=user_id)
        condition = _or(condition, Q(case_type=case_type, case_id__in=_keys(qs)))
    if condition is None:
        return Event.objects.none()
    log = CaseLog(ALL, date_from=date_from, date_to=date_to)
    return Event.objects.filter(condition).filter(period_q(log)).order_by("id")


def _or(condition: Q | None, more: Q) -> Q:
    return more if condition is None else condition | more


def _object_types(events: QuerySet[Event]) -> list[str]:
    linked = EventObject.objects.filter(event__in=events.values("pk")).order_by()
    types = set(events.order_by().values_list("case_type", flat=True).distinct())
    types |= set(linked.values_list("object_type", flat=True).distinct())
    if events.filter(case_type=ProcessInstance.EVENT_CASE_TYPE, payload__has_key="task").exists():
        types.add(TASK_TYPE)
    return sorted(types)


# The objects of the events of a CTE `ev` (id, case_type, case_id) as rows (ot, oid, rt, rid,
# q): each case and each object linked to an event, and a case's relation (rt, rid) by
# qualifier q to every object its events link.
OBJECT_ROWS_SQL = (
    "SELECT ev.case_type AS ot, ev.case_id AS oid, NULL AS rt, NULL AS rid, NULL AS q "
    "FROM ev UNION "
    "SELECT l.object_type, l.object_id, NULL, NULL, NULL FROM core_eventobject l "
    "JOIN ev ON ev.id = l.event_id UNION "
    "SELECT ev.case_type, ev.case_id, l.object_type, l.object_id, "
    "coalesce(nullif(l.qualifier, ''), 'involved') FROM core_eventobject l "
    "JOIN ev ON ev.id = l.event_id "
    "WHERE NOT (l.object_type = ev.case_type AND l.object_id = ev.case_id)"
)


def _objects(events: QuerySet[Event]) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """Every object of the events — their cases, the objects linked to them, the process
    tasks they name — each with its object-to-object relations, in one ordered scan: an
    event of case X linking object Y (qualifier q) relates X to Y by q; a process instance
    relates to its tasks."""
    try:
        columns = events.order_by().values("id", "case_type", "case_id", "payload")
        ev_sql, ev_params = columns.query.sql_with_params()
    except EmptyResultSet:
        return
    task = f"CAST({json_text('task', 'ev')} AS TEXT)"
    tasks = (
        f"SELECT ev.case_type AS ot, ev.case_id AS oid, '{TASK_TYPE}' AS rt, {task} AS rid, "  # noqa: S608
        f"'task' AS q FROM ev WHERE ev.case_type = '{ProcessInstance.EVENT_CASE_TYPE}' "
        f"AND {task} IS NOT NULL"
    )
    sql = (
        f"WITH ev AS ({ev_sql}) SELECT ot, oid, rt, rid, q FROM ("  # noqa: S608
        f"{OBJECT_ROWS_SQL} UNION "
        f"SELECT '{TASK_TYPE}', rid, NULL, NULL, NULL FROM ({tasks}) t UNION {tasks}"
        ") x ORDER BY ot, oid, rt, rid, q"
    )
    current: tuple[str, str] | None = None
    relations: list[tuple[str, str]] = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, ev_params)
        while rows := cursor.fetchmany(CHUNK):
            for ot, oid, rt, rid, q in rows:
                if (ot, oid) != current:
                    if current is not None:
                        yield f"{current[0]}:{current[1]}", current[0], relations
                    current, relations = (ot, oid), []
                if rt is not None:
                    relations.append((f"{rt}:{rid}", q))
    if current is not None:
        yield f"{current[0]}:{current[1]}", current[0], relations


def _stream_events(
    events: QuerySet[Event],
) -> Iterator[tuple[int, str, datetime, list[tuple[str, str]]]]:
    """(id, activity, time, relations) of every event in id order, in one streamed statement:
    the events joined to their linked objects (in the order they were linked: the same file
    for the same log). The relations: the case, the linked objects, a process event's task."""
    try:
        columns = events.order_by().annotate(task=KT("payload__task"))
        ev_sql, ev_params = columns.values(
            "id", "activity", "timestamp", "case_type", "case_id", "task"
        ).query.sql_with_params()
    except EmptyResultSet:
        return
    sql = (
        "SELECT ev.id, ev.activity, ev.timestamp, ev.case_type, ev.case_id, ev.task, "  # noqa: S608
        f"l.object_type, l.object_id, l.qualifier FROM ({ev_sql}) ev "
        "LEFT JOIN core_eventobject l ON l.event_id = ev.id ORDER BY ev.id, l.id"
    )
    current: tuple[int, str, datetime, dict[tuple[str, str], None], Any] | None = None
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, ev_params)
        while rows := cursor.fetchmany(CHUNK):
            for pk, activity, ts, case_type, case_id, task, otype, oid, qualifier in rows:
                if current is None or current[0] != pk:
                    if current is not None:
                        yield _finished(current)
                    task = task if case_type == ProcessInstance.EVENT_CASE_TYPE else None
                    rel = {(f"{case_type}:{case_id}", "case"): None}
                    current = (pk, activity, _as_datetime(ts), rel, task)
                if otype is not None:
                    current[3][(f"{otype}:{oid}", qualifier or "involved")] = None
    if current is not None:
        yield _finished(current)


def _finished(
    row: tuple[int, str, datetime, dict[tuple[str, str], None], Any],
) -> tuple[int, str, datetime, list[tuple[str, str]]]:
    pk, activity, ts, rel, task = row
    if task is not None:
        rel[(f"{TASK_TYPE}:{task}", "task")] = None
    return pk, activity, ts, list(rel)


def ocel_json(
    actor: User, log: CaseLog | None, events: QuerySet[Event] | None = None
) -> Iterator[str]:
    """OCEL 2.0 JSON, written piece by piece (types, objects with their relations, events)."""
    events = events if events is not None else log_events(actor, log)  # type: ignore[arg-type]
    activities = sorted(events.order_by().values_list("activity", flat=True).distinct())
    head = {
        "objectTypes": [{"name": t, "attributes": []} for t in _object_types(events)],
        "eventTypes": [{"name": a, "attributes": []} for a in activities],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "objects": ['
    first = True
    for oid, otype, related in _objects(events):
        item: dict[str, Any] = {"id": oid, "type": otype, "attributes": []}
        if related:
            item["relationships"] = [{"objectId": o, "qualifier": q} for o, q in related]
        yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
        first = False
    yield '], "events": ['
    first = True
    for pk, activity, ts, relations in _stream_events(events):
        item = {
            "id": f"e{pk}",
            "type": activity,
            "time": _time(ts),
            "attributes": [],
            "relationships": [{"objectId": o, "qualifier": q} for o, q in relations],
        }
        yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]}\n"


def ocel_xml(
    actor: User, log: CaseLog | None, events: QuerySet[Event] | None = None
) -> Iterator[str]:
    """OCEL 2.0 XML, written piece by piece."""
    events = events if events is not None else log_events(actor, log)  # type: ignore[arg-type]
    activities = sorted(events.order_by().values_list("activity", flat=True).distinct())
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<object-types>'
    for t in _object_types(events):
        yield f"<object-type name={quoteattr(t)}><attributes/></object-type>"
    yield "</object-types>\n<event-types>"
    for a in activities:
        yield f"<event-type name={quoteattr(a)}><attributes/></event-type>"
    yield "</event-types>\n<objects>\n"
    for oid, otype, related in _objects(events):
        rel = "".join(
            f"<relationship object-id={quoteattr(o)} qualifier={quoteattr(q)}/>" for o, q in related
        )
        yield (
            f"<object id={quoteattr(oid)} type={quoteattr(otype)}><attributes/>"
            f"{f'<objects>{rel}</objects>' if rel else ''}</object>\n"
        )
    yield "</objects>\n<events>\n"
    for pk, activity, ts, relations in _stream_events(events):
        rel = "".join(
            f"<relationship object-id={quoteattr(o)} qualifier={quoteattr(q)}/>"
            for o, q in relations
        )
        yield (
            f'<event id="e{pk}" type={quoteattr(activity)} '
            f'time="{_time(ts)}"><attributes/><objects>{rel}</objects></event>\n'
        )
    yield "</events>\n</log>\n"


def export(actor: User, log: CaseLog, fmt: str) -> Iterator[str]:
    writer: dict[str, Any] = {"xes": xes, "ocel2-json": ocel_json, "ocel2-xml": ocel_xml}
    return writer[fmt](actor, log)  # type: ignore[no-any-return]


def export_all(actor: User, fmt: str, **filters: Any) -> Iterator[str]:
    """One OCEL 2.0 file of every case type the actor may read (`all_events`)."""
    events = all_events(actor, **filters)
    writer = ocel_json if fmt == "ocel2-json" else ocel_xml
    return writer(actor, None, events)
