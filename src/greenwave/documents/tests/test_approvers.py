"""The initiator chooses who approves a document (document_approval): checked people, the
choice in the process variables, each chosen person gets their stage's task. Without a
choice (the system, an API call naming nobody) the heads of the deal's teams approve."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.documents import services
from greenwave.documents.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: Any) -> None:
    bpm.library_install(actor=None)


@pytest.fixture
def quote(seller, deal, two_teams) -> Document:
    return services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="quote", with_pdf=False
    )


def _open_task(instance_id: int, element: str) -> HumanTask:
    return HumanTask.objects.get(
        instance_id=instance_id, element_id=element, status=TaskStatus.OPEN
    )


def test_each_chosen_approver_gets_their_stage(quote, two_teams, make_user, library) -> None:
    team = two_teams["team_a"]
    lawyer = make_user("lawyer_a", roles=["lawyer"], team=team)
    hunter = two_teams["hunter_a"]
    quote = services.document_send_for_approval(
        actor=hunter, document=quote, approvers=[lawyer, two_teams["head_a"]]
    )
    run = ProcessInstance.objects.get(pk=quote.approval_instance_id)
    assert run.variables["approvers"] == ["lawyer_a", "head_a"]
    assert run.variables["approvers_chosen"] is True
    first = _open_task(run.pk, "stage1")
    assert first.assignee == lawyer
    bpm.task_complete(actor=lawyer, task=first, data={"decision": "approve"})
    second = _open_task(run.pk, "stage2")
    assert second.assignee == two_teams["head_a"]
    bpm.task_complete(actor=two_teams["head_a"], task=second, data={"decision": "approve"})
    assert services.approval_state(quote) == DocumentStatus.APPROVED
    sent = Event.objects.get(case_type="document", activity="document_sent_for_approval")
    assert sent.payload["approvers"] == ["lawyer_a", "head_a"]
    assert sent.payload["approvers_chosen"] is True


def test_one_chosen_approver_holds_both_stages(quote, two_teams, library) -> None:
    head = two_teams["head_a"]
    quote = services.document_send_for_approval(
        actor=two_teams["hunter_a"], document=quote, approvers=[head]
    )
    run = ProcessInstance.objects.get(pk=quote.approval_instance_id)
    assert run.variables["approvers"] == ["head_a"]
    assert _open_task(run.pk, "stage1").assignee == head


def test_without_a_choice_the_heads_approve(quote, two_teams, library) -> None:
    quote = services.document_send_for_approval(actor=two_teams["hunter_a"], document=quote)
    run = ProcessInstance.objects.get(pk=quote.approval_instance_id)
    assert run.variables["approvers"] == ["head_a", "director"]
    assert run.variables["approvers_chosen"] is False
    assert _open_task(run.pk, "stage1").assignee == two_teams["head_a"]


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ([], "at least one"),
        (["head_a", "head_a"], "twice"),
        (["head_a", "director", "admin"], "two stages"),
        (["inactive"], "inactive"),
        (["hunter_b"], "cannot open this deal"),
    ],
)
def test_a_bad_choice_is_refused_and_nothing_starts(
    quote, two_teams, make_user, library, choice, message
) -> None:
    people = {**two_teams, "inactive": make_user("gone", roles=["head_of_sales"])}
    people["inactive"].is_active = False
    people["inactive"].save()
    with pytest.raises(DomainError) as caught:
        services.document_send_for_approval(
            actor=two_teams["hunter_a"],
            document=quote,
            approvers=[people[name] for name in choice],
        )
    assert message in caught.value.message
    assert caught.value.details["field"] == "approver_ids"
    assert not ProcessInstance.objects.exists()
    quote.refresh_from_db()
    assert quote.status == DocumentStatus.DRAFT
    assert not Event.objects.filter(activity="document_sent_for_approval").exists()


def test_a_contract_takes_no_chosen_approvers(seller, deal, two_teams, library) -> None:
    from greenwave.crm import services as crm_services

    contact = crm_services.contact_create(
        actor=None, company=deal.company, full_name="Петров Сергей Николаевич", position="Директор"
    )
    crm_services.decision_maker_add(actor=None, company=deal.company, contact=contact, role="ЛПР")
    contract = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="contract", with_pdf=False
    )
    with pytest.raises(DomainError) as caught:
        services.document_send_for_approval(
            actor=two_teams["hunter_a"], document=contract, approvers=[two_teams["head_a"]]
        )
    assert caught.value.details["field"] == "approver_ids"


def test_the_approval_page_picks_people(quote, two_teams, library) -> None:
    client = Client()
    client.force_login(two_teams["hunter_a"])
    form = client.get(f"/documents/{quote.pk}/approval/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="approver1"' in html
    assert 'name="approver2"' in html
    same = client.post(
        f"/documents/{quote.pk}/approval/",
        {"approver1": two_teams["head_a"].pk, "approver2": two_teams["head_a"].pk},
    )
    assert same.status_code == 200  # the form again, with the error
    assert not ProcessInstance.objects.exists()
    ok = client.post(
        f"/documents/{quote.pk}/approval/",
        {"approver1": two_teams["director"].pk, "approver2": two_teams["head_a"].pk},
    )
    assert ok.status_code == 302
    run = ProcessInstance.objects.get()
    assert run.variables["approvers"] == ["director", "head_a"]
    outsider = Client()
    outsider.force_login(two_teams["hunter_b"])
    assert outsider.get(f"/documents/{quote.pk}/approval/").status_code == 404


def test_the_api_takes_approver_ids(quote, two_teams, bearer, library) -> None:
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/documents/{quote.pk}/approval"
    bad = api.post(url, {"approver_ids": [999999]}, content_type="application/json")
    assert bad.status_code == 400
    assert not ProcessInstance.objects.exists()
    ok = api.post(url, {"approver_ids": [two_teams["head_a"].pk]}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "on_approval"
    assert ProcessInstance.objects.get().variables["approvers"] == ["head_a"]


def test_the_api_without_a_body_keeps_the_default_approvers(quote, two_teams, bearer, library):
    api = bearer(two_teams["hunter_a"])
    answer = api.post(f"/api/v1/documents/{quote.pk}/approval")
    assert answer.status_code == 200, answer.content
    run = ProcessInstance.objects.get()
    assert run.variables["approvers"] == ["head_a", "director"]
    assert run.variables["approvers_chosen"] is False


def test_the_api_refuses_a_malformed_body(quote, two_teams, bearer, library) -> None:
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/documents/{quote.pk}/approval"
    for body in ('{"approver_ids": "head_a"}', "{not json", '{"approver_ids": []}'):
        answer = api.post(url, body, content_type="application/json")
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["details"]["field"] == "approver_ids"
    assert not ProcessInstance.objects.exists()
