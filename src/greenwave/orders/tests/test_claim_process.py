"""The claim process of the bpm library (`claim_handling`) run through the services to each of
its end events: started when a claim is registered, its tasks routed to the manager, the
lawyer, the head and finance, the claim record's status following it, the answer deadline
as a timer escalating to the head."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.bpm import services as bpm
from greenwave.bpm.engine import read_document
from greenwave.bpm.library import library_xml
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus, Timer
from greenwave.bpm.tests.steps import with_reviewers
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.orders import fulfilment
from greenwave.orders.models import Claim, Order
from greenwave.sales.models import Deal, DealStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    return with_reviewers(make_user, two_teams)


@pytest.fixture
def order(deal: Deal) -> Order:
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    return fulfilment.order_create_from_deal(actor=None, deal=Deal.objects.get(pk=deal.pk))


def _register(people: dict[str, Any], order: Order, kind: str = "claim", days: int = 10) -> Claim:
    return fulfilment.claim_create(
        actor=people["hunter_a"],
        order=order,
        kind=kind,
        subject="Трубы с повреждённой изоляцией",
        deadline=timezone.localdate() + timedelta(days=days),
        amount="1500.00",
    )


def _instance(claim: Claim) -> ProcessInstance:
    return ProcessInstance.objects.get(object_type="claim", object_id=str(claim.pk))


def _open(claim: Claim) -> list[str]:
    return sorted(
        HumanTask.objects.filter(instance=_instance(claim), status=TaskStatus.OPEN).values_list(
            "element_id", flat=True
        )
    )


def _do(user: Any, claim: Claim, element: str, **data: Any) -> Claim:
    task = HumanTask.objects.get(instance=_instance(claim), element_id=element, status="open")
    fulfilment.claim_task_complete(actor=user, claim=claim, data=data, task_id=task.pk)
    return Claim.objects.get(pk=claim.pk)


def _activities(claim: Claim) -> list[str]:
    return list(
        Event.objects.filter(case_type="claim", case_id=str(claim.pk))
        .order_by("id")
        .values_list("activity", flat=True)
    )


def test_the_claim_process_is_in_the_library_with_its_roles() -> None:
    doc = read_document(library_xml()["claim_handling"])
    assert doc.has_diagram
    lanes = {doc.user_tasks[t]["candidate_role"] for t in ("analyse", "decide", "refund")}
    assert lanes == {"Юрист", "Руководитель отдела продаж", "Финансист"}
    assert bpm.role_code("Юрист") == "lawyer"
    assert bpm.role_code("Финансист") == "finance"


def test_a_claim_runs_to_a_refund_with_its_status_following_the_process(
    people: dict[str, Any], order: Order
) -> None:
    claim = _register(people, order)
    instance = _instance(claim)
    assert instance.definition.key == "claim_handling"
    assert instance.team_id == people["team_a"].pk
    assert _open(claim) == ["register"]
    register = HumanTask.objects.get(instance=instance, element_id="register")
    assert register.assignee == people["hunter_a"]  # the order's responsible manager
    assert Timer.objects.filter(instance=instance, element_id="deadline").count() == 1

    claim = _do(people["hunter_a"], claim, "register", documents_received=True)
    assert claim.status == "investigation"
    analyse = HumanTask.objects.get(instance=instance, element_id="analyse")
    assert analyse.candidate_role == "lawyer"
    assert analyse.assignee is None
    # The manager cannot do the lawyer's step; the lawyer can.
    with pytest.raises(DomainError) as refused:
        fulfilment.claim_task_complete(actor=people["hunter_a"], claim=claim, data={})
    assert refused.value.status == 403
    with pytest.raises(DomainError):  # the form is validated: findings are required
        fulfilment.claim_task_complete(actor=people["lawyer"], claim=claim, data={})
    claim = _do(
        people["lawyer"],
        claim,
        "analyse",
        findings="Дефект изоляции подтверждён",
        manufacturer_letter=True,
        manufacturer_answer="Завод признал брак",
    )
    assert claim.status == "decision"
    decide = HumanTask.objects.get(instance=instance, element_id="decide")
    assert decide.candidate_role == "head_of_sales"
    assert bpm.is_candidate(people["head_a"], decide)
    assert not bpm.is_candidate(people["head_b"], decide)  # another team's head
    claim = _do(people["head_a"], claim, "decide", decision="refund", resolution="Вернём 1500 ₽")
    assert (claim.status, claim.decision, claim.resolution) == (
        "settlement",
        "refund",
        "Вернём 1500 ₽",
    )
    claim = _do(
        people["finance"],
        claim,
        "refund",
        refund_date=timezone.localdate().isoformat(),
        payment_order="771",
    )
    assert claim.status == "closed"
    assert claim.closed_at is not None
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED
    assert bpm.instance_outcome(instance) == "settled"
    # The terminate end event also ended the waiting deadline timer.
    assert not Timer.objects.filter(instance=instance, fired_at=None, cancelled_at=None).exists()
    assert _activities(claim) == [
        "claim_opened",
        "claim_status_changed",
        "claim_status_changed",
        "claim_status_changed",
        "claim_closed",
    ]
    closed = Event.objects.get(case_type="claim", case_id=str(claim.pk), activity="claim_closed")
    assert closed.payload["details"] == {
        "refund_date": timezone.localdate().isoformat(),
        "payment_order": "771",
    }
    assert closed.payload["by_process"] is True


def test_a_return_takes_the_goods_back_and_ends_with_a_replacement(
    people: dict[str, Any], order: Order
) -> None:
    claim = _register(people, order, kind="return")
    claim = _do(people["hunter_a"], claim, "register", documents_received=True)
    assert _open(claim) == ["receive_return"]
    assert claim.status == "investigation"
    claim = _do(
        people["hunter_a"],
        claim,
        "receive_return",
        received_on=timezone.localdate().isoformat(),
        goods_condition="4 трубы с дефектом изоляции",
    )
    claim = _do(people["lawyer"], claim, "analyse", findings="Брак завода")
    claim = _do(people["head_a"], claim, "decide", decision="replacement", resolution="Заменим")
    assert claim.status == "settlement"
    replace = HumanTask.objects.get(instance=_instance(claim), element_id="replace")
    assert replace.assignee == people["hunter_a"]
    claim = _do(
        people["hunter_a"],
        claim,
        "replace",
        replacement_document="УПД-200",
        replacement_shipped_on=timezone.localdate().isoformat(),
    )
    assert (claim.status, claim.decision) == ("closed", "replacement")
    assert bpm.instance_outcome(_instance(claim)) == "settled"


def test_a_rejected_claim_closes_at_the_decision(people: dict[str, Any], order: Order) -> None:
    claim = _register(people, order)
    claim = _do(people["hunter_a"], claim, "register", documents_received=True)
    claim = _do(people["lawyer"], claim, "analyse", findings="Повреждено при разгрузке клиентом")
    claim = _do(people["head_a"], claim, "decide", decision="rejected", resolution="Не наш брак")
    assert (claim.status, claim.decision) == ("closed", "rejected")
    instance = _instance(claim)
    assert instance.status == InstanceStatus.COMPLETED
    assert bpm.instance_outcome(instance) == "rejected"
    with pytest.raises(DomainError, match="no open step"):
        fulfilment.claim_task_complete(actor=people["hunter_a"], claim=claim, data={})


def test_the_answer_deadline_escalates_to_the_head_once_and_the_claim_still_ends(
    people: dict[str, Any], order: Order
) -> None:
    claim = _register(people, order, days=2)
    instance = _instance(claim)
    timer = Timer.objects.get(instance=instance, element_id="deadline")
    assert timezone.localtime(timer.due_at).date() == claim.deadline
    assert bpm.timers_fire_due(now=timezone.now()) == 0  # not yet due
    later = timer.due_at + timedelta(seconds=1)
    assert bpm.timers_fire_due(now=later) == 1
    assert bpm.timers_fire_due(now=later) == 0  # once
    claim.refresh_from_db()
    assert claim.escalated_at is not None
    assert _activities(claim).count("claim_escalated") == 1
    assert _open(claim) == ["control", "register"]
    control = HumanTask.objects.get(instance=instance, element_id="control")
    assert bpm.is_candidate(people["head_a"], control)
    assert not bpm.is_candidate(people["head_b"], control)
    assert fulfilment.claims_escalate_overdue(today=claim.deadline + timedelta(days=1)) == 0
    claim = _do(people["head_a"], claim, "control", measures="Позвонил клиенту, ускорили разбор")
    claim = _do(people["hunter_a"], claim, "register", documents_received=True)
    claim = _do(people["lawyer"], claim, "analyse", findings="Брак")
    claim = _do(people["head_a"], claim, "decide", decision="rejected", resolution="Нет")
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states.get("end_escalated") == "done"
    assert instance.element_states.get("end_rejected") == "done"


def test_an_outsider_cannot_advance_the_claim(people: dict[str, Any], order: Order) -> None:
    claim = _register(people, order)
    with pytest.raises(DomainError) as hidden:
        fulfilment.claim_task_complete(actor=people["hunter_b"], claim=claim, data={})
    assert hidden.value.status == 404
    assert Claim.objects.get(pk=claim.pk).status == "registered"
