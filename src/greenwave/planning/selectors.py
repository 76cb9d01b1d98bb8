"""Readers of the planning app: the day plan with its live fact, suggestions for the
morning plan, the head's team board and the history of days; all scoped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import (
    can_see_user,
    scope_users,
    team_subtree_ids,
    visible_team_ids,
    writable_team_ids,
)
from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.case_access import readable_case_ids
from greenwave.core.errors import DomainError, not_found
from greenwave.core.models import Event
from greenwave.crm.models import Company
from greenwave.sales.models import Deal, DealStatus, stuck_in_stage
from greenwave.sales.selectors import abandoned_clients

from . import kpi_rollups, motivation, services
from . import kpis as kpis_mod
from .errors import PlanningError
from .models import (
    DayPlan,
    DayPlanItem,
    ItemPriority,
    ItemSource,
    Kpi,
    KpiDirection,
    KpiUnit,
    MonthPlan,
    PlanTarget,
)
from .services import day_bounds

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
        )
        .filter(stuck_in_stage(timezone.now()))
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


def headed_root_team(*, actor: User) -> Team | None:
    """The top team the actor heads (the department of a director), or None."""
    headed = [t for t in visible_teams(actor=actor) if t.head_id == actor.pk]
    ids = {t.pk for t in headed}
    roots = [t for t in headed if t.parent_id not in ids]
    return roots[0] if roots else None


def day_plan_visible(actor: User, case_id: str) -> bool:
    """For the event log API: may the actor read the history of this day plan?"""
    if not case_id.isdigit():
        return False
    plan = DayPlan.objects.select_related("user").filter(pk=int(case_id)).first()
    return plan is not None and can_see_user(actor, plan.user)


# --- monthly plans, actuals and forecast ---------------------------------------------------


def is_planner(actor: User) -> bool:
    """Heads and administrators see the plans of the people under them; a manager sees
    only their own."""
    return bool(actor.is_superuser or actor.has_role("head_of_sales", "admin"))


def kpi_catalogue(*, actor: User, active_only: bool = True) -> list[Kpi]:
    """The KPIs (the built-in eleven are put back if a flush removed them)."""
    qs = Kpi.objects.filter(is_active=True) if active_only else Kpi.objects.all()
    kpis = list(qs.order_by("order", "key"))
    if not {k.key for k in kpis} >= set(kpis_mod.BUILTIN_KEYS):
        services.kpi_catalogue_sync()
        kpis = list(qs.order_by("order", "key"))
    return kpis


def kpi_get(*, actor: User, key: str) -> Kpi:
    found = next((k for k in kpi_catalogue(actor=actor) if k.key == key), None)
    if found is None:
        raise not_found(gettext_lazy("KPI not found."))
    return found


@dataclass(frozen=True)
class Subject:
    """Whose plan: one person, or a team with everything below it."""

    user: User | None = None
    team: Team | None = None
    team_ids: frozenset[int] = frozenset()

    @property
    def scope(self) -> kpis_mod.Scope:
        if self.user is not None:
            return kpis_mod.Scope(user_ids=frozenset({self.user.pk}))
        return kpis_mod.Scope(team_ids=self.team_ids)

    def values(self, parts: list[kpis_mod.Part]) -> list[kpis_mod.Part]:
        if self.user is not None:
            return [p for p in parts if p.user_id == self.user.pk]
        return [p for p in parts if p.team_id in self.team_ids]

    @property
    def name(self) -> str:
        return str(self.user or self.team)


def plan_subject(*, actor: User, user_id: int | None = None, team_id: int | None = None) -> Subject:
    """Whose plan the actor asks for, or 404: a manager only their own, a head the people
    and teams they see, an administrator everyone's."""
    if team_id is not None:
        team = team_get(actor=actor, pk=team_id)
        if not is_planner(actor):
            raise not_found(gettext_lazy("Team not found."))
        return Subject(team=team, team_ids=frozenset(team_subtree_ids(team.pk)))
    if user_id is None or user_id == actor.pk:
        return Subject(user=actor)
    user = User.objects.filter(pk=user_id).select_related("team").first()
    if user is None or not is_planner(actor) or not can_see_user(actor, user):
        raise not_found(gettext_lazy("Not found."))
    return Subject(user=user)


