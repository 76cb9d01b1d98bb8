"""Processes of a deal: run by the bpm app, started here."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from greenwave.accounts.models import User
from greenwave.bpm import services as bpm
from greenwave.bpm.errors import BpmError
from greenwave.core.errors import DomainError

from ..gates import APPROVED, process_outcome
from ..models import (
    Deal,
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


def _deal_process_variables(deal: Deal) -> dict[str, Any]:
    """What the process's tasks show the approvers: the deal, client, amount and document, with
    links (kept as the process's variables: what was put up for approval)."""
    from django.urls import reverse

    deal_url = reverse("sales:deal_detail", args=[deal.pk])
    documents = list(deal.documents.order_by("-created_at", "-pk")[:20])
    document = next((d for d in documents if d.kind == DocumentKind.CONTRACT), None) or next(
        iter(documents), None
    )
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
        "document_title": document.title if document else "",
        "document_url": (document.file.url if document and document.file else "")
        or f"{deal_url}#documents",
    }


@transaction.atomic
def deal_process_start(*, actor: User | None, deal: Deal, process_key: str) -> int:
    """Start a process for the deal from its card; the run is bound to the deal (its id, not
    typed text). Returns the process instance id."""
    _require_access(actor, deal)
    deal = _lock_open(deal, None)  # two clicks cannot start two runs
    instance = bpm.subject_process_start(
        actor=actor,
        key=process_key,
        subject_type=DEAL_SUBJECT,
        subject_id=deal.pk,
        variables=_deal_process_variables(deal),
    )
    return int(instance.pk)


def _start_opening_process(actor: User | None, deal: Deal, stage: Stage) -> None:
    """A deal entering a stage whose gate needs a process starts it — unless a run is open or
    an approved run already meets the gate. A process that is not deployed starts nothing."""
    if process_outcome(deal, stage.opening_process) == APPROVED:
        return
    try:
        with transaction.atomic():  # a refused start leaves the move as it is
            bpm.subject_process_start(
                actor=actor,
                key=stage.opening_process,
                subject_type=DEAL_SUBJECT,
                subject_id=deal.pk,
                variables=_deal_process_variables(deal),
            )
    except DomainError as exc:
        if exc.code not in {BpmError.NOT_DEPLOYED, BpmError.ALREADY_RUNNING}:
            raise
