"""The HTML pages: inbox, task form, definitions, modeler, instances, who holds up whom."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessDefinition, TaskStatus
from greenwave.bpm.templatetags.bpm_tags import role_label

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_inbox_lists_my_tasks_with_badge_and_completes_from_the_form(
    two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance)
    client = _login(two_teams["head_a"])
    assert client.get("/processes/").status_code == 302
    page = client.get("/processes/inbox/")
    assert page.status_code == 200
    assert "Review the discount" in page.content.decode()
    detail = client.get(f"/processes/tasks/{task.pk}/")
    assert detail.status_code == 200
    assert 'name="discount"' in detail.content.decode()
    assert "data-bpmn-viewer" in detail.content.decode()
    bad = client.post(f"/processes/tasks/{task.pk}/", {"discount": "x"})
    assert bad.status_code == 200
    assert HumanTask.objects.get(pk=task.pk).status == TaskStatus.OPEN
    done = client.post(f"/processes/tasks/{task.pk}/", {"discount": "3", "approved": "on"})
    assert done.status_code == 302
    assert HumanTask.objects.get(pk=task.pk).status == TaskStatus.COMPLETED


def test_inbox_query_count_does_not_grow(
    two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    client = _login(two_teams["head_a"])
    services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    with CaptureQueriesContext(connection) as first:
        client.get("/processes/inbox/")
    for _ in range(4):
        services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    with CaptureQueriesContext(connection) as later:
        assert "Review the discount" in client.get("/processes/inbox/").content.decode()
    assert len(later.captured_queries) == len(first.captured_queries)


def test_team_tasks_and_instance_pages(
    two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    head = _login(two_teams["director"])
    assert head.get("/processes/team/").status_code == 200
    hunter = _login(two_teams["hunter_a"])
    page = hunter.get(f"/processes/instances/{instance.pk}/")
    assert page.status_code == 200
    assert "bpmn-states" in page.content.decode()
    assert hunter.get("/processes/instances/").status_code == 200
    outsider = _login(two_teams["hunter_b"])
    assert outsider.get(f"/processes/instances/{instance.pk}/").status_code == 404
    hunter.post(f"/processes/instances/{instance.pk}/cancel/", {"confirm": "1"})
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.CANCELLED


def test_admin_uploads_a_file_then_deploys_and_starts(
    two_teams: dict[str, Any], approval_xml: bytes
) -> None:
    client = _login(two_teams["admin"])
    upload = client.post(
        "/processes/definitions/upload/",
        {"file": SimpleUploadedFile("a.bpmn", approval_xml), "key": "disc"},
    )
    assert upload.status_code == 302
    definition = ProcessDefinition.objects.get(key="disc")
    assert client.get(f"/processes/definitions/{definition.pk}/").status_code == 200
    client.post(f"/processes/definitions/{definition.pk}/deploy/")
    definition.refresh_from_db()
    assert definition.status == "deployed"
    started = client.post(f"/processes/definitions/{definition.pk}/start/", {})
    assert started.status_code == 302
    assert definition.instances.count() == 1
    exported = client.get(f"/processes/definitions/{definition.pk}/xml/?download=1")
    assert exported["Content-Disposition"].endswith('.bpmn"')


def test_modeler_saves_a_new_version(
    two_teams: dict[str, Any], approval: ProcessDefinition, approval_xml: bytes
) -> None:
    client = _login(two_teams["admin"])
    assert client.get("/processes/definitions/new/").status_code == 200
    assert client.get("/processes/definitions/blank.bpmn").status_code == 200
    page = client.get(f"/processes/definitions/{approval.pk}/edit/")
    assert "bpmn-modeler.production.min.js" in page.content.decode()
    saved = client.post(
        f"/processes/definitions/{approval.pk}/edit/",
        {"xml": approval_xml.decode(), "key": approval.key, "deploy": "on"},
    )
    assert saved.status_code == 302
    assert ProcessDefinition.objects.filter(key=approval.key, status="deployed").count() == 2


def test_non_admin_cannot_open_the_modeler_or_upload(two_teams: dict[str, Any]) -> None:
    client = _login(two_teams["hunter_a"])
    assert client.get("/processes/definitions/new/").status_code == 403
    assert client.get("/processes/definitions/upload/").status_code == 403
    assert client.get("/processes/definitions/").status_code == 200


def test_holdups_show_waiting_time_per_step_person_and_overdue(
    two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance)
    HumanTask.objects.filter(pk=task.pk).update(created_at=timezone.now() - timedelta(hours=5))
    task.refresh_from_db()
    services.task_complete(actor=two_teams["head_a"], task=task, data={"discount": 2})
    rework = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    HumanTask.objects.filter(pk=rework.pk).update(due_at=timezone.now() - timedelta(days=1))
    page = _login(two_teams["director"]).get("/processes/holdups/")
    html = page.content.decode()
    assert "Review the discount" in html
    assert "head_a" in html
    assert "Rework the request" in html  # overdue
    # Both tables scroll inside their cards: at 1024 px they ran over each other.
    for table in ("per-step", "per-person"):
        table_tag = f'<table class="table table-sm mb-0" data-testid="{table}"'
        assert f'<div class="table-responsive">{table_tag}' in html


def test_holdups_name_the_role_of_an_overdue_task_waiting_for_a_role_not_its_code(
    two_teams: dict[str, Any], approval: ProcessDefinition
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    HumanTask.objects.filter(instance=instance).update(
        assignee=None, candidate_role="lawyer", due_at=timezone.now() - timedelta(days=1)
    )
    html = _login(two_teams["director"]).get("/processes/holdups/").content.decode()
    overdue = html[html.index('data-testid="overdue"') :]
    assert "роль: Юрист" in overdue
    assert "<td>lawyer</td>" not in overdue


def test_admin_installs_the_built_in_processes_from_the_new_process_page(
    two_teams: dict[str, Any],
) -> None:
    client = _login(two_teams["admin"])
    page = client.get("/processes/definitions/add/")
    assert 'data-testid="install-library"' in page.content.decode()
    assert client.post("/processes/definitions/library/").status_code == 302
    from greenwave.bpm.library import library_xml

    assert ProcessDefinition.objects.filter(status="deployed").count() == len(library_xml())
    assert _login(two_teams["hunter_a"]).post("/processes/definitions/library/").status_code == 403


def test_a_reader_sees_the_run_but_links_only_the_tasks_they_may_open(
    two_teams: dict[str, Any], library: dict[str, ProcessDefinition]
) -> None:
    """An HR reader of a notice to two teams saw every reader's step as a link, each a 404."""
    reader_a, reader_b = two_teams["hunter_a"], two_teams["hunter_b"]
    instance = services.instance_start(
        actor=two_teams["head_a"],
        definition=library["acknowledgement"],
        variables={"readers": [reader_a.username, reader_b.username], "deadline": "P5D"},
    )
    own = HumanTask.objects.get(instance=instance, assignee=reader_b)
    other = HumanTask.objects.get(instance=instance, assignee=reader_a)
    client = _login(reader_b)
    page = client.get(f"/processes/instances/{instance.pk}/").content.decode()
    assert f'href="/processes/tasks/{own.pk}/"' in page
    assert f'href="/processes/tasks/{other.pk}/"' not in page
    assert client.get(f"/processes/tasks/{other.pk}/").status_code == 404
    head = _login(two_teams["head_a"]).get(f"/processes/instances/{instance.pk}/")
    assert f'href="/processes/tasks/{other.pk}/"' in head.content.decode()
    assert f'href="/processes/tasks/{own.pk}/"' in head.content.decode()


