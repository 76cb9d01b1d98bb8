"""Approval of documents by bpm processes, and sending them to the client."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import require_visible, visible_team_ids
from greenwave.bpm import selectors as bpm_selectors
from greenwave.bpm import services as bpm
from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.record_change import record_change
from greenwave.core.services import ObjectRef
from greenwave.crm.models import Contact
from greenwave.sales.models import Deal, DealDocument, DocumentKind

from .. import context as context_mod
from .. import events
from ..errors import DocumentsError
from ..models import (
    Document,
    DocumentStatus,
    DocumentVersion,
    NumberedKind,
)
from .generation import (
    CONTRACT_PROCESS,
    DOCUMENT_PROCESS,
    _document_objects,
    require_document_writer,
)

# --- approval (bpm processes) and sending -------------------------------------------------


def approval_process_for(kind: str) -> str:
    """A contract goes through the contract approval of the deal (manager → head → lawyer →
    finance); any other document through the two-stage document approval."""
    return CONTRACT_PROCESS if kind == NumberedKind.CONTRACT else DOCUMENT_PROCESS


def _approvers(deal: Deal) -> tuple[User, User]:
    """Document approval: the head of the deal's team, then the head above them (or the
    same head when there is none)."""
    team = deal.team
    first = team.head if team is not None and team.head is not None else None
    if first is None:
        first = (
            User.objects.filter(is_active=True, roles__code=RoleCode.HEAD_OF_SALES)
            .order_by("pk")
            .first()
        )
    if first is None:
        raise DomainError(
            DocumentsError.NOT_APPROVED, _("Nobody heads this team to approve the document.")
        )
    parent = team.parent if team is not None else None
    second = parent.head if parent is not None and parent.head is not None else first
    return first, second


def _process_variables(document: Document) -> dict[str, Any]:
    """What the approvers' tasks show: the deal, the client and the document with links."""
    from django.urls import reverse

    deal = document.deal
    company = deal.company
    return {
        "deal_title": deal.title,
        "deal_url": reverse("sales:deal_detail", args=[deal.pk]),
        "client_name": company.name if company else "",
        "amount": str(deal.amount),
        "currency": deal.currency,
        "document_id": document.pk,
        "document_kind": document.kind,
        "document_title": str(document),
        "document_url": reverse("documents:document_detail", args=[document.pk]),
        "document_download_url": reverse("documents:document_download", args=[document.pk])
        + "?format=docx",
    }


# The document approval has two stages (согласование, утверждение): one person per stage.
DOCUMENT_APPROVAL_STAGES = 2


def _chosen_approvers(document: Document, approvers: Sequence[User]) -> tuple[User, User]:
    """The initiator's choice for the two stages, checked: at least one person, at most one
    per stage, nobody twice, active people who can open the deal's documents. One person
    approves both stages."""
    if not approvers:
        raise DomainError(
            CoreError.VALIDATION,
            _("Choose at least one approver."),
            details={"field": "approver_ids"},
        )
    if len(approvers) > DOCUMENT_APPROVAL_STAGES:
        raise DomainError(
            CoreError.VALIDATION,
            _("The document approval has two stages: choose one or two approvers."),
            details={"field": "approver_ids"},
        )
    if len({user.pk for user in approvers}) != len(approvers):
        raise DomainError(
            CoreError.VALIDATION,
            _("The same person is chosen twice."),
            details={"field": "approver_ids"},
        )
    for user in approvers:
        teams = visible_team_ids(user)
        sees = teams is None or document.responsible_id == user.pk or document.team_id in teams
        if not user.is_active or not sees:
            raise DomainError(
                CoreError.VALIDATION,
                _("%(name)s cannot approve: the account is inactive or cannot open this deal.")
                % {"name": user.get_full_name() or user.username},
                details={"field": "approver_ids", "user_id": user.pk},
            )
    return approvers[0], approvers[-1]


