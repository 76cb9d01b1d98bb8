# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""The engine through the services: every step is saved and restored, as in production."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.bpm import selectors, services
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from greenwave.core.errors import DomainError
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db


def _fresh(instance: ProcessInstance) -> ProcessInstance:
    """Reload from the database so every step starts from the stored state."""
    return ProcessInstance.objects.get(pk=instance.pk)


def _open_task(instance: ProcessInstance) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def test_approval_runs_with_rework_loop_timer_and_message(
    approval: Any, two_teams: dict[str, Any], make_deal: Any
) -> None:
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    deal = make_deal(hunter)
    instance = services.instance_start(
        actor=hunter,
        definition=approval,
        variables={"amount": 100},
        object_type="deal",
        object_id=deal.pk,
    )
    review = _open_task(instance)
    assert review.candidate_role == "head_of_sales"  # from the lane name
    assert review.assignee is None
    assert review.due_at is not None
    assert Timer.objects.filter(instance=instance, fired_at=None).count() == 1

    services.task_complete(
        actor=head, task=review, data={"approved": False, "discount": 10, "comment": "too much"}
    )
    instance = _fresh(instance)
    rework = _open_task(instance)
    assert rework.element_id == "rework"
    assert rework.assignee == hunter  # gw:assignee="=initiator"
    services.task_complete(actor=hunter, task=rework, data={"note": "fixed"})

    review2 = _open_task(_fresh(instance))
    assert review2.element_id == "review"
    services.task_complete(actor=head, task=review2, data={"approved": True, "discount": 5})
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.RUNNING
    sub = MessageSubscription.objects.get(instance=instance)
    assert sub.message_name == "payment_received"
    assert sub.correlation_key == f"deal:{deal.pk}"

    delivered = services.message_correlate(
        actor=None,
        name="payment_received",
        correlation_key=f"deal:{deal.pk}",
        payload={"paid": 100},
    )
    assert [i.pk for i in delivered] == [instance.pk]
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.variables["paid"] == 100
    assert instance.variables["discount"] == 5
    assert instance.element_states["end"] == "done"
    assert not MessageSubscription.objects.filter(instance=instance).exists()
    assert not Timer.objects.filter(instance=instance, fired_at=None, cancelled_at=None).exists()

    activities = list(
        Event.objects.filter(case_type="process_instance", case_id=str(instance.pk))
        .order_by("id")
        .values_list("activity", flat=True)
    )
    assert activities[0] == "process_started"
    assert activities.count("process_task_completed") == 3
    assert "process_token_moved" in activities
    assert activities[-1] == "process_completed"
    linked = Event.objects.filter(
        case_type="process_instance", links__object_type="deal", links__object_id=str(deal.pk)
    )
    assert linked.count() == len(activities)


def test_a_due_timer_fires_exactly_once(approval: Any, two_teams: dict[str, Any]) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    timer = Timer.objects.get(instance=instance)
    assert services.timers_fire_due(now=timezone.now()) == 0  # not due yet
    later = timer.due_at + timedelta(seconds=1)
    assert services.timers_fire_due(now=later, worker="w1") == 1
    assert services.timers_fire_due(now=later, worker="w2") == 0
    timer.refresh_from_db()
    assert timer.fired_at is not None
    instance = _fresh(instance)
    assert instance.element_states["notify"] == "done"
    assert _open_task(instance).element_id == "review"  # non-interrupting
    fired = Event.objects.filter(case_id=str(instance.pk), activity="process_timer_fired")
    assert fired.count() == 1


def test_a_timer_whose_step_fails_waits_and_is_retried_once_the_pause_is_over(
    approval: Any, two_teams: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    timer = Timer.objects.get(instance=instance)
    due = timer.due_at + timedelta(seconds=1)
    original = services._advance

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.timers, "_advance", broken)
    assert services.timers_fire_due(now=due, worker="w1") == 0
    timer.refresh_from_db()
    assert timer.fired_at is None  # the failed step left nothing half-done
    assert (timer.claimed_by, timer.claimed_at) == ("w1", due)
    monkeypatch.setattr(services.timers, "_advance", original)
    assert services.timers_fire_due(now=due, worker="w2") == 0  # it waits
    after_pause = due + services.TIMER_RETRY_AFTER + timedelta(seconds=1)
    assert services.timers_fire_due(now=after_pause, worker="w2") == 1
    assert services.timers_fire_due(now=after_pause, worker="w3") == 0


def test_completing_a_task_twice_is_refused(approval: Any, two_teams: dict[str, Any]) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = _open_task(instance)
    services.task_complete(
        actor=two_teams["head_a"], task=task, data={"approved": True, "discount": 1}
    )
    state = _fresh(instance).state
    with pytest.raises(DomainError) as err:
        services.task_complete(actor=two_teams["head_a"], task=task, data={"discount": 1})
    assert err.value.code == "bpm.task_not_open"
    assert _fresh(instance).state == state