@dataclass
class KpiFigure:
    kpi: Kpi
    target: Decimal | None
    actual: Decimal | None
    forecast: Decimal | None
    pipeline: Decimal | None = None
    previous: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        """Achievement of the plan: actual / target (inverted for less-is-better KPIs)."""
        if self.target is None or self.actual is None:
            return None
        if self.kpi.direction == KpiDirection.DOWN:
            if self.actual <= self.target:
                return Decimal(100)
            return (100 * self.target / self.actual).quantize(Decimal("0.1"))
        if self.target == 0:
            return None
        return (100 * self.actual / self.target).quantize(Decimal("0.1"))

    @property
    def light(self) -> str:
        """green / yellow / red by where the month is heading (forecast), grey without a plan."""
        value = self.forecast if self.forecast is not None else self.actual
        if self.target is None or value is None:
            return "grey"
        if self.kpi.direction == KpiDirection.DOWN:
            if value <= self.target:
                return "green"
            return "yellow" if value <= self.target * Decimal("1.1") else "red"
        if value >= self.target:
            return "green"
        return "yellow" if value >= self.target * Decimal("0.9") else "red"

    @property
    def trend(self) -> Decimal | None:
        if self.previous is None or self.actual is None:
            return None
        return self.actual - self.previous

    @property
    def trend_good(self) -> bool:
        """Whether the change since last month is for the better: a rise, or a fall of a
        less-is-better KPI (more overdue payments is a red arrow up)."""
        trend = self.trend
        if trend is None:
            return False
        return trend < 0 if self.kpi.direction == KpiDirection.DOWN else trend > 0


def _context(month: kpis_mod.Month) -> kpis_mod.Context:
    return kpis_mod.context_for(month, services.planning_settings().revenue_basis)


def too_early_for_pace(working_days: int, gone: int) -> bool:
    """Before a third of the month's working days are gone, a pace is one payment or two
    stretched over the month (a 171 k payment on the 2nd «heading for» 3.8 M): not a forecast."""
    return gone * 3 < working_days


def run_rate(
    kpi: Kpi, actual: Decimal | None, ctx: kpis_mod.Context, target: Decimal | None = None
) -> Decimal | None:
    """Where a flow KPI ends the month: the actual over the working days gone, times the
    month's working days (Russian production calendar) — early in the month the actual plus
    the plan for the working days left (the actual alone without a plan)."""
    if actual is None:
        return None
    month = ctx.month
    if month.first > kpis_mod.today():
        return None
    if kpis_mod.mode_of(kpi) != kpis_mod.MODE_SUM or kpis_mod.is_state(kpi):
        return actual
    if ctx.as_of >= month.last:
        return actual
    days = kpis_mod.working_days(month)
    gone = sum(1 for d in days if d <= ctx.as_of)
    # A count ends the month as a whole number of calls or deals, never «60,50».
    step = Decimal(1) if kpi.unit == KpiUnit.COUNT else Decimal("0.01")
    if too_early_for_pace(len(days), gone):
        rest = Decimal(0) if target is None else target * (len(days) - gone) / len(days)
        return (actual + rest).quantize(step, rounding=ROUND_HALF_UP)
    return (actual * len(days) / gone).quantize(step, rounding=ROUND_HALF_UP)


def _targets(
    month: kpis_mod.Month, users: list[int], teams: list[int]
) -> dict[Any, dict[str, Decimal]]:
    """{("u", id) | ("t", id): {key: target}} in one query."""
    from django.db.models import Q

    result: dict[Any, dict[str, Decimal]] = {}
    rows = PlanTarget.objects.filter(plan__period=month.first).filter(
        Q(plan__user_id__in=users) | Q(plan__team_id__in=teams)
    )
    for user_id, team_id, key, target in rows.values_list(
        "plan__user_id", "plan__team_id", "kpi__key", "target"
    ):
        owner = ("u", user_id) if user_id else ("t", team_id)
        result.setdefault(owner, {})[key] = target
    return result


