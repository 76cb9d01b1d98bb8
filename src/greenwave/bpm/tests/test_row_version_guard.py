"""The optimistic step's guard by row versions (PostgreSQL's `xmin` and `ctid`): what a
write returns is the row's version, any write of the row since — another transaction's, one
of the same transaction, a queryset `.update()` — makes another, a lock, a rolled-back
update and VACUUM FREEZE do not; and a change of the instance, its definition or its
initiator sends the next completion the locked way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.accounts.models import Team, User
from greenwave.bpm import services
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
)
from greenwave.bpm.services import journal
from greenwave.bpm.services.steps import ROW_VERSION
from greenwave.bpm.stepwrites import RowVersions, StaleRowError, StepWrites, readable

POSTGRES = connection.vendor == "postgresql"
ONLY_POSTGRES = pytest.mark.skipif(not POSTGRES, reason="row versions: PostgreSQL")


def _row_version(model: Any, pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT xmin::text, ctid::text FROM {model._meta.db_table} WHERE id = %s",  # noqa: S608
            [pk],
        )
        row = cursor.fetchone()
        return (row[0], row[1])


def _saved(team: Team, version: tuple[str, str] | None = None) -> RowVersions:
    """The team saved through `StepWrites`, guarded by `version` when given."""
    writes = StepWrites()
    guard = {"where": {"xmin": version[0], "ctid": version[1]}, "exists": []} if version else None
    versions = writes.save(team, guard=guard, version=True)
    writes.send()
    assert versions is not None
    return versions


@ONLY_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_rows_version_changes_with_every_write_of_it_and_with_nothing_else() -> None:
    team = Team.objects.create(name="versions")
    version = _saved(team)["row"]
    assert version == _row_version(Team, team.pk)  # what the UPDATE returned

    # A lock, an update rolled back and VACUUM FREEZE leave the row as it was written.
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=team.pk)
    with transaction.atomic():
        Team.objects.filter(pk=team.pk).update(name="rolled back")
        transaction.set_rollback(True)
    assert Team.objects.get(pk=team.pk).name == "versions"
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (FREEZE) {Team._meta.db_table}")
    assert _row_version(Team, team.pk) == version  # frozen: its xmin still readable
    version = _saved(team, version)["row"]  # the guard held, and a new version returned

    # Another transaction's write (a queryset `.update()`): the guard holds no more.
    Team.objects.filter(pk=team.pk).update(name="elsewhere")
    with pytest.raises(StaleRowError):
        _saved(team, version)
    assert Team.objects.get(pk=team.pk).name == "elsewhere"


@ONLY_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_write_of_the_same_transaction_keeps_xmin_and_changes_ctid() -> None:
    """`xmin` names the writing transaction: a second write of the row in the same one keeps
    it, and only `ctid` tells the versions apart."""
    team = Team.objects.create(name="same transaction")
    with transaction.atomic():
        version = _saved(team)["row"]
        Team.objects.filter(pk=team.pk).update(name="later, same transaction")
        now = _row_version(Team, team.pk)
        assert now[0] == version[0]
        assert now[1] != version[1]
        with pytest.raises(StaleRowError):
            _saved(team, version)
    assert Team.objects.get(pk=team.pk).name == "later, same transaction"


def _vacuumed(model: Any) -> bool:
    """VACUUM the model's table; whether it removed every dead version. Another transaction
    of the database (an auto-analyze, a test of another worker) can hold the versions back,
    and a pinned page is skipped: VACUUM VERBOSE says so in its report."""
    report: list[str] = []
    raw = connection.connection

    def heard(diagnostic: Any) -> None:
        report.append(diagnostic.message_primary or "")

    raw.add_notice_handler(heard)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (VERBOSE) {model._meta.db_table}")
    finally:
        raw.remove_notice_handler(heard)
    text = "\n".join(report)
    held = re.search(r"(\d+) are dead but not yet removable", text)
    return held is not None and held.group(1) == "0" and "cleanup lock contention" not in text


@ONLY_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_place_freed_by_vacuum_can_hold_a_later_version_whose_xmin_differs() -> None:
    """`ctid` alone can come back: a version pruned by VACUUM frees its place on the page,
    and a later update of the row may land there — its `xmin` is another transaction's."""
    team = Team.objects.create(name="a place freed")
    Team.objects.filter(pk=team.pk).update(name="first update")  # a heap-only version
    kept = _row_version(Team, team.pk)
    pruned = 0
    for n in range(40):
        Team.objects.filter(pk=team.pk).update(name=f"update {n}")
        pruned += _vacuumed(Team)
        now = _row_version(Team, team.pk)
        if now[1] == kept[1]:
            break
    else:
        if not pruned:
            pytest.skip("VACUUM removed no dead version: another transaction held them back")
        pytest.fail(f"no later version took the kept version's place ({pruned} full VACUUMs)")
    assert now[0] != kept[0]
    with pytest.raises(StaleRowError):
        _saved(team, kept)


