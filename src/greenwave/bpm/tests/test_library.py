"""The built-in processes of the seeds, end to end through the engine.

Every step goes through the services, which restore the instance from the database,
advance it and save it again — as production does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.engine import element_ids, read_document
from greenwave.bpm.library import library_xml
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    Timer,
)
from greenwave.bpm.tests.steps import do_task, open_tasks, start, with_reviewers
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db

# The acknowledgement started for two readers with three days to read.
TWO_READERS_THREE_DAYS: dict[str, Any] = {"readers": ["reader1", "reader2"], "deadline": "P3D"}


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    team = two_teams["team_a"]
    return {
        **with_reviewers(make_user, two_teams),
        "accountant": make_user("accountant", roles=["accountant"], team=team),
        "reader1": make_user("reader1", roles=["hunter"], team=team),
        "reader2": make_user("reader2", roles=["hunter"], team=team),
    }


def test_library_files_are_deployable_bpmn_with_diagrams(library: dict[str, Any]) -> None:
    assert {
        "contract_approval",
        "document_approval",
        "acknowledgement",
        "invoice_payment",
        "web_lead",
        "sick_leave",
        "business_trip",
        "time_off",
        "vacation",
        "dismissal",
        "hiring",
        "claim_handling",
    } <= set(library)
    for key, xml in library_xml().items():
        doc = read_document(xml)
        assert doc.has_diagram
        assert library[key].status == "deployed"
        assert library[key].unsupported == []
        assert element_ids(services.definition_export(definition=library[key])) == element_ids(xml)
    assert services.library_install(actor=None) == []  # idempotent


def test_contract_approval_with_rework_from_the_lawyer(
    people: dict[str, Any], start_on_deal: Any
) -> None:
    manager = people["hunter_a"]
    instance = start_on_deal("contract_approval", manager)
    (task,) = open_tasks(instance)
    assert (task.element_id, task.candidate_role) == ("review_head", "head_of_sales")
    do_task(people["head_a"], instance, "review_head", decision="approve")
    (task,) = open_tasks(instance)
    assert task.candidate_role == "lawyer"
    do_task(
        people["lawyer"], instance, "review_lawyer", decision="rework", comment="нет реквизитов"
    )
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("rework", manager)
    do_task(manager, instance, "rework", changes="добавил реквизиты")
    do_task(people["head_a"], instance, "review_head", decision="approve")
    do_task(people["lawyer"], instance, "review_lawyer", decision="approve")
    (task,) = open_tasks(instance)
    assert task.candidate_role == "finance"
    do_task(people["finance"], instance, "review_finance", decision="approve")
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states["notify"] == "done"
    completed = Event.objects.filter(
        case_id=str(instance.pk), activity="process_task_completed", links__object_type="deal"
    )
    assert completed.count() == 6  # every approver's step is timed in the log


def test_two_stage_document_approval_returns_from_the_second_stage(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    author = people["hunter_a"]
    instance = start(author, library["document_approval"], approver1="head_a", approver2="director")
    (task,) = open_tasks(instance)
    assert task.assignee == people["head_a"]
    do_task(people["head_a"], instance, "stage1", decision="approve")
    (task,) = open_tasks(instance)
    assert task.assignee == people["director"]
    do_task(people["director"], instance, "stage2", decision="rework")
    do_task(author, instance, "fix", changes="исправил")
    do_task(people["head_a"], instance, "stage1", decision="approve")
    do_task(people["director"], instance, "stage2", decision="approve")
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED


def test_acknowledgement_tracks_who_has_read_until_the_deadline(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    author = people["head_a"]
    instance = start(author, library["acknowledgement"], **TWO_READERS_THREE_DAYS)
    tasks = open_tasks(instance)
    assert sorted(t.assignee.username for t in tasks) == ["reader1", "reader2"]
    reader1_task = next(t for t in tasks if t.assignee == people["reader1"])
    services.task_complete(actor=people["reader1"], task=reader1_task, data={"acknowledged": True})
    timer = Timer.objects.get(instance=instance, fired_at=None)
    fired = services.timers_fire_due(now=timer.due_at + timedelta(seconds=1), worker="w")
    assert fired == 1
    (review,) = open_tasks(instance)
    assert (review.element_id, review.assignee) == ("review", author)
    read = HumanTask.objects.filter(instance=instance, element_id="read")
    assert sorted(read.values_list("status", flat=True)) == ["cancelled", "completed"]
    services.task_complete(actor=author, task=review, data={})
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED


def test_acknowledgement_ends_when_everyone_has_read(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = start(people["head_a"], library["acknowledgement"], **TWO_READERS_THREE_DAYS)
    for task in open_tasks(instance):
        services.task_complete(actor=task.assignee, task=task, data={"acknowledged": True})
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert not Timer.objects.filter(instance=instance, fired_at=None, cancelled_at=None).exists()


def test_invoice_payment_approved_and_paid(library: dict[str, Any], people: dict[str, Any]) -> None:
    employee = people["hunter_a"]
    instance = start(employee, library["invoice_payment"])
    do_task(
        employee,
        instance,
        "enter",
        supplier="ООО Ромашка",
        invoice_number="17",
        amount="125000.50",
        pay_until="2030-01-31",
    )
    do_task(people["head_a"], instance, "approve", decision="approve")
    (task,) = open_tasks(instance)
    assert task.candidate_role == "accountant"
    do_task(people["accountant"], instance, "pay", paid_on="2030-01-20", payment_order="991")
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.variables["amount"] == 125000.5
    assert instance.element_states["end_paid"] == "done"


def test_invoice_payment_rejected(library: dict[str, Any], people: dict[str, Any]) -> None:
    employee = people["hunter_a"]
    instance = start(employee, library["invoice_payment"])
    do_task(employee, instance, "enter", supplier="X", invoice_number="1", amount="10")
    do_task(people["head_a"], instance, "approve", decision="rework")
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states["end_rejected"] == "done"
