"""A doomed process for the kill tests: `python -c SCRIPT` on the test database, which
prints a line when it reaches the step where it hangs, and is then killed with SIGKILL."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

SRC = Path(__file__).resolve().parents[3]


def database_url() -> str:
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
    pytest.fail(f"the doomed process never reached its step: {process.stderr.read()[-3000:]}")


@contextmanager
def doomed(script: str, *args: str, until: str = "STEP") -> Iterator[subprocess.Popen[str]]:
    """Start `script` on the test database, wait until it prints `until` (it then hangs in
    the middle of its transaction), yield, and kill it with SIGKILL on the way out."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "greenwave.config.settings.test",
        "PYTHONPATH": str(SRC),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for_line(process, time.monotonic() + 120) == until
        yield process
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def retry_until(func, deadline_seconds: float = 60.0):  # type: ignore[no-untyped-def]
    """Call `func` until it returns something true: the server notices a killed client's
    connection a moment after the kill (no fixed wait, a deadline only)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        result = func()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)
