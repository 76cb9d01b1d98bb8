"""Demo days: yesterday closed and today planned for every demo manager, built from the
suggestions the way a manager does it in the morning."""

from __future__ import annotations

from datetime import timedelta
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


def seed_days(context: dict[str, Any]) -> None:
    users: dict[str, User] = context.get("users", {})
    for login in DAY_PLANNERS:
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