def test_a_task_of_another_role_cannot_be_completed(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = _open_task(instance)
    before = _fresh(instance).lock_version
    with pytest.raises(DomainError) as err:
        services.task_complete(actor=two_teams["hunter_b"], task=task, data={"discount": 1})
    assert err.value.code == "bpm.task_not_yours"
    assert _fresh(instance).lock_version == before
    assert _open_task(instance).pk == task.pk


@pytest.mark.parametrize(
    ("data", "field"),
    [({"discount": "many"}, "discount"), ({"discount": 99}, "discount"), ({}, "discount")],
)
def test_wrong_form_data_is_refused_and_changes_nothing(
    approval: Any, two_teams: dict[str, Any], data: dict[str, Any], field: str
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = _open_task(instance)
    state = _fresh(instance).state
    with pytest.raises(DomainError) as err:
        services.task_complete(actor=two_teams["head_a"], task=task, data=data)
    assert err.value.code == "bpm.invalid_form_data"
    assert field in err.value.details["fields"]
    assert _fresh(instance).state == state
    assert _open_task(instance).status == TaskStatus.OPEN


def test_claim_unclaim_and_delegate(approval: Any, two_teams: dict[str, Any]) -> None:
    head_a, head_b, director = two_teams["head_a"], two_teams["head_b"], two_teams["director"]
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = _open_task(instance)
    assert selectors.task_count_mine(head_a) == 1
    assert selectors.task_count_mine(head_b) == 0  # the head role of another team: not offered
    services.task_claim(actor=head_a, task=task)
    assert selectors.task_count_mine(director) == 0  # taken: no longer offered to the role
    with pytest.raises(DomainError):
        services.task_claim(actor=director, task=task)
    services.task_unclaim(actor=head_a, task=task)
    assert selectors.task_count_mine(director) == 1
    services.task_delegate(actor=head_a, task=task, to=director)
    task.refresh_from_db()
    assert task.assignee == director
    kinds = set(Event.objects.filter(case_id=str(instance.pk)).values_list("activity", flat=True))
    assert {"process_task_claimed", "process_task_unclaimed", "process_task_delegated"} <= kinds


def test_cancel_closes_tasks_timers_and_subscriptions(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=approval)
    with pytest.raises(DomainError):
        services.instance_cancel(actor=two_teams["hunter_b"], instance=instance)
    services.instance_cancel(actor=hunter, instance=instance)
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.CANCELLED
    assert not HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).exists()
    assert not Timer.objects.filter(instance=instance, cancelled_at=None, fired_at=None).exists()


def test_a_failing_condition_is_an_incident_that_can_be_retried(
    deploy: Any, two_teams: dict[str, Any], failing_condition_xml: bytes
) -> None:
    definition = deploy(failing_condition_xml)
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=definition)
    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.FAILED
    incident = instance.incidents.get()
    assert incident.element_id == "g"
    assert "limit" in incident.error
    assert instance.element_states["g"] == "failed"
    # Still failing: stays failed.
    services.incident_retry(actor=hunter, incident=incident)
    assert _fresh(instance).status == InstanceStatus.FAILED