def _rollup_target(kpi: Kpi, values: list[Decimal]) -> Decimal | None:
    """A team without its own target: the sum of its people's (the average for averages)."""
    if not values:
        return None
    if kpis_mod.mode_of(kpi) == kpis_mod.MODE_SUM:
        return sum(values, Decimal(0))
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


def subject_targets(kpis: list[Kpi], month: kpis_mod.Month, subject: Subject) -> dict[str, Decimal]:
    """{kpi key: target} of a person, or of a team: its own target, else its people's
    rolled up (the sum, the average for averages)."""
    if subject.user is not None:
        return _targets(month, [subject.user.pk], []).get(("u", subject.user.pk), {})
    assert subject.team is not None
    own = _targets(month, [], [subject.team.pk]).get(("t", subject.team.pk), {})
    members = list(
        User.objects.filter(team_id__in=subject.team_ids, is_active=True).values_list(
            "pk", flat=True
        )
    )
    people = _targets(month, members, [])
    targets: dict[str, Decimal] = {}
    for kpi in kpis:
        if kpi.key in own:
            targets[kpi.key] = own[kpi.key]
            continue
        rolled = _rollup_target(kpi, [t[kpi.key] for t in people.values() if kpi.key in t])
        if rolled is not None:
            targets[kpi.key] = rolled
    return targets


def plan_figures(
    *, actor: User, month: kpis_mod.Month, subject: Subject, keys: list[str]
) -> list[KpiFigure]:
    """Target, actual and run-rate forecast of the named KPIs (in the catalogue's order) for
    one person or team this month: what «My plan» shows, without last month and the
    pipeline (the home page's plan card)."""
    kpis = [k for k in kpi_catalogue(actor=actor) if k.key in keys]
    ctx = _context(month)
    targets = subject_targets(kpis, month, subject)
    figures = []
    for kpi in kpis:
        parts = subject.values(kpi_rollups.kpi_parts(kpi, ctx, subject.scope))
        actual = kpis_mod.combine(parts, kpis_mod.mode_of(kpi))
        figures.append(
            KpiFigure(
                kpi=kpi,
                target=targets.get(kpi.key),
                actual=actual,
                forecast=run_rate(kpi, actual, ctx, targets.get(kpi.key)),
            )
        )
    return figures


@dataclass
class PlanReport:
    subject: Subject
    month: kpis_mod.Month
    figures: list[KpiFigure]
    locked: bool
    working_days: int
    working_days_gone: int
    # The forecast is the fact plus the plan for the days left, not yet the pace so far.
    early: bool = False
    # A person's plan: the revenue they share in as the assistant of a manager (seed 002).
    assisted: list[Any] = field(default_factory=list)


def plan_report(*, actor: User, month: kpis_mod.Month, subject: Subject) -> PlanReport:
    """Targets, actuals, % of plan, run-rate and pipeline forecast and last month's actual of
    every KPI for one person or team (two grouped queries per KPI)."""
    kpis = kpi_catalogue(actor=actor)
    ctx, prev_ctx = _context(month), _context(month.previous)
    targets = subject_targets(kpis, month, subject)
    pipeline_parts = subject.values(kpis_mod.pipeline_revenue(ctx, subject.scope))
    figures = []
    for kpi in kpis:
        mode = kpis_mod.mode_of(kpi)
        actual = kpis_mod.combine(
            subject.values(kpi_rollups.kpi_parts(kpi, ctx, subject.scope)), mode
        )
        previous = kpis_mod.combine(
            subject.values(kpi_rollups.kpi_parts(kpi, prev_ctx, subject.scope)), mode
        )
        figure = KpiFigure(
            kpi=kpi,
            target=targets.get(kpi.key),
            actual=actual,
            forecast=run_rate(kpi, actual, ctx, targets.get(kpi.key)),
            previous=previous,
        )
        if kpi.key == "revenue" and actual is not None and month.first <= kpis_mod.today():
            figure.pipeline = actual + (kpis_mod.combine(pipeline_parts, "sum") or Decimal(0))
        figures.append(figure)
    days = kpis_mod.working_days(month)
    return PlanReport(
        subject=subject,
        month=month,
        figures=figures,
        locked=month.last < kpis_mod.today(),
        working_days=len(days),
        working_days_gone=sum(1 for d in days if d <= ctx.as_of),
        early=month.first <= kpis_mod.today()
        and too_early_for_pace(len(days), sum(1 for d in days if d <= ctx.as_of)),
        assisted=(
            motivation.assisted(user_id=subject.user.pk, month=month)
            if subject.user is not None
            else []
        ),
    )


