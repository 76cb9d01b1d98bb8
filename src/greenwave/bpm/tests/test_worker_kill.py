"""A worker killed with SIGKILL in the middle of firing a timer: another worker fires it on its
next poll, not minutes later, and exactly once (PostgreSQL, a real subprocess)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import services
from greenwave.bpm.models import Timer
from greenwave.core.models import Event

SRC = Path(__file__).resolve().parents[3]

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


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for_line(process: subprocess.Popen[str], deadline: float) -> str:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([process.stdout], [], [], 0.5)
        if ready:
            return process.stdout.readline().strip()
        if process.poll() is not None:
            break
    assert process.stderr is not None
    pytest.fail(f"the worker never reached its step: {process.stderr.read()[-2000:]}")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection")
@pytest.mark.django_db(transaction=True)
def test_a_timer_held_by_a_killed_worker_is_fired_by_another_at_once_and_once(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    timer = Timer.objects.get(instance=instance)
    due = timer.due_at + timedelta(seconds=1)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "greenwave.config.settings.test",
        "PYTHONPATH": str(SRC),
    }
    doomed = subprocess.Popen(
        [sys.executable, "-c", DOOMED, due.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for_line(doomed, time.monotonic() + 120) == "STEP"
        # While it lives, the timer is its own: another worker skips it and claims nothing.
        assert services.timers_fire_due(now=due, worker="w2") == 0
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
        for stream in (doomed.stdout, doomed.stderr):
            if stream is not None:
                stream.close()

    # The server ends the dead worker's session and its transaction with it; the same `now`
    # (no claim lifetime to wait out) lets the next poll fire the timer.
    deadline = time.monotonic() + 60
    fired = 0
    while not fired and time.monotonic() < deadline:
        fired = services.timers_fire_due(now=due, worker="w2")
        if not fired:
            time.sleep(0.2)
    assert fired == 1
    assert services.timers_fire_due(now=due, worker="w3") == 0
    timer.refresh_from_db()
    assert timer.claimed_by == "w2"
    assert timer.fired_at == due
    events = Event.objects.filter(case_id=str(instance.pk), activity="process_timer_fired")
    assert events.count() == 1
