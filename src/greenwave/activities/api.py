"""REST endpoints of the activities app (mounted under /api/v1/ by config/api.py).

`GET /activities?type=call&owner=5&from=2026-01-01&to=2026-01-31&company=7`; a record outside
the actor's scope is a 404, a colleague outside it as assignee a 403.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.core.api import row_of_id, scoped_row_of_id
from greenwave.core.crud import Entity, created
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import DomainError
from greenwave.crm import selectors as crm_selectors
from greenwave.sales import selectors as sales_selectors

from . import selectors, services
from .errors import ActivitiesError
from .models import Activity
from .schemas import (
    ActivityCompleteIn,
    ActivityIn,
    ActivityOut,
    CancelIn,
    ReminderOut,
    RescheduleIn,
)

router = Router(tags=["activities"])
ENDPOINTS = Endpoints(router, __name__)
# An action answers the activity read again: its links and people joined as the list has them.
ACTIVITY = Entity(Activity, "activity", selectors.activity_get, reread=True)


def _assignee(user_id: int | None) -> User | None:
    """Unknown and out-of-scope users get the same answer: existence is not leaked."""
    out_of_scope = DomainError(
        ActivitiesError.ASSIGNEE_OUT_OF_SCOPE,
        _("You cannot assign work to this user: they are outside your teams."),
        details={"field": "responsible"},
        status=403,
    )
    return row_of_id(User, user_id, out_of_scope)


ENDPOINTS.list(
    "/activities",
    selectors.activity_list,
    selectors.ACTIVITY_LIST_SPEC,
    ActivityOut,
    name="activity_list",
    summary="Activities visible to me",
)


@router.post("/activities", response={201: ActivityOut}, summary="Plan or log an activity")
def activity_create(request: AuthedRequest, payload: ActivityIn) -> Any:
    actor = request.user
    data = payload.dict()
    company_id, contact_id = data.pop("company_id"), data.pop("contact_id")
    lead_id, deal_id = data.pop("lead_id"), data.pop("deal_id")
    responsible_id = data.pop("responsible_id")
    activity = services.activity_create(
        actor=actor,
        responsible=_assignee(responsible_id),
        company=scoped_row_of_id(crm_selectors.company_get, actor, company_id),
        contact=scoped_row_of_id(crm_selectors.contact_get, actor, contact_id),
        lead=scoped_row_of_id(sales_selectors.lead_get, actor, lead_id),
        deal=scoped_row_of_id(sales_selectors.deal_get, actor, deal_id),
        **data,
    )
    return created(ACTIVITY.row(request, activity.pk))


@router.get("/activities/reminders", response=list[ReminderOut], summary="My due reminders")
def reminder_list(request: AuthedRequest) -> Any:
    return list(selectors.reminders_due(actor=request.user)[:50])


ENDPOINTS.detail("/activities/{activity_id}", ACTIVITY.get, ActivityOut)


ENDPOINTS.action(
    ACTIVITY,
    "/activities/{activity_id}/complete",
    services.activity_complete,
    ActivityOut,
    payload=ActivityCompleteIn,
)
ENDPOINTS.action(
    ACTIVITY,
    "/activities/{activity_id}/reschedule",
    services.activity_reschedule,
    ActivityOut,
    payload=RescheduleIn,
)
ENDPOINTS.action(
    ACTIVITY,
    "/activities/{activity_id}/cancel",
    services.activity_cancel,
    ActivityOut,
    payload=CancelIn,
)
