"""Two users completing the same task at the same moment: exactly one wins (PostgreSQL)."""

from __future__ import annotations

import copy
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.bpm.services import steps, tasks
from greenwave.bpm.stepwrites import StaleRowError
from greenwave.bpm.tests.steps import open_task, race
from greenwave.core.models import Event


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; SQLite serialises writers by locking the whole database",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_completing_the_same_task_exactly_one_wins(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = open_task(instance)
    users = [two_teams["head_a"], two_teams["director"]]
    approve = {"approved": True, "discount": 3}
    errors = race(
        *(partial(services.task_complete, actor=u, task=task, data=approve) for u in users)
    )
    # Exactly one wins: the other is told the task is no longer open.
    assert [str(getattr(exc, "code", exc)) for exc in errors] == ["bpm.task_not_open"]
    instance = ProcessInstance.objects.get(pk=instance.pk)
    completed = HumanTask.objects.filter(instance=instance, status=TaskStatus.COMPLETED)
    assert completed.count() == 1
    assert instance.element_states["wait_payment"] == "waiting"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_fire_a_due_timer_once(approval: Any, two_teams: dict[str, Any]) -> None:
    from datetime import timedelta

    from greenwave.bpm.models import Timer
    from greenwave.core.models import Event

    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    due = Timer.objects.get(instance=instance).due_at + timedelta(seconds=1)
    fired: list[int] = []

    def work(name: str) -> None:
        fired.append(services.timers_fire_due(now=due, worker=name))

    assert race(partial(work, "w0"), partial(work, "w1")) == []
    assert sum(fired) == 1
    assert (
        Event.objects.filter(case_id=str(instance.pk), activity="process_timer_fired").count() == 1
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the optimistic step: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_the_optimistic_step_on_one_instance_land_one_step(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    """Two workers that each kept the instance's run (as two processes would: their own run
    and copy) complete its task without the lock at the same moment, each on its own
    connection: exactly one step commits; the other's guarded UPDATE finds the row moved on
    and its message stops before its COMMIT (`StaleRowError`, leaving nothing)."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    definition = deploy((Path(__file__).parent / "files" / "two_steps.bpmn").read_bytes())
    instance = services.instance_start(actor=hunter, definition=definition)
    task = open_task(instance)
    first = steps._RUNS.take_kept(instance.pk)
    assert first is not None
    row = ProcessInstance.objects.select_related("definition", "responsible").get(pk=instance.pk)
    second = (copy.copy(first[0]), steps._restore(row))  # restored from the row: its own run
    errors = race(
        *(
            partial(
                tasks._task_complete_optimistic,
                actor=hunter,
                task=copy.copy(task),
                data={},
                kept=kept,
            )
            for kept in (first, second)
        )
    )
    assert [type(exc) for exc in errors] == [StaleRowError]
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.lock_version == 2
    assert HumanTask.objects.filter(instance=instance, status=TaskStatus.COMPLETED).count() == 1
    assert list(
        HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).values_list(
            "element_id", flat=True
        )
    ) == ["offer"]
    completed = Event.objects.filter(
        case_id=str(instance.pk), activity="process_task_completed"
    ).count()
    assert completed == 1