def _open_task(instance: ProcessInstance) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def _complete(hunter: User, instance: ProcessInstance, capture: Any) -> list[str]:
    """Complete the instance's open task; the statements sent."""
    with capture(execute=True), CaptureQueriesContext(connection) as queries:
        services.task_complete(actor=hunter, task=_open_task(instance), data={})
    return [readable(q["sql"]) for q in queries.captured_queries]


@ONLY_POSTGRES
@pytest.mark.parametrize(
    "what",
    ["nothing", "variables", "business key", "same transaction", "initiator", "definition", "cold"],
)
def test_a_change_of_the_instance_its_definition_or_initiator_sends_the_step_the_locked_way(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    """The first completion after a start compares the initiator column by column (the
    start's initiator is the caller's object, not a row read) and learns the row's version;
    a cold one (no kept copy) reads it with the lock. Then any change of the instance row
    (even a column the step writes from its run: the variables), of the definition's
    version or of the initiator's row (a column no step reads) makes the next completion
    take the lock; with no change it goes without. A write of the row in the step's own
    transaction after its message keeps the row's `xmin`: its `ctid` tells."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    if what == "cold":
        services.steps._RUNS.clear()
    if what == "same transaction":
        flush = journal._Journal.flush

        def flush_then_write(self: Any, *, last: bool = False) -> None:
            flush(self, last=last)
            if last:  # after the step's message, before its transaction ends
                ProcessInstance.objects.filter(pk=instance.pk).update(business_key="B-2")

        monkeypatch.setattr(journal._Journal, "flush", flush_then_write)
    first = _complete(hunter, instance, django_capture_on_commit_callbacks)
    monkeypatch.undo()
    assert any("FOR UPDATE" in q for q in first) == (what == "cold")
    kept = services.steps._RUNS._runs[instance.pk][2]
    assert kept is not None
    now = _row_version(ProcessInstance, instance.pk)
    if what == "same transaction":
        assert kept.__dict__[ROW_VERSION][0] == now[0]
        assert kept.__dict__[ROW_VERSION][1] != now[1]
    else:
        assert kept.__dict__[ROW_VERSION] == now
    assert kept.responsible.__dict__[ROW_VERSION] == _row_version(User, hunter.pk)
    assert kept.responsible is not hunter  # the kept copy's own

    if what == "variables":
        ProcessInstance.objects.filter(pk=instance.pk).update(variables={"changed": True})
    elif what == "business key":
        ProcessInstance.objects.filter(pk=instance.pk).update(business_key="B-2")
    elif what == "initiator":
        User.objects.filter(pk=hunter.pk).update(last_name="Changed")
    elif what == "definition":
        ProcessDefinition.objects.filter(pk=two_steps.pk).update(updated_at=timezone.now())
    second = _complete(hunter, instance, django_capture_on_commit_callbacks)
    assert any("FOR UPDATE" in q for q in second) == (what != "nothing" and what != "cold")
    row = ProcessInstance.objects.get(pk=instance.pk)
    assert row.status == InstanceStatus.COMPLETED
    assert row.lock_version == 3
    assert row.business_key == ("B-2" if what in ("business key", "same transaction") else "")


@ONLY_POSTGRES
def test_the_kept_copy_is_handed_over_and_a_definition_of_the_same_version_kept_once(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    kept = services.steps._RUNS._runs[instance.pk][2]
    taken = services.steps._RUNS.take_kept(instance.pk)
    assert taken is not None
    assert taken[0] is kept  # out of the cache: nobody else holds it, no copy needed
    assert services.steps._RUNS.take_kept(instance.pk) is None

    definitions = services.steps._DEFINITIONS
    definitions.clear()
    definitions.put(two_steps)
    cached = definitions.get(two_steps.pk, two_steps.updated_at)
    assert cached is not two_steps
    definitions.put(ProcessDefinition.objects.get(pk=two_steps.pk))  # the same version
    assert definitions.get(two_steps.pk, two_steps.updated_at) is cached
    newer = ProcessDefinition.objects.get(pk=two_steps.pk)
    newer.updated_at = timezone.now()
    definitions.put(newer)
    assert definitions.get(two_steps.pk, newer.updated_at).updated_at == newer.updated_at
