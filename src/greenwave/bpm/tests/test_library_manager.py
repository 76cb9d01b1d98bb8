"""The manager's processes of seeds 002 and 004, each run to every end event through the
services: the competence assessment (and its place on the holdups page), the supplier
order, the shipment and the four-signer contract route."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from greenwave.bpm import selectors, services
from greenwave.bpm.library.manager import CHECKLIST
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    Notification,
    ProcessDefinition,
    ProcessFile,
    ProcessInstance,
    TaskStatus,
)
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% contract\n"


@pytest.fixture
def library(db: Any) -> dict[str, ProcessDefinition]:
    return {d.key: d for d in services.library_install(actor=None)}


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    team = two_teams["team_a"]
    return {
        **two_teams,
        "lawyer": make_user("lawyer", roles=["lawyer"], team=team),
        "finance": make_user("finance", roles=["finance"], team=team),
        "accountant": make_user("accountant", roles=["accountant"]),
        "commercial": make_user("commercial", roles=["head_of_sales"]),
        "general": make_user("general", roles=["admin"]),
    }


def _open(instance: ProcessInstance) -> list[HumanTask]:
    return list(HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).order_by("pk"))


def _do(user: Any, instance: ProcessInstance, element: str, **data: Any) -> None:
    task = HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)
    files = {k: v for k, v in data.items() if isinstance(v, SimpleUploadedFile)}
    values = {k: v for k, v in data.items() if k not in files}
    services.task_complete(actor=user, task=task, data=values, files=files or None)


def _ended(instance: ProcessInstance, end: str) -> ProcessInstance:
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states[end] == "done"
    return instance


# -- competence assessment (seed 002) ---------------------------------------------------------


def _assess(library: dict[str, Any], head: Any, manager: str, **low: int) -> ProcessInstance:
    instance = services.instance_start(actor=head, definition=library["competence_assessment"])
    _do(head, instance, "choose", manager=manager, period_from="2030-01-01", period_to="2030-01-31")
    scores = {f.name: low.get(f.name, 4) for f in CHECKLIST}
    _do(
        head,
        instance,
        "rate_calls",
        calls_reviewed=12,
        **{k: v for k, v in scores.items() if k.startswith("call_")},
    )
    _do(
        head,
        instance,
        "rate_meetings",
        meetings_reviewed=3,
        **{k: v for k, v in scores.items() if k.startswith("meeting_")},
    )
    return instance


def test_a_weak_competence_gets_a_development_plan_and_shows_on_the_holdups_page(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    head, manager = people["head_a"], people["hunter_a"]
    instance = _assess(library, head, "hunter_a", call_objections=2)
    (task,) = _open(instance)
    assert (task.element_id, task.assignee) == ("acknowledge", manager)
    _do(manager, instance, "acknowledge", acknowledged=True)
    (task,) = _open(instance)
    assert (task.element_id, task.assignee) == ("plan", head)
    _do(head, instance, "plan", development_plan="Тренинг по возражениям", review_on="2030-03-01")
    _ended(instance, "end_plan")
    assert list(
        Notification.objects.filter(instance=instance).values_list("recipient", "body")
    ) == [(manager.pk, "Назначен план развития")]
    (row,) = selectors.competence_results(actor=head)
    assert row.weak == ["Звонки: работа с возражениями"]
    assert str(row.calls) == "3.6"
    assert str(row.meetings) == "4.0"
    page = Client()
    page.force_login(head)
    text = page.get("/processes/holdups/").content.decode()
    assert "Звонки: работа с возражениями" in text
    # another team's head does not see the team A manager's assessment
    assert selectors.competence_results(actor=people["head_b"]) == []


def test_an_assessment_without_weak_competences_ends_fine(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    instance = _assess(library, people["head_a"], "hunter_a")
    _do(people["hunter_a"], instance, "acknowledge", acknowledged=True)
    _ended(instance, "end_fine")
    (row,) = selectors.competence_results(actor=people["director"])
    assert (row.weak, str(row.overall)) == ([], "4.0")


def test_a_score_outside_the_checklist_scale_is_refused(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    head = people["head_a"]
    instance = services.instance_start(actor=head, definition=library["competence_assessment"])
    _do(
        head,
        instance,
        "choose",
        manager="hunter_a",
        period_from="2030-01-01",
        period_to="2030-01-31",
    )
    with pytest.raises(DomainError):
        _do(
            head,
            instance,
            "rate_calls",
            calls_reviewed=1,
            **{f.name: 6 for f in CHECKLIST if f.name.startswith("call_")},
        )
    assert [t.element_id for t in _open(instance)] == ["rate_calls"]


# -- supplier order and shipment (seed 004) ---------------------------------------------------


def test_supplier_order_from_request_to_the_client_told(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    manager = people["hunter_a"]
    deal = make_deal(manager)
    instance = services.instance_start(
        actor=manager, definition=library["supplier_order"], object_type="deal", object_id=deal.pk
    )
    _do(
        manager,
        instance,
        "request",
        product="Насос",
        quantity="2",
        supplier="Завод",
        needed_by="2030-02-01",
    )
    (task,) = _open(instance)
    assert task.candidate_role == "head_of_sales"
    _do(people["head_a"], instance, "approve", decision="approve")
    _do(
        manager,
        instance,
        "supplier_invoice",
        supplier_invoice="С-1",
        supplier_amount="90000",
        supplier_invoice_file=SimpleUploadedFile("счёт.pdf", PDF),
    )
    (task,) = _open(instance)
    assert task.candidate_role == "accountant"
    assert ProcessFile.objects.filter(instance=instance).count() == 1
    _do(people["accountant"], instance, "pay_supplier", paid_on="2030-01-10", payment_order="77")
    _do(manager, instance, "track", shipped_on="2030-01-20")
    _do(manager, instance, "receive", received_on="2030-01-25", complete=True)
    _do(manager, instance, "tell_client", client_told_on="2030-01-25")
    _ended(instance, "end")


def test_supplier_order_rejected(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    manager = people["hunter_a"]
    deal = make_deal(manager)
    instance = services.instance_start(
        actor=manager, definition=library["supplier_order"], object_type="deal", object_id=deal.pk
    )
    _do(
        manager,
        instance,
        "request",
        product="Насос",
        quantity="2",
        supplier="З",
        needed_by="2030-02-01",
    )
    _do(people["head_a"], instance, "approve", decision="reject")
    _ended(instance, "end_rejected")
    assert Notification.objects.get(instance=instance).recipient == manager


def test_shipment_with_paperwork_returned_by_the_accountant(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    manager = people["hunter_a"]
    deal = make_deal(manager)
    instance = services.instance_start(
        actor=manager, definition=library["shipment"], object_type="deal", object_id=deal.pk
    )
    _do(manager, instance, "schedule", ship_on="2030-02-03", route_sent=True)
    _do(manager, instance, "paperwork", waybill_number="1", vat_invoice_number="1")
    _do(people["accountant"], instance, "sign", decision="rework", comment="нет подписи")
    (task,) = _open(instance)
    assert task.element_id == "paperwork"
    _do(manager, instance, "paperwork", waybill_number="1", vat_invoice_number="1")
    _do(people["accountant"], instance, "sign", decision="approve")
    _do(manager, instance, "deliver", vehicle="Газель", complete=True, shipped_on="2030-02-03")
    _do(manager, instance, "waybill_back", returned_on="2030-02-10")
    _ended(instance, "end")


# -- the contract route with the general director (seed 004) ----------------------------------


def _contract(library: dict[str, Any], people: dict[str, Any], make_deal: Any) -> Any:
    manager = people["hunter_a"]
    deal = make_deal(manager)
    instance = services.instance_start(
        actor=manager,
        definition=library["contract_approval_directors"],
        object_type="deal",
        object_id=deal.pk,
    )
    _do(
        manager,
        instance,
        "prepare",
        contract_file=SimpleUploadedFile("Контракт.pdf", PDF),
        specification="Насос × 2",
        commercial_director="commercial",
        general_director="general",
    )
    return instance


def test_contract_goes_through_four_signers_with_rework_at_the_general_director(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    manager = people["hunter_a"]
    instance = _contract(library, people, make_deal)
    (task,) = _open(instance)
    assert task.candidate_role == "lawyer"
    _do(people["lawyer"], instance, "review_lawyer", decision="approve")
    (task,) = _open(instance)
    assert task.assignee == people["commercial"]
    _do(people["commercial"], instance, "review_commercial", decision="approve")
    (task,) = _open(instance)
    assert task.candidate_role == "finance"
    _do(people["finance"], instance, "review_finance", decision="approve")
    (task,) = _open(instance)
    assert task.assignee == people["general"]
    _do(people["general"], instance, "sign_general", decision="rework", comment="срок")
    _do(
        manager,
        instance,
        "rework",
        changes="срок поставки",
        contract_file=SimpleUploadedFile("Контракт v2.pdf", PDF),
    )
    assert ProcessFile.objects.filter(instance=instance).count() == 2
    for user, element in (
        (people["lawyer"], "review_lawyer"),
        (people["commercial"], "review_commercial"),
        (people["finance"], "review_finance"),
        (people["general"], "sign_general"),
    ):
        _do(user, instance, element, decision="approve")
    _do(manager, instance, "send", sent_by="mail", returned_on="2030-02-15")
    instance = _ended(instance, "end")
    assert services.instance_outcome(instance) == "approved"


def test_contract_rejected_by_the_commercial_director(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    instance = _contract(library, people, make_deal)
    _do(people["lawyer"], instance, "review_lawyer", decision="approve")
    _do(people["commercial"], instance, "review_commercial", decision="reject")
    instance = _ended(instance, "end_rejected")
    assert Notification.objects.get(instance=instance).recipient == people["hunter_a"]


def test_the_contract_file_is_required(
    library: dict[str, Any], people: dict[str, Any], make_deal: Any
) -> None:
    manager = people["hunter_a"]
    deal = make_deal(manager)
    instance = services.instance_start(
        actor=manager,
        definition=library["contract_approval_directors"],
        object_type="deal",
        object_id=deal.pk,
    )
    with pytest.raises(DomainError):
        _do(
            manager,
            instance,
            "prepare",
            specification="x",
            commercial_director="commercial",
            general_director="general",
        )
    assert [t.element_id for t in _open(instance)] == ["prepare"]
