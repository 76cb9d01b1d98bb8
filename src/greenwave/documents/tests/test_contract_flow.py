"""The contract stage's approval carries the contract (seeds 000 and 001: the manager prepares
the contract, the head, the lawyer and finance approve it, then it goes to the client).

Entering «Договор» without a contract starts nothing (before, the approval started at once
and showed the questionnaire as the document under approval); with a drafted contract the
contract itself goes on approval, so the approval's end is the contract's state (approved: it
can be sent; rejected: shown on it), written to the event log. A run stored before — started
without a contract — is replaced when the contract is sent for approval."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail

from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.bpm.tests.steps import signed_in
from greenwave.core.models import Event
from greenwave.documents import services
from greenwave.documents.demo import seed_documents
from greenwave.documents.models import Document, DocumentStatus
from greenwave.sales import services as sales_services
from greenwave.sales.gates import evaluate_stage
from greenwave.sales.models import Deal
from greenwave.sales.tests.papers import attach_paper

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(deal: Deal, stages: dict[str, Any], people: dict[str, Any], signatory: Any) -> Deal:
    """The deal at «Согласование КП» with its output met, a questionnaire attached: the next
    move is into «Договор»."""
    Deal.objects.filter(pk=deal.pk).update(
        stage=stages["cp_approval"], expected_close_date=date(2030, 1, 31)
    )
    deal = Deal.objects.get(pk=deal.pk)
    sales_services.deal_approve(actor=people["head_a"], deal=deal, kind="cp")
    attach_paper(people["hunter_a"], deal, "questionnaire", "Анкета клиента")
    return Deal.objects.get(pk=deal.pk)


def _enter_contract(people: dict[str, Any], deal: Deal, stages: dict[str, Any]) -> Deal:
    return sales_services.deal_move(actor=people["hunter_a"], deal=deal, stage=stages["contract"])


def _drafted(actor: Any, deal: Deal) -> Document:
    """The deal's contract generated (a draft)."""
    return services.document_generate(actor=actor, deal=deal, kind="contract", with_pdf=False)


def _drafted_then_entered(people: dict[str, Any], deal: Deal, stages: dict[str, Any]) -> Document:
    """The contract drafted, then the deal moved into «Договор»: the contract as it is then."""
    contract = _drafted(people["hunter_a"], deal)
    _enter_contract(people, deal, stages)
    contract.refresh_from_db()
    return contract


def _stored_run(
    people: dict[str, Any], deal: Deal, stages: dict[str, Any], document_title: str
) -> ProcessInstance:
    """The deal at «Договор» with a contract approval stored before the fix: its variables
    name a paper by its title alone."""
    Deal.objects.filter(pk=deal.pk).update(stage=stages["contract"])
    return bpm.subject_process_start(
        actor=people["hunter_a"],
        key="contract_approval",
        subject_type="deal",
        subject_id=deal.pk,
        variables={"deal_title": deal.title, "document_title": document_title},
    )


def _runs(deal: Deal) -> Any:
    return ProcessInstance.objects.filter(object_type="deal", object_id=str(deal.pk))


def _decide(user: Any, instance_id: int, element: str, decision: str = "approve") -> None:
    task = HumanTask.objects.get(
        instance_id=instance_id, element_id=element, status=TaskStatus.OPEN
    )
    bpm.task_complete(actor=user, task=task, data={"decision": decision})


def _approve_all(people: dict[str, Any], instance_id: int) -> None:
    _decide(people["head_a"], instance_id, "review_head")
    _decide(people["lawyer"], instance_id, "review_lawyer")
    _decide(people["finance"], instance_id, "review_finance")


def _approval_met(deal: Deal, stage: Any) -> bool:
    deal.refresh_from_db()
    return next(i for i in evaluate_stage(deal, stage) if i.kind == "approval").met


def test_entering_the_contract_stage_without_a_contract_starts_no_approval(
    ready, stages, people, library
) -> None:
    _enter_contract(people, ready, stages)
    assert Deal.objects.get(pk=ready.pk).stage == stages["contract"]
    assert not _runs(ready).exists()  # the questionnaire is not put up for approval
    assert not HumanTask.objects.exists()


