"""Files in task forms and notifications, through the HTML pages: the document handed in
travels with the process and is shown to each approver, nobody else downloads it; each
person reads and marks only their own notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, Notification, ProcessFile, TaskStatus
from greenwave.bpm.tests.steps import signed_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the signed application\n"


@pytest.fixture
def vacation(db: Any, make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    (definition,) = [d for d in services.library_install(actor=None) if d.key == "vacation"]
    employee = make_user("employee", roles=["hunter"], team=two_teams["team_a"])
    hr = make_user("hr", roles=["hr"])
    instance = services.instance_start(actor=employee, definition=definition)
    fill = HumanTask.objects.get(instance=instance, element_id="fill")
    return {**two_teams, "employee": employee, "hr": hr, "instance": instance, "fill": fill}


def _open(instance: Any, element: str) -> HumanTask:
    return HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)


def test_the_application_uploaded_on_the_task_page_is_shown_to_each_approver(
    vacation: dict[str, Any],
) -> None:
    client = signed_in(vacation["employee"])
    page = client.get(f"/processes/tasks/{vacation['fill'].pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    response = client.post(
        f"/processes/tasks/{vacation['fill'].pk}/",
        {
            "vacation_kind": "annual",
            "date_from": "2030-07-01",
            "date_to": "2030-07-14",
            "attachment": SimpleUploadedFile("Заявление.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = ProcessFile.objects.get(instance=vacation["instance"], field="attachment")
    approve = _open(vacation["instance"], "approve")
    head = signed_in(vacation["head_a"])
    page = head.get(f"/processes/tasks/{approve.pk}/").content.decode()
    assert f"/processes/files/{stored.pk}/" in page
    assert "Заявление.pdf" in page
    assert "2030" in page  # the dates the head decides on
    download = head.get(f"/processes/files/{stored.pk}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/octet-stream"
    assert "attachment" in download["Content-Disposition"]
    for outsider in ("head_b", "hunter_b"):
        assert (
            signed_in(vacation[outsider]).get(f"/processes/files/{stored.pk}/").status_code == 404
        )
    assert signed_in(vacation["hr"]).get(f"/processes/files/{stored.pk}/").status_code == 404
    head.post(f"/processes/tasks/{approve.pk}/", {"decision": "approve"})
    # HR (no team, «own» access) gets the document with its task
    hr = signed_in(vacation["hr"])
    hr_task = _open(vacation["instance"], "hr_order")
    assert (
        f"/processes/files/{stored.pk}/"
        in hr.get(f"/processes/tasks/{hr_task.pk}/").content.decode()
    )
    assert hr.get(f"/processes/files/{stored.pk}/").status_code == 200


def test_a_refused_file_shows_the_reason_on_the_page_and_keeps_nothing(
    vacation: dict[str, Any],
) -> None:
    client = signed_in(vacation["employee"])
    response = client.post(
        f"/processes/tasks/{vacation['fill'].pk}/",
        {
            "vacation_kind": "annual",
            "date_from": "2030-07-01",
            "date_to": "2030-07-14",
            "attachment": SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
        },
    )
    assert response.status_code == 200
    assert "Файлы такого типа не принимаются" in response.content.decode()
    assert not ProcessFile.objects.exists()
    assert HumanTask.objects.get(pk=vacation["fill"].pk).status == TaskStatus.OPEN


def test_notifications_are_read_by_their_recipient_only(vacation: dict[str, Any]) -> None:
    employee = vacation["employee"]
    services.task_complete(
        actor=employee,
        task=vacation["fill"],
        data={"vacation_kind": "annual", "date_from": "2030-07-01", "date_to": "2030-07-02"},
    )
    services.task_complete(
        actor=vacation["head_a"],
        task=_open(vacation["instance"], "approve"),
        data={"decision": "reject"},
    )
    (note,) = Notification.objects.filter(recipient=employee)
    client = signed_in(employee)
    page = client.get("/processes/notifications/").content.decode()
    assert "Отпуск не согласован" in page
    assert f"/processes/instances/{vacation['instance'].pk}/" in page
    other = signed_in(vacation["hunter_a"])
    assert "Отпуск не согласован" not in other.get("/processes/notifications/").content.decode()
    other.post("/processes/notifications/", {"notification": note.pk})
    assert Notification.objects.get(pk=note.pk).read_at is None
    client.post("/processes/notifications/", {"notification": note.pk})
    assert Notification.objects.get(pk=note.pk).read_at is not None
