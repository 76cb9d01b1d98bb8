"""Service-task actions that act on leads and deals through the sales app's services.

Registered in bpm's action registry from `SalesConfig.ready()` (as `orders.claim_actions` is), so
that bpm, which sales uses to run its processes, never imports sales.

A process names them in BPMN (`gw:action="lead_convert"`); they read the process variables
(`lead_id`, `responsible`, `wholesaler`, `refusal_reason`, …) and return variables to merge.
They run as the system (actor None), like the web-form intake does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.bpm.actions import register_action

from . import selectors as sales_selectors
from . import services as sales
from .models import Lead

# Refusal reasons of the web-lead process → the sales app's closed list of reasons.
REFUSAL_REASONS = {
    "impossible": "not_target",
    "wholesale": "wholesale",
    "price": "no_budget",
    "no_contact": "no_contact",
    "other": "no_need",
}


def _lead(variables: Mapping[str, Any]) -> Lead:
    lead_id = str(variables.get("lead_id") or "")
    lead = Lead.objects.filter(pk=int(lead_id)).first() if lead_id.isdigit() else None
    if lead is None:
        raise LookupError(f"The process has no lead (lead_id={lead_id!r}).")
    return lead


def _user(username: Any) -> User:
    user = User.objects.filter(username=str(username or ""), is_active=True).first()
    if user is None:
        raise LookupError(f"No active user {username!r}.")
    return user


def lead_assign(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The one variable `responsible` names who works the lead; the lead follows it."""
    user = _user(variables.get("responsible"))
    lead = _lead(variables)
    if lead.responsible_id != user.pk:
        sales.lead_reassign(actor=None, lead=lead, responsible=user)
    return {"responsible": user.username}


def wholesaler_takes_over(variables: Mapping[str, Any]) -> dict[str, Any]:
    return lead_assign({**variables, "responsible": variables.get("wholesaler")})


def lead_convert(variables: Mapping[str, Any]) -> dict[str, Any]:
    pipeline = sales_selectors.pipeline_default()
    if pipeline is None:
        raise LookupError("No sales pipeline to create the deal in.")
    deal = sales.lead_convert(
        actor=None,
        lead=_lead(variables),
        pipeline=pipeline,
        responsible=_user(variables.get("responsible")),
    )
    return {"deal_id": deal.pk}


def lead_disqualify(variables: Mapping[str, Any]) -> dict[str, Any]:
    reason = REFUSAL_REASONS.get(str(variables.get("refusal_reason")), "no_need")
    sales.lead_disqualify(
        actor=None,
        lead=_lead(variables),
        reason=reason,
        comment=str(variables.get("comment") or ""),
    )
    return {"lead_closed": reason}


def register_sales_actions() -> None:
    register_action("lead_assign", _("Assign the lead's responsible"), lead_assign)
    register_action(
        "lead_to_wholesaler", _("Pass the lead to the wholesaler"), wholesaler_takes_over
    )
    register_action("lead_convert", _("Create a deal from the lead"), lead_convert)
    register_action("lead_disqualify", _("Close the lead with a reason"), lead_disqualify)
