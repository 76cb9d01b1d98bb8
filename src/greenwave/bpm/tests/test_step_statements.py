"""The statements of a step written once per process (issue #23, fourth pass): the lock's
hand-written SELECT builds the instance, its initiator and its version as the ORM would;
the version comes from the process's cache only while its row has the same `updated_at`;
on PostgreSQL the lock and the writes are statements prepared on the connection, which
outlive a rolled-back step and are prepared again on a new connection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from psycopg.types.json import Jsonb

from greenwave.accounts.models import User
from greenwave.bpm import services, stepwrites
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.bpm.services.steps import _lock_instance
from greenwave.bpm.stepwrites import readable

POSTGRES = connection.vendor == "postgresql"


class _BoomError(Exception):
    pass


def _open_task(instance: ProcessInstance) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def test_the_locked_instance_is_the_row_the_orm_reads(
    two_steps: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    with transaction.atomic():
        locked = _lock_instance(instance.pk, draw_task_key=True)
    row = ProcessInstance.objects.select_related("definition", "responsible").get(pk=instance.pk)
    for field in ProcessInstance._meta.concrete_fields:
        if field.attname != "state":
            assert getattr(locked, field.attname) == getattr(row, field.attname), field.name
    assert "state" in locked.get_deferred_fields()
    assert locked.state == row.state  # read when used
    assert locked.responsible == row.responsible == hunter
    assert locked.responsible.username == hunter.username
    assert locked.responsible.date_joined == row.responsible.date_joined
    assert locked.definition.pk == row.definition.pk
    assert locked.definition.metadata == row.definition.metadata
    assert locked.definition.xml == row.definition.xml
    with pytest.raises(ProcessInstance.DoesNotExist), transaction.atomic():
        _lock_instance(instance.pk + 10_000)


def test_a_step_after_its_version_changed_reads_the_version_again(
    two_steps: Any, two_teams: dict[str, Any]
) -> None:
    """The process keeps the version its steps ran with; a save of the row (its
    `updated_at`) makes the next step read it again."""
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    definition = type(two_steps).objects.get(pk=two_steps.pk)
    definition.metadata.setdefault("user_tasks", {}).setdefault("offer", {})["name"] = "Renamed"
    definition.save()
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    assert _open_task(instance).name == "Renamed"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="statements prepared on PostgreSQL's connection")
@pytest.mark.django_db(transaction=True)
def test_prepared_statements_outlive_a_rolled_back_step_and_a_new_connection(
    two_steps: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=two_steps)
    task = _open_task(instance)

    def rolled_back() -> None:
        with transaction.atomic():
            services.task_complete(actor=hunter, task=task, data={})
            raise _BoomError

    with pytest.raises(_BoomError):
        rolled_back()
    assert _open_task(instance).element_id == "call"
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    assert _open_task(instance).element_id == "offer"
    connection.close()  # a new connection: nothing prepared on it yet
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'gw_%%'")
        prepared = [row[0] for row in cursor.fetchall()]
    # On the new connection the last step went the optimistic way (the run kept by the one
    # before): its key block and its guarded UPDATE were prepared there; no lock.
    assert any("generate_series" in text for text in prepared)
    assert any("IS NOT DISTINCT FROM" in text for text in prepared)
    assert not any("FOR UPDATE" in text for text in prepared)
    assert readable("EXECUTE gw_" + "0" * 20) == "EXECUTE gw_" + "0" * 20  # unknown: as sent


_ODD_VALUES = (
    "it's a \\ back'slash",
    "",
    "юникод ✓",
    None,
    0,
    -(2**62),
    True,
    Decimal("12.3400"),
    datetime(2026, 12, 6, 8, 0, 0, 123456, tzinfo=UTC),
    datetime(5, 1, 1, tzinfo=timezone(timedelta(hours=2, minutes=30, seconds=17))),
    datetime(2026, 1, 1, 1, 2, 3, 4, tzinfo=timezone(-timedelta(hours=3))),
    datetime(2026, 1, 1, 1, 2, 3),  # naive: psycopg's own literal
    date(2026, 1, 2),
    b"\x00\x01'\\",
    Jsonb({"a": ["it's", None, 1.5]}),
    [1, 2, 3],
)


@pytest.mark.django_db
@pytest.mark.skipif(not POSTGRES, reason="the message is PostgreSQL's")
def test_the_message_is_what_mogrify_makes_of_each_statement() -> None:
    """`_one_message` writes the EXECUTE of a prepared statement itself (psycopg's literal of
    each value); the text is the one psycopg's `mogrify` makes of it, for odd values as well,
    and a statement not prepared still goes through `mogrify`."""
    types = (
        "text",
        "text",
        "text",
        "text",
        "bigint",
        "bigint",
        "boolean",
        "numeric",
        "timestamptz",
        "timestamptz",
        "timestamptz",
        "timestamp",
        "date",
        "bytea",
        "jsonb",
        "bigint[]",
    )
    sql = "SELECT " + ", ".join(f"%s::{name}" for name in types)
    stepwrites._PREPARABLE.add(sql)
    with transaction.atomic(), connection.cursor() as cursor:
        execute = stepwrites.prepared(sql)
        assert execute in stepwrites._HEADS
        statements: list[Any] = [
            (execute, _ODD_VALUES, None, None),
            ("SELECT %s::text, 100 %% 7", ("plain'",), None, None),  # not prepared
            ("COMMIT", (), None, None),
        ]
        text, params = stepwrites._one_message(cursor, statements)
        assert params is None
        mogrify = cursor.cursor.mogrify
        assert text == ";\n".join(mogrify(s, p) for s, p, *_rest in statements)
        cursor.execute(text.rsplit(";\n", 1)[0])  # and the server reads the values back
        assert cursor.fetchone()[:4] == ("it's a \\ back'slash", "", "юникод ✓", None)


@pytest.mark.django_db
@pytest.mark.skipif(not POSTGRES, reason="the message is PostgreSQL's")
def test_a_steps_message_is_what_mogrify_makes_of_it(
    two_steps: Any,
    two_teams: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A start and a completion (optimistic: the guarded UPDATE with its row versions as
    text, the events' statement): every message is the text `mogrify` made of it before."""
    merged = stepwrites._one_message
    seen: list[bool] = []

    def checked(cursor: Any, statements: Any) -> tuple[str, Any]:
        text, params = merged(cursor, statements)
        mogrify = cursor.cursor.mogrify
        assert text == ";\n".join(mogrify(s, p) for s, p, *_rest in statements)
        seen.append(any(" AND xmin = %s" in stepwrites.readable(s) for s, *_rest in statements))
        return text, params

    monkeypatch.setattr(stepwrites, "_one_message", checked)
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    services.steps._RUNS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        instance = services.instance_start(actor=hunter, definition=two_steps)
    with django_capture_on_commit_callbacks(execute=True):
        services.task_complete(actor=hunter, task=_open_task(instance), data={})
    assert _open_task(instance).element_id == "offer"
    assert seen
    assert any(seen)  # the guarded UPDATE was among them
