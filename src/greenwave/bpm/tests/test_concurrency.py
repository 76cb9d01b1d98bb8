"""Two users completing the same task at the same moment: exactly one wins (PostgreSQL)."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.bpm.tests.steps import open_task, race


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