@transaction.atomic
def document_send_for_approval(
    *, actor: User | None, document: Document, approvers: Sequence[User] | None = None
) -> Document:
    """Start the approval process that carries the document (bound to the deal for a contract,
    so its approved outcome also meets the «Договор» stage; to the document otherwise).

    A document approval goes to the people the initiator chose (`approvers`: stage 1, then
    stage 2); without a choice — the system or an API call that names nobody — to the head of
    the deal's team and the head above, as the seed's hierarchy has it. A contract's approvers
    are the roles of its process (head, lawyer, finance): nobody is chosen for it."""
    require_visible(actor, document, _("Document not found."))
    require_document_writer(actor, document)
    document = Document.objects.select_for_update().select_related("deal").get(pk=document.pk)
    state = approval_state(document)
    if state in (DocumentStatus.ON_APPROVAL, DocumentStatus.APPROVED):
        raise DomainError(
            DocumentsError.WRONG_STATUS,
            _("This version is already on approval or approved."),
            status=409,
        )
    if document.status == DocumentStatus.SENT:
        raise DomainError(DocumentsError.WRONG_STATUS, _("A sent document is final."), status=409)
    key = approval_process_for(document.kind)
    variables = _process_variables(document)
    names: list[str] = []
    if key == CONTRACT_PROCESS and approvers is not None:
        raise DomainError(
            CoreError.VALIDATION,
            _("A contract is approved by the roles of its process: nobody is chosen for it."),
            details={"field": "approver_ids"},
        )
    replaced = _replace_run_without_contract(document) if key == CONTRACT_PROCESS else None
    if key == CONTRACT_PROCESS:
        instance = bpm.subject_process_start(
            actor=actor,
            key=key,
            subject_type="deal",
            subject_id=document.deal_id,
            variables=variables,
        )
    else:
        instance, names = _document_approval_start(actor, document, variables, approvers)
    _put_on_approval(
        document,
        actor,
        key,
        int(instance.pk),
        version=document.current_version,
        approvers=names,
        approvers_chosen=approvers is not None,
        **({"replaced_instance": replaced} if replaced else {}),
    )
    return document


def _put_on_approval(
    document: Document, actor: User | None, key: str, instance_id: int, **payload: Any
) -> None:
    """The document goes on approval with the run `instance_id` of process `key`."""
    record_change(
        document,
        {
            "status": DocumentStatus.ON_APPROVAL,
            "approval_instance_id": instance_id,
            "approval_process": key,
        },
        activity=events.DOCUMENT_SENT_FOR_APPROVAL,
        actor=actor,
        payload={"process": key, "instance": instance_id, **payload},
        objects=_document_objects(document),
    )


def _replace_run_without_contract(document: Document) -> int | None:
    """Before a contract goes on approval: an open contract approval of its deal that carries
    no contract — started on entering «Договор» before any contract existed, so its tasks show
    another paper (the questionnaire) as the document under approval — is cancelled, and the
    contract's own run replaces it: the approvers approve the contract itself. A run that
    carries a contract (a generated one, or an attached contract file) is left as it is (the
    start is then refused as already running). Returns the id of the cancelled run."""
    run = ProcessInstance.objects.filter(
        definition__key=CONTRACT_PROCESS,
        object_type="deal",
        object_id=str(document.deal_id),
        status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED],
    ).first()
    if run is None or Document.objects.filter(approval_instance_id=run.pk).exists():
        return None
    variables = run.variables or {}
    if variables.get("document_kind") == NumberedKind.CONTRACT:
        return None
    title = str(variables.get("document_title") or "")
    # Runs started before `document_kind` was kept name a contract file by its title.
    if (
        title
        and DealDocument.objects.filter(
            deal_id=document.deal_id, kind=DocumentKind.CONTRACT, title=title
        ).exists()
    ):
        return None
    bpm.instance_cancel(actor=None, instance=run)
    return int(run.pk)


def deal_contract_approval_start(actor: User | None, deal: Deal) -> int | None:
    """The contract approval of a deal started on its generated contract (registered with
    sales for `contract_approval`): the newest contract that is a draft or was rejected goes
    on approval, carrying the run. None when the deal has no such contract."""
    contracts = Document.objects.filter(deal_id=deal.pk, kind=NumberedKind.CONTRACT)
    for document in contracts.order_by("-created_at", "-pk")[:1]:
        if approval_state(document) in (DocumentStatus.DRAFT, DocumentStatus.REJECTED):
            document = document_send_for_approval(actor=actor, document=document)
            return document.approval_instance_id
    return None


