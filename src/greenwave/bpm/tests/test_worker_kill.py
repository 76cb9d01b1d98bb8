"""A worker killed with SIGKILL in the middle of firing a timer: another worker fires it on its
next poll, not minutes later, and exactly once (PostgreSQL, a real subprocess)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import services
from greenwave.bpm.models import Timer
from greenwave.core.models import Event
from greenwave.core.tests.doomed import doomed, retry_until

# The doomed worker: its step of the process hangs after the timer row is locked and
# `fired_at` written (uncommitted), the way a step in progress looks when the process dies.
DOOMED = """
import sys, time
from datetime import datetime
import django
django.setup()
from greenwave.bpm import services

def hang(*args, **kwargs):
    print("STEP", flush=True)
    time.sleep(600)

services.timers._advance = hang
services.timers_fire_due(now=datetime.fromisoformat(sys.argv[1]), worker="doomed")
"""


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection")
@pytest.mark.django_db(transaction=True)
def test_a_timer_held_by_a_killed_worker_is_fired_by_another_at_once_and_once(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    timer = Timer.objects.get(instance=instance)
    due = timer.due_at + timedelta(seconds=1)
    with doomed(DOOMED, due.isoformat()):
        # While it lives, the timer is its own: another worker skips it and claims nothing.
        assert services.timers_fire_due(now=due, worker="w2") == 0

    # The server ends the dead worker's session and its transaction with it; the same `now`
    # (no claim lifetime to wait out) lets the next poll fire the timer.
    fired = retry_until(lambda: services.timers_fire_due(now=due, worker="w2"))
    assert fired == 1
    assert services.timers_fire_due(now=due, worker="w3") == 0
    timer.refresh_from_db()
    assert timer.claimed_by == "w2"
    assert timer.fired_at == due
    events = Event.objects.filter(case_id=str(instance.pk), activity="process_timer_fired")
    assert events.count() == 1
