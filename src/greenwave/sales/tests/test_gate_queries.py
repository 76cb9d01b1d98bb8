"""The stage gate reads the event log by index, never by scanning it (PostgreSQL).

A forward move asks which activities of the stage's output the deal has done: its own events
and the events linked to it. Written as one OR across the join to the links, PostgreSQL can
use no index and reads the whole log — 0.35 s per move at 445 000 events, the main cost of
the mixed load test (`bench/load_bench.py`). The plan is checked over a log of other deals'
calls (analyzed) with sequential scans disabled, so small test tables cannot hide a statement
that no index bounds to the deal.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.core.models import Event, EventObject
from greenwave.sales import services
from greenwave.sales.gates import evaluate_stage
from greenwave.sales.tests.conftest import log_a_call

pytestmark = pytest.mark.django_db

# What bounds a read of each event table to one deal: its case, its links, or an event id
# taken from such a read.
BOUNDED_BY = {
    "core_event": ("case_id", "(id = "),
    "core_eventobject": ("object_id", "event_id"),
}


def _unbounded_scans(node: dict[str, Any]) -> list[str]:
    """Reads of the event tables that no condition on the deal bounds (a scan by activity
    alone reads every deal's events of that kind)."""
    found = []
    table = node.get("Relation Name")
    if table in BOUNDED_BY:
        condition = node.get("Index Cond") or node.get("Recheck Cond") or ""
        if not any(column in condition for column in BOUNDED_BY[table]):
            found.append(f"{node['Node Type']} on {table} ({condition or 'no index'})")
    for child in node.get("Plans", []):
        found += _unbounded_scans(child)
    return found


def _deal_among_other_calls(hunter: Any, b2b: Any) -> Any:
    """A deal with a call linked to it, among 4 000 calls of other deals, in their own cases
    and linked to them (analyzed), so that reading the calls by kind alone is a bad plan."""
    deal = services.deal_create(actor=hunter, title="Трубы", pipeline=b2b)
    log_a_call(deal)
    others = Event.objects.bulk_create(
        Event(
            case_type="deal" if n % 2 else "activity",
            case_id=str(10_000 + n),
            activity="call_completed",
            timestamp=timezone.now(),
            payload={},
        )
        for n in range(4000)
    )
    EventObject.objects.bulk_create(
        EventObject(event=e, object_type="deal", object_id=str(10_000 + n), qualifier="")
        for n, e in enumerate(others)
        if not n % 2
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_event, core_eventobject")
    return deal


def _plan_scans(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        raw = cursor.fetchone()[0]
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return _unbounded_scans(plan[0]["Plan"])


def test_the_activity_gate_reads_the_event_log_by_index(two_teams, b2b, stages) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    deal = _deal_among_other_calls(two_teams["hunter_a"], b2b)
    with CaptureQueriesContext(connection) as captured:
        items = evaluate_stage(deal, stages["qualification"])
    assert {i.key: i.met for i in items} == {"responsible": True, "call_completed": True}
    gate_reads = [q["sql"] for q in captured.captured_queries if "core_event" in q["sql"]]
    assert len(gate_reads) == 1
    assert _plan_scans(gate_reads[0]) == []


def test_a_move_reads_its_gate_with_the_deal_by_index(two_teams, b2b, stages) -> None:
    """A stage move reads the activities its gates want with the deal's lock: the same two
    index lookups per activity, as columns of the deal's row."""
    if connection.vendor != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    deal = _deal_among_other_calls(two_teams["hunter_a"], b2b)
    with CaptureQueriesContext(connection) as captured:
        moved = services.deal_move(actor=two_teams["hunter_a"], deal=deal, stage=stages["needs"])
    assert moved.stage_id == stages["needs"].pk
    gate_reads = [q["sql"] for q in captured.captured_queries if "core_event" in q["sql"]]
    assert len(gate_reads) == 2  # the deal's lock with its gate, the event appended
    assert 'FROM "sales_deal"' in gate_reads[0]
    assert _plan_scans(gate_reads[0]) == []