def _document_approval_start(
    actor: User | None,
    document: Document,
    variables: dict[str, Any],
    approvers: Sequence[User] | None,
) -> tuple[Any, list[str]]:
    """Start the document approval process on ``document`` with its two approvers (chosen, or
    the deal's heads): the instance and the usernames of the approvers."""
    if approvers is None:
        first, second = _approvers(document.deal)
    else:
        first, second = _chosen_approvers(document, approvers)
    names = [first.username] if first.pk == second.pk else [first.username, second.username]
    try:
        definition = bpm_selectors.definition_latest_deployed(actor=actor, key=DOCUMENT_PROCESS)  # type: ignore[arg-type]
    except DomainError as exc:
        raise DomainError(
            DocumentsError.APPROVAL_UNAVAILABLE,
            _(
                "The document approval process is not deployed: an administrator installs "
                "the process library (Processes)."
            ),
            status=409,
        ) from exc
    instance = bpm.instance_start_checked(
        actor=actor,
        definition=definition,
        variables={
            **variables,
            "approver1": first.username,
            "approver2": second.username,
            "approvers": names,
            "approvers_chosen": approvers is not None,
        },
        object_type=Document.EVENT_CASE_TYPE,
        object_id=document.pk,
    )
    return instance, names


def approval_state(document: Document) -> str:
    """The document's status with its approval run read through bpm: approved when the run
    ended approved (the contract's `gw:outcome`, or the end of the two-stage approval, which
    has only an approving end), rejected when it ended otherwise, a draft again when the run
    was cancelled."""
    if document.status != DocumentStatus.ON_APPROVAL or not document.approval_instance_id:
        return document.status

    subject_type, subject_id = (
        ("deal", document.deal_id)
        if document.approval_process == CONTRACT_PROCESS
        else (Document.EVENT_CASE_TYPE, document.pk)
    )
    runs = bpm.subject_runs(subject_type=subject_type, subject_id=subject_id, limit=50)
    run = next((r for r in runs if r.id == document.approval_instance_id), None)
    if run is None or run.is_open:
        return DocumentStatus.ON_APPROVAL if run is not None else DocumentStatus.DRAFT
    if run.status != "completed":
        return DocumentStatus.DRAFT
    if run.outcome == "approved" or (
        document.approval_process == DOCUMENT_PROCESS and run.outcome == ""
    ):
        return DocumentStatus.APPROVED
    return DocumentStatus.REJECTED


def _recipient(actor: User | None, document: Document, contact: Contact) -> str:
    deal = document.deal
    linked = contact.company_id == deal.company_id or deal.contacts.filter(pk=contact.pk).exists()
    if contact.is_deleted or not linked:
        raise DomainError(
            DocumentsError.NO_RECIPIENT,
            _("Send to a contact of the deal's client."),
            details={"field": "contact_id"},
        )
    emails = [e for e in (contact.emails or []) if e]
    if not emails:
        raise DomainError(
            DocumentsError.NO_RECIPIENT,
            _("%(name)s has no e-mail address.") % {"name": contact.full_name},
            details={"field": "contact_id"},
        )
    return str(emails[0])


def download_name(document: Document, version: DocumentVersion, extension: str) -> str:
    label = context_mod.RU_TITLES[document.kind]
    return f"{label} № {document.number} (версия {version.version}).{extension}"


