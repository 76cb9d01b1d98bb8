"""The task table's indexes after migrations 0006 and 0008 (issue #23): every process step inserts a
task row and closes one, so each index is written twice a step. The instance's own index was
dropped — the unique (instance, engine task) index leads with it — and the links empty on
most rows are indexed only where set. The lookups that used the dropped indexes still find
an index: by instance, by who completed or claimed a task (deleting a user sets them empty:
`IN (…)`), by candidate team. Migration 0008 indexed the team once, `(team, status)`, instead
of its own index and `(status, team)`."""

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
        # Migration 0008: the team's one index, `(team, status)`, serves the team alone.
        ({"team_id": 1}, ("bpm_task_team_status_idx",)),
        ({"team_id__in": [1, 2]}, ("bpm_task_team_status_idx",)),
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


def _indexes_on(columns: list[str]) -> list[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, HumanTask._meta.db_table)
    return [
        name for name, spec in constraints.items() if spec["index"] and spec["columns"] == columns
    ]


def test_the_team_is_indexed_once_with_the_status_second(db: None) -> None:
    assert _indexes_on(["team_id"]) == []
    assert _indexes_on(["status", "team_id"]) == []
    assert _indexes_on(["team_id", "status"]) == ["bpm_task_team_status_idx"]


def test_the_assignee_keeps_both_its_indexes(db: None) -> None:
    """`(status, assignee)` also bounds `status = 'open' AND assignee IS NOT NULL` (a head's
    overdue tasks); the assignee's own index serves `assignee = x` without a status."""
    assert len(_indexes_on(["assignee_id"])) == 1
    assert _indexes_on(["status", "assignee_id"]) == ["bpm_task_assignee_idx"]
