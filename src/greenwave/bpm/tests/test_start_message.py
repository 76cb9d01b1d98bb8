"""A start on PostgreSQL: its keys from the connection's blocks, so that outside a transaction
it is one message (BEGIN, the instance's INSERT with its first state, its task's, the events,
COMMIT); the same rows and events as a start whose keys are drawn for it; a key of a block
that a row took meanwhile makes it start again the drawn way, once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.bpm.services.steps import model_copy, start_key_taken
from greenwave.bpm.stepwrites import readable
from greenwave.core.models import Event, EventObject

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's messages"),
]


@pytest.fixture
def fresh_blocks() -> Iterator[None]:
    services.steps._KEYS.clear()
    yield
    services.steps._KEYS.clear()


def _sent(queries: CaptureQueriesContext) -> list[str]:
    # Django logs its BEGIN and COMMIT: outside a transaction psycopg sends neither here.
    return [
        readable(q["sql"]) for q in queries.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
    ]


def _blocks() -> dict[type[Any], list[int]]:
    return services.steps._KEYS[connection.connection]


def _started(instance: ProcessInstance) -> tuple[list[Any], list[Any]]:
    """The start's task rows and events as the database holds them, their keys replaced by
    names: what two starts of one definition by one actor have alike."""
    tasks = list(HumanTask.objects.filter(instance=instance).order_by("pk"))
    names = {str(instance.pk): "<instance>"}
    names |= {str(t.pk): f"<task {n}>" for n, t in enumerate(tasks)}
    skip = {"id", "instance_id", "created_at", "updated_at", "engine_task_id"}
    rows = [
        {f.attname: getattr(t, f.attname) for f in HumanTask._meta.concrete_fields} for t in tasks
    ]
    for row in rows:
        for name in skip:
            row.pop(name)
    events = []
    for event in Event.objects.filter(
        case_type=ProcessInstance.EVENT_CASE_TYPE, case_id=str(instance.pk)
    ).order_by("timestamp", "id"):
        payload = json.loads(
            json.dumps(event.payload),
            object_hook=lambda d: {k: names.get(str(v), v) for k, v in d.items()},
        )
        links = sorted(
            (o.object_type, names.get(o.object_id, o.object_id), o.qualifier)
            for o in EventObject.objects.filter(event=event)
        )
        events.append((event.activity, event.actor_id, payload, event.prev_activity, links))
    return rows, events


@pytest.mark.django_db(transaction=True)
def test_a_start_outside_any_transaction_is_one_message_of_the_rows_a_drawn_start_writes(
    two_steps: Any, two_teams: dict[str, Any], fresh_blocks: None
) -> None:
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    with CaptureQueriesContext(connection) as first:
        services.instance_start(actor=hunter, definition=two_steps)
    # The blocks drawn: the instances' and the tasks' (the first carrying the BEGIN).
    assert next(q for q in _sent(first) if "generate_series" in q).startswith("BEGIN;")
    assert len(_sent(first)) == 3
    with CaptureQueriesContext(connection) as queries:
        instance = services.instance_start(actor=hunter, definition=two_steps)
    [message] = _sent(queries)
    assert message.startswith('BEGIN;\nINSERT INTO "bpm_processinstance" ("id", ')
    assert 'INSERT INTO "bpm_humantask" ("id", ' in message
    assert "INSERT INTO core_event " in message
    assert message.endswith("COMMIT")
    assert "nextval(pg_get_serial_sequence('bpm_" not in message
    assert 'UPDATE "bpm_processinstance"' not in message  # inserted once, with its state
    row = ProcessInstance.objects.get(pk=instance.pk)
    for field in ProcessInstance._meta.concrete_fields:
        assert getattr(row, field.attname) == getattr(instance, field.attname), field.name
    assert not instance._state.adding
    [task] = services.tasks_opened(instance)
    assert task == HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)

    # The start whose keys are drawn for it (SQLite's rows, and the way after a taken key).
    with CaptureQueriesContext(connection) as drawn_queries:
        drawn = services.instances._start_drawn(actor=hunter, definition=two_steps)
    assert len(_sent(drawn_queries)) == 2
    assert _started(drawn) == _started(instance)
    assert [activity for activity, *_rest in _started(instance)[1]] == [
        "process_started",
        "process_token_moved",
        "process_task_created",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("taken", ["instance", "task"])
@pytest.mark.parametrize("inside", [False, True])
def test_a_start_whose_key_of_a_block_was_taken_drops_the_blocks_and_starts_once(
    two_steps: Any, two_teams: dict[str, Any], fresh_blocks: None, taken: str, inside: bool
) -> None:
    """Rows written with their keys and the sequence reset after (the datagen's loader)
    can take keys of a block drawn before: the start fails on the key, nothing of it is
    left, the connection's blocks are dropped and the start is done again with its keys
    drawn (also inside a caller's transaction: the start's savepoint rolls back)."""
    hunter = two_teams["hunter_a"]
    other = services.instance_start(actor=hunter, definition=two_steps)
    [other_task] = services.tasks_opened(other)
    _blocks()[ProcessInstance if taken == "instance" else HumanTask].append(
        other.pk if taken == "instance" else other_task.pk
    )
    before = _started(other)
    if inside:
        with transaction.atomic():
            instance = services.instance_start(actor=hunter, definition=two_steps)
    else:
        instance = services.instance_start(actor=hunter, definition=two_steps)
    assert connection.connection not in services.steps._KEYS
    assert instance.pk != other.pk
    assert ProcessInstance.objects.count() == 2
    assert HumanTask.objects.count() == 2
    assert _started(other) == before
    assert _started(instance) == before
    assert services.tasks_opened(instance)[0].pk != other_task.pk


@pytest.mark.django_db(transaction=True)
def test_a_start_failing_on_anything_but_a_key_is_not_done_again(
    two_steps: Any, two_teams: dict[str, Any], fresh_blocks: None, monkeypatch: Any
) -> None:
    hunter = two_teams["hunter_a"]
    services.instance_start(actor=hunter, definition=two_steps)  # the blocks drawn
    runs: list[int] = []
    real = services.instances.engine.ProcessRun.start

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services.instances.engine.ProcessRun, "start", counted)
    gone = model_copy(two_steps)
    gone.pk = two_steps.pk + 1000  # no such row: the instance's key to it fails at COMMIT
    with pytest.raises(IntegrityError) as failed:
        services.instance_start(actor=hunter, definition=gone)
    assert not start_key_taken(failed.value)
    assert runs == [1]
    assert connection.connection in services.steps._KEYS  # the blocks kept
    assert ProcessInstance.objects.count() == 1
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        User.objects.create(username=hunter.username)
    assert not start_key_taken(duplicate.value)
