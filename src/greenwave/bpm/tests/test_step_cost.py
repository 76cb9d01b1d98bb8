"""A process step's cost and its safety: the restored run kept in the process between steps
(used only while the row has the version it was saved as), the step's events in one append,
the statements of a task completion pinned, and a step broken off after any of its
statements leaving the instance as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.bpm.stepwrites import readable
from greenwave.core.errors import DomainError
from greenwave.core.models import Event

T = TypeVar("T")

FILES = Path(__file__).parent / "files"
POSTGRES = connection.vendor == "postgresql"


def _open_task(instance: ProcessInstance) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def _statements(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _step_events(instance: ProcessInstance) -> list[tuple[str, str]]:
    return list(
        Event.objects.filter(case_type="process_instance", case_id=str(instance.pk))
        .order_by("timestamp", "id")
        .values_list("activity", "prev_activity")
    )


def test_a_task_completion_of_a_hot_instance_reads_no_state_and_takes_one_message(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """On PostgreSQL, the optimistic step: no lock — the instance's UPDATE, guarded by the
    kept copy (its version, status, definition and initiator), then the task's UPDATE, the
    next task's INSERT (its key from the connection's block, drawn by the start) and the
    step's events in one message. On SQLite the lock, three writes, then a read and two
    inserts for the events. The saved state is not read back: the run kept by the previous
    step is; nor the task: the caller's copy, checked by its UPDATE."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)  # as its row is (the guard's)
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    task = _open_task(instance)
    before = 0 if POSTGRES else 1 + 3  # SQLite: the lock and 3 writes
    events = 0 if POSTGRES else 3  # on PostgreSQL in the writes' message
    # (+2: the test's transaction makes the service's a savepoint, taken and released)
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(before + 1 + events + 2) as queries,
    ):
        services.task_complete(actor=hunter, task=task, data={})
    sent = _statements(queries)
    assert len(sent) == (1 if POSTGRES else 1 + 3 + events)
    # On PostgreSQL the writes are statements prepared on the connection.
    assert all("EXECUTE gw_" in q for q in sent) or not POSTGRES
    statements = [readable(q) for q in sent]
    assert not [q for q in statements if "FOR UPDATE" in q] or not POSTGRES
    if POSTGRES:  # the instance's guarded UPDATE, the task's, the next task's INSERT, events
        assert "generate_series" not in statements[0]
        message = statements[0]
        assert message.startswith('UPDATE "bpm_processinstance"')
        # the row's version its start wrote (`RowVersions`), not its columns
        assert " AND xmin = %s AND ctid = %s" in message.split(";")[0]
        assert '"lock_version" IS NOT DISTINCT FROM' not in message.split(";")[0]
        assert 'EXISTS (SELECT 1 FROM "accounts_user"' in message.split(";")[0]
        assert 'EXISTS (SELECT 1 FROM "bpm_processdefinition"' in message.split(";")[0]
        assert 'UPDATE "bpm_humantask"' in message
        assert 'INSERT INTO "bpm_humantask"' in message
        assert "INSERT INTO core_event " in message
    else:
        assert "nextval" not in statements[0]
    assert not [q for q in statements if '"bpm_processinstance"."state"' in q]
    assert not [q for q in statements if "bpm_timer" in q or "bpm_messagesubscription" in q]
    assert _open_task(instance).element_id == "offer"
    # The events of the step chain on from the process start, as one by one.
    assert [a for a, _prev in _step_events(instance)][-2:] == [
        "process_task_completed",
        "process_task_created",
    ]
    chain = _step_events(instance)
    assert all(prev == chain[n - 1][0] for n, (_a, prev) in enumerate(chain) if n)


