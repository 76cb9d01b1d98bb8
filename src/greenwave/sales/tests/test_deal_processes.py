"""Processes wired to the deal (issue 14, item 2): the contract approval is started from the
deal (its card, or on entering the stage that names it), bound to the deal by reference, and
its approved outcome — only that — meets the gate «Договор согласован»."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services as bpm
from greenwave.bpm.errors import BpmError
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.bpm.tests.steps import with_reviewers
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm
from greenwave.sales import services
from greenwave.sales.errors import SalesError
from greenwave.sales.forms import StageForm
from greenwave.sales.gates import evaluate_stage
from greenwave.sales.models import Deal, Stage
from greenwave.sales.tests.papers import attach_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: Any) -> dict[str, Any]:
    return {d.key: d for d in bpm.library_install(actor=None)}


@pytest.fixture
def people(two_teams: dict[str, Any], make_user: Any) -> dict[str, Any]:
    return with_reviewers(make_user, two_teams)


def _deal(people: dict[str, Any], b2b: Any, stages: dict[str, Stage], stage: str) -> Deal:
    client = crm.company_create(actor=people["hunter_a"], name="ООО «Насосы»")
    deal = services.deal_create(
        actor=people["hunter_a"],
        title="Поставка насосов",
        pipeline=b2b,
        stage=stages[stage],
        amount=Decimal("150000"),
        expected_close_date=date(2030, 1, 31),
        company=client,
    )
    attach_paper(people["hunter_a"], deal, "contract", "Договор №7")
    return deal


def _run(deal: Deal) -> ProcessInstance:
    return ProcessInstance.objects.get(object_type="deal", object_id=str(deal.pk))


def _decide(user: Any, instance: ProcessInstance, element: str, decision: str) -> None:
    task = HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)
    bpm.task_complete(actor=user, task=task, data={"decision": decision})


def _approve_all(people: dict[str, Any], instance: ProcessInstance) -> None:
    _decide(people["head_a"], instance, "review_head", "approve")
    _decide(people["lawyer"], instance, "review_lawyer", "approve")
    _decide(people["finance"], instance, "review_finance", "approve")


def _approval_met(deal: Deal, stage: Stage) -> bool:
    deal.refresh_from_db()
    return next(i for i in evaluate_stage(deal, stage) if i.kind == "approval").met


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- through the services ------------------------------------------------------------------


def test_a_process_started_from_the_deal_is_bound_to_it_with_its_context(
    library, people, b2b, stages
) -> None:
    deal = _deal(people, b2b, stages, "contract")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    instance = ProcessInstance.objects.get(pk=pk)
    assert (instance.object_type, instance.object_id) == ("deal", str(deal.pk))
    variables = instance.variables
    assert variables["deal_id"] == deal.pk
    assert variables["deal_url"] == f"/sales/deals/{deal.pk}/"
    assert variables["client_name"] == "ООО «Насосы»"
    assert variables["client_url"] == f"/clients/companies/{deal.company_id}/"
    assert variables["amount"] == "150000.00"
    assert variables["document_title"] == "Договор №7"
    assert variables["document_url"].endswith(".txt")
    # The run shows in the deal's history (its events are linked to the deal).
    started = Event.objects.get(case_id=str(pk), activity="process_started")
    assert started.links.filter(object_type="deal", object_id=str(deal.pk)).exists()
    # A second run while the first is open is refused: the lawyer would approve twice.
    with pytest.raises(DomainError) as caught:
        services.deal_process_start(
            actor=people["hunter_a"], deal=deal, process_key="contract_approval"
        )
    assert caught.value.code == BpmError.ALREADY_RUNNING
    assert ProcessInstance.objects.filter(object_id=str(deal.pk)).count() == 1


def test_another_teams_deal_cannot_get_a_process(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    with pytest.raises(DomainError):
        services.deal_process_start(
            actor=people["hunter_b"], deal=deal, process_key="contract_approval"
        )
    assert not ProcessInstance.objects.exists()


def test_only_deal_processes_start_from_a_deal(library, people, b2b, stages) -> None:
    assert {p.key for p in services.deal_processes()} == {
        "contract_approval",
        "contract_approval_directors",  # seed 004's route with the general director
        "supplier_order",
        "shipment",
    }
    deal = _deal(people, b2b, stages, "contract")
    with pytest.raises(DomainError) as caught:
        services.deal_process_start(
            actor=people["hunter_a"], deal=deal, process_key="acknowledgement"
        )
    assert caught.value.code == BpmError.NOT_DEPLOYED
    assert not ProcessInstance.objects.exists()


def test_entering_the_stage_that_names_the_process_starts_it_once(
    library, people, b2b, stages
) -> None:
    assert stages["contract"].opening_process == "contract_approval"  # the data migration
    deal = _deal(people, b2b, stages, "cp_approval")
    services.deal_approve(actor=people["head_a"], deal=deal, kind="cp")
    services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["contract"])
    instance = _run(deal)
    assert instance.status == InstanceStatus.RUNNING
    assert instance.responsible == people["hunter_a"]
    (task,) = HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN)
    assert task.candidate_role == "head_of_sales"
    # Back and in again while it runs: no second run.
    services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["cp_approval"])
    services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["contract"])
    assert ProcessInstance.objects.filter(object_id=str(deal.pk)).count() == 1


def test_entering_the_stage_starts_nothing_when_the_process_is_not_deployed(
    people, b2b, stages
) -> None:
    deal = _deal(people, b2b, stages, "cp_approval")
    services.deal_approve(actor=people["head_a"], deal=deal, kind="cp")
    services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["contract"])
    assert Deal.objects.get(pk=deal.pk).stage == stages["contract"]
    assert not ProcessInstance.objects.exists()


def test_the_approved_outcome_meets_the_gate_and_the_deal_moves_on(
    library, people, b2b, stages
) -> None:
    deal = _deal(people, b2b, stages, "contract")
    services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    instance = _run(deal)
    assert not _approval_met(deal, stages["contract"])
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["invoice"])
    assert caught.value.code == SalesError.GATE_NOT_MET
    _approve_all(people, instance)
    instance.refresh_from_db()
    assert instance.status == InstanceStatus.COMPLETED
    done = Event.objects.get(case_id=str(instance.pk), activity="process_completed")
    assert done.payload == {"definition": "contract_approval", "outcome": "approved"}
    assert _approval_met(deal, stages["contract"])
    assert not deal.approvals.exists()  # nobody approved by hand a second time
    moved = services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["invoice"])
    assert moved.stage == stages["invoice"]
    # Entering the stage again after an approved run starts no new run.
    services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["contract"])
    assert ProcessInstance.objects.filter(object_id=str(deal.pk)).count() == 1


def test_a_rejected_outcome_leaves_the_gate_unmet_until_a_new_run_is_approved(
    library, people, b2b, stages
) -> None:
    deal = _deal(people, b2b, stages, "contract")
    services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    first = _run(deal)
    _decide(people["head_a"], first, "review_head", "approve")
    _decide(people["lawyer"], first, "review_lawyer", "reject")
    first.refresh_from_db()
    assert first.status == InstanceStatus.COMPLETED
    assert bpm.instance_outcome(first) == "rejected"
    assert not _approval_met(deal, stages["contract"])
    with pytest.raises(DomainError) as caught:
        services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["invoice"])
    assert caught.value.code == SalesError.GATE_NOT_MET
    # The reworked contract goes through again; the latest run decides.
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    _approve_all(people, ProcessInstance.objects.get(pk=pk))
    assert _approval_met(deal, stages["contract"])
    runs = services.deal_process_runs(deal=deal)
    assert [(r.id, r.outcome) for r in runs] == [(pk, "approved"), (first.pk, "rejected")]


def test_a_cancelled_run_meets_nothing(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    bpm.instance_cancel(actor=people["hunter_a"], instance=ProcessInstance.objects.get(pk=pk))
    assert not _approval_met(deal, stages["contract"])


def test_an_approved_run_of_another_deal_does_not_count(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    other = services.deal_create(
        actor=people["hunter_a"], title="Другая", pipeline=b2b, stage=stages["contract"]
    )
    attach_paper(people["hunter_a"], other, "contract", "Договор №8")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=other, process_key="contract_approval"
    )
    _approve_all(people, ProcessInstance.objects.get(pk=pk))
    assert _approval_met(other, stages["contract"])
    assert not _approval_met(deal, stages["contract"])


def test_a_contract_approval_is_refused_on_a_deal_without_a_contract(
    library, people, b2b, stages, bearer
) -> None:
    """The approval starts on the contract (its start event is «Проект договора готов»): not
    on the questionnaire, the newest paper of a deal that has no contract yet."""
    deal = services.deal_create(
        actor=people["hunter_a"], title="Клапаны", pipeline=b2b, stage=stages["contract"]
    )
    attach_paper(people["hunter_a"], deal, "questionnaire", "Анкета клиента")
    with pytest.raises(DomainError) as caught:
        services.deal_process_start(
            actor=people["hunter_a"], deal=deal, process_key="contract_approval"
        )
    assert (caught.value.code, caught.value.status) == (SalesError.CONTRACT_MISSING, 409)
    response = bearer(people["hunter_a"]).post(
        f"/api/v1/deals/{deal.pk}/processes",
        {"key": "contract_approval"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "sales.contract_missing")
    assert not ProcessInstance.objects.exists()
    # Another deal process names no paper but a contract: never the questionnaire.
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="supplier_order"
    )
    variables = ProcessInstance.objects.get(pk=pk).variables
    assert (variables["document_title"], variables["document_kind"]) == ("", "")
    assert variables["document_url"] == f"/sales/deals/{deal.pk}/#documents"


def test_the_approval_names_the_contract_not_a_newer_paper(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    attach_paper(people["hunter_a"], deal, "specification", "Спецификация")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    variables = ProcessInstance.objects.get(pk=pk).variables
    assert (variables["document_title"], variables["document_kind"]) == ("Договор №7", "contract")


@pytest.mark.parametrize(
    ("object_type", "object_id", "code"),
    [
        ("сделка", "", BpmError.INVALID_SUBJECT),  # typed text: the junk start of the issue
        ("сделка", "5", BpmError.INVALID_SUBJECT),
        ("deal", "", BpmError.INVALID_SUBJECT),
        ("deal", "999999", BpmError.INVALID_SUBJECT),
        ("", "", BpmError.SUBJECT_REQUIRED),  # a deal process without a deal
    ],
)
def test_a_start_not_bound_to_a_real_deal_is_refused(
    library, people, object_type, object_id, code
) -> None:
    with pytest.raises(DomainError) as caught:
        bpm.instance_start_checked(
            actor=people["hunter_a"],
            definition=library["contract_approval"],
            object_type=object_type,
            object_id=object_id,
        )
    assert caught.value.code == code
    assert str(caught.value.message)
    assert not ProcessInstance.objects.exists()


def test_a_start_for_a_deal_out_of_scope_is_refused(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    with pytest.raises(DomainError) as caught:
        bpm.instance_start_checked(
            actor=people["hunter_b"],
            definition=library["contract_approval"],
            object_type="deal",
            object_id=deal.pk,
        )
    assert caught.value.code == BpmError.INVALID_SUBJECT
    assert caught.value.status == 404
    assert not ProcessInstance.objects.exists()
    instance = bpm.instance_start_checked(
        actor=people["hunter_a"],
        definition=library["contract_approval"],
        object_type="deal",
        object_id=deal.pk,
    )
    assert instance.variables["deal_id"] == deal.pk


def test_a_stage_names_only_a_deployed_deal_process(library, people, b2b, stages) -> None:
    admin = people["admin"]
    stage = services.stage_set_opening_process(
        actor=admin, pipeline=b2b, stage=stages["invoice"], opening_process="contract_approval"
    )
    assert Stage.objects.get(pk=stage.pk).opening_process == "contract_approval"
    for key in ("acknowledgement", "nonsense"):
        with pytest.raises(DomainError):
            services.stage_set_opening_process(
                actor=admin, pipeline=b2b, stage=stages["invoice"], opening_process=key
            )
    assert Stage.objects.get(pk=stage.pk).opening_process == "contract_approval"
    with pytest.raises(DomainError):
        services.stage_set_opening_process(
            actor=people["hunter_a"], pipeline=b2b, stage=stages["invoice"], opening_process=""
        )


# -- through HTTP --------------------------------------------------------------------------


def test_the_deal_card_starts_the_process_and_lists_its_runs(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    client = _login(people["hunter_a"])
    page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="start-process"' in page
    assert '<option value="contract_approval" selected>Согласование договора</option>' in page
    assert (
        client.post(
            f"/sales/deals/{deal.pk}/process/", {"process": "contract_approval"}
        ).status_code
        == 302
    )
    instance = _run(deal)
    page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert f'href="/processes/instances/{instance.pk}/"' in page
    assert f'href="/processes/instances/{instance.pk}/cancel/"' in page
    # A second click says why nothing started.
    again = client.post(
        f"/sales/deals/{deal.pk}/process/", {"process": "contract_approval"}, follow=True
    )
    assert "уже" in again.content.decode() or "already" in again.content.decode()
    assert ProcessInstance.objects.count() == 1
    # Another team's user cannot reach the deal, so cannot start anything on it.
    outsider = _login(people["hunter_b"])
    response = outsider.post(f"/sales/deals/{deal.pk}/process/", {"process": "contract_approval"})
    assert response.status_code == 404
    assert ProcessInstance.objects.count() == 1


def test_the_api_starts_and_lists_deal_processes(library, people, b2b, stages, bearer) -> None:
    deal = _deal(people, b2b, stages, "contract")
    api = bearer(people["hunter_a"])
    created = api.post(
        f"/api/v1/deals/{deal.pk}/processes",
        {"key": "contract_approval"},
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["instance_id"]
    listed = api.get(f"/api/v1/deals/{deal.pk}/processes").json()
    assert [(r["id"], r["status"], r["outcome"]) for r in listed] == [(pk, "running", "")]
    again = api.post(
        f"/api/v1/deals/{deal.pk}/processes",
        {"key": "contract_approval"},
        content_type="application/json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "bpm.already_running")
    outsider = bearer(people["hunter_b"])
    assert outsider.get(f"/api/v1/deals/{deal.pk}/processes").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/deals/{deal.pk}/processes",
            {"key": "contract_approval"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert ProcessInstance.objects.count() == 1


def test_moving_the_deal_over_http_into_the_stage_starts_the_process(
    library, people, b2b, stages
) -> None:
    deal = _deal(people, b2b, stages, "cp_approval")
    services.deal_approve(actor=people["head_a"], deal=deal, kind="cp")
    client = _login(people["hunter_a"])
    response = client.post(f"/sales/deals/{deal.pk}/move/", {"stage": stages["contract"].pk})
    assert response.status_code == 302
    assert _run(deal).status == InstanceStatus.RUNNING


def test_the_gate_over_the_api_follows_the_outcome(library, people, b2b, stages, bearer) -> None:
    deal = _deal(people, b2b, stages, "contract")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    api = bearer(people["hunter_a"])

    def approval() -> bool:
        gate = api.get(f"/api/v1/deals/{deal.pk}/gate").json()
        return next(i["met"] for i in gate if i["kind"] == "approval")

    assert approval() is False
    _approve_all(people, ProcessInstance.objects.get(pk=pk))
    assert approval() is True
    moved = api.post(
        f"/api/v1/deals/{deal.pk}/move",
        {"stage_id": stages["invoice"].pk},
        content_type="application/json",
    )
    assert moved.status_code == 200
    assert moved.json()["stage_id"] == stages["invoice"].pk


def test_junk_starts_are_refused_over_http(library, people, bearer) -> None:
    definition = library["contract_approval"]
    client = _login(people["hunter_a"])
    page = client.post(
        f"/processes/definitions/{definition.pk}/start/",
        {"object_type": "сделка", "object_id": ""},
        follow=True,
    )
    assert "сделка" in page.content.decode()  # the message names what was typed
    api = bearer(people["hunter_a"])
    for payload in (
        {"key": "contract_approval", "object_type": "сделка"},
        {"key": "contract_approval", "object_type": "deal", "object_id": "123456"},
        {"key": "contract_approval"},
    ):
        response = api.post("/api/v1/processes/instances", payload, content_type="application/json")
        assert response.status_code in (400, 404)
        assert response.json()["code"] in ("bpm.invalid_subject", "bpm.subject_required")
    assert not ProcessInstance.objects.exists()


def test_the_task_and_the_inbox_show_the_deal_with_links(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    task = HumanTask.objects.get(instance_id=pk, status=TaskStatus.OPEN)
    document = deal.documents.get()
    head = _login(people["head_a"])
    page = head.get(f"/processes/tasks/{task.pk}/").content.decode()
    assert f'href="/sales/deals/{deal.pk}/" data-testid="subject-link">Поставка насосов</a>' in page
    assert f'href="/clients/companies/{deal.company_id}/"' in page
    assert "RUB" in page
    assert f'href="{document.file.url}">Договор №7</a>' in page
    inbox = head.get("/processes/inbox/").content.decode()
    # the record the task's process is about, as in the instances list
    link = f'href="/sales/deals/{deal.pk}/" data-testid="business-object">Поставка насосов</a>'
    assert link in inbox
    assert "ООО «Насосы»" in inbox or "ООО &laquo;Насосы&raquo;" in inbox


def test_a_link_typed_into_the_variables_is_not_rendered(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    instance = bpm.instance_start(
        actor=people["hunter_a"],
        definition=library["document_approval"],
        variables={"approver1": "head_a", "approver2": "director", "deal_title": "X"},
        object_type="deal",
        object_id=str(deal.pk),
    )
    ProcessInstance.objects.filter(pk=instance.pk).update(
        variables={**instance.variables, "deal_url": "javascript:alert(1)"}
    )
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    page = _login(people["head_a"]).get(f"/processes/tasks/{task.pk}/").content.decode()
    assert "javascript:" not in page


def test_cancelling_a_process_asks_for_confirmation(library, people, b2b, stages) -> None:
    deal = _deal(people, b2b, stages, "contract")
    pk = services.deal_process_start(
        actor=people["hunter_a"], deal=deal, process_key="contract_approval"
    )
    client = _login(people["hunter_a"])
    detail = client.get(f"/processes/instances/{pk}/").content.decode()
    assert f'href="/processes/instances/{pk}/cancel/"' in detail  # a link, not a form
    confirm = client.get(f"/processes/instances/{pk}/cancel/")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert 'data-testid="confirm-cancel"' in text
    assert "Согласование руководителем" in text  # the open task that will go
    # A POST without the confirmation cancels nothing; with it, the process stops.
    client.post(f"/processes/instances/{pk}/cancel/")
    assert ProcessInstance.objects.get(pk=pk).status == InstanceStatus.RUNNING
    client.post(f"/processes/instances/{pk}/cancel/", {"confirm": "1"})
    assert ProcessInstance.objects.get(pk=pk).status == InstanceStatus.CANCELLED
    outsider = _login(people["hunter_b"])
    assert outsider.get(f"/processes/instances/{pk}/cancel/").status_code == 404


def test_the_stage_settings_name_the_process(library, people, b2b, stages, bearer) -> None:
    admin = _login(people["admin"])
    stage = stages["invoice"]
    form = admin.get(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/").content.decode()
    assert 'value="contract_approval"' in form
    # The stage as its settings form shows it, with the checklist and the process changed.
    data = {
        **StageForm.initial_for(stage),
        "checklist": ["document:invoice"],
        "opening_process": "contract_approval",
    }
    response = admin.post(f"/sales/settings/pipelines/{b2b.pk}/stages/{stage.pk}/", data)
    assert response.status_code == 302
    assert Stage.objects.get(pk=stage.pk).opening_process == "contract_approval"
    settings_page = admin.get("/sales/settings/pipelines/").content.decode()
    assert 'data-testid="stage-process"' in settings_page
    api = bearer(people["admin"])
    url = f"/api/v1/pipelines/{b2b.pk}/stages/{stage.pk}/process"
    cleared = api.put(url, {"opening_process": ""}, content_type="application/json")
    assert (cleared.status_code, cleared.json()["opening_process"]) == (200, "")
    refused = api.put(url, {"opening_process": "nonsense"}, content_type="application/json")
    assert refused.status_code == 400
    assert Stage.objects.get(pk=stage.pk).opening_process == ""
    hunter = bearer(people["hunter_a"])
    denied = hunter.put(
        url, {"opening_process": "contract_approval"}, content_type="application/json"
    )
    assert denied.status_code == 403
    listed = api.get(f"/api/v1/pipelines/{b2b.pk}").json()
    assert {s["code"]: s["opening_process"] for s in listed["stages"]}["contract"] == (
        "contract_approval"
    )
