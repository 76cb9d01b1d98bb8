# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""Record scope of processes (issue 15, item 1), through the API and the HTML pages, with
users of two teams: every refusal is a 403/404 that changed nothing (no instance, no event,
no variable, no task state). The rule itself is stated in `bpm/scope.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services
from greenwave.bpm.api import router
from greenwave.bpm.models import (
    HumanTask,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
)
from greenwave.bpm.tests.steps import open_task, process_rows, signed_in
from greenwave.bpm.urls import urlpatterns
from greenwave.core.models import Event
from greenwave.sales import services as sales
from greenwave.sales.models import Lead

pytestmark = pytest.mark.django_db

JSON = "application/json"

OFFERED = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:gw="https://greenwave.dev/schema/bpmn" id="d" targetNamespace="x">
 <bpmn:process id="legal_check" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check"/>
  <bpmn:userTask id="check" name="Legal check" gw:candidateRole="lawyer"/>
  <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e"/><bpmn:endEvent id="e"/>
 </bpmn:process></bpmn:definitions>"""


def _snapshot() -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    return (
        *process_rows(),
        list(Lead.objects.order_by("pk").values_list("pk", "responsible_id", "status", "team_id")),
        Event.objects.count(),
    )


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _lead(team: Any, responsible: Any) -> Lead:
    return sales.lead_create(
        actor=None, source="website", contact_name="Иван", phone="+79001112233", team=team,
        responsible=responsible,
    )  # fmt: skip


@pytest.fixture
def web_lead(db: Any) -> None:
    services.library_install(actor=None)


@pytest.fixture
def lawyer(make_user: Any, make_team: Any) -> Any:
    """A lawyer of the legal team: the «all» access of the role covers every team."""
    return make_user("lawyer", roles=["lawyer"], team=make_team("Legal"))


# -- (a) the new_lead message with another team's lead ----------------------------------------


def test_a_user_cannot_start_the_web_lead_process_on_another_teams_lead(
    web_lead: Any, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    lead = _lead(two_teams["team_a"], two_teams["hunter_a"])
    outsider = bearer(two_teams["hunter_b"])
    before = _snapshot()
    for body in (
        {"name": "new_lead", "correlation_key": f"lead:{lead.pk}", "payload": {"lead_id": lead.pk}},
        {"name": "new_lead", "payload": {"lead_id": lead.pk}},
        {"name": "new_lead", "payload": {"lead_id": str(lead.pk)}},
        {"name": "new_lead", "correlation_key": f"lead:{lead.pk}"},
    ):
        response = outsider.post("/api/v1/processes/messages", body, content_type=JSON)
        assert response.status_code == 404, (body, response.content)
        assert response.json()["code"] == "not_found"
    assert _snapshot() == before  # no process, no event, the lead untouched

    # The lead's own team may (the refusal above is the scope, not the message).
    own = bearer(two_teams["hunter_a"]).post(
        "/api/v1/processes/messages",
        {"name": "new_lead", "correlation_key": f"lead:{lead.pk}", "payload": {"lead_id": lead.pk}},
        content_type=JSON,
    )
    assert own.status_code == 200, own.content
    (instance_id,) = own.json()["instances"]
    assert ProcessInstance.objects.get(pk=instance_id).team == two_teams["team_a"]


def test_a_head_of_another_team_cannot_take_over_a_web_lead(
    web_lead: Any, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    lead = _lead(two_teams["team_a"], two_teams["hunter_a"])
    # As the web form does: the system starts the process for the lead.
    (instance,) = services.message_correlate(
        actor=None, name="new_lead", correlation_key=f"lead:{lead.pk}", payload={"lead_id": lead.pk}
    )
    assign = HumanTask.objects.get(instance=instance, element_id="assign")
    assert assign.candidate_role == "head_of_sales"
    head_b = bearer(two_teams["head_b"])
    before = _snapshot()
    assert assign.pk not in _ids(head_b.get("/api/v1/tasks"))
    assert assign.pk not in _ids(head_b.get("/api/v1/tasks?scope=team"))
    assert head_b.get(f"/api/v1/tasks/{assign.pk}").status_code == 404
    assert head_b.post(f"/api/v1/tasks/{assign.pk}/claim").status_code == 404
    takeover = {"data": {"responsible": "head_b", "wholesaler": "head_b"}}
    response = head_b.post(f"/api/v1/tasks/{assign.pk}/complete", takeover, content_type=JSON)
    assert response.status_code == 404
    page = signed_in(two_teams["head_b"])
    assert page.get(f"/processes/tasks/{assign.pk}/").status_code == 404
    assert (
        page.post(
            f"/processes/tasks/{assign.pk}/", {"responsible": "head_b", "wholesaler": "head_b"}
        ).status_code
        == 404
    )
    assert page.post(f"/processes/tasks/{assign.pk}/claim/").status_code == 404
    assert "Назначить ответственного" not in page.get("/processes/inbox/").content.decode()
    assert _snapshot() == before
    lead.refresh_from_db()
    assert lead.responsible == two_teams["hunter_a"]

    # The head of the lead's team is offered it.
    assert assign.pk in _ids(bearer(two_teams["head_a"]).get("/api/v1/tasks"))


# -- (b) correlation by key stays within what the sender sees ---------------------------------


def _waiting_for_payment(
    approval: ProcessDefinition, starter: Any, head: Any, key: str
) -> ProcessInstance:
    instance = services.instance_start(actor=starter, definition=approval, business_key=key)
    task = open_task(instance)
    services.task_complete(actor=head, task=task, data={"approved": True, "discount": 5})
    assert instance.subscriptions.exists()
    return instance


def test_a_message_by_key_does_not_reach_another_teams_process(
    approval: ProcessDefinition, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    theirs = _waiting_for_payment(
        approval, two_teams["hunter_a"], two_teams["head_a"], "contract-1"
    )
    outsider = bearer(two_teams["hunter_b"])
    before = _snapshot()
    response = outsider.post(
        "/api/v1/processes/messages",
        {"name": "payment_received", "correlation_key": "contract-1", "payload": {"paid": 1}},
        content_type=JSON,
    )
    assert response.status_code == 404
    assert _snapshot() == before
    instance = ProcessInstance.objects.get(pk=theirs.pk)
    assert "paid" not in instance.variables
    assert instance.status == InstanceStatus.RUNNING

    delivered = bearer(two_teams["hunter_a"]).post(
        "/api/v1/processes/messages",
        {"name": "payment_received", "correlation_key": "contract-1", "payload": {"paid": 1}},
        content_type=JSON,
    )
    assert delivered.json() == {"instances": [theirs.pk]}


def test_an_ambiguous_message_lists_only_the_senders_processes(
    approval: ProcessDefinition, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    a1, a2 = (
        _waiting_for_payment(approval, two_teams["hunter_a"], two_teams["head_a"], f"a-{n}")
        for n in (1, 2)
    )
    b1 = _waiting_for_payment(approval, two_teams["hunter_b"], two_teams["head_b"], "b-1")
    message = {"name": "payment_received", "payload": {"paid": 9}}

    own_team = bearer(two_teams["hunter_a"]).post(
        "/api/v1/processes/messages", message, content_type=JSON
    )
    assert own_team.status_code == 409
    assert sorted(own_team.json()["details"]["instances"]) == sorted([a1.pk, a2.pk])

    # Team B's only waiting process is the one it sees: delivered there, never to team A's.
    before = _snapshot()
    versions = dict(ProcessInstance.objects.values_list("pk", "lock_version"))
    delivered = bearer(two_teams["hunter_b"]).post(
        "/api/v1/processes/messages", message, content_type=JSON
    )
    assert delivered.json() == {"instances": [b1.pk]}
    for other in (a1, a2):
        row = ProcessInstance.objects.get(pk=other.pk)
        assert "paid" not in row.variables
        assert row.lock_version == versions[other.pk]
    assert Event.objects.count() > before[-1]  # b1 moved on

    # Now team B sees none waiting: the plain "nobody waits", with no ids of team A in it.
    team_b = bearer(two_teams["hunter_b"])
    before = _snapshot()
    refused = team_b.post("/api/v1/processes/messages", message, content_type=JSON)
    assert refused.status_code == 404
    assert "instances" not in refused.json()["details"]
    assert _snapshot() == before


# -- (c) tasks offered to a role ---------------------------------------------------------------


def test_a_role_offer_goes_only_to_holders_whose_scope_covers_the_process(
    approval: ProcessDefinition, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance)
    assert (task.candidate_role, task.assignee) == ("head_of_sales", None)
    head_b = bearer(two_teams["head_b"])
    before = _snapshot()
    assert task.pk not in _ids(head_b.get("/api/v1/tasks"))
    assert task.pk not in _ids(head_b.get("/api/v1/tasks?scope=team"))
    assert task.pk not in _ids(head_b.get("/api/v1/tasks?status=open"))
    assert head_b.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert head_b.post(f"/api/v1/tasks/{task.pk}/claim").status_code == 404
    done = {"data": {"approved": True, "discount": 1}}
    assert (
        head_b.post(f"/api/v1/tasks/{task.pk}/complete", done, content_type=JSON).status_code == 404
    )
    page = signed_in(two_teams["head_b"])
    assert "Review the discount" not in page.get("/processes/inbox/").content.decode()
    assert page.get(f"/processes/tasks/{task.pk}/").status_code == 404
    assert page.post(f"/processes/tasks/{task.pk}/claim/").status_code == 404
    assert page.post(f"/processes/tasks/{task.pk}/", {"discount": "1"}).status_code == 404
    assert _snapshot() == before

    # The head of the team and the head above it are offered it; the initiator reads it.
    assert task.pk in _ids(bearer(two_teams["head_a"]).get("/api/v1/tasks"))
    director = bearer(two_teams["director"])
    assert task.pk in _ids(director.get("/api/v1/tasks"))
    assert director.post(f"/api/v1/tasks/{task.pk}/claim").status_code == 200
    initiator = bearer(two_teams["hunter_a"])
    assert initiator.get(f"/api/v1/tasks/{task.pk}").status_code == 200
    assert signed_in(two_teams["hunter_a"]).get(f"/processes/tasks/{task.pk}/").status_code == 200
    assert (
        director.post(f"/api/v1/tasks/{task.pk}/complete", done, content_type=JSON).status_code
        == 200
    )


def test_an_all_access_role_receives_its_offers_from_every_team(
    deploy: Any, two_teams: dict[str, Any], lawyer: Any, bearer: Callable[..., Client]
) -> None:
    definition = deploy(OFFERED)
    of_a = services.instance_start(actor=two_teams["hunter_a"], definition=definition)
    of_b = services.instance_start(actor=two_teams["hunter_b"], definition=definition)
    tasks = {i.pk: HumanTask.objects.get(instance=i) for i in (of_a, of_b)}
    client = bearer(lawyer)
    assert _ids(client.get("/api/v1/tasks")) == {t.pk for t in tasks.values()}
    for task in tasks.values():
        response = client.post(f"/api/v1/tasks/{task.pk}/complete", {"data": {}}, content_type=JSON)
        assert response.status_code == 200, response.content
    assert {ProcessInstance.objects.get(pk=pk).status for pk in tasks} == {InstanceStatus.COMPLETED}


def test_an_offer_of_a_process_of_no_team_goes_to_no_teams_head(
    approval: ProcessDefinition, two_teams: dict[str, Any], bearer: Callable[..., Client]
) -> None:
    instance = services.instance_start(actor=None, definition=approval)
    task = HumanTask.objects.get(instance=instance)
    for head in ("head_a", "head_b", "director"):
        assert task.pk not in _ids(bearer(two_teams[head]).get("/api/v1/tasks"))
    admin = bearer(two_teams["admin"])
    assert task.pk in _ids(admin.get("/api/v1/tasks?scope=team"))
    done = {"data": {"approved": True, "discount": 1}}
    assert (
        admin.post(f"/api/v1/tasks/{task.pk}/complete", done, content_type=JSON).status_code == 200
    )


# -- (d) binding a process to another team's record -------------------------------------------


def test_a_process_cannot_be_bound_to_another_teams_record(
    approval: ProcessDefinition,
    two_teams: dict[str, Any],
    bearer: Callable[..., Client],
    make_deal: Any,
) -> None:
    deal = make_deal(two_teams["hunter_a"])
    own = make_deal(two_teams["hunter_b"])
    deal_history = Event.objects.filter(links__object_type="deal", links__object_id=str(deal.pk))
    events_of_deal = deal_history.count()
    outsider = bearer(two_teams["hunter_b"])
    before = _snapshot()
    for body in (
        {"object_type": "deal", "object_id": str(deal.pk)},
        {"business_key": f"deal:{deal.pk}"},
        {"variables": {"deal_id": deal.pk}},
        {"variables": {"deal_ids": [own.pk, deal.pk]}},
        {"variables": {"lead_id": 10**12}},  # no such record: the same answer
        {"variables": {"company_id": 10**30}},  # beyond bigint: the same answer, no 500
        {"variables": {"client_ids": ["x"]}},
    ):
        response = outsider.post(
            "/api/v1/processes/instances", {"key": approval.key, **body}, content_type=JSON
        )
        assert response.status_code == 404, (body, response.content)
    unknown = outsider.post(
        "/api/v1/processes/instances",
        {"key": approval.key, "object_type": "banana", "object_id": "1"},
        content_type=JSON,
    )
    assert unknown.status_code == 400
    page = signed_in(two_teams["hunter_b"])
    start = page.post(
        f"/processes/definitions/{approval.pk}/start/",
        {"object_type": "deal", "object_id": str(deal.pk)},
    )
    assert start.status_code == 302  # back to the definition with the error
    assert _snapshot() == before
    assert deal_history.count() == events_of_deal
    assert not ProcessInstance.objects.filter(object_id=str(deal.pk)).exists()

    # His own deal he may bind; the process belongs to the deal's team.
    started = outsider.post(
        "/api/v1/processes/instances",
        {"key": approval.key, "object_type": "deal", "object_id": str(own.pk)},
        content_type=JSON,
    )
    assert started.status_code == 201, started.content
    assert ProcessInstance.objects.get(pk=started.json()["id"]).team == two_teams["team_b"]


def test_a_task_form_cannot_name_another_teams_record(
    deploy: Any, two_teams: dict[str, Any], bearer: Callable[..., Client], make_deal: Any
) -> None:
    definition = deploy(
        OFFERED.replace(
            b'gw:candidateRole="lawyer"/>',
            b'gw:assignee="=initiator"><bpmn:extensionElements><gw:form>'
            b'<gw:field name="deal_id" type="integer" label="Deal"/>'
            b"</gw:form></bpmn:extensionElements></bpmn:userTask>",
        )
    )
    instance = services.instance_start(actor=two_teams["hunter_b"], definition=definition)
    task = HumanTask.objects.get(instance=instance)
    other = make_deal(two_teams["hunter_a"])
    client = bearer(two_teams["hunter_b"])
    before = _snapshot()
    response = client.post(
        f"/api/v1/tasks/{task.pk}/complete", {"data": {"deal_id": other.pk}}, content_type=JSON
    )
    assert response.status_code == 404
    assert _snapshot() == before
    own = make_deal(two_teams["hunter_b"])
    response = client.post(
        f"/api/v1/tasks/{task.pk}/complete", {"data": {"deal_id": own.pk}}, content_type=JSON
    )
    assert response.status_code == 200, response.content


# -- the IDOR walk over every process, task and message path ----------------------------------


@pytest.fixture
def team_a_processes(
    approval: ProcessDefinition,
    approval_xml: bytes,
    deploy: Any,
    failing_condition_xml: bytes,
    two_teams: dict[str, Any],
    make_deal: Any,
) -> dict[str, Any]:
    """Team A's records: a process bound to a deal at an open offer, one with a claimed
    task, one waiting for a message, one failed with an incident; and a second version of
    the approval to migrate to."""
    hunter_a, head_a = two_teams["hunter_a"], two_teams["head_a"]
    deal = make_deal(hunter_a)
    offered = services.instance_start(
        actor=hunter_a, definition=approval, object_type="deal", object_id=deal.pk
    )
    claimed = services.instance_start(actor=hunter_a, definition=approval, business_key="a-2")
    claimed_task = HumanTask.objects.get(instance=claimed)
    services.task_claim(actor=head_a, task=claimed_task)
    waiting = services.instance_start(actor=hunter_a, definition=approval, business_key="a-3")
    services.task_complete(
        actor=head_a,
        task=HumanTask.objects.get(instance=waiting),
        data={"approved": True, "discount": 1},
    )
    assert waiting.subscriptions.exists()
    failing = services.instance_start(actor=hunter_a, definition=deploy(failing_condition_xml))
    services.task_complete(actor=hunter_a, task=HumanTask.objects.get(instance=failing), data={})
    incident = failing.incidents.get()
    v2 = deploy(approval_xml.replace(b"Review the discount", b"Check the discount"))
    return {
        "deal": deal,
        "instance": offered,
        "task": HumanTask.objects.get(instance=offered),
        "claimed": claimed_task,
        "incident": incident,
        "definition": approval,
        "v2": v2,
    }


def _api_walk(p: dict[str, Any], outsider: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(method, path template of the router, path, body) for every request of the walk."""
    instance, task, claimed = p["instance"].pk, p["task"].pk, p["claimed"].pk
    migrate = {"target_definition_id": p["v2"].pk}
    done = {"data": {"approved": True, "discount": 1}}
    by_deal = {"key": "discount", "object_type": "deal", "object_id": str(p["deal"].pk)}
    instances, tasks = "/processes/instances/{instance_id}", "/tasks/{task_id}"
    return [
        ("GET", instances, f"/processes/instances/{instance}", {}),
        ("POST", f"{instances}/cancel", f"/processes/instances/{instance}/cancel", {}),
        ("POST", f"{instances}/migrate", f"/processes/instances/{instance}/migrate", migrate),
        (
            "POST",
            f"{instances}/migrate",
            f"/processes/instances/{instance}/migrate",
            {**migrate, "dry_run": True},
        ),
        ("GET", f"{instances}/history", f"/processes/instances/{instance}/history", {}),
        (
            "POST",
            "/processes/incidents/{incident_id}/retry",
            f"/processes/incidents/{p['incident'].pk}/retry",
            {},
        ),
        ("GET", tasks, f"/tasks/{task}", {}),
        ("GET", tasks, f"/tasks/{claimed}", {}),
        ("POST", f"{tasks}/claim", f"/tasks/{task}/claim", {}),
        ("POST", f"{tasks}/unclaim", f"/tasks/{claimed}/unclaim", {}),
        ("POST", f"{tasks}/delegate", f"/tasks/{task}/delegate", {"user_id": outsider.pk}),
        ("POST", f"{tasks}/delegate", f"/tasks/{claimed}/delegate", {"user_id": outsider.pk}),
        ("POST", f"{tasks}/complete", f"/tasks/{task}/complete", done),
        ("POST", f"{tasks}/complete", f"/tasks/{claimed}/complete", done),
        # the multipart twin: the task is looked up (and scoped) before the body is read
        ("POST", f"{tasks}/complete/multipart", f"/tasks/{task}/complete/multipart", done),
        ("POST", f"{tasks}/complete/multipart", f"/tasks/{claimed}/complete/multipart", done),
        (
            "POST",
            "/processes/messages",
            "/processes/messages",
            {"name": "payment_received", "correlation_key": "a-3", "payload": {"paid": 1}},
        ),
        (
            "POST",
            "/processes/messages",
            "/processes/messages",
            {"name": "payment_received", "payload": {"paid": 1}},
        ),
        ("POST", "/processes/instances", "/processes/instances", by_deal),
        ("GET", "/events", f"/events?case=process_instance:{instance}", {}),
    ]


def test_the_api_walk_covers_every_process_task_and_message_path(
    team_a_processes: dict[str, Any], two_teams: dict[str, Any]
) -> None:
    """A new item path of the bpm router fails here until the walk below covers it."""
    walked = {
        (method, template)
        for method, template, _path, _body in _api_walk(team_a_processes, two_teams["hunter_b"])
    }
    item_paths = {
        (method, path)
        for path, view in router.path_operations.items()
        if any(k in path for k in ("{instance_id}", "{task_id}", "{incident_id}", "/messages"))
        for operation in view.operations
        for method in operation.methods
    }
    assert item_paths <= walked, item_paths - walked


@pytest.mark.parametrize("who", ["hunter_b", "head_b"])
def test_idor_walk_of_the_process_api(
    who: str,
    team_a_processes: dict[str, Any],
    two_teams: dict[str, Any],
    bearer: Callable[..., Client],
) -> None:
    outsider = two_teams[who]
    client = bearer(outsider)
    client.get("/api/v1/tasks")  # the token's first use is recorded before the snapshot
    before = _snapshot()
    for method, _template, path, body in _api_walk(team_a_processes, outsider):
        url = f"/api/v1{path}"
        post = client.post
        response = client.get(url) if method == "GET" else post(url, body, content_type=JSON)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert _snapshot() == before, (method, path)
    # The definition-wide migration moves only what the caller sees: nothing of team A.
    response = client.post(
        f"/api/v1/processes/definitions/{team_a_processes['definition'].pk}/migrate",
        {"target_definition_id": team_a_processes["v2"].pk},
        content_type=JSON,
    )
    assert response.status_code == 403 or response.json()["results"] == []
    for listing in ("/processes/instances", "/tasks", "/tasks?scope=team"):
        assert _ids(client.get(f"/api/v1{listing}")) == set(), listing
    assert _snapshot() == before


def _html_walk(p: dict[str, Any], outsider: Any) -> list[tuple[str, str, dict[str, Any]]]:
    instance, task, claimed = p["instance"].pk, p["task"].pk, p["claimed"].pk
    return [
        ("GET", f"/processes/instances/{instance}/", {}),
        ("POST", f"/processes/instances/{instance}/cancel/", {}),
        ("GET", f"/processes/instances/{instance}/migrate/", {}),
        (
            "POST",
            f"/processes/instances/{instance}/migrate/",
            {"target": p["v2"].pk, "confirm": "1"},
        ),
        ("POST", f"/processes/incidents/{p['incident'].pk}/retry/", {}),
        ("GET", f"/processes/tasks/{task}/", {}),
        ("POST", f"/processes/tasks/{task}/", {"approved": "on", "discount": "1"}),
        ("POST", f"/processes/tasks/{claimed}/", {"approved": "on", "discount": "1"}),
        ("POST", f"/processes/tasks/{task}/claim/", {}),
        ("POST", f"/processes/tasks/{claimed}/unclaim/", {}),
        ("POST", f"/processes/tasks/{task}/delegate/", {"user": outsider.pk}),
        ("POST", f"/processes/tasks/{claimed}/delegate/", {"user": outsider.pk}),
    ]


HTML_ITEM_VIEWS = {
    "instance_detail",
    "instance_cancel",
    "instance_migrate",
    "incident_retry",
    "task_detail",
    "task_action",
    # the files of a process: walked by test_process_files.py (approvers in, others out)
    "process_file",
}


def test_the_html_walk_covers_every_process_and_task_page() -> None:
    item_views = {
        pattern.name
        for pattern in urlpatterns
        if any(
            k in str(pattern.pattern) for k in ("instances/<", "tasks/<", "incidents/<", "files/<")
        )
    }
    assert item_views <= HTML_ITEM_VIEWS, item_views - HTML_ITEM_VIEWS


@pytest.mark.parametrize("who", ["hunter_b", "head_b"])
def test_idor_walk_of_the_process_pages(
    who: str, team_a_processes: dict[str, Any], two_teams: dict[str, Any]
) -> None:
    outsider = two_teams[who]
    client = signed_in(outsider)
    client.get("/processes/inbox/")
    before = _snapshot()
    for method, path, body in _html_walk(team_a_processes, outsider):
        response = client.get(path) if method == "GET" else client.post(path, body)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert _snapshot() == before, (method, path)
    for page in ("/processes/inbox/", "/processes/team/", "/processes/instances/"):
        text = client.get(page).content.decode()
        assert "Review the discount" not in text, page
        assert f"/processes/instances/{team_a_processes['instance'].pk}/" not in text, page
