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
from typing import Any, TypeVar

from django.db import models, transaction

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=models.Model)


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


def claim_each(
    candidates: models.QuerySet[Any],
    limit: int,
    rows: models.QuerySet[M],
    handle: Callable[[M], bool],
) -> int:
    """How a job works through its first `limit` candidates whatever the number of workers:
    their ids read first, then each in its own transaction, its row of `rows` claimed with
    `SELECT … FOR UPDATE SKIP LOCKED` — a row another worker holds, or one no longer matching
    `rows`, is passed over. Returns how many rows `handle` took (it returns False for a row it
    left as it was)."""
    handled = 0
    for pk in list(candidates.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = rows.select_for_update(skip_locked=True, of=("self",)).filter(pk=pk).first()
            if row is not None and handle(row):
                handled += 1
    return handled
