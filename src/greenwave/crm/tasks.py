"""Background jobs of the client base (django-tasks: the database queue or RQ in production,
run immediately in tests)."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def run_import(job_id: int) -> None:
    services.import_run(job_id=job_id)
