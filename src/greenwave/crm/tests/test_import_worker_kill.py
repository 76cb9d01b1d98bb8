"""An import whose worker dies mid-run is run again to its end, exactly once: the run lock
(`core.runlock`) dies with the worker, `imports_resume_stalled` queues the job again, and the
rows, events and `done` status of a run are written in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from greenwave.core import runlock
from greenwave.core.jobs import periodic_jobs
from greenwave.core.models import Event
from greenwave.core.tests.doomed import doomed, retry_until
from greenwave.crm import services
from greenwave.crm.models import Company, Contact, ImportJob
from greenwave.crm.services import imports

from .test_import_export import check, company_rows, csv_bytes, upload


def _queued_import(actor) -> ImportJob:  # type: ignore[no-untyped-def]
    """A checked and confirmed import of five companies (each with its contact), whose queued
    task has not run yet (non-transactional test: on_commit does not fire)."""
    job = upload(actor, csv_bytes(company_rows()))
    job = check(actor, job, job.mapping)
    services.import_confirm(actor=actor, job=job)
    return ImportJob.objects.get(pk=job.pk)


def _events(job: ImportJob, activity: str) -> int:
    cases = Event.objects.filter(case_type="import_job", case_id=str(job.pk))
    return cases.filter(activity=activity).count()


def _assert_imported_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert job.created_count == 5
    assert Company.objects.count() == 5
    assert Contact.objects.count() == 5
    assert Event.objects.filter(activity="company_created").count() == 5
    assert _events(job, "import_finished") == 1


@pytest.mark.django_db
def test_an_import_left_running_by_a_dead_worker_is_queued_again_and_written_once(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    job = _queued_import(two_teams["head_a"])
    # What a killed worker leaves: the job marked running, its write transaction rolled back.
    ImportJob.objects.filter(pk=job.pk).update(status="running", processed_rows=3)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.imports_resume_stalled() == 1

    _assert_imported_once(job)
    assert _events(job, "import_resumed") == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.imports_resume_stalled() == 0
    _assert_imported_once(job)


def test_every_worker_looks_for_stalled_imports() -> None:
    job = next(j for j in periodic_jobs() if j.name == "crm_imports_resume")
    assert job.func is services.imports_resume_stalled
    assert job.every_seconds <= 10


@pytest.mark.django_db
def test_a_queued_import_whose_task_never_reached_the_queue_is_sent_again(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    # Confirmed and committed, but its enqueue was lost (the web process died right after the
    # commit, or the queue was down): nothing would ever run it.
    job = _queued_import(two_teams["head_a"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.imports_resume_stalled() == 0  # a fresh one may just wait its turn
    job.refresh_from_db()
    assert job.status == "queued"

    long_ago = timezone.now() - services.IMPORT_REQUEUE_AFTER - timedelta(seconds=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.imports_resume_stalled() == 1
    _assert_imported_once(job)
    # A second task of the same job (the lost one turning up after all) changes nothing.
    assert services.import_run(job_id=job.pk).status == "done"
    _assert_imported_once(job)


@contextmanager
def _held_by_another_process(job: ImportJob) -> Iterator[None]:
    """The run lock held elsewhere: on PostgreSQL by another session (a session re-enters
    its own advisory lock), on SQLite by another open file (flock)."""
    if connection.vendor != "postgresql":
        lock = runlock.acquire(services.IMPORT_RUN_LOCK, job.pk)
        assert lock is not None
        try:
            yield
        finally:
            lock.release()
        return
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            key = runlock._key(services.IMPORT_RUN_LOCK, job.pk)
            cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        yield
    finally:
        other.close()


@pytest.mark.django_db
def test_a_running_import_whose_worker_lives_is_left_alone(two_teams) -> None:
    job = _queued_import(two_teams["head_a"])
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    with _held_by_another_process(job):
        assert services.imports_resume_stalled() == 0
        # and a second delivery of its task does not run it twice
        assert services.import_run(job_id=job.pk).status == "running"
    job.refresh_from_db()
    assert job.status == "running"
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_a_file_that_kills_its_worker_every_time_fails_after_three_restarts(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    job = _queued_import(two_teams["head_a"])
    for restart in range(1, services.IMPORT_MAX_RESUMES + 1):
        ImportJob.objects.filter(pk=job.pk).update(status="running")
        assert services.imports_resume_stalled() == 1  # queued again (task not run here)
        assert _events(job, "import_resumed") == restart
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    assert services.imports_resume_stalled() == 0
    job.refresh_from_db()
    assert job.status == "failed"
    assert "4" in job.message
    assert _events(job, "import_failed") == 1
    assert not Company.objects.exists()


# The doomed worker: it runs the import and hangs after its first company is written (inside
# the import's transaction), the way a run in progress looks when the process dies.
DOOMED_IMPORT = """
import sys, time
import django
django.setup()
from greenwave.crm.services import imports as services

real = services.company_create

def hang(**kwargs):
    real(**kwargs)
    print("STEP", flush=True)
    time.sleep(600)

services.company_create = hang
services.import_run(job_id=int(sys.argv[1]))
"""


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection")
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_mid_run_runs_again_to_its_end_once(
    two_teams, monkeypatch
) -> None:
    # The queue hands the task to the doomed worker, not to this process.
    monkeypatch.setattr(imports, "_enqueue", lambda task, job_id: None)
    job = _queued_import(two_teams["head_a"])
    monkeypatch.undo()

    with doomed(DOOMED_IMPORT, str(job.pk)):
        job.refresh_from_db()
        assert job.status == "running"
        assert not Company.objects.exists()  # its first company is not committed
        # While the worker lives, the job is its own: nothing is resumed, nor run twice.
        assert services.imports_resume_stalled() == 0
        assert services.import_run(job_id=job.pk).status == "running"

    # Killed: the server ends its session, with its transaction and its run lock; the next
    # poll of any worker queues the job again (the test settings run the task at once).
    assert retry_until(services.imports_resume_stalled) == 1
    _assert_imported_once(job)
    assert services.imports_resume_stalled() == 0
    assert _events(job, "import_resumed") == 1