@dataclass
class GridRow:
    user: User | None
    team: Team | None
    figures: list[KpiFigure]
    # The records of the team that no row above holds (the director's or the head's own
    # clients, a record without a planning person): shown so the total is the rows' sum.
    rest: bool = False


@dataclass
class Grid:
    month: kpis_mod.Month
    kpis: list[Kpi]
    rows: list[GridRow]
    total: GridRow
    locked: bool


def _grid(
    *,
    actor: User,
    month: kpis_mod.Month,
    team: Team,
    kpis: list[Kpi],
    people: list[User],
    teams: list[Team],
    person_rows: bool = True,
) -> Grid:
    """People (or teams) × KPIs: one grouped query per KPI for everyone, one for targets.
    The parts are indexed by person and by team once, so a row costs its own parts only
    (not a pass over everyone's: the department has hundreds of people)."""
    ctx = _context(month)
    subtree = frozenset(team_subtree_ids(team.pk))
    subtrees = {t.pk: frozenset(team_subtree_ids(t.pk)) for t in teams}
    scope = kpis_mod.Scope(user_ids=frozenset(p.pk for p in people), team_ids=subtree)
    by_user: dict[str, dict[int | None, list[kpis_mod.Part]]] = {}
    by_team: dict[str, dict[int | None, list[kpis_mod.Part]]] = {}
    for kpi in kpis:
        users_parts: dict[int | None, list[kpis_mod.Part]] = {}
        teams_parts: dict[int | None, list[kpis_mod.Part]] = {}
        for part in kpi_rollups.kpi_parts(kpi, ctx, scope):
            users_parts.setdefault(part.user_id, []).append(part)
            teams_parts.setdefault(part.team_id, []).append(part)
        by_user[kpi.key], by_team[kpi.key] = users_parts, teams_parts
    targets = _targets(month, [p.pk for p in people], [team.pk, *[t.pk for t in teams]])

    def figures(pick: Any, owner: Any, rolled: list[Any]) -> list[KpiFigure]:
        result = []
        for kpi in kpis:
            mode = kpis_mod.mode_of(kpi)
            actual = kpis_mod.combine(pick(kpi.key), mode)
            target = targets.get(owner, {}).get(kpi.key)
            if target is None and rolled:
                target = _rollup_target(
                    kpi, [targets[o][kpi.key] for o in rolled if kpi.key in targets.get(o, {})]
                )
            result.append(KpiFigure(kpi, target, actual, run_rate(kpi, actual, ctx, target)))
        return result

    def of_teams(ids: frozenset[int]) -> Any:
        return lambda key: [p for t in ids for p in by_team[key].get(t, [])]

    rows = [
        GridRow(
            user=p,
            team=None,
            figures=figures(lambda key, pk=p.pk: by_user[key].get(pk, []), ("u", p.pk), []),
        )
        for p in people
        if person_rows
    ]
    rows += [
        GridRow(
            user=None,
            team=t,
            figures=figures(
                of_teams(subtrees[t.pk]),
                ("t", t.pk),
                [("u", p.pk) for p in people if p.team_id in subtrees[t.pk]],
            ),
        )
        for t in teams
    ]
    rest = _rest_parts(of_teams(subtree), people if person_rows else None, teams, subtrees)
    if any(rest(kpi.key) for kpi in kpis):
        rows.append(GridRow(user=None, team=team, figures=figures(rest, None, []), rest=True))
    total = GridRow(
        user=None,
        team=team,
        figures=figures(of_teams(subtree), ("t", team.pk), [("u", p.pk) for p in people]),
    )
    return Grid(
        month=month, kpis=kpis, rows=rows, total=total, locked=month.last < kpis_mod.today()
    )