def test_a_message_start_event_starts_a_process(deploy: Any, two_teams: dict[str, Any]) -> None:
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
 <bpmn:process id="leads" isExecutable="true">
  <bpmn:startEvent id="s"><bpmn:messageEventDefinition id="m" messageRef="new_lead"/></bpmn:startEvent>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="t"/>
  <bpmn:userTask id="t" name="Call the lead"/>
  <bpmn:sequenceFlow id="b" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>
 </bpmn:process><bpmn:message id="new_lead" name="new_lead"/></bpmn:definitions>"""
    deploy(xml)
    started = services.message_correlate(
        actor=two_teams["admin"], name="new_lead", payload={"lead": 5}
    )
    assert len(started) == 1
    instance = _fresh(started[0])
    assert instance.variables["lead"] == 5
    assert _open_task(instance).name == "Call the lead"
    with pytest.raises(DomainError) as err:
        services.message_correlate(actor=None, name="nobody_waits")
    assert err.value.status == 404


def test_running_instances_stay_on_their_version(
    approval: Any, approval_xml: bytes, deploy: Any, two_teams: dict[str, Any]
) -> None:
    first = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    v2 = deploy(approval_xml.replace(b"Review the discount", b"Check the discount"))
    assert v2.version == approval.version + 1
    second = services.instance_start(actor=two_teams["hunter_a"], definition=v2)
    assert _open_task(first).name == "Review the discount"
    assert _open_task(second).name == "Check the discount"


def test_an_overdue_task_is_escalated_once_to_the_head_of_its_team(
    approval: Any, two_teams: dict[str, Any], make_deal: Any
) -> None:
    deal = make_deal(two_teams["hunter_a"])
    instance = services.instance_start(
        actor=two_teams["hunter_a"], definition=approval, object_type="deal", object_id=deal.pk
    )
    task = _open_task(instance)
    services.task_claim(actor=two_teams["head_a"], task=task)
    task.refresh_from_db()
    assert services.tasks_escalate_overdue(now=timezone.now()) == 0  # due tomorrow
    later = task.due_at + timedelta(minutes=1)
    assert services.tasks_escalate_overdue(now=later) == 1
    assert services.tasks_escalate_overdue(now=later) == 0
    event = Event.objects.get(case_id=str(instance.pk), activity="process_task_overdue")
    assert event.payload["escalated_to"] == "head_a"
    assert event.links.filter(object_type="deal", object_id=str(deal.pk)).exists()


def test_data_stores_and_data_associations_run(deploy: Any, two_teams: dict[str, Any]) -> None:
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:gw="https://greenwave.dev/schema/bpmn" id="d" targetNamespace="x">
 <bpmn:dataStore id="crm_db" name="CRM database"/>
 <bpmn:process id="p" isExecutable="true">
  <bpmn:dataStoreReference id="crm_ref" dataStoreRef="crm_db"/>
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="write"/>
  <bpmn:userTask id="write" name="Write">
   <bpmn:extensionElements><gw:form><gw:field name="crm_db" type="integer" label="Score"/></gw:form></bpmn:extensionElements>
   <bpmn:dataOutputAssociation id="out"><bpmn:targetRef>crm_ref</bpmn:targetRef></bpmn:dataOutputAssociation>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="b" sourceRef="write" targetRef="read"/>
  <bpmn:userTask id="read" name="Read">
   <bpmn:dataInputAssociation id="in"><bpmn:sourceRef>crm_ref</bpmn:sourceRef></bpmn:dataInputAssociation>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="c" sourceRef="read" targetRef="e"/><bpmn:endEvent id="e"/>
 </bpmn:process></bpmn:definitions>"""
    definition = deploy(xml)
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=definition)
    services.task_complete(actor=hunter, task=_open_task(instance), data={"crm_db": 42})
    instance = _fresh(instance)
    assert instance.variables["data_stores"] == {"crm_db": 42}  # written to the store
    assert instance.variables["crm_db"] == 42  # and read back by the next task's association
    read = _open_task(instance)
    assert read.element_id == "read"
    services.task_complete(actor=hunter, task=read, data={})
    assert _fresh(instance).status == InstanceStatus.COMPLETED


def test_a_business_rule_task_evaluates_a_dmn_decision(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    from greenwave.decisions import services as decisions

    decisions.decisions_seed(actor=None)
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:gw="https://greenwave.dev/schema/bpmn" id="d" targetNamespace="x">
 <bpmn:process id="route" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="rules"/>
  <bpmn:businessRuleTask id="rules" name="Who approves" gw:decision="contract_approval" gw:resultVariable="approvers"/>
  <bpmn:sequenceFlow id="b" sourceRef="rules" targetRef="g"/>
  <bpmn:exclusiveGateway id="g" default="no_lawyer"/>
  <bpmn:sequenceFlow id="lawyer" sourceRef="g" targetRef="by_lawyer"><bpmn:conditionExpression>'lawyer' in approvers</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="no_lawyer" sourceRef="g" targetRef="by_head"/>
  <bpmn:userTask id="by_lawyer" name="Lawyer"/><bpmn:userTask id="by_head" name="Head"/>
 </bpmn:process></bpmn:definitions>"""
    definition = deploy(xml)
    risky = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=definition,
        variables={"amount": 100, "template_deviation": "нет", "client_risk": "высокий"},
    )
    assert "lawyer" in _fresh(risky).variables["approvers"]
    assert _open_task(risky).element_id == "by_lawyer"


def test_a_business_rule_task_without_a_decision_is_named() -> None:
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
 <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>
  <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="r"/><bpmn:businessRuleTask id="r"/>
 </bpmn:process></bpmn:definitions>"""
    definition = services.definition_upload(actor=None, xml=xml)
    assert [u["id"] for u in definition.unsupported] == ["r"]


def test_process_data_names_the_people_of_routed_tasks_not_their_usernames(
    approval: Any, two_teams: dict[str, Any]
) -> None:
    """The rework task goes to `=initiator`: its username was shown raw in the process data."""
    from greenwave.bpm import selectors

    hunter = two_teams["hunter_a"]
    hunter.first_name, hunter.last_name = "Анна", "Кузнецова"
    hunter.save(update_fields=["first_name", "last_name"])
    instance = services.instance_start(actor=hunter, definition=approval, variables={"amount": 1})
    rows = selectors.variable_rows(actor=hunter, instance=instance)
    shown = {row.key: row.text for row in rows}
    assert shown["initiator"] == str(hunter)
    assert shown["initiator"] != hunter.username
