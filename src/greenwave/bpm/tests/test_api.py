"""The REST surface: definitions, instances, the task inbox and messages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessDefinition, ProcessInstance, TaskStatus
from greenwave.core.tests.openapi_check import answer_errors

pytestmark = pytest.mark.django_db


def test_admin_uploads_deploys_and_exports_with_ids_kept(
    bearer: Any, two_teams: dict[str, Any], approval_xml: bytes
) -> None:
    client = bearer(two_teams["admin"])
    response = client.post(
        "/api/v1/processes/definitions",
        {"xml": approval_xml.decode(), "key": "discount"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["key"], body["version"], body["status"]) == ("discount", 1, "draft")
    deployed = client.post(f"/api/v1/processes/definitions/{body['id']}/deploy")
    assert deployed.json()["status"] == "deployed"
    xml = client.get(f"/api/v1/processes/definitions/{body['id']}/xml")
    assert xml["Content-Type"] == "application/xml"
    assert b'id="remind_timer"' in xml.content
    assert b"BPMNDiagram" in xml.content
    versions = client.get(f"/api/v1/processes/definitions/{body['id']}/versions").json()
    assert [v["version"] for v in versions] == [1]


def test_a_hostile_upload_is_a_clear_400_and_stores_nothing(
    bearer: Any, two_teams: dict[str, Any]
) -> None:
    client = bearer(two_teams["admin"])
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>'
    response = client.post(
        "/api/v1/processes/definitions", {"xml": xml}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bpm.invalid_bpmn"
    assert ProcessDefinition.objects.count() == 0


def test_a_non_admin_cannot_upload(
    bearer: Any, two_teams: dict[str, Any], approval_xml: bytes
) -> None:
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/processes/definitions",
        {"xml": approval_xml.decode()},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_start_complete_and_correlate_through_the_api(
    bearer: Any, two_teams: dict[str, Any], approval: ProcessDefinition, make_deal: Any
) -> None:
    deal = make_deal(two_teams["hunter_a"])
    hunter = bearer(two_teams["hunter_a"])
    head = bearer(two_teams["head_a"])
    started = hunter.post(
        "/api/v1/processes/instances",
        {"key": approval.key, "variables": {"amount": 10}, "business_key": f"deal:{deal.pk}"},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    instance_id = started.json()["id"]
    assert started.json()["element_states"]["review"] == "active"

    inbox = head.get("/api/v1/tasks").json()
    assert inbox["count"] == 1
    task_id = inbox["items"][0]["id"]
    detail = head.get(f"/api/v1/tasks/{task_id}").json()
    assert detail["form_json_schema"]["properties"]["discount"]["type"] == "integer"
    assert detail["form_json_schema"]["required"] == ["discount"]

    bad = head.post(
        f"/api/v1/tasks/{task_id}/complete",
        {"data": {"discount": "lots"}},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bpm.invalid_form_data"
    assert (
        head.post(f"/api/v1/tasks/{task_id}/claim").json()["assignee_id"] == two_teams["head_a"].pk
    )
    done = head.post(
        f"/api/v1/tasks/{task_id}/complete",
        {"data": {"approved": True, "discount": 7}},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    again = head.post(
        f"/api/v1/tasks/{task_id}/complete",
        {"data": {"discount": 7}},
        content_type="application/json",
    )
    assert again.status_code == 409

    message = hunter.post(
        "/api/v1/processes/messages",
        {"name": "payment_received", "correlation_key": f"deal:{deal.pk}", "payload": {"paid": 10}},
        content_type="application/json",
    )
    assert message.json() == {"instances": [instance_id]}
    state = hunter.get(f"/api/v1/processes/instances/{instance_id}").json()
    assert state["status"] == "completed"
    assert state["variables"]["discount"] == 7
    history = hunter.get(f"/api/v1/processes/instances/{instance_id}/history").json()
    assert history[0]["activity"] == "process_completed"
    # Regression: the history was documented with another app's EventOut (shared name).
    documented = "/api/v1/processes/instances/{instance_id}/history"
    assert answer_errors(documented, "get", 200, history) == []


def test_another_teams_user_gets_404(
    bearer: Any, two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance)
    outsider = bearer(two_teams["hunter_b"])
    assert outsider.get(f"/api/v1/processes/instances/{instance.pk}").status_code == 404
    assert outsider.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    response = outsider.post(
        f"/api/v1/tasks/{task.pk}/complete",
        {"data": {"discount": 1}},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert HumanTask.objects.get(pk=task.pk).status == TaskStatus.OPEN
    assert outsider.post(f"/api/v1/processes/instances/{instance.pk}/cancel").status_code == 404


def test_list_query_counts_do_not_grow_with_rows(
    bearer: Any, two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    client = bearer(two_teams["admin"])

    def counts() -> list[int]:
        out = []
        for url in (
            "/api/v1/tasks?scope=team",
            "/api/v1/processes/instances",
            "/api/v1/processes/definitions",
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    counts()  # warm up: the first request touches the token's last use
    first = counts()
    for _ in range(4):
        services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    assert counts() == first
    assert ProcessInstance.objects.count() == 5
