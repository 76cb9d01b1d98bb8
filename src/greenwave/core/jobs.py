"""Periodic jobs run by `run_worker` between queue batches.

Apps register a job (fire due BPM timers, send reminders…) in `AppConfig.ready()`. Each job
must be safe with any number of workers running it at once: it claims its rows with
`SELECT … FOR UPDATE SKIP LOCKED` (DESIGN.md "Scale-out"), so no election is needed here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    name: str
    func: Callable[[], int]  # returns how many items it handled
    every_seconds: float
    last_run: float = field(default=0.0)


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(name: str, func: Callable[[], int], *, every_seconds: float) -> None:
    _JOBS[name] = PeriodicJob(name, func, every_seconds)


def periodic_jobs() -> list[PeriodicJob]:
    return list(_JOBS.values())


def run_due_jobs(now: float | None = None) -> int:
    """Run every job whose interval has passed; a failing job is logged, not fatal."""
    handled = 0
    current = time.monotonic() if now is None else now
    for job in _JOBS.values():
        if current - job.last_run < job.every_seconds:
            continue
        job.last_run = current
        try:
            handled += job.func()
        except Exception:
            logger.exception("periodic job %s failed", job.name)
    return handled