@transaction.atomic
def document_send(
    *, actor: User | None, document: Document, contact: Contact, message: str = ""
) -> Document:
    """E-mail the current version (DOCX, and the PDF when there is one) to a contact of the
    client through the configured mail backend, and log it on the deal's timeline. A contract
    goes out only approved; a document put on approval only once approved."""
    from django.conf import settings
    from django.core.mail import EmailMessage

    require_visible(actor, document, _("Document not found."))
    require_document_writer(actor, document)
    document = Document.objects.select_for_update().select_related("deal").get(pk=document.pk)
    state = approval_state(document)
    needs_approval = document.kind == NumberedKind.CONTRACT or document.approval_instance_id
    if needs_approval and state not in (DocumentStatus.APPROVED, DocumentStatus.SENT):
        raise DomainError(
            DocumentsError.NOT_APPROVED,
            _("The document is not approved yet: send it for approval first.")
            if state == DocumentStatus.DRAFT
            else _("The document is not approved (%(state)s).")
            % {"state": DocumentStatus(state).label},
            status=409,
        )
    address = _recipient(actor, document, contact)
    message = str(message or "").strip()[:5000]
    version = document.versions.get(version=document.current_version)
    seller = document.legal_entity
    title = context_mod.RU_TITLES[document.kind]
    subject = f"{title} № {document.number} — {seller.name}"
    body = message or (
        f"Здравствуйте, {contact.full_name}!\n\n"
        f"Направляем документ «{title}» № {document.number} "
        f"по сделке «{document.deal.title}».\n\nС уважением,\n{seller.name}"
    )
    mail = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    with version.docx.open("rb") as handle:
        mail.attach(
            download_name(document, version, "docx"),
            handle.read(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    if version.pdf:
        with version.pdf.open("rb") as handle:
            mail.attach(download_name(document, version, "pdf"), handle.read(), "application/pdf")
    try:
        mail.send(fail_silently=False)
    except Exception as exc:  # SMTP refusals and network failures alike
        raise DomainError(
            DocumentsError.SEND_FAILED,
            _("The mail server did not accept the message: %(error)s") % {"error": str(exc)[:200]},
            status=409,
        ) from exc
    record_change(
        document,
        {"status": DocumentStatus.SENT, "sent_at": timezone.now()},
        activity=events.DOCUMENT_SENT,
        actor=actor,
        payload={
            "kind": document.kind,
            "number": document.number,
            "version": version.version,
            "to": address,
            "contact_id": contact.pk,
            "attachments": 2 if version.pdf else 1,
        },
        objects=[*_document_objects(document), ObjectRef("contact", str(contact.pk), "to")],
    )
    return document


def documents_record_approvals() -> int:
    """Periodic job: documents whose approval run has ended get their state written down and
    a `document_approved`/`document_rejected` event (the run's own events stay in bpm's
    case). Returns how many changed."""
    changed = 0
    waiting = Document.objects.filter(status=DocumentStatus.ON_APPROVAL).select_related("deal")
    for document in waiting.order_by("pk")[:500]:
        if approval_state(document) == DocumentStatus.ON_APPROVAL:
            continue
        with transaction.atomic():
            changed += _record_approval_state(document)
    return changed


def _record_approval_state(document: Document) -> bool:
    """Write down the end of the document's approval run (approved, rejected, or cancelled:
    a draft again) with its event; False when it is still on approval."""
    locked = Document.objects.select_for_update().get(pk=document.pk)
    state = approval_state(locked)
    if locked.status != DocumentStatus.ON_APPROVAL or state == DocumentStatus.ON_APPROVAL:
        return False
    activity = {
        DocumentStatus.APPROVED: events.DOCUMENT_APPROVED,
        DocumentStatus.REJECTED: events.DOCUMENT_REJECTED,
    }.get(DocumentStatus(state), events.DOCUMENT_APPROVAL_CANCELLED)
    record_change(
        locked,
        {"status": state},
        activity=activity,
        actor=None,
        payload={"process": locked.approval_process, "instance": locked.approval_instance_id},
        objects=_document_objects(document),
    )
    return True


@transaction.atomic
def contract_link_to_approval(*, document: Document, instance_id: int) -> Document:
    """A contract put on a contract approval run of its deal that was started without it (the
    demo's history, whose runs were written before any document): it goes on approval with
    that run, and takes its end at once when the run has ended (approved: it can be sent)."""
    document = Document.objects.select_for_update().select_related("deal").get(pk=document.pk)
    run = ProcessInstance.objects.filter(
        pk=instance_id,
        definition__key=CONTRACT_PROCESS,
        object_type="deal",
        object_id=str(document.deal_id),
    ).first()
    if document.kind != NumberedKind.CONTRACT or run is None:
        raise DomainError(
            DocumentsError.WRONG_STATUS,
            _("Only a contract goes with a contract approval of its own deal."),
            status=409,
        )
    _put_on_approval(document, None, CONTRACT_PROCESS, int(run.pk), linked=True)
    _record_approval_state(document)
    document.refresh_from_db()
    return document
