"""Demo days: yesterday closed and today planned for every demo manager, built from the
suggestions the way a manager does it in the morning."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError

from . import selectors, services
from .models import DayPlan

# Every manager who plans a day (planning.selectors.PLANNING_ROLES) of both teams.
DAY_PLANNERS = (
    "hunter",
    "hunter2",
    "closer",
    "farmer",
    "farmer2",
    "kam",
    "callcenter",
    "callcenter2",
)

# The heads and the director plan their days too (their own calls to key clients), when the
# generated history leaves them clients to suggest.
HEAD_PLANNERS = ("head_north", "head_south", "director")


def seed_days(context: dict[str, Any]) -> None:
    users: dict[str, User] = context.get("users", {})
    for login in (*DAY_PLANNERS, *HEAD_PLANNERS):
        user = users.get(login)
        if user is None or DayPlan.objects.filter(user=user).exists():
            continue
        today = services.today_for(user)
        yesterday = today - timedelta(days=1)
        for day in (yesterday, today):
            plan = services.day_plan_open(actor=user, day=day)
            added = 0
            for suggestion in selectors.suggestions(actor=user, day=day):
                if added == 5:
                    break
                try:
                    services.day_plan_add_item(
                        actor=user,
                        plan=plan,
                        goal=suggestion.goal,
                        company=suggestion.company,
                        priority=suggestion.priority,
                        source=suggestion.source,
                        activity=suggestion.activity,
                        deal=suggestion.deal,
                    )
                except DomainError:
                    # A call on the manager's deal with a client already handed to a farmer
                    # of the other team: suggested, but not the manager's to plan.
                    continue
                added += 1
        plan = DayPlan.objects.get(user=user, date=yesterday)
        comments = {
            str(item.pk): "Клиент не ответил, перенёс на завтра" for item in plan.items.all()
        }
        services.day_plan_close(actor=user, plan=plan, miss_comments=comments)


def seed_month_plans(context: dict[str, Any]) -> None:
    """This month's plan for every demo manager and team, set by the director the way a head
    does it: last month's actual of each KPI raised by a tenth (lowered for the KPIs where
    less is better). The demo's sales history has no invoices yet, so the demo company counts
    revenue as won deals until payments are recorded (a company setting)."""
    from greenwave.accounts.demo import DEPARTMENT, TEAM_HEADS
    from greenwave.core.models import Event

    from .kpis import Month, today
    from .models import KpiDirection, KpiUnit, MonthPlan, RevenueBasis

    users: dict[str, User] = context.get("users", {})
    director = users.get(TEAM_HEADS[DEPARTMENT])
    if director is None or director.team is None:
        return
    month = Month.of(today())
    if MonthPlan.objects.filter(period=month.first).exists():
        return
    if not Event.objects.filter(case_type="invoice", activity="payment_received").exists():
        services.planning_settings_update(actor=director, revenue_basis=RevenueBasis.WON)
    people = list(selectors.team_members(actor=director, team=director.team))
    grid = selectors._grid(
        actor=director,
        month=month.previous,
        team=director.team,
        kpis=selectors.kpi_catalogue(actor=director),
        people=people,
        teams=[],
    )
    for row in grid.rows:
        targets: dict[str, Decimal] = {}
        for figure in row.figures:
            if figure.actual is None or figure.actual <= 0:
                continue
            factor = Decimal("0.9") if figure.kpi.direction == KpiDirection.DOWN else Decimal("1.1")
            step = Decimal("1000") if figure.kpi.unit == KpiUnit.MONEY else Decimal(1)
            value = (figure.actual * factor / step).quantize(Decimal(1)) * step
            if figure.kpi.unit == KpiUnit.PERCENT:
                value = min(value, Decimal(100))
            targets[figure.kpi.key] = max(value, step)
        if targets and row.user is not None:
            services.plan_targets_set(actor=director, month=month, user=row.user, targets=targets)
