"""A task form's file field through the JSON API: as a JSON object with the content in base64,
or as a multipart part; checked like the HTML form's upload (size, type, content), kept with
the process and shown to the next approver; a refused file keeps nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessFile, TaskStatus
from greenwave.core.tests.openapi_check import answer_errors

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the signed application\n"
VALUES = {"vacation_kind": "annual", "date_from": "2030-07-01", "date_to": "2030-07-14"}


@pytest.fixture
def vacation(db: Any, make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    (definition,) = [d for d in services.library_install(actor=None) if d.key == "vacation"]
    employee = make_user("employee", roles=["hunter"], team=two_teams["team_a"])
    instance = services.instance_start(actor=employee, definition=definition)
    fill = HumanTask.objects.get(instance=instance, element_id="fill")
    return {**two_teams, "employee": employee, "instance": instance, "fill": fill}


def _encoded(content: bytes) -> str:
    return base64.b64encode(content).decode()


def _approver_sees(bearer: Any, vacation: dict[str, Any], stored: ProcessFile) -> None:
    approve = HumanTask.objects.get(
        instance=vacation["instance"], element_id="approve", status=TaskStatus.OPEN
    )
    detail = bearer(vacation["head_a"]).get(f"/api/v1/processes/instances/{approve.instance_id}")
    assert detail.status_code == 200
    variables = detail.json()["variables"]
    assert variables["attachment"] == {
        "file_id": stored.pk,
        "name": stored.original_name,
        "size": len(PDF),
    }
    stored.file.open("rb")
    with stored.file:
        assert stored.file.read() == PDF


def test_a_file_field_completed_as_base64_json(bearer: Any, vacation: dict[str, Any]) -> None:
    client = bearer(vacation["employee"])
    task_id = vacation["fill"].pk
    schema = client.get(f"/api/v1/tasks/{task_id}").json()["form_json_schema"]
    assert schema["properties"]["attachment"]["required"] == ["filename", "content_base64"]
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        {
            "data": {
                **VALUES,
                "attachment": {"filename": "Заявление.pdf", "content_base64": _encoded(PDF)},
            }
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert answer_errors("/api/v1/tasks/{task_id}/complete", "post", 200, body) == []
    stored = ProcessFile.objects.get(instance=vacation["instance"], field="attachment")
    assert (stored.original_name, stored.content_type, stored.field) == (
        "Заявление.pdf",
        "application/pdf",
        "attachment",
    )
    _approver_sees(bearer, vacation, stored)


def test_a_file_field_completed_as_multipart(bearer: Any, vacation: dict[str, Any]) -> None:
    client = bearer(vacation["employee"])
    response = client.post(
        f"/api/v1/tasks/{vacation['fill'].pk}/complete/multipart",
        {
            "data": json.dumps(VALUES),
            "attachment": SimpleUploadedFile("Заявление.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 200, response.content
    assert (
        answer_errors("/api/v1/tasks/{task_id}/complete/multipart", "post", 200, response.json())
        == []
    )
    stored = ProcessFile.objects.get(instance=vacation["instance"], field="attachment")
    assert stored.original_name == "Заявление.pdf"
    _approver_sees(bearer, vacation, stored)


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        ({"filename": "run.exe", "content_base64": _encoded(b"MZ\x90\x00")}, "not accepted"),
        ({"filename": "a.pdf", "content_base64": _encoded(b"MZ\x90\x00")}, "does not match"),
        ({"filename": "a.pdf", "content_base64": "%%%not base64"}, "not valid base64"),
        ({"filename": "a.pdf"}, "filename and content_base64"),
        ("a.pdf", "filename and content_base64"),
        ({"filename": "a.pdf", "content_base64": _encoded(b"%PDF-" + b"x" * 2048)}, "larger than"),
    ],
)
@override_settings(BPM_FILE_MAX_BYTES=1024, LANGUAGE_CODE="en")
def test_a_bad_file_is_a_clear_400_and_keeps_nothing(
    bearer: Any, vacation: dict[str, Any], attachment: Any, message: str
) -> None:
    client = bearer(vacation["employee"])
    response = client.post(
        f"/api/v1/tasks/{vacation['fill'].pk}/complete",
        {"data": {**VALUES, "attachment": attachment}},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "bpm.invalid_form_data"
    assert message in " ".join(body["details"]["fields"]["attachment"])
    assert not ProcessFile.objects.exists()
    assert HumanTask.objects.get(pk=vacation["fill"].pk).status == TaskStatus.OPEN


@override_settings(BPM_FILE_MAX_BYTES=1024)
def test_multipart_refuses_a_large_or_stray_part_and_keeps_nothing(
    bearer: Any, vacation: dict[str, Any]
) -> None:
    client = bearer(vacation["employee"])
    url = f"/api/v1/tasks/{vacation['fill'].pk}/complete/multipart"
    large = client.post(
        url,
        {
            "data": json.dumps(VALUES),
            "attachment": SimpleUploadedFile("a.pdf", b"%PDF-" + b"x" * 2048),
        },
    )
    assert large.status_code == 400
    assert large.json()["code"] == "bpm.invalid_form_data"
    stray = client.post(url, {**VALUES, "attachment": SimpleUploadedFile("a.pdf", PDF)})
    assert stray.status_code == 400
    assert stray.json()["code"] == "validation_error"
    not_json = client.post(url, {"data": "[1]", "attachment": SimpleUploadedFile("a.pdf", PDF)})
    assert not_json.status_code == 400
    assert not ProcessFile.objects.exists()
    assert HumanTask.objects.get(pk=vacation["fill"].pk).status == TaskStatus.OPEN


def test_another_teams_user_cannot_complete_with_a_file(
    bearer: Any, vacation: dict[str, Any]
) -> None:
    outsider = bearer(vacation["hunter_b"])
    url = f"/api/v1/tasks/{vacation['fill'].pk}/complete"
    attachment = {"filename": "a.pdf", "content_base64": _encoded(PDF)}
    as_json = outsider.post(
        url, {"data": {**VALUES, "attachment": attachment}}, content_type="application/json"
    )
    assert as_json.status_code == 404
    multipart = outsider.post(
        f"{url}/multipart",
        {"data": json.dumps(VALUES), "attachment": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert multipart.status_code == 404
    assert not ProcessFile.objects.exists()
    assert HumanTask.objects.get(pk=vacation["fill"].pk).status == TaskStatus.OPEN
