"""Exports of the mined log for analysts' own tools: XES (one case type) and OCEL 2.0 (JSON
and XML: the cases and every object their events involve, from `EventObject`).

Everything is a generator of text chunks over server-side cursors (`traces`, `iterator()`),
so a log of a million cases leaves in bounded memory: nothing builds a list of events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from xml.sax.saxutils import quoteattr

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from greenwave.accounts.models import User
from greenwave.core.models import Event, EventObject

from .log import CaseLog, label_name, period_q, traces, visible_cases

FORMATS = ("xes", "ocel2-json", "ocel2-xml")
CHUNK = 2000
MEDIA_TYPES = {
    "xes": "application/xml",
    "ocel2-json": "application/json",
    "ocel2-xml": "application/xml",
}
EXTENSIONS = {"xes": "xes", "ocel2-json": "jsonocel", "ocel2-xml": "xmlocel"}


def _time(value: datetime) -> str:
    return value.isoformat()


def xes(actor: User, log: CaseLog) -> Iterator[str]:
    """XES 1.0 of the mined case type: a trace per case, an event per activity."""
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<log xes.version="1.0" xes.features="nested-attributes" '
        'xmlns="http://www.xes-standard.org/">\n'
        '<extension name="Concept" prefix="concept" '
        'uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
        '<extension name="Organizational" prefix="org" '
        'uri="http://www.xes-standard.org/org.xesext"/>\n'
        f'<string key="concept:name" value={quoteattr(log.event_case_type)}/>\n'
    )
    names: dict[str, str] = {}
    for case_id, steps in traces(actor, log, chunk=CHUNK):
        parts = [f'<trace><string key="concept:name" value={quoteattr(case_id)}/>']
        for label, ts, actor_id in steps:
            name = names.setdefault(label, label_name(log, label))
            resource = f'<string key="org:resource" value="{actor_id}"/>' if actor_id else ""
            parts.append(
                f'<event><string key="concept:name" value={quoteattr(name)}/>'
                f'<string key="activity" value={quoteattr(label)}/>'
                f'<date key="time:timestamp" value="{_time(ts)}"/>{resource}</event>'
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


def _object_types(events: QuerySet[Event]) -> list[str]:
    linked = EventObject.objects.filter(event__in=events.values("pk")).order_by()
    types = set(events.order_by().values_list("case_type", flat=True).distinct())
    types |= set(linked.values_list("object_type", flat=True).distinct())
    return sorted(types)


def _objects(events: QuerySet[Event]) -> Iterator[tuple[str, str]]:
    cases = events.order_by().values_list("case_type", "case_id").distinct()
    linked = (
        EventObject.objects.filter(event__in=events.values("pk"))
        .order_by()
        .values_list("object_type", "object_id")
        .distinct()
    )
    return cases.union(linked).iterator(CHUNK)  # type: ignore[no-any-return]


def _relations(event: Event) -> list[tuple[str, str]]:
    rel = [(f"{event.case_type}:{event.case_id}", "case")]
    rel += [
        (f"{o.object_type}:{o.object_id}", o.qualifier or "involved") for o in event.links.all()
    ]
    return rel


def _stream_events(events: QuerySet[Event]) -> Iterator[Event]:
    return events.prefetch_related("links").iterator(CHUNK)


def ocel_json(actor: User, log: CaseLog) -> Iterator[str]:
    """OCEL 2.0 JSON, written piece by piece (objects, then events)."""
    events = log_events(actor, log)
    activities = sorted(events.order_by().values_list("activity", flat=True).distinct())
    head = {
        "objectTypes": [{"name": t, "attributes": []} for t in _object_types(events)],
        "eventTypes": [{"name": a, "attributes": []} for a in activities],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "objects": ['
    first = True
    for obj_type, obj_id in _objects(events):
        item: dict[str, Any] = {"id": f"{obj_type}:{obj_id}", "type": obj_type, "attributes": []}
        yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
        first = False
    yield '], "events": ['
    first = True
    for event in _stream_events(events):
        item = {
            "id": f"e{event.pk}",
            "type": event.activity,
            "time": _time(event.timestamp),
            "attributes": [],
            "relationships": [{"objectId": o, "qualifier": q} for o, q in _relations(event)],
        }
        yield ("" if first else ",") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "]}\n"


def ocel_xml(actor: User, log: CaseLog) -> Iterator[str]:
    """OCEL 2.0 XML, written piece by piece."""
    events = log_events(actor, log)
    activities = sorted(events.order_by().values_list("activity", flat=True).distinct())
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<object-types>'
    for t in _object_types(events):
        yield f"<object-type name={quoteattr(t)}><attributes/></object-type>"
    yield "</object-types>\n<event-types>"
    for a in activities:
        yield f"<event-type name={quoteattr(a)}><attributes/></event-type>"
    yield "</event-types>\n<objects>\n"
    for obj_type, obj_id in _objects(events):
        yield (
            f"<object id={quoteattr(f'{obj_type}:{obj_id}')} type={quoteattr(obj_type)}>"
            "<attributes/></object>\n"
        )
    yield "</objects>\n<events>\n"
    for event in _stream_events(events):
        rel = "".join(
            f"<relationship object-id={quoteattr(o)} qualifier={quoteattr(q)}/>"
            for o, q in _relations(event)
        )
        yield (
            f'<event id="e{event.pk}" type={quoteattr(event.activity)} '
            f'time="{_time(event.timestamp)}"><attributes/><objects>{rel}</objects></event>\n'
        )
    yield "</events>\n</log>\n"


def export(actor: User, log: CaseLog, fmt: str) -> Iterator[str]:
    writer: dict[str, Any] = {"xes": xes, "ocel2-json": ocel_json, "ocel2-xml": ocel_xml}
    return writer[fmt](actor, log)  # type: ignore[no-any-return]
