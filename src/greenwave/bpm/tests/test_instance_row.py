"""The instance table after migration 0007 (issue #23): a process step's update of its
instance row can be HOT on PostgreSQL — no index covers a column a step writes but the
status (which changes once, at the end), and the table keeps room on each page for the
next version of a row (fill factor 70). The business key is indexed once, for equality."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import services
from greenwave.bpm.models import ProcessInstance, TaskStatus
from greenwave.bpm.tests.conftest import FILES

TABLE = ProcessInstance._meta.db_table
# What a step writes to its instance besides the status (`bpm.services.steps`).
STEP_COLUMNS = {
    "updated_at",
    "state",
    "serializer_version",
    "lock_version",
    "variables",
    "element_states",
    "ended_at",
}


def _indexes() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {name: spec["columns"] for name, spec in constraints.items() if spec["index"]}


def test_no_index_covers_a_column_a_step_writes(db: None) -> None:
    covered = {name: set(columns) & STEP_COLUMNS for name, columns in _indexes().items()}
    assert {name: cols for name, cols in covered.items() if cols} == {}


def test_the_business_key_is_indexed_once(db: None) -> None:
    on_key = [name for name, columns in _indexes().items() if columns == ["business_key"]]
    assert on_key == ["bpm_instance_business_key_idx"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = ProcessInstance.objects.filter(business_key="deal:1").values("pk").explain()
    assert "bpm_instance_business_key_idx" in plan, plan


def _fillfactor() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [TABLE])
        options = cursor.fetchone()[0] or []
    return next((o.split("=", 1)[1] for o in options if o.startswith("fillfactor=")), None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's storage parameter")
def test_the_instance_table_keeps_room_for_the_next_version(db: None) -> None:
    assert _fillfactor() == "70"


def _updated_in_this_transaction() -> tuple[int, int]:
    """(rows updated, of them HOT) of the instance table in the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_stat_get_xact_tuples_updated(%s::regclass), "
            "pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
            [TABLE, TABLE],
        )
        updated, hot = cursor.fetchone()
    return int(updated), int(hot)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's HOT updates")
def test_a_step_updates_its_instance_row_in_place(deploy: Any, two_teams: dict[str, Any]) -> None:
    """The step's update of its instance is HOT (no index entry written): the columns it
    changes are not indexed and the page has room for the new version."""
    hunter = two_teams["hunter_a"]
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    started = services.instance_start(actor=hunter, definition=definition)
    task = started.tasks.get(status=TaskStatus.OPEN)
    updated, hot = _updated_in_this_transaction()
    done = services.task_complete(actor=hunter, task=task, data={})
    assert done.instance.status == "running"  # the status did not change: HOT is possible
    after = _updated_in_this_transaction()
    assert after[0] > updated
    assert after[0] - updated == after[1] - hot
