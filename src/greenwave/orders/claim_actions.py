"""Service-task actions of the claim process (bpm library «claim_handling»): the claim record
follows its process through the orders services, as the system (actor None).

A process names them in BPMN (`gw:action="claim_decide"`); they read the process variables
(`claim_id`, `decision`, `resolution`, the refund or replacement fields) and return
variables to merge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from greenwave.bpm.actions import register_action

from .models import ClaimDecision, ClaimStatus


def claim_investigation(variables: Mapping[str, Any]) -> dict[str, Any]:
    from . import fulfilment

    claim = fulfilment.claim_process_step(variables.get("claim_id"), ClaimStatus.INVESTIGATION)
    return {"claim_status": claim.status}


def claim_to_decision(variables: Mapping[str, Any]) -> dict[str, Any]:
    from . import fulfilment

    claim = fulfilment.claim_process_step(
        variables.get("claim_id"),
        ClaimStatus.DECISION,
        details={"findings": str(variables.get("findings") or "")[:1000]},
    )
    return {"claim_status": claim.status}


def claim_decide(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The head's decision: a rejected claim closes, a refund or replacement is carried out."""
    from . import fulfilment

    decision = str(variables.get("decision") or "")
    if decision not in ClaimDecision.values:
        raise ValueError(f"Unknown claim decision {decision!r}.")
    status = ClaimStatus.CLOSED if decision == ClaimDecision.REJECTED else ClaimStatus.SETTLEMENT
    claim = fulfilment.claim_process_step(
        variables.get("claim_id"),
        status,
        decision=decision,
        resolution=str(variables.get("resolution") or ""),
    )
    return {"claim_status": claim.status}


def claim_close(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The refund is paid or the replacement shipped: the claim is closed."""
    from . import fulfilment

    keys = ("refund_date", "payment_order", "replacement_document", "replacement_shipped_on")
    details = {key: str(variables[key]) for key in keys if variables.get(key)}
    claim = fulfilment.claim_process_step(
        variables.get("claim_id"), ClaimStatus.CLOSED, details=details
    )
    return {"claim_status": claim.status}


def claim_escalate(variables: Mapping[str, Any]) -> dict[str, Any]:
    from . import fulfilment

    return {"escalated_to": fulfilment.claim_escalate(variables.get("claim_id"))}


def register_claim_actions() -> None:
    register_action("claim_investigation", _("Claim: start the investigation"), claim_investigation)
    register_action("claim_to_decision", _("Claim: wait for the decision"), claim_to_decision)
    register_action("claim_decide", _("Claim: record the decision"), claim_decide)
    register_action("claim_close", _("Claim: close"), claim_close)
    register_action("claim_escalate", _("Claim: escalate to the head"), claim_escalate)
