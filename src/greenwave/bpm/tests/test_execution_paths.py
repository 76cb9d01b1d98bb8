# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""One test per execution path of the engine, through the services: every step restores the
instance from its stored state, as in production."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest

from greenwave.bpm import actions, services
from greenwave.bpm.models import (
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from greenwave.bpm.tests.steps import open_tasks
from greenwave.core.errors import DomainError

pytestmark = [pytest.mark.django_db]


def _bpmn(body: str, extra: str = "", process_id: str = "p") -> bytes:
    return f"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:gw="https://greenwave.dev/schema/bpmn" id="d" targetNamespace="x">
 <bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>{extra}
</bpmn:definitions>""".encode()


def _fresh(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.get(pk=instance.pk)


def _open_elements(instance: ProcessInstance) -> list[str]:
    return sorted(t.element_id for t in open_tasks(instance))


def _do(user: Any, instance: ProcessInstance, element: str, **data: Any) -> None:
    task = next(t for t in open_tasks(instance) if t.element_id == element)
    services.task_complete(actor=user, task=task, data=data)


def _fire_due(instance: ProcessInstance) -> int:
    timer = Timer.objects.get(instance=instance, fired_at=None, cancelled_at=None)
    return services.timers_fire_due(now=timer.due_at + timedelta(seconds=1), worker="w")


# -- sub-processes and call activities ---------------------------------------------------------


def test_an_embedded_sub_process_runs_its_steps_with_the_process_variables(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn("""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>
  <bpmn:subProcess id="sub" name="Scoring">
   <bpmn:startEvent id="sub_s"/><bpmn:sequenceFlow id="sf1" sourceRef="sub_s" targetRef="rate"/>
   <bpmn:userTask id="rate" name="Rate the client">
    <bpmn:extensionElements><gw:form><gw:field name="score" type="integer" required="true"/></gw:form></bpmn:extensionElements>
   </bpmn:userTask>
   <bpmn:sequenceFlow id="sf2" sourceRef="rate" targetRef="sub_e"/><bpmn:endEvent id="sub_e"/>
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="g"/>
  <bpmn:exclusiveGateway id="g" default="f_low"/>
  <bpmn:sequenceFlow id="f_high" sourceRef="g" targetRef="high"><bpmn:conditionExpression>score * amount &gt; 50</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_low" sourceRef="g" targetRef="low"/>
  <bpmn:userTask id="high" name="Key client"/><bpmn:userTask id="low" name="Ordinary client"/>""")
    )
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(
        actor=hunter, definition=definition, variables={"amount": 10}
    )
    assert _open_elements(instance) == ["rate"]
    assert _fresh(instance).element_states["sub"] == "active"
    _do(hunter, instance, "rate", score=7)
    instance = _fresh(instance)
    assert _open_elements(instance) == ["high"]
    assert instance.element_states["sub"] == "done"
    assert (instance.variables["amount"], instance.variables["score"]) == (10, 7)


def test_a_call_activity_runs_the_called_process_with_variables_in_and_out(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    called = """
 <bpmn:process id="scoring" isExecutable="true">
  <bpmn:startEvent id="sc_s"/><bpmn:sequenceFlow id="sc1" sourceRef="sc_s" targetRef="points"/>
  <bpmn:userTask id="points" name="Points" gw:candidateRole="head_of_sales">
   <bpmn:extensionElements><gw:form><gw:field name="points" type="integer" required="true"/></gw:form></bpmn:extensionElements>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="sc2" sourceRef="points" targetRef="grade"/>
  <bpmn:scriptTask id="grade" name="Grade"><bpmn:script>grade = 'A' if points + bonus &gt; 50 else 'B'</bpmn:script></bpmn:scriptTask>
  <bpmn:sequenceFlow id="sc3" sourceRef="grade" targetRef="sc_e"/><bpmn:endEvent id="sc_e"/>
 </bpmn:process>"""
    definition = deploy(
        _bpmn(
            """
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call"/>
  <bpmn:callActivity id="call" name="Score the client" calledElement="scoring"/>
  <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="g"/>
  <bpmn:exclusiveGateway id="g" default="f_b"/>
  <bpmn:sequenceFlow id="f_a" sourceRef="g" targetRef="vip"><bpmn:conditionExpression>grade == 'A'</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_b" sourceRef="g" targetRef="regular"/>
  <bpmn:userTask id="vip" name="VIP"/><bpmn:userTask id="regular" name="Regular"/>""",
            extra=called,
            process_id="order",
        )
    )
    assert definition.process_id == "order"
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    for bonus, points, expected in ((10, 45, "vip"), (0, 45, "regular")):
        instance = services.instance_start(
            actor=hunter, definition=definition, variables={"bonus": bonus}
        )
        task = open_tasks(instance)[0]
        assert (task.element_id, task.candidate_role) == ("points", "head_of_sales")
        assert _fresh(instance).variables["bonus"] == bonus  # in: the caller's variables
        _do(head, instance, "points", points=points)
        instance = _fresh(instance)
        assert _open_elements(instance) == [expected]  # out: the called process's grade
        assert instance.variables["points"] == points
        assert instance.element_states["call"] == "done"


# -- gateways -----------------------------------------------------------------------------------

EVENT_GATEWAY = _bpmn(
    """
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="offer"/>
  <bpmn:userTask id="offer" name="Send the offer"/>
  <bpmn:sequenceFlow id="f2" sourceRef="offer" targetRef="race"/>
  <bpmn:eventBasedGateway id="race"/>
  <bpmn:sequenceFlow id="f3" sourceRef="race" targetRef="reply"/>
  <bpmn:sequenceFlow id="f4" sourceRef="race" targetRef="silence"/>
  <bpmn:intermediateCatchEvent id="reply" name="Client replied"><bpmn:messageEventDefinition id="md" messageRef="m_reply"/></bpmn:intermediateCatchEvent>
  <bpmn:intermediateCatchEvent id="silence" name="Three days passed"><bpmn:timerEventDefinition id="td"><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f5" sourceRef="reply" targetRef="answer"/>
  <bpmn:sequenceFlow id="f6" sourceRef="silence" targetRef="chase"/>
  <bpmn:userTask id="answer" name="Answer the client"/><bpmn:userTask id="chase" name="Call the client"/>""",
    extra='<bpmn:message id="m_reply" name="client_replied"/>',
)


def _waiting_at_the_race(deploy: Any, user: Any, deal: int) -> ProcessInstance:
    instance = services.instance_start(
        actor=user, definition=deploy(EVENT_GATEWAY), object_type="deal", object_id=deal
    )
    _do(user, instance, "offer")
    assert Timer.objects.filter(instance=instance, fired_at=None, cancelled_at=None).count() == 1
    assert MessageSubscription.objects.get(instance=instance).message_name == "client_replied"
    return instance


def test_an_event_based_gateway_takes_the_message_when_it_comes_first(
    deploy: Any, two_teams: dict[str, Any], make_deal: Any
) -> None:
    hunter = two_teams["hunter_a"]
    deal = make_deal(hunter).pk
    instance = _waiting_at_the_race(deploy, hunter, deal=deal)
    timer = Timer.objects.get(instance=instance)
    services.message_correlate(
        actor=None, name="client_replied", correlation_key=f"deal:{deal}", payload={"answer": "yes"}
    )
    assert _open_elements(instance) == ["answer"]
    timer.refresh_from_db()
    assert timer.cancelled_at is not None
    assert timer.fired_at is None
    assert services.timers_fire_due(now=timer.due_at + timedelta(seconds=1)) == 0
    instance = _fresh(instance)
    assert instance.variables["answer"] == "yes"
    assert instance.element_states.get("silence") != "done"


def test_an_event_based_gateway_takes_the_timer_when_no_message_comes(
    deploy: Any, two_teams: dict[str, Any], make_deal: Any
) -> None:
    hunter = two_teams["hunter_a"]
    deal = make_deal(hunter).pk
    instance = _waiting_at_the_race(deploy, hunter, deal=deal)
    assert _fire_due(instance) == 1
    assert _open_elements(instance) == ["chase"]
    assert not MessageSubscription.objects.filter(instance=instance).exists()
    with pytest.raises(DomainError) as err:
        services.message_correlate(
            actor=None, name="client_replied", correlation_key=f"deal:{deal}"
        )
    assert err.value.status == 404
    assert _fresh(instance).element_states.get("reply") != "done"


def test_an_event_based_gateway_waits_for_several_messages_and_takes_the_first(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn(
            """
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="race"/>
  <bpmn:eventBasedGateway id="race"/>
  <bpmn:sequenceFlow id="f2" sourceRef="race" targetRef="yes"/>
  <bpmn:sequenceFlow id="f3" sourceRef="race" targetRef="no"/>
  <bpmn:intermediateCatchEvent id="yes"><bpmn:messageEventDefinition id="m1" messageRef="m_yes"/></bpmn:intermediateCatchEvent>
  <bpmn:intermediateCatchEvent id="no"><bpmn:messageEventDefinition id="m2" messageRef="m_no"/></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f4" sourceRef="yes" targetRef="contract"/><bpmn:userTask id="contract" name="Contract"/>
  <bpmn:sequenceFlow id="f5" sourceRef="no" targetRef="reason"/><bpmn:userTask id="reason" name="Ask why"/>""",
            extra='<bpmn:message id="m_yes" name="accepted"/><bpmn:message id="m_no" name="rejected"/>',
        )
    )
    instance = services.instance_start(
        actor=two_teams["hunter_a"], definition=definition, business_key="contract-9"
    )
    waits = MessageSubscription.objects.filter(instance=instance)
    assert sorted(waits.values_list("message_name", "element_id")) == [
        ("accepted", "yes"),
        ("rejected", "no"),
    ]
    services.message_correlate(actor=None, name="rejected", correlation_key="contract-9")
    assert _open_elements(instance) == ["reason"]
    assert not waits.exists()


INCLUSIVE = _bpmn("""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split"/>
  <bpmn:inclusiveGateway id="split" default="f_none"/>
  <bpmn:sequenceFlow id="f_legal" sourceRef="split" targetRef="legal"><bpmn:conditionExpression>amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_fin" sourceRef="split" targetRef="finance"><bpmn:conditionExpression>prepay</bpmn:conditionExpression></bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f_none" sourceRef="split" targetRef="manager"/>
  <bpmn:userTask id="legal" name="Lawyer"/><bpmn:userTask id="finance" name="Finance"/><bpmn:userTask id="manager" name="Manager"/>
  <bpmn:sequenceFlow id="j1" sourceRef="legal" targetRef="join"/>
  <bpmn:sequenceFlow id="j2" sourceRef="finance" targetRef="join"/>
  <bpmn:sequenceFlow id="j3" sourceRef="manager" targetRef="join"/>
  <bpmn:inclusiveGateway id="join"/>
  <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="sign"/><bpmn:userTask id="sign" name="Sign"/>""")


@pytest.mark.parametrize(
    ("variables", "branches"),
    [
        ({"amount": 500, "prepay": True}, ["finance", "legal"]),
        ({"amount": 500, "prepay": False}, ["legal"]),
        ({"amount": 5, "prepay": False}, ["manager"]),
    ],
)
def test_an_inclusive_gateway_takes_every_true_branch_and_joins_only_those(
    deploy: Any, two_teams: dict[str, Any], variables: dict[str, Any], branches: list[str]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(
        actor=hunter, definition=deploy(INCLUSIVE), variables=variables
    )
    assert _open_elements(instance) == branches
    for element in branches:
        assert "sign" not in _open_elements(instance)
        _do(hunter, instance, element)
    assert _open_elements(instance) == ["sign"]
    states = _fresh(instance).element_states
    assert {e for e in ("legal", "finance", "manager") if states.get(e) == "done"} == set(branches)


# -- boundary events ----------------------------------------------------------------------------


def _with_boundary_timer(interrupting: bool) -> bytes:
    return _bpmn(f"""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
  <bpmn:userTask id="work" name="Prepare the quote"/>
  <bpmn:boundaryEvent id="late" attachedToRef="work" cancelActivity="{str(interrupting).lower()}">
   <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>PT4H</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/><bpmn:endEvent id="e"/>
  <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalate"/>
  <bpmn:userTask id="escalate" name="Take over the quote"/>
  <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="e2"/><bpmn:endEvent id="e2"/>""")


def test_an_interrupting_boundary_timer_cancels_the_task_and_takes_its_path(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=deploy(_with_boundary_timer(True)))
    work = open_tasks(instance)[0]
    assert _fire_due(instance) == 1
    work.refresh_from_db()
    assert work.status == TaskStatus.CANCELLED
    assert _open_elements(instance) == ["escalate"]
    with pytest.raises(DomainError):
        services.task_complete(actor=hunter, task=work, data={})
    _do(hunter, instance, "escalate")
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states.get("e") != "done"


def test_an_interrupting_boundary_timer_is_cancelled_when_the_task_is_done_first(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=deploy(_with_boundary_timer(True)))
    _do(hunter, instance, "work")
    timer = Timer.objects.get(instance=instance)
    assert timer.cancelled_at is not None
    assert services.timers_fire_due(now=timer.due_at + timedelta(seconds=1)) == 0
    assert _fresh(instance).status == InstanceStatus.COMPLETED


def test_a_non_interrupting_boundary_timer_adds_a_path_and_the_task_stays(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=deploy(_with_boundary_timer(False)))
    assert _fire_due(instance) == 1
    assert _open_elements(instance) == ["escalate", "work"]
    _do(hunter, instance, "escalate")
    assert _open_elements(instance) == ["work"]
    assert _fresh(instance).status == InstanceStatus.RUNNING
    _do(hunter, instance, "work")
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states["e"] == "done"


@pytest.fixture
def charge_action() -> Iterator[str]:
    """A service action that declines a bad card with the BPMN error `card_declined`."""

    def charge(variables: Mapping[str, Any]) -> dict[str, Any]:
        if variables.get("card") == "bad":
            raise actions.ActionError("card_declined", "The bank declined the card.")
        if variables.get("card") == "broken":
            raise RuntimeError("The bank does not answer.")
        return {"charged": True}

    actions.register_action("test_charge", "Charge", charge)
    yield "test_charge"
    actions.unregister_action("test_charge")


def _with_boundary_error(code: str = "card_declined") -> bytes:
    error_ref = 'errorRef="err"' if code else ""
    return _bpmn(
        f"""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="charge"/>
  <bpmn:serviceTask id="charge" name="Charge the card" gw:action="test_charge"/>
  <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition id="ed" {error_ref}/></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="ship"/><bpmn:userTask id="ship" name="Ship"/>
  <bpmn:sequenceFlow id="f3" sourceRef="declined" targetRef="ask"/><bpmn:userTask id="ask" name="Ask for another card"/>""",
        extra=f'<bpmn:error id="err" name="Card declined" errorCode="{code}"/>' if code else "",
    )


def test_a_boundary_error_on_a_service_task_takes_the_error_path(
    deploy: Any, two_teams: dict[str, Any], charge_action: str
) -> None:
    hunter = two_teams["hunter_a"]
    definition = deploy(_with_boundary_error())
    ok = services.instance_start(actor=hunter, definition=definition, variables={"card": "good"})
    assert _open_elements(ok) == ["ship"]
    assert _fresh(ok).variables["charged"] is True

    declined = services.instance_start(
        actor=hunter, definition=definition, variables={"card": "bad"}
    )
    declined = _fresh(declined)
    assert declined.status == InstanceStatus.RUNNING
    assert not declined.incidents.exists()
    assert _open_elements(declined) == ["ask"]
    assert declined.variables["error_code"] == "card_declined"
    assert declined.variables["error_message"] == "The bank declined the card."
    assert declined.element_states["declined"] == "done"
    assert declined.element_states.get("charge") != "done"


def test_an_error_the_boundary_does_not_catch_is_an_incident(
    deploy: Any, two_teams: dict[str, Any], charge_action: str
) -> None:
    hunter = two_teams["hunter_a"]
    # The boundary catches card_declined only; a failure without that code is an incident.
    definition = deploy(_with_boundary_error())
    with pytest.raises(DomainError) as err:
        services.instance_start(actor=hunter, definition=definition, variables={"card": "broken"})
    assert "does not answer" in err.value.message
    # A boundary error event without a code catches every failure of its task.
    catch_all = deploy(_with_boundary_error(code=""))
    instance = services.instance_start(
        actor=hunter, definition=catch_all, variables={"card": "broken"}
    )
    assert _open_elements(instance) == ["ask"]
    assert _fresh(instance).variables["error_message"] == "The bank does not answer."


def test_an_error_inside_a_sub_process_is_caught_by_the_sub_process_boundary(
    deploy: Any, two_teams: dict[str, Any], charge_action: str
) -> None:
    definition = deploy(
        _bpmn(
            """
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="pay"/>
  <bpmn:subProcess id="pay" name="Payment">
   <bpmn:startEvent id="ps"/><bpmn:sequenceFlow id="pf1" sourceRef="ps" targetRef="charge"/>
   <bpmn:serviceTask id="charge" name="Charge" gw:action="test_charge"/>
   <bpmn:sequenceFlow id="pf2" sourceRef="charge" targetRef="pe"/><bpmn:endEvent id="pe"/>
  </bpmn:subProcess>
  <bpmn:boundaryEvent id="failed" attachedToRef="pay"><bpmn:errorEventDefinition id="ed" errorRef="err"/></bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pay" targetRef="ship"/><bpmn:userTask id="ship" name="Ship"/>
  <bpmn:sequenceFlow id="f3" sourceRef="failed" targetRef="ask"/><bpmn:userTask id="ask" name="Ask for another card"/>""",
            extra='<bpmn:error id="err" name="Declined" errorCode="card_declined"/>',
        )
    )
    instance = services.instance_start(
        actor=two_teams["hunter_a"], definition=definition, variables={"card": "bad"}
    )
    assert _open_elements(instance) == ["ask"]
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.RUNNING
    assert instance.element_states["failed"] == "done"
    assert instance.element_states.get("pay") != "done"


# -- messages -----------------------------------------------------------------------------------


def test_an_intermediate_message_catch_is_correlated_by_business_key(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn(
            """
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="signed"/>
  <bpmn:intermediateCatchEvent id="signed" name="Contract signed"><bpmn:messageEventDefinition id="md" messageRef="m"/></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="signed" targetRef="invoice"/><bpmn:userTask id="invoice" name="Issue the invoice"/>""",
            extra='<bpmn:message id="m" name="contract_signed"/>',
        )
    )
    hunter = two_teams["hunter_a"]
    first, second = (
        services.instance_start(actor=hunter, definition=definition, business_key=f"contract-{n}")
        for n in (1, 2)
    )
    with pytest.raises(DomainError) as err:
        services.message_correlate(actor=None, name="contract_signed")
    assert err.value.status == 409  # two wait: a key is needed
    delivered = services.message_correlate(
        actor=None,
        name="contract_signed",
        correlation_key="contract-2",
        payload={"signed_on": "2024-05-01"},
    )
    assert [i.pk for i in delivered] == [second.pk]
    assert _open_elements(second) == ["invoice"]
    assert _fresh(second).variables["signed_on"] == "2024-05-01"
    assert _open_elements(first) == []
    assert _fresh(first).element_states["signed"] == "waiting"
    services.message_correlate(actor=None, name="contract_signed", correlation_key="contract-1")
    assert _open_elements(first) == ["invoice"]
    assert not MessageSubscription.objects.exists()


# -- multi-instance -----------------------------------------------------------------------------


def test_a_parallel_multi_instance_task_by_cardinality_opens_every_task_at_once(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn("""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="quote"/>
  <bpmn:userTask id="quote" name="Ask a supplier for a quote">
   <bpmn:multiInstanceLoopCharacteristics id="mi"><bpmn:loopCardinality>suppliers</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="quote" targetRef="choose"/><bpmn:userTask id="choose" name="Choose the supplier"/>""")
    )
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(
        actor=hunter, definition=definition, variables={"suppliers": 3}
    )
    assert _open_elements(instance) == ["quote"] * 3
    for _ in range(3):
        assert "choose" not in _open_elements(instance)
        _do(hunter, instance, "quote")
    assert _open_elements(instance) == ["choose"]


def test_a_sequential_multi_instance_task_over_a_collection_goes_person_by_person(
    deploy: Any, make_user: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn("""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="vote"/>
  <bpmn:userTask id="vote" name="Vote" gw:assignee="=voter">
   <bpmn:extensionElements><gw:form><gw:field name="ballot" type="choice"><gw:choice value="yes"/><gw:choice value="no"/></gw:field></gw:form></bpmn:extensionElements>
   <bpmn:multiInstanceLoopCharacteristics id="mi" isSequential="true">
    <bpmn:loopDataInputRef>voters</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>ballots</bpmn:loopDataOutputRef>
    <bpmn:inputDataItem id="voter" name="voter"/><bpmn:outputDataItem id="ballot" name="ballot"/>
   </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="vote" targetRef="count"/><bpmn:userTask id="count" name="Count the votes"/>""")
    )
    voters = [two_teams["head_a"], two_teams["head_b"], two_teams["director"]]
    instance = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=definition,
        variables={"voters": [u.username for u in voters]},
    )
    for voter, ballot in zip(voters, ("yes", "no", "yes"), strict=True):
        (task,) = open_tasks(instance)  # one at a time
        assert (task.element_id, task.assignee) == ("vote", voter)
        services.task_complete(actor=voter, task=task, data={"ballot": ballot})
    assert _open_elements(instance) == ["count"]
    assert _fresh(instance).variables["ballots"] == ["yes", "no", "yes"]


def test_a_sequential_multi_instance_without_an_output_item_reaches_every_item(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy(
        _bpmn("""
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="read"/>
  <bpmn:userTask id="read" name="Read the order" gw:assignee="=reader">
   <bpmn:multiInstanceLoopCharacteristics id="mi" isSequential="true">
    <bpmn:loopDataInputRef>readers</bpmn:loopDataInputRef><bpmn:inputDataItem id="reader" name="reader"/>
   </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="f2" sourceRef="read" targetRef="e"/><bpmn:endEvent id="e"/>""")
    )
    readers = [two_teams["head_a"], two_teams["head_b"], two_teams["director"]]
    instance = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=definition,
        variables={"readers": [u.username for u in readers]},
    )
    for reader in readers:
        (task,) = open_tasks(instance)
        assert task.assignee == reader
        services.task_complete(actor=reader, task=task, data={})
    assert _fresh(instance).status == InstanceStatus.COMPLETED
