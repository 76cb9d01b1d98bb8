"""Readers of the planning app: the day plan with its live fact, suggestions for the
morning plan, the head's team board and the history of days; all scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import can_see_user, scope_users, team_subtree_ids, visible_team_ids
from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.errors import not_found
from greenwave.crm.models import Company
from greenwave.sales.models import Deal, DealStatus

from .models import DayPlan, DayPlanItem, ItemPriority, ItemSource
from .services import day_bounds

STUCK_AFTER_DAYS = 14
SUGGESTIONS_PER_SOURCE = 10


def _plans() -> QuerySet[DayPlan]:
    return DayPlan.objects.select_related("user", "team").prefetch_related(
        Prefetch(
            "items",
            queryset=DayPlanItem.objects.select_related("company", "activity", "deal").order_by(
                "order", "pk"
            ),
        )
    )


def day_plan_find(*, actor: User, user: User, day: date) -> DayPlan | None:
    if not can_see_user(actor, user):
        raise not_found(gettext_lazy("Not found."))
    return _plans().filter(user=user, date=day).first()


def day_plan_get(*, actor: User, pk: int) -> DayPlan:
    plan = _plans().filter(pk=pk).first()
    if plan is None or not can_see_user(actor, plan.user):
        raise not_found(gettext_lazy("Day plan not found."))
    return plan


def day_item_get(*, actor: User, pk: int) -> DayPlanItem:
    item = DayPlanItem.objects.select_related("plan", "plan__user").filter(pk=pk).first()
    if item is None or item.plan.user_id != actor.pk:
        raise not_found(gettext_lazy("Not found."))
    return item


@dataclass(frozen=True)
class Suggestion:
    source: str
    goal: str
    priority: str
    company: Company | None = None
    activity: Activity | None = None
    deal: Deal | None = None

    @property
    def source_label(self) -> str:
        return str(ItemSource(self.source).label)


def suggestions(*, actor: User, day: date) -> list[Suggestion]:
    """What the morning plan could hold: overdue tasks, the calls planned for the day, deals
    stuck at a stage, abandoned clients — minus what the plan already has (five queries)."""
    from greenwave.sales.selectors import abandoned_clients

    start, end = day_bounds(actor, day)
    plan = DayPlan.objects.filter(user=actor, date=day).first()
    taken_companies: set[int] = set()
    taken_activities: set[int] = set()
    if plan is not None:
        for company_id, activity_id in plan.items.values_list("company_id", "activity_id"):
            taken_companies.add(company_id or 0)
            taken_activities.add(activity_id or 0)
    mine = Activity.objects.filter(responsible=actor, status=ActivityStatus.PLANNED).select_related(
        "company"
    )
    overdue = mine.filter(kind=ActivityKind.TASK, due_at__lt=start).order_by("due_at")
    calls = mine.filter(kind=ActivityKind.CALL, due_at__gte=start, due_at__lt=end)
    stuck = (
        Deal.objects.filter(
            responsible=actor,
            status=DealStatus.OPEN,
            stage_entered_at__lt=timezone.now() - timedelta(days=STUCK_AFTER_DAYS),
        )
        .select_related("company", "stage")
        .order_by("stage_entered_at")
    )
    abandoned = abandoned_clients(actor=actor).filter(responsible=actor)
    result = [
        Suggestion(
            ItemSource.OVERDUE_TASK,
            _("Finish the overdue task: %(s)s") % {"s": task.subject},
            ItemPriority.HIGH,
            task.company,
            task,
        )
        for task in overdue[:SUGGESTIONS_PER_SOURCE]
        if task.pk not in taken_activities
    ]
    result += [
        Suggestion(
            ItemSource.PLANNED_CALL,
            _("Call: %(s)s") % {"s": call.subject},
            ItemPriority.NORMAL,
            call.company,
            call,
        )
        for call in calls.order_by("due_at")[: SUGGESTIONS_PER_SOURCE * 3]
        if call.pk not in taken_activities and (call.company_id or 0) not in taken_companies
    ]
    result += [
        Suggestion(
            ItemSource.STUCK_DEAL,
            _("Move the deal “%(d)s” past the stage “%(s)s”")
            % {"d": deal.title, "s": deal.stage.label},
            ItemPriority.HIGH,
            deal.company,
            None,
            deal,
        )
        for deal in stuck[:SUGGESTIONS_PER_SOURCE]
        if (deal.company_id or 0) not in taken_companies
    ]
    result += [
        Suggestion(
            ItemSource.ABANDONED_CLIENT,
            _("Get back in touch with the client"),
            ItemPriority.NORMAL,
            company,
        )
        for company in abandoned[:SUGGESTIONS_PER_SOURCE]
        if company.pk not in taken_companies
    ]
    return result


@dataclass
class BoardRow:
    user: User
    plan: DayPlan | None

    @property
    def planned(self) -> int:
        if self.plan is None:
            return 0
        return self.plan.planned_count if not self.plan.is_open else len(self.plan.items.all())


# Who keeps a day plan: the people who work with clients (not lawyers, finance, HR).
PLANNING_ROLES = ("hunter", "farmer", "kam", "closer", "call_center")


def team_members(*, actor: User, team: Team) -> QuerySet[User]:
    """The managers of the team and of every team below it (a department rolls up its teams)."""
    users = User.objects.filter(
        is_active=True, team__in=team_subtree_ids(team.pk), roles__code__in=PLANNING_ROLES
    )
    return (
        scope_users(users, actor=actor)
        .select_related("team")
        .distinct()
        .order_by("team__name", "last_name", "first_name", "username")
    )


def team_get(*, actor: User, pk: int) -> Team:
    teams = visible_team_ids(actor)
    team = Team.objects.filter(pk=pk).first()
    if team is None or (teams is not None and team.pk not in teams):
        raise not_found(gettext_lazy("Team not found."))
    return team


def team_board(*, actor: User, team: Team, day: date) -> list[BoardRow]:
    """Every member's day (three queries): the head's morning and evening view."""
    members = list(team_members(actor=actor, team=team))
    plans = {p.user_id: p for p in _plans().filter(user__in=members, date=day)}
    return [BoardRow(user=m, plan=plans.get(m.pk)) for m in members]


def team_days(*, actor: User, team: Team, day: date) -> list[DayPlan]:
    members = team_members(actor=actor, team=team)
    return list(_plans().filter(user__in=members, date=day).order_by("user__last_name", "pk"))


def day_history(*, actor: User, user: User, limit: int = 60) -> list[DayPlan]:
    if not can_see_user(actor, user):
        raise not_found(gettext_lazy("Not found."))
    return list(DayPlan.objects.filter(user=user).select_related("user").order_by("-date")[:limit])


def visible_teams(*, actor: User) -> list[Any]:
    teams = visible_team_ids(actor)
    qs = Team.objects.all() if teams is None else Team.objects.filter(pk__in=teams)
    return list(qs.order_by("name"))


def day_plan_visible(actor: User, case_id: str) -> bool:
    """For the event log API: may the actor read the history of this day plan?"""
    if not case_id.isdigit():
        return False
    plan = DayPlan.objects.select_related("user").filter(pk=int(case_id)).first()
    return plan is not None and can_see_user(actor, plan.user)
