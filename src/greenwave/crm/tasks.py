"""Background jobs of the client base (django-tasks: the database queue or RQ in production,
run immediately in tests): an import's three steps — read the file, check its rows (dry run),
write them."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def read_import(job_id: int) -> None:
    services.import_read(job_id=job_id)


@task()
def check_import(job_id: int) -> None:
    services.import_check_run(job_id=job_id)


@task()
def run_import(job_id: int) -> None:
    services.import_run(job_id=job_id)
