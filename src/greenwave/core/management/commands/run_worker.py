"""`manage.py run_worker`: runs queued background jobs and the periodic jobs of the apps.

One loop, whichever backend is configured: process every ready task (database queue, or RQ
when REDIS_URL is set), run the periodic jobs that are due (timers, reminders), sleep a
little, repeat. Start as many workers as you like: tasks and timers are claimed with row
locks (`SKIP LOCKED`), so none runs twice.
"""

from __future__ import annotations

import logging
import signal
import socket
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string

from greenwave.core.jobs import run_due_jobs

logger = logging.getLogger("greenwave.worker")


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs (database queue, or RQ with REDIS_URL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Idle sleep in seconds.")
        parser.add_argument(
            "--once", action="store_true", help="Run what is due once, then exit (for cron/tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.running = True
        self.rq_worker: Any = None
        if options["verbosity"] < 2:  # the queue libraries log every empty poll at INFO
            for name in ("django_tasks", "django_tasks_db", "rq.worker"):
                logging.getLogger(name).setLevel(logging.WARNING)
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        worker_id = f"{socket.gethostname()}-{get_random_string(8)}"
        backend = str(settings.TASKS["default"]["BACKEND"])
        self.stdout.write(f"worker {worker_id} started ({backend})")
        while self.running:
            close_old_connections()
            handled = self._run_tasks(backend, worker_id)
            handled += run_due_jobs()
            if options["once"]:
                break
            if not handled:
                time.sleep(options["interval"])
        self.stdout.write(f"worker {worker_id} stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def _run_tasks(self, backend: str, worker_id: str) -> int:
        if backend.startswith("django_tasks_db"):
            from django_tasks_db.management.commands.db_worker import Worker

            worker = Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=100,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            worker.run()
            return worker._run_tasks
        if backend.startswith("django_tasks_rq"):
            import django_rq

            if self.rq_worker is None:
                # django-tasks wraps each job in its own Job class; a plain RQ worker
                # would call the Task object and fail.
                self.rq_worker = django_rq.get_worker(
                    "default", name=worker_id, job_class="django_tasks_rq.backend.Job"
                )
            self.rq_worker.work(burst=True, with_scheduler=False)
            return 0
        return 0
