# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""Moving running instances between versions of a process: the check, the move, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import services
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
    Timer,
)
from greenwave.bpm.tests.steps import open_task, race, signed_in
from greenwave.config.api import api
from greenwave.core.errors import DomainError
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db

ADD_CHECK = (
    b'<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="decision"/>',
    b'<bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="check"/>'
    b'<bpmn:userTask id="check" name="Check the terms"/>'
    b'<bpmn:sequenceFlow id="f2b" sourceRef="check" targetRef="decision"/>',
)


def _fresh(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.select_related("definition").get(pk=instance.pk)


def _renamed(xml: bytes, old: bytes, new: bytes) -> bytes:
    for attribute in (b"id", b"sourceRef", b"targetRef", b"attachedToRef"):
        xml = xml.replace(attribute + b'="' + old + b'"', attribute + b'="' + new + b'"')
    return xml.replace(b">" + old + b"<", b">" + new + b"<")


def _migrated_events(instance: ProcessInstance) -> Any:
    return Event.objects.filter(
        case_type="process_instance",
        case_id=str(instance.pk),
        activity="process_instance_migrated",
    )


@pytest.fixture
def with_check(deploy: Any, approval: ProcessDefinition, approval_xml: bytes) -> ProcessDefinition:
    """Version 2 of the approval: a new step "check" after the review."""
    definition: ProcessDefinition = deploy(approval_xml.replace(*ADD_CHECK))
    return definition


def test_a_waiting_user_task_moves_to_a_version_with_a_step_after_it(
    approval: ProcessDefinition, with_check: ProcessDefinition, two_teams: dict[str, Any]
) -> None:
    hunter, head, admin = two_teams["hunter_a"], two_teams["head_a"], two_teams["admin"]
    instance = services.instance_start(actor=hunter, definition=approval, variables={"amount": 7})
    review = open_task(instance)
    services.task_claim(actor=head, task=review)
    timer = Timer.objects.get(instance=instance)
    before = _fresh(instance)

    check = services.instance_migration_check(actor=admin, instance=instance, target=with_check)
    assert check.allowed
    assert {s["element"]: s["target"] for s in check.steps} == {
        "review": "review",
        "remind": "remind",
    }
    assert check.added == ["check"]
    assert [t["assignee"] for t in check.tasks] == ["head_a"]
    assert _fresh(instance).lock_version == before.lock_version  # the check changed nothing

    services.instance_migrate(actor=admin, instance=instance, target=with_check)
    instance = _fresh(instance)
    assert instance.definition == with_check
    assert instance.lock_version == before.lock_version + 1
    assert instance.variables["amount"] == 7
    kept = open_task(instance)
    assert (kept.pk, kept.assignee, kept.claimed_by) == (review.pk, head, head)
    assert Timer.objects.get(instance=instance).due_at == timer.due_at
    event = _migrated_events(instance).get()
    assert event.payload["from_version"] == 1
    assert event.payload["to_version"] == 2
    assert event.payload["mapping"] == {}
    assert event.actor == admin

    services.task_complete(actor=head, task=kept, data={"approved": True, "discount": 5})
    step = open_task(_fresh(instance))
    assert step.element_id == "check"  # the new path
    assert step.name == "Check the terms"
    services.task_complete(actor=hunter, task=step, data={})
    instance = _fresh(instance)
    assert instance.element_states["wait_payment"] == "waiting"
    assert instance.variables["discount"] == 5


def test_a_migration_is_refused_when_the_active_task_was_removed_and_nothing_changes(
    deploy: Any, approval: ProcessDefinition, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    admin = two_teams["admin"]
    renamed = deploy(_renamed(approval_xml, b"review", b"review_terms"))
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    before = _fresh(instance)

    check = services.instance_migration_check(actor=admin, instance=instance, target=renamed)
    assert not check.allowed
    assert [(p["element"], p["problem"]) for p in check.problems] == [("review", "missing")]
    with pytest.raises(DomainError) as err:
        services.instance_migrate(actor=admin, instance=instance, target=renamed)
    assert err.value.code == "bpm.migration_refused"
    assert "review (Review the discount)" in err.value.message
    assert [p["element"] for p in err.value.details["problems"]] == ["review"]
    after = _fresh(instance)
    assert (after.definition_id, after.state, after.lock_version) == (
        approval.pk,
        before.state,
        before.lock_version,
    )
    assert not _migrated_events(instance).exists()

    # Named in a mapping, the renamed task takes the process over.
    services.instance_migrate(
        actor=admin, instance=instance, target=renamed, mapping={"review": "review_terms"}
    )
    task = open_task(instance)
    assert task.element_id == "review_terms"
    assert _migrated_events(instance).get().payload["mapping"] == {"review": "review_terms"}
    services.task_complete(
        actor=two_teams["head_a"], task=task, data={"approved": False, "discount": 1}
    )
    assert open_task(instance).element_id == "rework"


def test_a_task_of_another_kind_is_refused(
    deploy: Any, approval: ProcessDefinition, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    manual = deploy(
        approval_xml.replace(
            b'<bpmn:userTask id="review"', b'<bpmn:manualTask id="review"'
        ).replace(
            b"</bpmn:userTask>\n    <bpmn:boundaryEvent",
            b"</bpmn:manualTask>\n    <bpmn:boundaryEvent",
        )
    )
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    check = services.instance_migration_check(
        actor=two_teams["admin"], instance=instance, target=manual
    )
    assert [(p["element"], p["problem"]) for p in check.problems] == [("review", "kind_changed")]
    assert "ManualTask" in check.problems[0]["message"]


def test_a_plain_manager_cannot_move_processes(
    approval: ProcessDefinition, with_check: ProcessDefinition, two_teams: dict[str, Any]
) -> None:
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=approval)
    for call in (services.instance_migration_check, services.instance_migrate):
        with pytest.raises(DomainError) as err:
            call(actor=hunter, instance=instance, target=with_check)
        assert err.value.code == "permission_denied"
    assert _fresh(instance).definition == approval
    # A head may.
    services.instance_migrate(actor=two_teams["head_a"], instance=instance, target=with_check)
    assert _fresh(instance).definition == with_check


def test_only_a_deployed_version_of_the_same_process_takes_instances(
    deploy: Any, approval: ProcessDefinition, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    admin = two_teams["admin"]
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    draft = services.definition_upload(actor=None, xml=approval_xml.replace(*ADD_CHECK))
    other = deploy(approval_xml, key="other")
    for target in (draft, other, approval):
        with pytest.raises(DomainError) as err:
            services.instance_migrate(actor=admin, instance=instance, target=target)
        assert (err.value.code, err.value.status) == ("bpm.migration_refused", 409)
    # A malformed mapping is a request wrong in itself: a 400, not the refusal by state.
    with pytest.raises(DomainError) as err:
        services.instance_migrate(actor=admin, instance=instance, target=other, mapping={"": "x"})
    assert (err.value.code, err.value.status) == ("validation_error", 400)
    assert err.value.details["field"] == "mapping"


def test_every_running_instance_of_a_version_moves_and_refused_ones_stay(
    deploy: Any, approval: ProcessDefinition, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    target = deploy(_renamed(approval_xml, b"rework", b"redo"))
    at_review = services.instance_start(actor=hunter, definition=approval)
    at_rework = services.instance_start(actor=hunter, definition=approval)
    services.task_complete(
        actor=head, task=open_task(at_rework), data={"approved": False, "discount": 1}
    )
    state = _fresh(at_rework).state

    results = services.instances_migrate(
        actor=two_teams["admin"], instances=[at_review, at_rework], target=target
    )
    assert [(r.instance_id, r.migrated) for r in results] == [
        (at_review.pk, True),
        (at_rework.pk, False),
    ]
    assert [p["element"] for p in results[1].problems] == ["rework"]
    assert _fresh(at_review).definition == target
    assert _fresh(at_rework).definition == approval
    assert _fresh(at_rework).state == state


def test_a_message_wait_follows_the_renamed_message(
    deploy: Any,
    approval: ProcessDefinition,
    approval_xml: bytes,
    two_teams: dict[str, Any],
    make_deal: Any,
) -> None:
    target = deploy(approval_xml.replace(b'name="payment_received"', b'name="paid"'))
    key = f"deal:{make_deal(two_teams['hunter_a']).pk}"
    instance = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=approval,
        object_type="deal",
        object_id=key.removeprefix("deal:"),
    )
    services.task_complete(
        actor=two_teams["head_a"], task=open_task(instance), data={"approved": True, "discount": 1}
    )
    sub = instance.subscriptions.get()
    services.instance_migrate(actor=two_teams["admin"], instance=instance, target=target)
    moved = instance.subscriptions.get()
    assert (moved.pk, moved.message_name, moved.correlation_key) == (sub.pk, "paid", key)
    services.message_correlate(actor=None, name="paid", correlation_key=key)
    assert _fresh(instance).status == InstanceStatus.COMPLETED


def test_a_running_sub_process_moves_and_takes_the_new_step_inside_it(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    xml = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
 <bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="sub"/>
  <bpmn:subProcess id="sub" name="Prepare">
   <bpmn:startEvent id="sub_s"/><bpmn:sequenceFlow id="sa" sourceRef="sub_s" targetRef="draft"/>
   <bpmn:userTask id="draft" name="Draft"/>
   <bpmn:sequenceFlow id="sb" sourceRef="draft" targetRef="sub_e"/><bpmn:endEvent id="sub_e"/>
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="b" sourceRef="sub" targetRef="sign"/>
  <bpmn:userTask id="sign" name="Sign"/>
  <bpmn:sequenceFlow id="c" sourceRef="sign" targetRef="e"/><bpmn:endEvent id="e"/>
 </bpmn:process></bpmn:definitions>"""
    v1 = deploy(xml)
    v2 = deploy(
        xml.replace(
            b'<bpmn:sequenceFlow id="sb" sourceRef="draft" targetRef="sub_e"/>',
            b'<bpmn:sequenceFlow id="sb" sourceRef="draft" targetRef="proof"/>'
            b'<bpmn:userTask id="proof" name="Proofread"/>'
            b'<bpmn:sequenceFlow id="sc" sourceRef="proof" targetRef="sub_e"/>',
        )
    )
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=v1)
    check = services.instance_migration_check(
        actor=two_teams["admin"], instance=instance, target=v2
    )
    assert {s["element"] for s in check.steps} == {"sub", "draft"}
    services.instance_migrate(actor=two_teams["admin"], instance=instance, target=v2)
    services.task_complete(actor=hunter, task=open_task(instance), data={})
    assert open_task(instance).element_id == "proof"
    services.task_complete(actor=hunter, task=open_task(instance), data={})
    assert open_task(instance).element_id == "sign"
    services.task_complete(actor=hunter, task=open_task(instance), data={})
    assert _fresh(instance).status == InstanceStatus.COMPLETED


def test_a_sequential_multi_instance_task_moves_between_its_iterations(
    deploy: Any,
    two_teams: dict[str, Any],
    readers_xml: bytes,
    readers_then_archive_xml: bytes,
) -> None:
    v1 = deploy(readers_xml)
    v2 = deploy(readers_then_archive_xml)
    head_a, head_b = two_teams["head_a"], two_teams["head_b"]
    instance = services.instance_start(
        actor=two_teams["hunter_a"], definition=v1, variables={"readers": ["head_a", "head_b"]}
    )
    services.task_complete(actor=head_a, task=open_task(instance), data={})
    services.instance_migrate(actor=two_teams["admin"], instance=instance, target=v2)
    second = open_task(instance)
    assert (second.element_id, second.assignee) == ("read", head_b)
    services.task_complete(actor=head_b, task=second, data={})
    assert open_task(instance).element_id == "archive"


def test_a_failed_instance_moves_to_a_fixed_version_and_the_retry_succeeds(
    deploy: Any, two_teams: dict[str, Any], failing_condition_xml: bytes
) -> None:
    xml = failing_condition_xml
    broken = deploy(xml)
    fixed = deploy(
        xml.replace(b"limit &gt; 5", b"amount &gt; 5").replace(b"limit &lt;= 5", b"amount &lt;= 5")
    )
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=broken, variables={"amount": 9})
    services.task_complete(actor=hunter, task=open_task(instance), data={})
    assert _fresh(instance).status == InstanceStatus.FAILED
    check = services.instance_migration_check(
        actor=two_teams["admin"], instance=instance, target=fixed
    )
    assert [(s["element"], s["state"]) for s in check.steps] == [("g", "failed")]
    services.instance_migrate(actor=two_teams["admin"], instance=instance, target=fixed)
    services.incident_retry(actor=hunter, incident=instance.incidents.get())
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states["e1"] == "done"


# -- HTTP ---------------------------------------------------------------------------------------


def test_the_api_checks_then_moves_an_instance(
    bearer: Any,
    approval: ProcessDefinition,
    with_check: ProcessDefinition,
    two_teams: dict[str, Any],
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    url = f"/api/v1/processes/instances/{instance.pk}/migrate"
    head = bearer(two_teams["head_a"])
    dry = head.post(url, {"target_version": 2, "dry_run": True}, content_type="application/json")
    assert dry.status_code == 200, dry.content
    assert (dry.json()["allowed"], dry.json()["migrated"], dry.json()["added"]) == (
        True,
        False,
        ["check"],
    )
    assert _fresh(instance).definition == approval

    refused = bearer(two_teams["hunter_a"]).post(
        url, {"target_version": 2}, content_type="application/json"
    )
    assert refused.status_code == 403
    moved = head.post(url, {"target_definition_id": with_check.pk}, content_type="application/json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["migrated"] is True
    assert head.get(f"/api/v1/processes/instances/{instance.pk}").json()["definition_version"] == 2
    back = head.post(url, {"target_version": 2}, content_type="application/json")
    assert back.status_code == 409  # already on version 2: refused by the instance's state
    assert back.json()["code"] == "bpm.migration_refused"
    nowhere = head.post(url, {"target_version": 9}, content_type="application/json")
    assert nowhere.status_code == 404


def test_the_api_refuses_a_removed_active_task_with_409(
    bearer: Any,
    deploy: Any,
    approval: ProcessDefinition,
    approval_xml: bytes,
    two_teams: dict[str, Any],
) -> None:
    deploy(_renamed(approval_xml, b"review", b"review_terms"))
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    response = bearer(two_teams["admin"]).post(
        f"/api/v1/processes/instances/{instance.pk}/migrate",
        {"target_version": 2},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "bpm.migration_refused"
    assert body["details"]["problems"][0]["element"] == "review"


def test_the_api_moves_every_running_instance_of_a_version(
    bearer: Any,
    approval: ProcessDefinition,
    with_check: ProcessDefinition,
    two_teams: dict[str, Any],
) -> None:
    first, second = (
        services.instance_start(actor=two_teams["hunter_a"], definition=approval) for _ in range(2)
    )
    services.instance_cancel(actor=two_teams["hunter_a"], instance=second)
    client = bearer(two_teams["admin"])
    url = f"/api/v1/processes/definitions/{approval.pk}/migrate"
    dry = client.post(url, {"target_version": 2, "dry_run": True}, content_type="application/json")
    assert dry.json()["migrated"] == 0
    assert [r["instance_id"] for r in dry.json()["results"]] == [first.pk]
    body = client.post(url, {"target_version": 2}, content_type="application/json").json()
    assert (body["migrated"], body["refused"]) == (1, 0)
    assert _fresh(first).definition == with_check
    assert _fresh(second).definition == approval  # cancelled: not moved


def test_the_page_checks_then_moves_on_confirm(
    approval: ProcessDefinition, with_check: ProcessDefinition, two_teams: dict[str, Any]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    client = signed_in(two_teams["admin"])
    detail = client.get(f"/processes/instances/{instance.pk}/")
    assert b'data-testid="migrate"' in detail.content
    url = f"/processes/instances/{instance.pk}/migrate/"
    checked = client.post(url, {"target": with_check.pk, "mapping": "", "confirm": "0"})
    assert checked.status_code == 200
    assert b'data-testid="migrate-allowed"' in checked.content
    assert b'data-testid="migrate-confirm"' in checked.content
    assert _fresh(instance).definition == approval
    moved = client.post(url, {"target": with_check.pk, "mapping": "", "confirm": "1"})
    assert moved.status_code == 302
    assert _fresh(instance).definition == with_check

    hunter = signed_in(two_teams["hunter_a"])
    assert hunter.get(url).status_code == 403
    assert (
        b'data-testid="migrate"' not in hunter.get(f"/processes/instances/{instance.pk}/").content
    )


def test_the_definition_page_lists_refusals_without_moving_them(
    deploy: Any, approval: ProcessDefinition, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    target = deploy(_renamed(approval_xml, b"review", b"review_terms"))
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    client = signed_in(two_teams["admin"])
    page = client.get(f"/processes/definitions/{approval.pk}/")
    assert b'data-testid="migrate"' in page.content
    url = f"/processes/definitions/{approval.pk}/migrate/"
    checked = client.post(url, {"target": target.pk, "mapping": "", "confirm": "0"})
    assert b'data-testid="migrate-refused"' in checked.content
    assert b'data-testid="migrate-confirm"' not in checked.content
    mapped = client.post(
        url, {"target": target.pk, "mapping": "review = review_terms", "confirm": "1"}
    )
    assert mapped.status_code == 302
    assert open_task(instance).element_id == "review_terms"
    bad = client.post(url, {"target": target.pk, "mapping": "review", "confirm": "0"})
    assert "mapping" in bad.context["form"].errors


# -- concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks need PostgreSQL; SQLite serialises writers by locking the whole database",
)
@pytest.mark.django_db(transaction=True)
def test_completing_a_task_while_the_instance_moves_loses_no_update(
    deploy: Any, approval_xml: bytes, two_teams: dict[str, Any]
) -> None:
    v1 = deploy(approval_xml)
    v2 = deploy(approval_xml.replace(*ADD_CHECK))
    head, admin = two_teams["head_a"], two_teams["admin"]
    for _round in range(3):
        instance = services.instance_start(actor=two_teams["hunter_a"], definition=v1)
        task = open_task(instance)
        start_version = _fresh(instance).lock_version
        errors = race(
            lambda task=task: services.task_complete(
                actor=head, task=task, data={"approved": True, "discount": 2}
            ),
            lambda instance=instance: services.instance_migrate(
                actor=admin, instance=instance, target=v2
            ),
        )
        assert errors == []
        instance = _fresh(instance)
        assert instance.definition == v2
        assert instance.lock_version == start_version + 2  # both changes saved, in turn
        assert instance.element_states["review"] == "done"  # the completion is not lost
        assert instance.variables["discount"] == 2
        assert HumanTask.objects.get(pk=task.pk).status == TaskStatus.COMPLETED
        # Whichever went first, the process is at a step of version 2.
        waiting_at = {k for k, v in instance.element_states.items() if v in {"active", "waiting"}}
        assert waiting_at in ({"check"}, {"wait_payment"})
        assert _migrated_events(instance).count() == 1


def test_the_migrate_operation_documents_migration_refused_as_its_409() -> None:
    operation = api.get_openapi_schema()["paths"][
        "/api/v1/processes/instances/{instance_id}/migrate"
    ]["post"]
    conflict = operation["responses"][409]
    assert "bpm.migration_refused" in conflict["description"]
    assert conflict["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
