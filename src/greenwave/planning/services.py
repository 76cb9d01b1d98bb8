"""Writers of the planning app: build the day plan, close it into plan vs fact.

The fact of each item is computed from the activities the manager actually completed that
day (calls, meetings, tasks, e-mails for the item's client, deal or activity), so a day
cannot be closed with a typed-in «сделано». Each miss needs a comment; a day closes once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import visible_team_ids
from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.errors import DomainError, not_found
from greenwave.core.services import event_append_for, ref
from greenwave.crm.models import Company
from greenwave.sales.models import Deal

from . import events
from .errors import PlanningError
from .models import DayPlan, DayPlanItem, DayStatus, ItemPriority, ItemResult, ItemSource

# A note is a record, not work with the client: it does not count as the fact of a goal.
FACT_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.TASK, ActivityKind.EMAIL)


def user_zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def today_for(user: User) -> date:
    return timezone.now().astimezone(user_zone(user)).date()


def day_bounds(user: User, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=user_zone(user))
    return start, start + timedelta(days=1)


def _require_owner(actor: User, plan: DayPlan) -> None:
    if plan.user_id != actor.pk:
        raise DomainError(
            PlanningError.NOT_YOUR_DAY,
            _("Only the manager whose day it is can change its plan."),
            status=403,
        )


def _require_open(plan: DayPlan) -> None:
    if plan.status != DayStatus.OPEN:
        raise DomainError(
            PlanningError.DAY_ALREADY_CLOSED,
            _("The day %(date)s is already closed.") % {"date": plan.date.strftime("%d.%m.%Y")},
            details={"date": plan.date.isoformat()},
            status=409,
        )


@transaction.atomic
def day_plan_open(*, actor: User, day: date | None = None) -> DayPlan:
    """The actor's plan of the day, created empty on first use."""
    plan, _created = DayPlan.objects.get_or_create(
        user=actor, date=day or today_for(actor), defaults={"team_id": actor.team_id}
    )
    return plan


@transaction.atomic
def day_plan_add_item(
    *,
    actor: User,
    plan: DayPlan,
    goal: str,
    company: Company | None = None,
    priority: str = ItemPriority.NORMAL,
    source: str = ItemSource.MANUAL,
    activity: Activity | None = None,
    deal: Deal | None = None,
) -> DayPlanItem:
    _require_owner(actor, plan)
    plan = DayPlan.objects.select_for_update().get(pk=plan.pk)  # the day may have closed
    _require_open(plan)
    goal = (goal or "").strip()
    if not goal:
        raise DomainError(
            PlanningError.GOAL_REQUIRED,
            _("Say what you want to achieve with this client today."),
            details={"field": "goal"},
        )
    if priority not in ItemPriority.values or source not in ItemSource.values:
        raise DomainError(PlanningError.INVALID, _("Unknown priority or source."))
    teams = visible_team_ids(actor)
    for record in (company, deal, activity):
        if record is None or teams is None:
            continue
        if record.responsible_id != actor.pk and record.team_id not in teams:
            raise not_found(_("Not found."))
    if company is None:
        company = (deal.company if deal else None) or (activity.company if activity else None)
    item = DayPlanItem.objects.create(
        plan=plan,
        company=company,
        goal=goal[:500],
        priority=priority,
        source=source,
        activity=activity,
        deal=deal,
        order=plan.items.count(),
    )
    objects = [ref(actor, "responsible")]
    if company is not None:
        objects.append(ref(company, "client"))
    event_append_for(
        plan,
        activity=events.DAY_ITEM_ADDED,
        actor=actor,
        payload={"goal": item.goal, "priority": priority, "source": source},
        objects=objects,
    )
    return item


@transaction.atomic
def day_plan_remove_item(*, actor: User, item: DayPlanItem) -> None:
    _require_owner(actor, item.plan)
    plan = DayPlan.objects.select_for_update().get(pk=item.plan_id)
    _require_open(plan)
    event_append_for(
        plan,
        activity=events.DAY_ITEM_REMOVED,
        actor=actor,
        payload={"goal": item.goal},
        objects=[ref(actor, "responsible")],
    )
    item.delete()


@dataclass
class DayFact:
    """What the manager completed that day, matched to the plan's items."""

    by_item: dict[int, list[Activity]] = field(default_factory=dict)
    unplanned: list[Activity] = field(default_factory=list)

    def done(self, item: DayPlanItem) -> bool:
        return bool(self.by_item.get(item.pk))


