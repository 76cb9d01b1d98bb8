"""The first steps of the demo company (issue #24, item 4): a dismissible home card with the
things to try first, each a link into the demo data, those of the person's roles only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import BACK_OFFICE_ROLES, HEAD_ROLES, SALES_ROLES, RoleCode, User
from .selectors import demo_company_loaded

ALL = (*SALES_ROLES, *BACK_OFFICE_ROLES, *HEAD_ROLES, RoleCode.HR)
MONEY = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)


@dataclass(frozen=True)
class TourStep:
    url_name: str
    title: Promise
    text: Promise
    roles: tuple[str, ...]


STEPS: tuple[TourStep, ...] = (
    TourStep(
        "sales:lead_create",
        _("Register a lead"),
        _("A call came in: write down the company, the contact and what they need."),
        (RoleCode.CALL_CENTER,),
    ),
    TourStep(
        "mining:map",
        _("Open the map of the real process"),
        _("Where B2B deals loop back from «Contract» and who holds the approvals."),
        HEAD_ROLES,
    ),
    TourStep(
        "planning:team_plan",
        _("Check the month against the plan"),
        _("The team's KPIs today, the forecast to the month's end, who is behind."),
        HEAD_ROLES,
    ),
    TourStep(
        "analytics:sales",
        _("Compare the sales"),
        _("The fifteen figures against the previous period and last year, each one clickable."),
        HEAD_ROLES,
    ),
    TourStep(
        "planning:my_plan",
        _("See my plan for the month"),
        _("My KPIs today, computed from my calls, meetings, deals and payments."),
        SALES_ROLES,
    ),
    TourStep(
        "sales:board",
        _("Move a deal on the kanban"),
        _("A stage opens only when the previous one's output is there: try the «Invoice» gate."),
        (*SALES_ROLES, *HEAD_ROLES),
    ),
    TourStep(
        "sales:funnel",
        _("Read the funnel"),
        _("Conversion and time per stage against the previous period and last year."),
        (*SALES_ROLES, *HEAD_ROLES),
    ),
    TourStep(
        "bpm:holdups",
        _("See who holds up whom"),
        _("Contract approvals wait longest for one person: the slow approver of the demo."),
        HEAD_ROLES,
    ),
    TourStep(
        "orders:receivables",
        _("See who owes"),
        _("The unpaid invoices by client, and how much of it is overdue."),
        MONEY,
    ),
    TourStep(
        "orders:payment_create",
        _("Record a payment"),
        _("Money came in: tie it to the client's invoice and see the debt go down."),
        MONEY,
    ),
    TourStep(
        "orders:claim_list",
        _("Answer a claim"),
        _("A client's claim or return against an order, with the deadline for the answer."),
        BACK_OFFICE_ROLES,
    ),
    TourStep(
        "bpm:inbox",
        _("Complete a process task"),
        _("Approve or return a contract the way a lawyer or finance does."),
        (*SALES_ROLES, *BACK_OFFICE_ROLES, *HEAD_ROLES),
    ),
    TourStep(
        "bpm:inbox",
        _("Complete a process task"),
        _("Issue a vacation order or read a document: the steps the processes give HR."),
        (RoleCode.HR,),
    ),
    TourStep(
        "planning:my_day",
        _("Plan the day"),
        _("The manager's plan for today and the report at its end, seen by the head."),
        SALES_ROLES,
    ),
    TourStep(
        "bpm:definition_list",
        _("Open a process diagram"),
        _("The processes of the sales regulations, drawn in BPMN and executable."),
        ALL,
    ),
)


def tour_card(user: User) -> dict[str, Any] | None:
    if not demo_company_loaded():
        return None
    steps = []
    for step in STEPS:
        if not user.has_role(*step.roles):
            continue
        try:
            url = reverse(step.url_name)
        except NoReverseMatch:  # an app switched off
            continue
        steps.append({"url": url, "title": step.title, "text": step.text})
    return {"steps": steps[:5]} if steps else None