def test_the_cancel_page_names_a_library_process_in_the_readers_language(
    two_teams: dict[str, Any], library: dict[str, ProcessDefinition]
) -> None:
    head = two_teams["head_a"]
    head.language = "en"
    head.save(update_fields=["language"])
    instance = services.instance_start(
        actor=head,
        definition=library["acknowledgement"],
        variables={"readers": [two_teams["hunter_a"].username], "deadline": "P5D"},
    )
    page = _login(head).get(f"/processes/instances/{instance.pk}/cancel/").content.decode()
    assert f"Cancel Acknowledgement of a document #{instance.pk}?" in page
    assert "Ознакомление" not in page


def test_the_start_form_offers_record_types_by_name_not_code(
    two_teams: dict[str, Any], approval_xml: bytes
) -> None:
    client = _login(two_teams["admin"])
    client.post(
        "/processes/definitions/upload/",
        {"file": SimpleUploadedFile("a.bpmn", approval_xml), "key": "named"},
    )
    definition = ProcessDefinition.objects.get(key="named")
    client.post(f"/processes/definitions/{definition.pk}/deploy/")
    two_teams["admin"].language = "ru"
    two_teams["admin"].save(update_fields=["language"])
    page = client.get(f"/processes/definitions/{definition.pk}/").content.decode()
    assert '<select name="object_type"' in page
    assert '<option value="deal">Сделка</option>' in page


def test_a_task_offered_to_a_role_names_the_role_on_the_process_page(
    two_teams: dict[str, Any], start_on_deal: Any
) -> None:
    instance = start_on_deal("contract_approval", two_teams["hunter_a"])
    admin = two_teams["admin"]
    admin.language = "ru"
    admin.save(update_fields=["language"])
    page = _login(admin).get(f"/processes/instances/{instance.pk}/").content.decode()
    with translation.override("ru"):
        role = role_label("head_of_sales")
    assert f'<span data-testid="task-role">Роль: {role}</span>' in page