def _rest_parts(
    everything: Callable[[str], list[kpis_mod.Part]],
    people: list[User] | None,
    teams: list[Team],
    subtrees: dict[int, frozenset[int]],
) -> Callable[[str], list[kpis_mod.Part]]:
    """The parts of the total that no row holds: of no person with a row (`people`), or of
    no team with a row (`people=None`: the department's own records, e.g. its director's)."""
    if people is not None:
        shown = frozenset(p.pk for p in people)
        return lambda key: [p for p in everything(key) if p.user_id not in shown]
    covered = frozenset(pk for t in teams for pk in subtrees[t.pk])
    return lambda key: [p for p in everything(key) if p.team_id not in covered]


def team_grid(*, actor: User, month: kpis_mod.Month, team: Team) -> Grid:
    """The head's grid: every planning member of the team (and the teams below) × KPIs."""
    return _team_grid(actor=actor, month=month, team=team, teams=None)


def department_grid(*, actor: User, month: kpis_mod.Month, team: Team) -> Grid:
    """The director's view: the teams right under the department × KPIs, and the total (the
    people only roll their targets up into their teams')."""
    return _team_grid(actor=actor, month=month, team=team, teams=_child_teams)


def _child_teams(actor: User, team: Team) -> list[Team]:
    children = list(Team.objects.filter(parent=team).order_by("name"))
    visible = visible_team_ids(actor)
    return [t for t in children if visible is None or t.pk in visible] or [team]


def _team_grid(
    *,
    actor: User,
    month: kpis_mod.Month,
    team: Team,
    teams: Callable[[User, Team], list[Team]] | None,
) -> Grid:
    """A team's grid: its people (`teams=None`), or the teams `teams` gives, rolled up."""
    if not is_planner(actor):
        raise not_found(gettext_lazy("Team not found."))
    rows = [] if teams is None else teams(actor, team)
    people = list(team_members(actor=actor, team=team))
    return _grid(
        actor=actor,
        month=month,
        team=team,
        kpis=kpi_catalogue(actor=actor),
        people=people,
        teams=rows,
        person_rows=teams is None,
    )


def kpi_facts(
    *, actor: User, month: kpis_mod.Month, subject: Subject, kpi: Kpi
) -> list[kpis_mod.Fact]:
    """The records behind a figure of the subject (the click-through)."""
    ctx = _context(month)
    facts = kpis_mod.kpi_facts(kpi, ctx, subject.scope)
    if subject.user is not None:
        return [f for f in facts if f.user_id == subject.user.pk]
    return [f for f in facts if f.team_id in subject.team_ids]


def kpi_daily(
    *, actor: User, month: kpis_mod.Month, subject: Subject, kpi: Kpi, target: Decimal | None
) -> dict[str, Any]:
    """Plan vs fact by day: the cumulative actual and the plan spread over working days."""
    facts = kpi_facts(actor=actor, month=month, subject=subject, kpi=kpi)
    by_day: dict[date, Decimal] = {}
    for f in facts:
        if f.counts:
            by_day[f.day] = by_day.get(f.day, Decimal(0)) + f.value
    working = kpis_mod.working_days(month)
    days, fact, plan = [], [], []
    running, done_days = Decimal(0), 0
    limit = kpis_mod.context_for(month).as_of
    for day in month.days():
        running += by_day.get(day, Decimal(0))
        if day in working:
            done_days += 1
        days.append(day.isoformat())
        fact.append(float(running) if day <= limit else None)
        plan.append(
            float(target * done_days / len(working)) if target is not None and working else None
        )
    return {"days": days, "fact": fact, "plan": plan}


def assisted_split_get(*, actor: User, pk: int) -> Any:
    """A split whose shared revenue the actor may read: its assistant's and its manager's,
    and a planner's who sees both."""
    from .models import AssistantSplit

    split = AssistantSplit.objects.select_related("manager", "assistant").filter(pk=pk).first()
    if split is not None and actor.pk in (split.manager_id, split.assistant_id):
        return split
    return assistant_split_get(actor=actor, pk=pk)


def assisted_facts(*, actor: User, month: kpis_mod.Month, split: Any) -> list[kpis_mod.Fact]:
    """The payments behind the revenue an assistant shares in (the click-through)."""
    assisted_split_get(actor=actor, pk=split.pk)
    return motivation.covered_payments(split, month)