def day_fact(plan: DayPlan, items: list[DayPlanItem] | None = None) -> DayFact:
    """Match the completed activities of the day to the items (one query)."""
    items = list(plan.items.all()) if items is None else items
    return day_facts([(plan, items)])[plan.pk]


def day_facts(plans: list[tuple[DayPlan, list[DayPlanItem]]]) -> dict[int, DayFact]:
    """The facts of several days at once (the team board): one query for all of them."""
    if not plans:
        return {}
    bounds = {plan.pk: day_bounds(plan.user, plan.date) for plan, _items in plans}
    done = list(
        Activity.objects.filter(
            responsible_id__in={plan.user_id for plan, _items in plans},
            status=ActivityStatus.DONE,
            kind__in=FACT_KINDS,
            completed_at__gte=min(b[0] for b in bounds.values()),
            completed_at__lt=max(b[1] for b in bounds.values()),
        )
        .select_related("company")
        .order_by("completed_at", "pk")
    )
    facts: dict[int, DayFact] = {}
    for plan, items in plans:
        start, end = bounds[plan.pk]
        own = [
            a
            for a in done
            if a.responsible_id == plan.user_id
            and a.completed_at is not None
            and start <= a.completed_at < end
        ]
        fact = DayFact(by_item={item.pk: [] for item in items})
        matched: set[int] = set()
        for item in items:
            for activity in own:
                if _fulfils(item, activity):
                    fact.by_item[item.pk].append(activity)
                    matched.add(activity.pk)
        fact.unplanned = [a for a in own if a.pk not in matched]
        facts[plan.pk] = fact
    return facts


def _fulfils(item: DayPlanItem, activity: Activity) -> bool:
    """An item taken from a given task or call is met by completing that one; an item about
    a client (or deal) by any call, meeting, task or e-mail completed with it."""
    if item.activity_id:
        return activity.pk == item.activity_id
    return bool(
        (item.company_id and activity.company_id == item.company_id)
        or (item.deal_id and activity.deal_id == item.deal_id)
    )


def _fact_rows(activities: list[Activity]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "subject": a.subject,
            "result": a.get_call_result_display() if a.call_result else a.outcome[:200],
        }
        for a in activities
    ]


@transaction.atomic
def day_plan_close(
    *,
    actor: User,
    plan: DayPlan,
    miss_comments: Mapping[Any, str] | None = None,
    comment: str = "",
) -> DayPlan:
    """Close the day: every item becomes done or missed from the activities completed that
    day; a missed item needs a comment. A day closes once (a second close is a 409)."""
    _require_owner(actor, plan)
    plan = DayPlan.objects.select_for_update().select_related("user").get(pk=plan.pk)
    _require_open(plan)
    if plan.date > today_for(actor):
        raise DomainError(PlanningError.INVALID, _("A day can be closed only when it has come."))
    comments = {str(k): (v or "").strip() for k, v in (miss_comments or {}).items()}
    items = list(plan.items.all())
    fact = day_fact(plan, items)
    missing = [i.pk for i in items if not fact.done(i) and not comments.get(str(i.pk))]
    if missing:
        raise DomainError(
            PlanningError.MISS_COMMENT_REQUIRED,
            _("Explain every missed item: %(n)s without a comment.") % {"n": len(missing)},
            details={"items": missing, "field": "miss_comments"},
        )
    for item in items:
        done = fact.done(item)
        item.result = ItemResult.DONE if done else ItemResult.MISSED
        item.fact = _fact_rows(fact.by_item.get(item.pk, []))
        item.miss_comment = "" if done else comments[str(item.pk)]
    DayPlanItem.objects.bulk_update(items, ["result", "fact", "miss_comment", "updated_at"])
    plan.status = DayStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.comment = (comment or "").strip()
    plan.planned_count = len(items)
    plan.done_count = sum(1 for i in items if i.result == ItemResult.DONE)
    plan.unplanned_count = len(fact.unplanned)
    plan.save()
    event_append_for(
        plan,
        activity=events.DAY_CLOSED,
        actor=actor,
        payload={
            "date": plan.date.isoformat(),
            "planned": plan.planned_count,
            "done": plan.done_count,
            "missed": plan.planned_count - plan.done_count,
            "unplanned": plan.unplanned_count,
        },
        objects=[ref(actor, "responsible")],
    )
    return plan
