"""Seed 001's web-lead process end to end against real leads and deals (sales services)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.sales import services as sales
from greenwave.sales.models import Deal, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_lead(db: Any) -> Any:
    services.library_install(actor=None)


@pytest.fixture
def people(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    return {
        **two_teams,
        "wholesaler": make_user("wholesaler", roles=["closer"], team=two_teams["team_a"]),
        "hunter_2": make_user("hunter_2", roles=["hunter"], team=two_teams["team_a"]),
    }


def _new_lead(team: Any) -> tuple[Lead, ProcessInstance]:
    """A web lead of the team (the process belongs to its lead's team: its heads assign it)."""
    lead = sales.lead_create(
        actor=None, source="website", contact_name="Иван Петров", phone="+79001234567", team=team
    )
    (instance,) = services.message_correlate(
        actor=None, name="new_lead", correlation_key=f"lead:{lead.pk}", payload={"lead_id": lead.pk}
    )
    return lead, instance


def _do(user: Any, instance: ProcessInstance, element: str, **data: Any) -> HumanTask:
    task = HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)
    services.task_complete(actor=user, task=task, data=data)
    return task


def _state(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.get(pk=instance.pk)


def test_price_refusal_then_discount_then_ready_creates_the_deal(
    web_lead: Any, people: dict[str, Any]
) -> None:
    head, hunter = people["head_a"], people["hunter_a"]
    lead, instance = _new_lead(people["team_a"])
    assert _state(instance).element_states["notify_assigner"] == "done"
    _do(head, instance, "assign", responsible="hunter_a", wholesaler="wholesaler")
    lead.refresh_from_db()
    assert lead.responsible == hunter
    clarify = HumanTask.objects.get(instance=instance, element_id="clarify")
    assert clarify.assignee == hunter
    with pytest.raises(DomainError):
        _do(hunter, instance, "clarify", need="паллеты")  # the call-back date is required
    _do(hunter, instance, "clarify", need="паллеты", callback_date="2030-02-01")
    _do(hunter, instance, "callback", outcome="not_ready", next_call_date="2030-02-05")
    _do(hunter, instance, "callback", outcome="refused", refusal_reason="price")
    _do(head, instance, "choose_price", price_list="discount_3")
    assert _state(instance).variables["price_list"] == "discount_3"
    _do(hunter, instance, "callback", outcome="ready")
    instance = _state(instance)
    assert instance.status == InstanceStatus.COMPLETED
    deal = Deal.objects.get(pk=instance.variables["deal_id"])
    assert deal.responsible == hunter
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert lead.deal == deal
    linked = Event.objects.filter(case_type="process_instance", case_id=str(instance.pk))
    assert linked.filter(activity="process_task_completed").count() == 6


def test_no_contact_changes_the_responsible_and_wholesale_goes_to_the_wholesaler(
    web_lead: Any, people: dict[str, Any]
) -> None:
    head = people["head_a"]
    lead, instance = _new_lead(people["team_a"])
    _do(head, instance, "assign", responsible="hunter_a", wholesaler="wholesaler")
    _do(people["hunter_a"], instance, "clarify", callback_date="2030-02-01")
    _do(people["hunter_a"], instance, "callback", outcome="refused", refusal_reason="no_contact")
    _do(head, instance, "change_responsible", responsible="hunter_2")
    instance = _state(instance)
    assert instance.variables["responsible"] == "hunter_2"  # one variable holds the responsible
    lead.refresh_from_db()
    assert lead.responsible == people["hunter_2"]
    _do(people["hunter_2"], instance, "clarify", callback_date="2030-02-03")
    _do(people["hunter_2"], instance, "callback", outcome="refused", refusal_reason="wholesale")
    call = HumanTask.objects.get(instance=instance, element_id="wholesale_call")
    assert call.assignee == people["wholesaler"]
    with pytest.raises(DomainError):
        _do(
            people["wholesaler"],
            instance,
            "wholesale_call",
            outcome="refused",
            refusal_reason="price",
        )
    _do(people["wholesaler"], instance, "wholesale_call", outcome="ready")
    deal = Deal.objects.get(pk=_state(instance).variables["deal_id"])
    assert deal.responsible == people["wholesaler"]


def test_impossible_deal_closes_the_lead_with_a_reason(
    web_lead: Any, people: dict[str, Any]
) -> None:
    lead, instance = _new_lead(people["team_a"])
    _do(people["head_a"], instance, "assign", responsible="hunter_a", wholesaler="wholesaler")
    _do(people["hunter_a"], instance, "clarify", callback_date="2030-02-01")
    _do(
        people["hunter_a"],
        instance,
        "callback",
        outcome="refused",
        refusal_reason="impossible",
        comment="закрылись",
    )
    assert _state(instance).element_states["end_refused"] == "done"
    lead.refresh_from_db()
    assert (lead.status, lead.disqualification_reason) == ("disqualified", "not_target")


def test_a_process_without_a_lead_stops_with_an_incident(
    web_lead: Any, people: dict[str, Any]
) -> None:
    (instance,) = services.message_correlate(actor=None, name="new_lead", payload={})
    # A process of no team's record: offered to no team's head, an administrator steps in.
    _do(people["admin"], instance, "assign", responsible="hunter_a", wholesaler="wholesaler")
    instance = _state(instance)
    assert instance.status == InstanceStatus.FAILED
    assert "no lead" in instance.incidents.get().error