def invoice_visible(actor: User, case_id: str) -> bool:
    """May the actor read an invoice's events? By the responsible/team of its issue event;
    an assistant also reads the invoices of the managers they share the commission of."""
    from .models import AssistantSplit

    if not case_id.isdigit():
        return False
    issued = (
        Event.objects.filter(case_type="invoice", case_id=case_id, activity="invoice_issued")
        .values_list("payload", flat=True)
        .first()
    )
    if not isinstance(issued, dict):
        return False
    teams = visible_team_ids(actor)
    if teams is None:
        return True
    user_id, team_id = (
        kpis_mod._int(issued.get("responsible_id")),
        kpis_mod._int(issued.get("team_id")),
    )
    if user_id == actor.pk or (team_id is not None and team_id in teams):
        return True
    return (
        user_id is not None
        and AssistantSplit.objects.filter(assistant_id=actor.pk, manager_id=user_id).exists()
    )


def invoice_events(*, actor: User, case_id: int) -> list[Any]:
    if not invoice_visible(actor, str(case_id)):
        raise not_found(gettext_lazy("Invoice not found."))
    return list(
        Event.objects.filter(case_type="invoice", case_id=str(case_id))
        .select_related("actor")
        .order_by("timestamp", "pk")
    )


def plan_targets(
    *, month: kpis_mod.Month, people: list[User], team: Team
) -> dict[Any, dict[str, Decimal]]:
    """The entered targets of the people and the team (one query)."""
    return _targets(month, [p.pk for p in people], [team.pk])


def month_plan_visible(actor: User, case_id: str) -> bool:
    """For the event log API: the audit of a plan is read by whoever may see that plan."""
    if not case_id.isdigit():
        return False
    plan = MonthPlan.objects.select_related("user", "team").filter(pk=int(case_id)).first()
    if plan is None:
        return False
    try:
        plan_subject(actor=actor, user_id=plan.user_id, team_id=plan.team_id)
    except DomainError:
        return False
    return True


@dataclass(frozen=True)
class DayContribution:
    kpi: Kpi
    day: Decimal
    month: Decimal
    target: Decimal | None


def day_contribution(*, actor: User, user: User, day: date) -> list[DayContribution]:
    """The end-of-day report's share of the month: what the day added to each flow KPI of
    the manager's month (calls, meetings, projects, revenue…), beside the month so far and
    the target (one query per KPI, from the same records as the plan)."""
    if not can_see_user(actor, user):
        raise not_found(gettext_lazy("Not found."))
    month = kpis_mod.Month.of(day)
    ctx = _context(month)
    subject = Subject(user=user)
    targets = _targets(month, [user.pk], []).get(("u", user.pk), {})
    rows = []
    for kpi in kpi_catalogue(actor=actor):
        if kpis_mod.mode_of(kpi) != kpis_mod.MODE_SUM or kpis_mod.is_state(kpi):
            continue
        facts = [f for f in kpis_mod.kpi_facts(kpi, ctx, subject.scope) if f.user_id == user.pk]
        on_day = sum((f.value for f in facts if f.day == day), Decimal(0))
        so_far = sum((f.value for f in facts if f.day <= day), Decimal(0))
        rows.append(DayContribution(kpi, on_day, so_far, targets.get(kpi.key)))
    return rows


def commission_statement(*, actor: User, month: kpis_mod.Month, user_id: int | None = None) -> Any:
    """The person's commission statement of the month (scoped like their plan)."""
    from .motivation import statement

    subject = plan_subject(actor=actor, user_id=user_id)
    assert subject.user is not None
    target = _targets(month, [subject.user.pk], []).get(("u", subject.user.pk), {}).get("revenue")
    return subject.user, statement(user_id=subject.user.pk, month=month, target=target)


@dataclass(frozen=True)
class InvoiceClient:
    name: str
    url: str  # "" when the reader may not open the client's card


