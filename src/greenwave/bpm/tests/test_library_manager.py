"""The manager's processes of seeds 002 and 004, each run to every end event through the
services: the competence assessment (and its place on the holdups page), the supplier
order, the shipment and the four-signer contract route."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from greenwave.bpm import selectors, services
from greenwave.bpm.library.competence import CHECKLIST
from greenwave.bpm.models import (
    Notification,
    ProcessFile,
    ProcessInstance,
)
from greenwave.bpm.tests.steps import do_task, ended, open_tasks, start, with_reviewers
from greenwave.core.errors import DomainError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% contract\n"


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    return {
        **with_reviewers(make_user, two_teams),
        "accountant": make_user("accountant", roles=["accountant"]),
        "commercial": make_user("commercial", roles=["head_of_sales"]),
        "general": make_user("general", roles=["admin"]),
    }


# -- competence assessment (seed 002) ---------------------------------------------------------


def _assess(library: dict[str, Any], head: Any, manager: str, **low: int) -> ProcessInstance:
    instance = start(head, library["competence_assessment"])
    do_task(
        head, instance, "choose", manager=manager, period_from="2030-01-01", period_to="2030-01-31"
    )
    scores = {f.name: low.get(f.name, 4) for f in CHECKLIST}
    do_task(
        head,
        instance,
        "rate_calls",
        calls_reviewed=12,
        **{k: v for k, v in scores.items() if k.startswith("call_")},
    )
    do_task(
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
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("acknowledge", manager)
    do_task(manager, instance, "acknowledge", acknowledged=True)
    (task,) = open_tasks(instance)
    assert (task.element_id, task.assignee) == ("plan", head)
    do_task(
        head, instance, "plan", development_plan="Тренинг по возражениям", review_on="2030-03-01"
    )
    ended(instance, "end_plan")
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
    do_task(people["hunter_a"], instance, "acknowledge", acknowledged=True)
    ended(instance, "end_fine")
    (row,) = selectors.competence_results(actor=people["director"])
    assert (row.weak, str(row.overall)) == ([], "4.0")


def test_a_score_outside_the_checklist_scale_is_refused(
    library: dict[str, Any], people: dict[str, Any]
) -> None:
    head = people["head_a"]
    instance = start(head, library["competence_assessment"])
    do_task(
        head,
        instance,
        "choose",
        manager="hunter_a",
        period_from="2030-01-01",
        period_to="2030-01-31",
    )
    with pytest.raises(DomainError):
        do_task(
            head,
            instance,
            "rate_calls",
            calls_reviewed=1,
            **{f.name: 6 for f in CHECKLIST if f.name.startswith("call_")},
        )
    assert [t.element_id for t in open_tasks(instance)] == ["rate_calls"]


# -- supplier order and shipment (seed 004) ---------------------------------------------------


def _supplier_order_requested(start_on_deal: Any, manager: Any, supplier: str) -> Any:
    """The manager asks for two pumps from `supplier` on a deal of theirs."""
    instance = start_on_deal("supplier_order", manager)
    do_task(
        manager,
        instance,
        "request",
        product="Насос",
        quantity="2",
        supplier=supplier,
        needed_by="2030-02-01",
    )
    return instance


def test_supplier_order_from_request_to_the_client_told(
    people: dict[str, Any], start_on_deal: Any
) -> None:
    manager = people["hunter_a"]
    instance = _supplier_order_requested(start_on_deal, manager, "Завод")
    (task,) = open_tasks(instance)
    assert task.candidate_role == "head_of_sales"
    do_task(people["head_a"], instance, "approve", decision="approve")
    do_task(
        manager,
        instance,
        "supplier_invoice",
        supplier_invoice="С-1",
        supplier_amount="90000",
        supplier_invoice_file=SimpleUploadedFile("счёт.pdf", PDF),
    )
    (task,) = open_tasks(instance)
    assert task.candidate_role == "accountant"
    assert ProcessFile.objects.filter(instance=instance).count() == 1
    do_task(
        people["accountant"], instance, "pay_supplier", paid_on="2030-01-10", payment_order="77"
    )
    do_task(manager, instance, "track", shipped_on="2030-01-20")
    do_task(manager, instance, "receive", received_on="2030-01-25", complete=True)
    do_task(manager, instance, "tell_client", client_told_on="2030-01-25")
    ended(instance, "end")


def test_supplier_order_rejected(people: dict[str, Any], start_on_deal: Any) -> None:
    manager = people["hunter_a"]
    instance = _supplier_order_requested(start_on_deal, manager, "З")
    do_task(people["head_a"], instance, "approve", decision="reject")
    ended(instance, "end_rejected")
    assert Notification.objects.get(instance=instance).recipient == manager


def test_shipment_with_paperwork_returned_by_the_accountant(
    people: dict[str, Any], start_on_deal: Any
) -> None:
    manager = people["hunter_a"]
    instance = start_on_deal("shipment", manager)
    do_task(manager, instance, "schedule", ship_on="2030-02-03", route_sent=True)
    do_task(manager, instance, "paperwork", waybill_number="1", vat_invoice_number="1")
    do_task(people["accountant"], instance, "sign", decision="rework", comment="нет подписи")
    (task,) = open_tasks(instance)
    assert task.element_id == "paperwork"
    do_task(manager, instance, "paperwork", waybill_number="1", vat_invoice_number="1")
    do_task(people["accountant"], instance, "sign", decision="approve")
    do_task(manager, instance, "deliver", vehicle="Газель", complete=True, shipped_on="2030-02-03")
    do_task(manager, instance, "waybill_back", returned_on="2030-02-10")
    ended(instance, "end")


# -- the contract route with the general director (seed 004) ----------------------------------


def _contract(people: dict[str, Any], start_on_deal: Any) -> Any:
    manager = people["hunter_a"]
    instance = start_on_deal("contract_approval_directors", manager)
    do_task(
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
    people: dict[str, Any], start_on_deal: Any
) -> None:
    manager = people["hunter_a"]
    instance = _contract(people, start_on_deal)
    (task,) = open_tasks(instance)
    assert task.candidate_role == "lawyer"
    do_task(people["lawyer"], instance, "review_lawyer", decision="approve")
    (task,) = open_tasks(instance)
    assert task.assignee == people["commercial"]
    do_task(people["commercial"], instance, "review_commercial", decision="approve")
    (task,) = open_tasks(instance)
    assert task.candidate_role == "finance"
    do_task(people["finance"], instance, "review_finance", decision="approve")
    (task,) = open_tasks(instance)
    assert task.assignee == people["general"]
    do_task(people["general"], instance, "sign_general", decision="rework", comment="срок")
    do_task(
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
        do_task(user, instance, element, decision="approve")
    do_task(manager, instance, "send", sent_by="mail", returned_on="2030-02-15")
    instance = ended(instance, "end")
    assert services.instance_outcome(instance) == "approved"


def test_contract_rejected_by_the_commercial_director(
    people: dict[str, Any], start_on_deal: Any
) -> None:
    instance = _contract(people, start_on_deal)
    do_task(people["lawyer"], instance, "review_lawyer", decision="approve")
    do_task(people["commercial"], instance, "review_commercial", decision="reject")
    instance = ended(instance, "end_rejected")
    assert Notification.objects.get(instance=instance).recipient == people["hunter_a"]


def test_the_contract_file_is_required(people: dict[str, Any], start_on_deal: Any) -> None:
    manager = people["hunter_a"]
    instance = start_on_deal("contract_approval_directors", manager)
    with pytest.raises(DomainError):
        do_task(
            manager,
            instance,
            "prepare",
            specification="x",
            commercial_director="commercial",
            general_director="general",
        )
    assert [t.element_id for t in open_tasks(instance)] == ["prepare"]
