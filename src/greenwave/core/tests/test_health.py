import pytest

from greenwave.core import jobs
from greenwave.core.jobs import register_periodic, run_due_jobs


@pytest.mark.django_db
def test_health_page_checks_database_and_queue(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["queue"].startswith("ok")


def test_periodic_job_runs_when_due_and_a_failing_job_does_not_stop_others(monkeypatch) -> None:
    monkeypatch.setattr(jobs, "_JOBS", {})
    calls: list[str] = []

    def failing() -> int:
        raise RuntimeError("boom")

    def counting() -> int:
        calls.append("ran")
        return 1

    register_periodic("test.failing", failing, every_seconds=60)
    register_periodic("test.counting", counting, every_seconds=60)
    assert run_due_jobs(now=1_000_000.0) >= 1
    assert run_due_jobs(now=1_000_010.0) == 0  # not due again yet
    assert calls == ["ran"]


@pytest.mark.django_db
def test_a_record_outside_the_scope_is_a_404_page_not_a_crash(client, two_teams) -> None:
    client.force_login(two_teams["admin"])
    response = client.get("/accounts/admin/users/999999/")
    assert response.status_code == 404
    assert 'data-testid="error-page"' in response.content.decode()