def invoice_clients(*, actor: User, invoice_ids: Iterable[str]) -> dict[str, InvoiceClient]:
    """The client of each invoice of a statement by the invoice's case id, as its issue event
    names it (the statement is read from events too): its name and its card when the reader
    may open it. Three queries for the page, whatever the number of lines."""
    ids = sorted({i for i in invoice_ids if i.isdigit()})
    if not ids:
        return {}
    issued = Event.objects.filter(
        case_type=kpis_mod.INVOICE, activity="invoice_issued", case_id__in=ids
    ).order_by("timestamp", "pk")
    company_of = {
        case_id: int(str(company))
        for case_id, company in issued.values_list("case_id", "payload__company_id")
        if str(company).isdigit()
    }
    names = dict(Company.objects.filter(pk__in=set(company_of.values())).values_list("pk", "name"))
    readable = readable_case_ids(actor, "company", names) if names else set()
    return {
        case_id: InvoiceClient(
            names[pk], reverse("crm:company_detail", args=[pk]) if pk in readable else ""
        )
        for case_id, pk in company_of.items()
        if pk in names
    }


# --- the rules of plans and motivation (KPIs, schemes, assistant splits) -------------------


def kpi_case_visible(actor: User, case_id: str) -> bool:
    """The KPI catalogue is read by everyone signed in; so is a KPI's history."""
    return case_id.isdigit() and Kpi.objects.filter(pk=int(case_id)).exists()


def rules_case_visible(actor: User, case_id: str) -> bool:
    """Commission schemes and the planning settings are the heads' and administrators'."""
    return is_planner(actor)


def assistant_splits(*, actor: User) -> list[Any]:
    """The splits the actor may see: a planner those of the people they see (both of them),
    anyone else the ones they are in."""
    from .models import AssistantSplit

    rows = list(
        AssistantSplit.objects.select_related("manager", "assistant").order_by(
            "manager__last_name", "manager__username", "-valid_from", "pk"
        )
    )
    if is_planner(actor):
        return [
            s for s in rows if can_see_user(actor, s.manager) and can_see_user(actor, s.assistant)
        ]
    return [s for s in rows if actor.pk in (s.manager_id, s.assistant_id)]


def assistant_split_get(*, actor: User, pk: int) -> Any:
    from .models import AssistantSplit

    split = AssistantSplit.objects.select_related("manager", "assistant").filter(pk=pk).first()
    if split is None or not (
        is_planner(actor)
        and can_see_user(actor, split.manager)
        and can_see_user(actor, split.assistant)
    ):
        raise not_found(gettext_lazy("Not found."))
    return split


def assistant_split_visible(actor: User, case_id: str) -> bool:
    if not case_id.isdigit():
        return False
    try:
        assistant_split_get(actor=actor, pk=int(case_id))
    except DomainError:
        return False
    return True


def commission_schemes(*, actor: User) -> list[Any]:
    from .models import CommissionScheme

    if not is_planner(actor):
        raise not_found(gettext_lazy("Not found."))
    return list(CommissionScheme.objects.order_by("-is_active", "-pk"))


def commission_scheme_get(*, actor: User, pk: int) -> Any:
    from .models import CommissionScheme

    scheme = CommissionScheme.objects.filter(pk=pk).first()
    if scheme is None or not is_planner(actor):
        raise not_found(gettext_lazy("Not found."))
    return scheme


def assignable_people(*, actor: User) -> QuerySet[User]:
    """People a planner may name in an assistant split: the ones they write for."""
    users = User.objects.filter(is_active=True).select_related("team")
    teams = writable_team_ids(actor)
    if teams is not None:
        users = users.filter(team_id__in=teams)
    return users.order_by("last_name", "first_name", "username")


def require_planner(actor: User) -> None:
    """Heads, directors and administrators set the rules; anyone else is refused (403)."""
    if not is_planner(actor):
        raise DomainError(
            PlanningError.NOT_A_HEAD,
            _("Only a head of sales, a director or an administrator."),
            status=403,
        )


def kpi_any(*, actor: User, key: str) -> Kpi:
    """A KPI by key, hidden ones included."""
    found = next((k for k in kpi_catalogue(actor=actor, active_only=False) if k.key == key), None)
    if found is None:
        raise not_found(gettext_lazy("KPI not found."))
    return found


def person_get(*, actor: User, pk: int) -> User:
    """A person the actor sees (anyone else is a 404)."""
    user = User.objects.filter(pk=pk).select_related("team").first()
    if user is None or not can_see_user(actor, user):
        raise not_found(gettext_lazy("Not found."))
    return user
