"""The task table's indexes after migration 0006 (issue #23): every process step inserts a
task row and closes one, so each index is written twice a step. The instance's own index was
dropped — the unique (instance, engine task) index leads with it — and the links empty on
most rows are indexed only where set. The lookups that used the dropped indexes still find
an index: by instance, by who completed or claimed a task (deleting a user sets them empty:
`IN (…)`), by candidate team."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet

from greenwave.bpm.models import HumanTask


@pytest.fixture
def no_table_scans(db: None) -> None:
    """On PostgreSQL the planner told to avoid a scan of the whole table where an index
    serves (the test's tables are too small for it to prefer one otherwise)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")


# SQLite names a unique constraint's index itself.
_UNIQUE = ("bpm_task_engine_unique", "sqlite_autoindex_bpm_humantask_")


def _plan(queryset: QuerySet[HumanTask]) -> str:
    return queryset.order_by().explain()


@pytest.mark.usefixtures("no_table_scans")
@pytest.mark.parametrize(
    ("lookup", "index"),
    [
        ({"instance_id": 1}, _UNIQUE),
        ({"instance_id__in": [1, 2]}, _UNIQUE),
        ({"completed_by_id": 1}, ("bpm_task_completed_by_set_idx",)),
        ({"claimed_by_id__in": [1, 2]}, ("bpm_task_claimed_by_set_idx",)),
        ({"candidate_team_id": 1}, ("bpm_task_cand_team_set_idx",)),
        ({"completed_by_id__in": [1, 2]}, ("bpm_task_completed_by_set_idx",)),
    ],
)
def test_the_lookups_of_the_dropped_indexes_still_use_an_index(
    lookup: dict[str, object], index: tuple[str, ...]
) -> None:
    plan = _plan(HumanTask.objects.filter(**lookup).values("pk"))
    assert any(name in plan for name in index), plan


def test_the_task_table_has_no_index_of_its_own_on_the_instance(db: None) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, HumanTask._meta.db_table)
    on_instance = [
        name
        for name, spec in constraints.items()
        if spec["index"] and spec["columns"] == ["instance_id"]
    ]
    assert on_instance == []
