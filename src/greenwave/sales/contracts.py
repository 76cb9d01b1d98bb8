"""The deal's contract and the processes that approve it.

A contract approval (the «Договор» stage's `contract_approval`, whose start event is «Проект
договора готов») has something to approve only once the deal has a contract: it starts on
that contract, never on another paper of the deal. The apps that keep a deal's contracts as
records of their own (the generated contracts of `documents`) register here, from their
`wiring`, the process keys that approve a contract and how to start one on their contract —
so that the contract carries its approval (its state follows the run) and sales needs no
import of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from greenwave.accounts.models import User

from .gates import GateItem, deal_has_document
from .models import ApprovalKind, Deal, DealDocument, DocumentKind

# `start(actor, deal)`: start the approval on the deal's contract the app keeps and return the
# process instance id, or None when it keeps no contract waiting for approval.
ContractApprovalStart = Callable[[User | None, Deal], int | None]
_CONTRACT_APPROVALS: dict[str, list[ContractApprovalStart]] = {}


def register_contract_approval(process_key: str, start: ContractApprovalStart) -> None:
    """Name a process that approves the deal's contract, with how an app starts it on the
    contract it keeps."""
    starts = _CONTRACT_APPROVALS.setdefault(process_key, [])
    if start not in starts:
        starts.append(start)


def is_contract_approval(process_key: str) -> bool:
    return process_key in _CONTRACT_APPROVALS


def contract_approval_start_kept(actor: User | None, deal: Deal, process_key: str) -> int | None:
    """Start the approval on a contract another app keeps for the deal: the instance id, or
    None when none keeps a contract waiting for approval."""
    for start in _CONTRACT_APPROVALS.get(process_key, ()):
        instance_id = start(actor, deal)
        if instance_id is not None:
            return instance_id
    return None


def uploaded_contract(deal: Deal) -> DealDocument | None:
    """The newest contract attached to the deal as a file (a title alone is no contract)."""
    return (
        deal.documents.filter(kind=DocumentKind.CONTRACT)
        .exclude(file="")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class NextStep:
    """What the deal's card tells the manager to do next about the contract."""

    code: str
    text: str


def _has_contract(deal: Deal, gate: Sequence[GateItem]) -> bool:
    """A contract drafted for the deal: the gate's «contract attached» when the stage asks for
    it (read already), else an attached contract file or a generated contract."""
    item = next((i for i in gate if i.kind == "document" and i.key == DocumentKind.CONTRACT), None)
    if item is not None and item.met:
        return True
    return uploaded_contract(deal) is not None or deal_has_document(deal, DocumentKind.CONTRACT)


def contract_next_step(
    deal: Deal, gate: Sequence[GateItem], runs: Sequence[Any]
) -> NextStep | None:
    """The card's hint while the stage's output waits for the contract's approval: prepare the
    contract and send it for approval, send the one drafted, or rework a rejected one. None
    when the stage asks for no contract approval, once it is met, or while a run is open."""
    item = next((i for i in gate if i.kind == "approval" and i.key == ApprovalKind.CONTRACT), None)
    if item is None or item.met or deal.status != "open":
        return None
    keys = {deal.stage.opening_process, *_CONTRACT_APPROVALS}
    approvals = [r for r in runs if r.key in keys]  # newest first
    if any(r.is_open for r in approvals):
        return None
    if not _has_contract(deal, gate):
        return NextStep(
            "prepare",
            _(
                "Next step: prepare the contract and send it for approval. Generate it under "
                "Documents (or attach its file), then press “Send for approval”: the head, the "
                "lawyer and finance approve it, and then it can be sent to the client."
            ),
        )
    if approvals and approvals[0].outcome == "rejected":
        return NextStep(
            "rework",
            _("The contract was rejected on approval: rework it and send it for approval again."),
        )
    return NextStep(
        "send",
        _(
            "Next step: send the contract for approval: “Send for approval” beside it under "
            "Documents, or start the contract approval below."
        ),
    )