def test_the_card_tells_the_manager_to_prepare_the_contract(ready, stages, people, library):
    _enter_contract(people, ready, stages)
    hunter = signed_in(people["hunter_a"])
    page = hunter.get(f"/sales/deals/{ready.pk}/").content.decode()
    assert 'data-testid="next-step" data-step="prepare"' in page
    assert "подготовьте договор и отправьте его на согласование" in page
    hunter.post("/accounts/language/", {"language": "en", "next": "/"})
    english = hunter.get(f"/sales/deals/{ready.pk}/").content.decode()
    assert "Next step: prepare the contract and send it for approval" in english


def test_entering_the_stage_with_a_drafted_contract_puts_that_contract_on_approval(
    ready, stages, people, library, seller
) -> None:
    contract = _drafted_then_entered(people, ready, stages)
    run = _runs(ready).get()
    assert (contract.status, contract.approval_instance_id) == (DocumentStatus.ON_APPROVAL, run.pk)
    variables = run.variables
    assert variables["document_id"] == contract.pk
    assert variables["document_kind"] == "contract"
    assert variables["document_title"] == str(contract)
    assert "Анкета" not in str(variables)
    assert Event.objects.filter(
        case_type="document", case_id=str(contract.pk), activity="document_sent_for_approval"
    ).exists()


def test_an_approved_contract_approval_approves_the_contract_and_it_can_be_sent(
    ready, stages, people, library, seller, signatory
) -> None:
    contract = _drafted_then_entered(people, ready, stages)
    _approve_all(people, contract.approval_instance_id)
    assert _approval_met(ready, stages["contract"])
    assert services.approval_state(contract) == DocumentStatus.APPROVED
    assert services.documents_record_approvals() == 1
    assert Document.objects.get(pk=contract.pk).status == DocumentStatus.APPROVED
    approved = Event.objects.get(case_type="document", activity="document_approved")
    assert approved.case_id == str(contract.pk)
    assert approved.payload["instance"] == contract.approval_instance_id
    services.document_send(actor=people["hunter_a"], document=contract, contact=signatory)
    assert len(mail.outbox) == 1


def test_a_rejected_contract_approval_shows_on_the_contract(
    ready, stages, people, library, seller
) -> None:
    contract = _drafted_then_entered(people, ready, stages)
    _decide(people["head_a"], contract.approval_instance_id, "review_head")
    _decide(people["lawyer"], contract.approval_instance_id, "review_lawyer", "reject")
    assert services.documents_record_approvals() == 1
    assert Document.objects.get(pk=contract.pk).status == DocumentStatus.REJECTED
    assert Event.objects.filter(
        case_type="document", case_id=str(contract.pk), activity="document_rejected"
    ).exists()
    assert not _approval_met(ready, stages["contract"])
    page = signed_in(people["hunter_a"]).get(f"/sales/deals/{ready.pk}/").content.decode()
    assert 'data-step="rework"' in page
    # The reworked contract goes on approval again from the card's process button.
    pk = sales_services.deal_process_start(
        actor=people["hunter_a"], deal=ready, process_key="contract_approval"
    )
    contract.refresh_from_db()
    assert (contract.status, contract.approval_instance_id) == (DocumentStatus.ON_APPROVAL, pk)


def test_a_stored_run_started_without_a_contract_is_replaced_by_the_contracts_own(
    ready, stages, people, library, seller
) -> None:
    """A deal entered «Договор» before the fix: its approval runs and shows the questionnaire.
    Sending the drafted contract for approval cancels that run and starts one on the contract
    (before, it was refused as already running)."""
    stale = _stored_run(people, ready, stages, "Анкета клиента")
    _decide(people["head_a"], stale.pk, "review_head")
    contract = _drafted(people["hunter_a"], ready)
    contract = services.document_send_for_approval(actor=people["hunter_a"], document=contract)
    assert ProcessInstance.objects.get(pk=stale.pk).status == InstanceStatus.CANCELLED
    run = _runs(ready).get(status=InstanceStatus.RUNNING)
    assert run.pk == contract.approval_instance_id != stale.pk
    assert run.variables["document_id"] == contract.pk
    sent = Event.objects.get(case_id=str(contract.pk), activity="document_sent_for_approval")
    assert sent.payload["replaced_instance"] == stale.pk
    _approve_all(people, run.pk)
    assert services.approval_state(contract) == DocumentStatus.APPROVED


