"""The periodic jobs of `run_worker`: fire due timers, escalate overdue tasks."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .. import engine, events
from ..models import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from .journal import _event
from .steps import _advance

logger = logging.getLogger(__name__)

# A timer whose step failed waits this long before the next attempt.
TIMER_RETRY_AFTER = timedelta(minutes=5)
TIMER_BATCH = 50


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _due_timers(now: datetime) -> QuerySet[Timer]:
    return (
        Timer.objects.filter(fired_at=None, cancelled_at=None, due_at__lte=now)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - TIMER_RETRY_AFTER))
        .order_by("due_at", "pk")
    )


@transaction.atomic
def timer_fire_next(
    *, now: datetime, worker: str, exclude: Collection[int] = (), attempted: list[int] | None = None
) -> tuple[int, bool] | None:
    """Fire the next due timer that no other worker is firing: `(timer id, fired)`, or None
    when nothing is due.

    The row lock held for the whole firing is the claim: a worker killed mid-step leaves no
    claim behind (its transaction and lock die with its connection), so another worker fires
    the timer on its next poll, and `fired_at`, written in the same transaction as the step,
    keeps it exactly once. `attempted` receives the id before the step runs, so a caller
    can tell which timer failed.
    """
    qs = _due_timers(now).exclude(pk__in=exclude)
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    timer = qs.first()
    if timer is None:
        return None
    if attempted is not None:
        attempted.append(timer.pk)
    instance = ProcessInstance.objects.select_related("definition").get(pk=timer.instance_id)
    timer.fired_at = now
    timer.claimed_by, timer.claimed_at = worker, None
    timer.save(update_fields=["fired_at", "claimed_by", "claimed_at", "updated_at"])
    if instance.status != InstanceStatus.RUNNING:
        return timer.pk, False
    _event(instance, events.TIMER_FIRED, None, {"element": timer.element_id})

    def fire(run: engine.ProcessRun) -> bool:
        return run.fire_timer(timer.engine_task_id)

    _advance(instance, None, fire)
    return timer.pk, True


def timers_fire_due(now: datetime | None = None, *, worker: str = "") -> int:
    """The periodic job of `run_worker`: fire every due timer once.

    A timer whose step fails is marked (`claimed_at`) and retried after TIMER_RETRY_AFTER,
    so one broken instance neither stops the others nor spins the worker.
    """
    moment = now or timezone.now()
    name = worker or _worker_name()
    fired = 0
    failed: list[int] = []
    for _attempt in range(TIMER_BATCH):
        attempted: list[int] = []
        try:
            outcome = timer_fire_next(now=moment, worker=name, exclude=failed, attempted=attempted)
        except Exception:
            if not attempted:
                raise
            logger.exception("timer %s failed", attempted[-1])
            failed.append(attempted[-1])
            Timer.objects.filter(pk=attempted[-1]).update(claimed_by=name, claimed_at=moment)
            continue
        if outcome is None:
            break
        fired += int(outcome[1])
    return fired


def tasks_escalate_overdue(now: datetime | None = None) -> int:
    """The periodic job: an overdue open task is escalated once to the head of its team.

    The event (case = the process, linked to the business object) is what timelines,
    "who holds up whom" and notifications read; `escalated_at` makes it happen once.
    """
    moment = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        qs = HumanTask.objects.filter(
            status=TaskStatus.OPEN, escalated_at=None, due_at__lt=moment
        ).select_related("instance__definition", "team__head", "assignee")
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        for task in qs[:TIMER_BATCH]:
            head = task.team.head if task.team else None
            _event(
                task.instance,
                events.TASK_OVERDUE,
                None,
                {
                    "task": task.pk,
                    "element": task.element_id,
                    "name": task.name,
                    "assignee": task.assignee.username if task.assignee else None,
                    "candidate_role": task.candidate_role,
                    "escalated_to": head.username if head else None,
                    "due_at": task.due_at.isoformat() if task.due_at else None,
                },
            )
            HumanTask.objects.filter(pk=task.pk).update(escalated_at=moment)
            escalated += 1
    return escalated
