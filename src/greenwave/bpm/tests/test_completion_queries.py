"""Issue #25: a task completion through the API or the HTML task form takes at most ten
queries in all on PostgreSQL (authentication, the task's read, the step, the answer),
pinned as an absolute number; the step itself is pinned statement by statement in
test_step_cost."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessDefinition, TaskStatus

# Issue #25 asks for ten at most (PostgreSQL: the token or session, the user's roles, the
# task, the step's lock, the saved state when the run is not kept in this process, and the
# step's one message of writes and events — 7). SQLite, the tests' and development's
# database, sends the step's writes and events one by one (six statements instead of one).
MAX_QUERIES = 10 if connection.vendor == "postgresql" else 12


def _queries(queries: CaptureQueriesContext) -> list[str]:
    # The test's transaction turns the service's into a savepoint: not a query of a request.
    return [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _open_task(instance: Any) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def test_a_completion_through_the_api_takes_at_most_ten_queries(
    bearer: Any, two_teams: dict[str, Any], two_steps: ProcessDefinition
) -> None:
    hunter = two_teams["hunter_a"]
    client = bearer(hunter)
    instance = services.instance_start(actor=hunter, definition=two_steps)
    task = _open_task(instance)
    with CaptureQueriesContext(connection) as queries:
        done = client.post(
            f"/api/v1/tasks/{task.pk}/complete", {"data": {}}, content_type="application/json"
        )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed"
    sent = _queries(queries)
    assert len(sent) <= MAX_QUERIES, sent
    assert _open_task(instance).element_id == "offer"


def test_a_completion_from_the_html_task_form_takes_at_most_ten_queries(
    two_teams: dict[str, Any], two_steps: ProcessDefinition
) -> None:
    hunter = two_teams["hunter_a"]
    client = Client()
    client.force_login(hunter)
    instance = services.instance_start(actor=hunter, definition=two_steps)
    task = _open_task(instance)
    client.get("/processes/inbox/")  # the session's first page: nothing of the form's cost
    with CaptureQueriesContext(connection) as queries:
        done = client.post(f"/processes/tasks/{task.pk}/", {})
    assert done.status_code == 302, done.content
    sent = _queries(queries)
    assert len(sent) <= MAX_QUERIES, sent
    assert _open_task(instance).element_id == "offer"
