"""Processes of a deal: run by the bpm app, started here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.bpm import services as bpm
from greenwave.bpm.errors import BpmError
from greenwave.core.errors import DomainError

from ..contracts import contract_approval_start_kept, is_contract_approval, uploaded_contract
from ..errors import SalesError
from ..gates import APPROVED, process_outcome
from ..models import (
    Deal,
    DealDocument,
    DocumentKind,
    Stage,
)
from .common import (
    _lock_open,
    _require_access,
)

# --- processes of a deal (run by the bpm app, started here) ----------------------------------

DEAL_SUBJECT = Deal.EVENT_CASE_TYPE


def deal_processes() -> list[Any]:
    """The deployed processes that are started from a deal (their latest versions)."""
    return bpm.subject_processes(subject_type=DEAL_SUBJECT)


def deal_process_runs(*, deal: Deal) -> list[Any]:
    """The runs of processes for this deal, newest first (the card's «Processes»)."""
    return bpm.subject_runs(subject_type=DEAL_SUBJECT, subject_id=deal.pk)


def _deal_process_variables(deal: Deal, contract: DealDocument | None) -> dict[str, Any]:
    """What the process's tasks show the approvers: the deal, client, amount and the deal's
    contract, with links (kept as the process's variables: what was put up for approval).
    Only a contract is named: another paper of the deal (the questionnaire, a КП) is never
    shown as the document under approval."""
    from django.urls import reverse

    deal_url = reverse("sales:deal_detail", args=[deal.pk])
    company = deal.company
    return {
        "deal_id": deal.pk,
        "deal_title": deal.title,
        "deal_url": deal_url,
        "client_id": company.pk if company else None,
        "client_name": company.name if company else "",
        "client_url": reverse("crm:company_detail", args=[company.pk]) if company else "",
        "amount": str(deal.amount),
        "currency": deal.currency,
        "responsible": deal.responsible.username if deal.responsible else "",
        "document_kind": DocumentKind.CONTRACT if contract else "",
        "document_title": contract.title if contract else "",
        "document_url": (contract.file.url if contract else "") or f"{deal_url}#documents",
    }


def _contract_approval_start(actor: User | None, deal: Deal, process_key: str) -> int | None:
    """Start a contract approval on the deal's contract: a generated one (its app links it to
    the run, so its state follows the run), else the newest attached contract file. None when
    the deal has no contract waiting for approval: nothing is started."""
    kept = contract_approval_start_kept(actor, deal, process_key)
    if kept is not None:
        return kept
    contract = uploaded_contract(deal)
    if contract is None:
        return None
    return _subject_start(actor, deal, process_key, contract)


def _subject_start(
    actor: User | None, deal: Deal, process_key: str, contract: DealDocument | None
) -> int:
    """Start the process bound to the deal, its variables naming `contract` (if any)."""
    instance = bpm.subject_process_start(
        actor=actor,
        key=process_key,
        subject_type=DEAL_SUBJECT,
        subject_id=deal.pk,
        variables=_deal_process_variables(deal, contract),
    )
    return int(instance.pk)


@transaction.atomic
def deal_process_start(*, actor: User | None, deal: Deal, process_key: str) -> int:
    """Start a process for the deal from its card; the run is bound to the deal (its id, not
    typed text). Returns the process instance id. A contract approval needs the contract: it
    is refused while the deal has none waiting for approval."""
    _require_access(actor, deal)
    deal = _lock_open(deal, None)  # two clicks cannot start two runs
    if is_contract_approval(process_key):
        started = _contract_approval_start(actor, deal, process_key)
        if started is None:
            raise DomainError(
                SalesError.CONTRACT_MISSING,
                _(
                    "There is no contract waiting for approval: prepare the contract (generate "
                    "it under Documents or attach its file), then send it for approval."
                ),
                details={"process": process_key},
                status=409,
            )
        return started
    return _subject_start(actor, deal, process_key, uploaded_contract(deal))


def _start_opening_process(actor: User | None, deal: Deal, stage: Stage) -> None:
    """A deal entering a stage whose gate needs a process starts it — unless a run is open or
    an approved run already meets the gate. A process that is not deployed starts nothing. A
    contract approval starts only on a contract: entering «Договор» before the contract is
    drafted starts nothing, and the deal's card tells the manager to prepare it."""
    if process_outcome(deal, stage.opening_process) == APPROVED:
        return
    try:
        with transaction.atomic():  # a refused start leaves the move as it is
            if is_contract_approval(stage.opening_process):
                _contract_approval_start(actor, deal, stage.opening_process)
                return
            _subject_start(actor, deal, stage.opening_process, uploaded_contract(deal))
    except DomainError as exc:
        if exc.code not in {BpmError.NOT_DEPLOYED, BpmError.ALREADY_RUNNING}:
            raise
