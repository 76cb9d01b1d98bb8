"""The closed catalogue of webhook event types and the event-log activities they come from.

A webhook event is a plain event of the one event log, chosen by (case type, activity): the
names on the right are the stable activity names of the apps that append them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# event type → (case type, activity)
WEBHOOK_EVENTS: dict[str, tuple[str, str]] = {
    "deal.created": ("deal", "deal_created"),
    "deal.moved": ("deal", "deal_stage_changed"),
    "deal.won": ("deal", "deal_won"),
    "deal.lost": ("deal", "deal_lost"),
    "deal.reopened": ("deal", "deal_reopened"),
    "lead.created": ("lead", "lead_created"),
    "lead.converted": ("lead", "lead_converted"),
    "invoice.paid": ("invoice", "invoice_paid"),
    "task.completed": ("activity", "task_completed"),
    "call.completed": ("activity", "call_completed"),
    "meeting.completed": ("activity", "meeting_completed"),
    "company.created": ("company", "company_created"),
    "contact.created": ("contact", "contact_created"),
}
PING = "ping"

EVENT_LABELS: dict[str, Any] = {
    "deal.created": _("Deal created"),
    "deal.moved": _("Deal moved to another stage"),
    "deal.won": _("Deal won"),
    "deal.lost": _("Deal lost"),
    "deal.reopened": _("Deal reopened"),
    "lead.created": _("Lead created"),
    "lead.converted": _("Lead converted into a deal"),
    "invoice.paid": _("Invoice paid"),
    "task.completed": _("Task completed"),
    "call.completed": _("Call completed"),
    "meeting.completed": _("Meeting completed"),
    "company.created": _("Company created"),
    "contact.created": _("Contact created"),
}

_BY_ACTIVITY: dict[tuple[str, str], str] = {v: k for k, v in WEBHOOK_EVENTS.items()}


def event_type_of(case_type: str, activity: str) -> str | None:
    return _BY_ACTIVITY.get((case_type, activity))


def activities_of(event_types: set[str]) -> set[str]:
    return {WEBHOOK_EVENTS[t][1] for t in event_types if t in WEBHOOK_EVENTS}
