"""Two users completing the same task at the same moment: exactly one wins (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.core.errors import DomainError


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; SQLite serialises writers by locking the whole database",
)
@pytest.mark.django_db(transaction=True)
def test_two_threads_completing_the_same_task_exactly_one_wins(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    users = [two_teams["head_a"], two_teams["director"]]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def complete(user: Any) -> None:
        try:
            barrier.wait()
            services.task_complete(actor=user, task=task, data={"approved": True, "discount": 3})
            outcomes.append("won")
        except DomainError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["bpm.task_not_open", "won"]
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
    barrier = threading.Barrier(2)
    fired: list[int] = []

    def work(name: str) -> None:
        try:
            barrier.wait()
            fired.append(services.timers_fire_due(now=due, worker=name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(fired) == 1
    assert (
        Event.objects.filter(case_id=str(instance.pk), activity="process_timer_fired").count() == 1
    )