def test_a_cold_step_reads_the_state_once(
    two_steps: Any, two_teams: dict[str, Any], fresh_cache: None, django_assert_max_num_queries: Any
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    services.steps._RUNS.clear()  # another process's step, or this one restarted
    task = _open_task(instance)
    with django_assert_max_num_queries(4 + (1 if POSTGRES else 5) + 2) as queries:
        services.task_complete(actor=hunter, task=task, data={})
    assert sum('"bpm_processinstance"."state"' in q for q in _statements(queries)) == 1
    assert _open_task(instance).element_id == "offer"


def test_a_run_cached_by_a_worker_is_not_used_after_another_worker_moved_the_instance(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Worker A keeps the run of the started instance; worker B (its own cache) completes the
    first task; A's next step must see that the row moved on and restore it — its kept run
    does not even know the second task."""
    hunter = two_teams["hunter_a"]
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    worker_a = services.steps._RUNS
    try:
        services.steps._RUNS = services._RunCache()  # worker B
        with django_capture_on_commit_callbacks(execute=True):
            services.task_complete(actor=hunter, task=_open_task(instance), data={})
    finally:
        services.steps._RUNS = worker_a
    with django_capture_on_commit_callbacks(execute=True):
        services.task_complete(actor=hunter, task=_open_task(instance), data={})
    done = ProcessInstance.objects.get(pk=instance.pk)
    assert done.status == InstanceStatus.COMPLETED
    assert sorted(
        HumanTask.objects.filter(instance=instance).values_list("element_id", "status")
    ) == [
        ("call", TaskStatus.COMPLETED),
        ("offer", TaskStatus.COMPLETED),
    ]


def _snapshot(instance: ProcessInstance) -> tuple[Any, ...]:
    row = ProcessInstance.objects.get(pk=instance.pk)
    return (
        row.lock_version,
        row.state,
        row.status,
        sorted(
            HumanTask.objects.filter(instance=instance).values_list(
                "element_id", "status", "engine_task_id"
            )
        ),
        Event.objects.filter(case_type="process_instance", case_id=str(instance.pk)).count(),
    )


class _BrokenOffError(Exception):
    pass


def _break_off_each_statement(
    call: Callable[[], T], unchanged: Callable[[], bool], capture_on_commit: Any
) -> tuple[int, T]:
    """Run `call`, breaking it off right after its 1st, 2nd, … statement (savepoints and
    rollbacks aside) and checking each time that nothing changed, until it runs whole: the
    number of the statement it no longer reached, and its answer."""
    stop_after = 1
    while True:
        seen = 0

        def break_off(
            execute: Any, sql: str, params: Any, many: bool, context: Any, stop: int = stop_after
        ) -> Any:
            nonlocal seen
            result = execute(sql, params, many, context)
            if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")):
                seen += 1
                if seen == stop:
                    raise _BrokenOffError
            return result

        try:
            with capture_on_commit(execute=True), connection.execute_wrapper(break_off):
                return stop_after, call()
        except _BrokenOffError:
            assert unchanged(), f"after statement {stop_after}"
            stop_after += 1


def test_a_step_broken_off_after_any_of_its_statements_leaves_the_instance_as_it_was(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The step fails right after its 1st, 2nd, … statement (as a killed process would stop
    there: nothing commits); the instance, its tasks and its events stay as they were, the
    cached run is not used again, and the next attempt completes the step once."""
    hunter = two_teams["hunter_a"]
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    with django_capture_on_commit_callbacks():
        # Counted on a twin instance so that this one's cache entry stays in place.
        twin = services.instance_start(actor=hunter, definition=two_steps)
        twin_task = _open_task(twin)
        with CaptureQueriesContext(connection) as probe:
            services.task_complete(actor=hunter, task=twin_task, data={})
    completion = len(_statements(probe))
    assert completion >= (2 if POSTGRES else 7)
    before = _snapshot(instance)
    stop_after, _done = _break_off_each_statement(
        lambda: services.task_complete(actor=hunter, task=_open_task(instance), data={}),
        lambda: _snapshot(instance) == before,
        django_capture_on_commit_callbacks,
    )
    assert stop_after > completion  # every statement of the step was a place to stop
    after = _snapshot(instance)
    assert after[0] == before[0] + 1
    assert [(e, s) for e, s, _id in after[3]] == [
        ("call", TaskStatus.COMPLETED),
        ("offer", TaskStatus.OPEN),
    ]
    activities = [a for a, _prev in _step_events(instance)]
    assert activities.count("process_task_completed") == 1


def _rows() -> tuple[int, int, int]:
    return (
        ProcessInstance.objects.count(),
        HumanTask.objects.count(),
        Event.objects.filter(case_type=ProcessInstance.EVENT_CASE_TYPE).count(),
    )


def test_a_start_broken_off_after_any_of_its_statements_leaves_nothing_and_then_starts_once(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A start fails right after its 1st, 2nd, … statement (its keys drawn, its writes
    sent…: as a killed process would stop there, nothing commits): no instance, task or
    event is left; the next attempt starts the instance once, its row as a start saves it."""
    hunter = two_teams["hunter_a"]
    before = _rows()
    stop_after, instance = _break_off_each_statement(
        lambda: services.instance_start(actor=hunter, definition=two_steps),
        lambda: _rows() == before,
        django_capture_on_commit_callbacks,
    )
    assert stop_after > 2  # the keys' statement and the writes' message, at least
    assert _rows()[:2] == (before[0] + 1, before[1] + 1)
    row = ProcessInstance.objects.get(pk=instance.pk)
    assert (row.lock_version, row.status, row.serializer_version) == (
        1,
        InstanceStatus.RUNNING,
        instance.serializer_version,
    )
    assert row.state == instance.state
    assert row.element_states == {"s": "done", "call": "active"}
    [task] = services.tasks_opened(instance)
    assert task == _open_task(instance)
    assert not task._state.adding
    started = Event.objects.filter(
        case_type=ProcessInstance.EVENT_CASE_TYPE, case_id=str(instance.pk)
    ).values_list("activity", flat=True)
    assert list(started).count("process_started") == 1
    services.task_complete(actor=hunter, task=task, data={})  # and it goes on
    assert _open_task(instance).element_id == "offer"


NOTIFYING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:gw="https://greenwave.dev/schema/bpmn" id="defs" targetNamespace="https://greenwave.dev/test">
 <bpmn:process id="notifying" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="first"/>
  <bpmn:userTask id="first" name="First"/>
  <bpmn:sequenceFlow id="b" sourceRef="first" targetRef="tell"/>
  <bpmn:serviceTask id="tell" name="Tell the starter" gw:action="notify"/>
  <bpmn:sequenceFlow id="c" sourceRef="tell" targetRef="second"/>
  <bpmn:userTask id="second" name="Second"/>
  <bpmn:sequenceFlow id="f" sourceRef="second" targetRef="e"/>
  <bpmn:endEvent id="e"/>
 </bpmn:process></bpmn:definitions>"""


def test_the_events_of_a_step_whose_effects_append_their_own_chain_in_order(
    deploy: Any, two_teams: dict[str, Any], fresh_cache: None
) -> None:
    """A step's events are held until it ends, but a notification appends its own event in
    the middle of the step: the held ones are appended first, and every event names the one
    before it."""
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=deploy(NOTIFYING))
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    chain = _step_events(instance)
    activities = [a for a, _prev in chain]
    assert "process_notification_sent" in activities
    # The effects run after the step's tasks are mirrored, as they did one event at a time.
    assert activities[-4:] == [
        "process_task_completed",
        "process_token_moved",
        "process_task_created",
        "process_notification_sent",
    ]
    assert all(prev == chain[n - 1][0] for n, (_a, prev) in enumerate(chain) if n)
    assert chain[0] == ("process_started", "")


def _columns(task: HumanTask) -> dict[str, Any]:
    return {f.attname: getattr(task, f.attname) for f in HumanTask._meta.concrete_fields}


@pytest.mark.usefixtures("fresh_cache")
def test_the_tasks_a_step_opened_are_their_rows_and_complete_without_a_second_try(
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
    deploy: Any,
    two_teams: dict[str, Any],
) -> None:
    """`tasks_opened`: the start's and each completion's new task rows as inserted, equal
    to what a read of the row gives; completing one goes the caller's-copy way at once (the
    statements of one step, no step rolled back and done again from the row)."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=definition)
    [task] = services.tasks_opened(instance)
    assert not task._state.adding
    assert _columns(task) == _columns(_open_task(instance))
    # PostgreSQL: at most the key block's draw and the message; SQLite: lock, writes, events
    with (
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries((2 if POSTGRES else 1 + 3 + 3) + 2),
    ):
        done = services.task_complete(actor=hunter, task=task, data={})
    [second] = services.tasks_opened(done.instance)
    assert second.element_id == "offer"
    assert not second._state.adding
    assert _columns(second) == _columns(_open_task(instance))
    with django_capture_on_commit_callbacks(execute=True):
        done = services.task_complete(actor=hunter, task=second, data={})
    assert services.tasks_opened(done.instance) == []
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED
    assert [a for a, _prev in _step_events(instance)].count("process_task_completed") == 2


def test_a_completion_from_an_out_of_date_copy_of_the_task_is_decided_by_the_row(
    two_steps: Any, two_teams: dict[str, Any], fresh_cache: None
) -> None:
    """The caller's copy of the task is trusted only as far as the step's UPDATE finds the
    row as the copy says: a copy from before a delegation is refused by the row (nothing
    of the step is left), a copy from before a completion gets "already completed", and a
    copy from before the task was claimed by the completer still completes it, once."""
    hunter, other = two_teams["hunter_a"], two_teams["head_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    copy = _open_task(instance)
    assert copy.assignee_id == hunter.pk
    HumanTask.objects.filter(pk=copy.pk).update(assignee=other, updated_at=timezone.now())
    version = ProcessInstance.objects.get(pk=instance.pk).lock_version
    with pytest.raises(DomainError) as refused:
        services.task_complete(actor=hunter, task=copy, data={})
    assert refused.value.status == 403
    assert _open_task(instance).pk == copy.pk
    assert ProcessInstance.objects.get(pk=instance.pk).lock_version == version
    assert copy.status == TaskStatus.OPEN  # the caller's object is left as it was

    services.task_complete(actor=other, task=_open_task(instance), data={})
    with pytest.raises(DomainError) as done:
        services.task_complete(actor=hunter, task=copy, data={})
    assert done.value.status == 409
    chain = [a for a, _prev in _step_events(instance)]
    assert chain.count("process_task_completed") == 1

    second = _open_task(instance)
    HumanTask.objects.filter(pk=second.pk).update(  # offered to the hunter's team
        assignee=None, candidate_team=hunter.team_id, updated_at=timezone.now()
    )
    fresh = _open_task(instance)
    services.task_claim(actor=hunter, task=fresh)
    services.task_complete(actor=hunter, task=fresh, data={})  # `fresh` predates the claim
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED
    chain = [a for a, _prev in _step_events(instance)]
    assert chain.count("process_task_completed") == 2


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="PostgreSQL's messages of several statements")
@pytest.mark.django_db(transaction=True)
def test_a_completion_outside_any_transaction_sends_one_message_and_a_stale_copy_commits_nothing(
    two_steps: Any, two_teams: dict[str, Any], fresh_cache: None
) -> None:
    """Not inside a transaction (as in a request or a worker), a completion of the instance
    whose run its start kept is one message: BEGIN, the guarded writes, the events, COMMIT
    (the next task's key from the connection's block, drawn before). A copy out of date
    stops such a message on the server before its COMMIT: nothing of it is left and the
    step is decided again from the row."""
    hunter, other = User.objects.get(pk=two_teams["hunter_a"].pk), two_teams["head_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    copy = _open_task(instance)
    services.steps.next_task_key()  # the block drawn (by an earlier step, as a rule)
    with CaptureQueriesContext(connection) as queries:
        services.task_complete(actor=hunter, task=copy, data={})
    # (Django logs its BEGIN and COMMIT: here psycopg sends neither, the messages carry them)
    sent = [
        readable(q["sql"]) for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
    ]
    assert len(sent) == 1, sent
    assert sent[0].startswith('BEGIN;\nWITH changed AS (UPDATE "bpm_processinstance"')
    assert "FOR UPDATE" not in sent[0]
    assert "INSERT INTO core_event " in sent[0]
    assert sent[0].endswith("COMMIT")
    second = _open_task(instance)
    assert second.element_id == "offer"
    assert second.pk > copy.pk
    chain = _step_events(instance)
    assert chain[-1][0] == "process_task_created"
    assert all(prev == chain[n - 1][0] for n, (_a, prev) in enumerate(chain) if n)

    HumanTask.objects.filter(pk=second.pk).update(assignee=other, updated_at=timezone.now())
    before = _snapshot(instance)
    with pytest.raises(DomainError) as refused:
        services.task_complete(actor=hunter, task=second, data={})
    assert refused.value.status == 403
    assert _snapshot(instance) == before
    services.task_complete(actor=other, task=_open_task(instance), data={})
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED
    assert [a for a, _prev in _step_events(instance)].count("process_task_completed") == 2


def _kept_and_changed(
    two_steps: Any, two_teams: dict[str, Any], capture: Any, change: Callable[[Any], None]
) -> tuple[ProcessInstance, Any]:
    """An instance started here (its run and copy kept), then changed behind the copy."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    with capture(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    assert services.steps._RUNS._runs[instance.pk][2] is not None  # kept for an optimistic step
    change(instance)
    return instance, hunter


ONLY_POSTGRES = pytest.mark.skipif(not POSTGRES, reason="the optimistic step: PostgreSQL")


@ONLY_POSTGRES
@pytest.mark.parametrize("what", ["initiator", "column", "version"])
def test_an_optimistic_step_whose_kept_copy_is_out_of_date_is_done_from_the_rows(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
    what: str,
) -> None:
    """The initiator's row changed (the new task goes to the initiator: its team is read),
    an instance column written without the step (a business key), or another process's
    step (the version): the kept copy no longer holds what the rows hold, its guarded
    UPDATE changes nothing, and the step is done again under the lock from the rows."""
    team_b = two_teams["team_b"]

    def change(instance: ProcessInstance) -> None:
        if what == "initiator":
            User.objects.filter(pk=instance.responsible_id).update(team=team_b)
        elif what == "column":
            ProcessInstance.objects.filter(pk=instance.pk).update(business_key="B-1")
        else:
            ProcessInstance.objects.filter(pk=instance.pk).update(lock_version=7)

    instance, hunter = _kept_and_changed(
        two_steps, two_teams, django_capture_on_commit_callbacks, change
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.task_complete(actor=hunter, task=_open_task(instance), data={})
    row = ProcessInstance.objects.get(pk=instance.pk)
    offer = _open_task(instance)
    assert offer.element_id == "offer"
    assert offer.team_id == (team_b.pk if what == "initiator" else two_teams["team_a"].pk)
    assert row.business_key == ("B-1" if what == "column" else "")
    assert row.lock_version == (8 if what == "version" else 2)
    assert [a for a, _prev in _step_events(instance)].count("process_task_completed") == 1


@ONLY_POSTGRES
def test_an_optimistic_step_of_a_cancelled_instance_is_refused_as_under_the_lock(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Cancelled by another process (whose steps this one's kept copy does not see): the
    status is part of the guard (`instance_cancel` writes it with an UPDATE of its own)."""

    def cancel(instance: ProcessInstance) -> None:
        # (its task rows left open: the instance's status alone must stop the step)
        ProcessInstance.objects.filter(pk=instance.pk).update(status=InstanceStatus.CANCELLED)

    instance, hunter = _kept_and_changed(
        two_steps, two_teams, django_capture_on_commit_callbacks, cancel
    )
    kept = services.steps._RUNS._runs[instance.pk][2]
    assert kept is not None
    assert kept.status == InstanceStatus.RUNNING  # so the step goes the optimistic way first
    task = _open_task(instance)
    with pytest.raises(DomainError) as refused:
        services.task_complete(actor=hunter, task=task, data={})
    assert refused.value.status == 409
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.CANCELLED
    assert [a for a, _prev in _step_events(instance)].count("process_task_completed") == 0


@ONLY_POSTGRES
def test_an_optimistic_step_whose_drawn_key_was_taken_drops_the_block_and_goes_the_locked_way(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Rows written with their keys and the sequence reset after (the datagen's loader)
    can take keys of a block drawn before: the step fails on the key, rolls back, the
    connection's blocks are dropped and the locked way (its key drawn then) completes it."""
    instance, hunter = _kept_and_changed(
        two_steps, two_teams, django_capture_on_commit_callbacks, lambda _instance: None
    )
    task = _open_task(instance)
    services.steps.next_task_key()  # a block drawn …
    blocks = services.steps._KEYS[connection.connection]
    blocks[HumanTask].append(task.pk)  # … whose next key a row took meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        services.task_complete(actor=hunter, task=task, data={})
    assert connection.connection not in services.steps._KEYS
    offer = _open_task(instance)
    assert offer.element_id == "offer"
    assert offer.pk != task.pk
    assert ProcessInstance.objects.get(pk=instance.pk).lock_version == 2
    assert [a for a, _prev in _step_events(instance)].count("process_task_completed") == 1
