"""The event-object links carry no index the unique constraint already gives: lookups by
event use `eventobject_unique` (event_id first), lookups by object `eventobject_obj_idx`."""

from __future__ import annotations

import pytest
from django.db import connection

from greenwave.core.models import EventObject

pytestmark = pytest.mark.django_db
TABLE = EventObject._meta.db_table


def _indexed_columns() -> list[list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return [c["columns"] for c in found.values() if c["index"] or c["unique"]]


def test_no_single_column_event_index_beside_the_unique_one_that_starts_with_it() -> None:
    columns = _indexed_columns()
    assert ["event_id"] not in columns
    assert ["event_id", "object_type", "object_id", "qualifier"] in columns
    assert ["object_type", "object_id"] in columns


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_log_readers_still_read_the_links_through_an_index() -> None:
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny
        for name, where in (
            ("by event", "event_id IN (1, 2, 3)"),
            ("by object", "object_type = 'deal' AND object_id = '1'"),
        ):
            cursor.execute(f"EXPLAIN SELECT * FROM {TABLE} WHERE {where}")  # noqa: S608
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    assert "eventobject_unique" in plans["by event"], plans["by event"]
    assert "eventobject_obj_idx" in plans["by object"], plans["by object"]