def test_a_stored_run_that_carries_a_contract_file_is_kept(
    ready, stages, people, library, seller
) -> None:
    attach_paper(people["hunter_a"], ready, "contract", "Договор (скан)")
    stored = _stored_run(people, ready, stages, "Договор (скан)")
    contract = _drafted(people["hunter_a"], ready)
    with pytest.raises(Exception, match="already running"):
        services.document_send_for_approval(actor=people["hunter_a"], document=contract)
    assert ProcessInstance.objects.get(pk=stored.pk).status == InstanceStatus.RUNNING


def test_a_contract_joins_the_approval_the_history_wrote_for_its_deal(
    ready, stages, people, library, seller
) -> None:
    """The demo's history writes approvals before any document: the demo's contract goes with
    its deal's approved run, so it is approved too (and sendable), with its events."""
    Deal.objects.filter(pk=ready.pk).update(stage=stages["contract"])
    run = bpm.subject_process_start(
        actor=None, key="contract_approval", subject_type="deal", subject_id=ready.pk
    )
    _approve_all(people, run.pk)
    contract = _drafted(None, ready)
    contract = services.contract_link_to_approval(document=contract, instance_id=run.pk)
    assert (contract.status, contract.approval_instance_id) == (DocumentStatus.APPROVED, run.pk)
    activities = list(
        Event.objects.filter(case_type="document", case_id=str(contract.pk))
        .order_by("pk")
        .values_list("activity", flat=True)
    )
    assert activities[-2:] == ["document_sent_for_approval", "document_approved"]


def test_the_reviewer_of_a_history_run_reads_the_contract_put_on_it(
    ready, stages, people, library, seller
) -> None:
    """A running approval the history wrote before any document names none in its variables:
    its lawyer read «No document attached to the deal». The contract put on the run is what
    the record card shows, as a link, on the task page and the process page."""
    Deal.objects.filter(pk=ready.pk).update(stage=stages["contract"])
    run = bpm.subject_process_start(
        actor=None, key="contract_approval", subject_type="deal", subject_id=ready.pk
    )
    _decide(people["head_a"], run.pk, "review_head")
    task = HumanTask.objects.get(instance_id=run.pk, element_id="review_lawyer")
    client = signed_in(people["lawyer"])
    assert "К сделке не приложен документ." in _card(client, f"/processes/tasks/{task.pk}/")
    contract = services.contract_link_to_approval(
        document=_drafted(None, ready), instance_id=run.pk
    )
    link = f'<a href="/documents/{contract.pk}/">{contract}</a>'
    assert link in _card(client, f"/processes/tasks/{task.pk}/")
    assert link in _card(client, f"/processes/instances/{run.pk}/")


def _card(client: Any, url: str) -> str:
    """The «Document to approve» line of a process page's record card."""
    html = client.get(url).content.decode()
    start = html.index('data-testid="subject-document"')
    return html[start : html.index("</dd>", start)]


def test_the_demo_contract_of_a_deal_with_an_approved_approval_is_approved(
    ready, stages, people, library, seller
) -> None:
    """seed_demo: the history (datagen) approved the deal's contract before the documents'
    seeder drafts it; the drafted contract is that approved contract, not a draft."""
    Deal.objects.filter(pk=ready.pk).update(stage=stages["contract"])
    run = bpm.subject_process_start(
        actor=None, key="contract_approval", subject_type="deal", subject_id=ready.pk
    )
    _approve_all(people, run.pk)
    seed_documents({})
    contract = Document.objects.get(deal=ready, kind="contract")
    assert (contract.status, contract.approval_instance_id) == (DocumentStatus.APPROVED, run.pk)
    quote = Document.objects.get(deal=ready, kind="quote")
    assert quote.status == DocumentStatus.DRAFT
