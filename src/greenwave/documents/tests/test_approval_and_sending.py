"""Approval before sending through the bpm processes, and sending by e-mail with the
attachment, logged on the deal's timeline."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from greenwave.bpm import services as bpm
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.documents import services
from greenwave.documents.errors import DocumentsError
from greenwave.documents.models import DocumentStatus

pytestmark = pytest.mark.django_db


def _decide(user: Any, instance_id: int, element: str, decision: str = "approve") -> None:
    task = HumanTask.objects.get(
        instance_id=instance_id, element_id=element, status=TaskStatus.OPEN
    )
    bpm.task_complete(actor=user, task=task, data={"decision": decision})


def test_an_unapproved_contract_cannot_be_sent(seller, deal, signatory, people, library):
    hunter = people["hunter_a"]
    contract = services.document_generate(actor=hunter, deal=deal, kind="contract", with_pdf=False)
    with pytest.raises(DomainError) as caught:
        services.document_send(actor=hunter, document=contract, contact=signatory)
    assert caught.value.code == DocumentsError.NOT_APPROVED
    assert mail.outbox == []
    contract = services.document_send_for_approval(actor=hunter, document=contract)
    assert services.approval_state(contract) == DocumentStatus.ON_APPROVAL
    with pytest.raises(DomainError):
        services.document_send(actor=hunter, document=contract, contact=signatory)
    instance = contract.approval_instance_id
    _decide(people["head_a"], instance, "review_head")
    _decide(people["lawyer"], instance, "review_lawyer")
    _decide(people["finance"], instance, "review_finance")
    assert services.approval_state(contract) == DocumentStatus.APPROVED
    assert services.documents_record_approvals() == 1
    assert Event.objects.filter(case_type="document", activity="document_approved").count() == 1
    services.document_send(actor=hunter, document=contract, contact=signatory)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["petrov@romashka.ru"]
    assert "Д-1" in message.subject
    (name, content, _mimetype) = message.attachments[0]
    assert name == "Договор поставки № Д-1 (версия 1).docx"
    assert content[:2] == b"PK"
    sent = Event.objects.filter(case_type="document", activity="document_sent").get()
    assert {(o.object_type, o.object_id) for o in sent.links.all()} >= {
        ("deal", str(deal.pk)),
        ("contact", str(signatory.pk)),
    }


def test_a_rejected_contract_stays_unsendable(seller, deal, signatory, people, library):
    hunter = people["hunter_a"]
    contract = services.document_generate(actor=hunter, deal=deal, kind="contract", with_pdf=False)
    contract = services.document_send_for_approval(actor=hunter, document=contract)
    _decide(people["head_a"], contract.approval_instance_id, "review_head", "reject")
    assert services.approval_state(contract) == DocumentStatus.REJECTED
    with pytest.raises(DomainError) as caught:
        services.document_send(actor=hunter, document=contract, contact=signatory)
    assert caught.value.code == DocumentsError.NOT_APPROVED


def test_a_quote_is_approved_in_two_stages_bound_to_the_document(
    seller, deal, signatory, people, library
) -> None:
    hunter = people["hunter_a"]
    quote = services.document_generate(actor=hunter, deal=deal, kind="quote", with_pdf=False)
    quote = services.document_send_for_approval(actor=hunter, document=quote)
    run = ProcessInstance.objects.get(pk=quote.approval_instance_id)
    assert (run.object_type, run.object_id) == ("document", str(quote.pk))
    _decide(people["head_a"], run.pk, "stage1")
    _decide(people["director"], run.pk, "stage2")
    assert services.approval_state(quote) == DocumentStatus.APPROVED
    services.document_send(actor=hunter, document=quote, contact=signatory)
    assert len(mail.outbox) == 1


def test_a_quote_without_approval_can_be_sent(seller, deal, signatory, people) -> None:
    hunter = people["hunter_a"]
    quote = services.document_generate(actor=hunter, deal=deal, kind="quote", with_pdf=False)
    services.document_send(actor=hunter, document=quote, contact=signatory)
    assert mail.outbox[0].attachments[0][0] == "Коммерческое предложение № КП-1 (версия 1).docx"


def test_a_contact_of_another_client_is_refused(seller, deal, people) -> None:
    other = crm_services.company_create(actor=None, name="Чужая", responsible=people["hunter_a"])
    stranger = crm_services.contact_create(
        actor=None, company=other, full_name="Чужой Человек", emails=["x@example.ru"]
    )
    quote = services.document_generate(
        actor=people["hunter_a"], deal=deal, kind="quote", with_pdf=False
    )
    with pytest.raises(DomainError) as caught:
        services.document_send(actor=people["hunter_a"], document=quote, contact=stranger)
    assert caught.value.code == DocumentsError.NO_RECIPIENT
    assert mail.outbox == []
