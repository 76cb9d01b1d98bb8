"""Demo days: yesterday closed and today planned for the demo hunters, built from the
suggestions the way a manager does it in the morning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from greenwave.accounts.models import User

from . import selectors, services
from .models import DayPlan


def seed_days(context: dict[str, Any]) -> None:
    users: dict[str, User] = context.get("users", {})
    for login in ("hunter", "hunter2", "farmer"):
        user = users.get(login)
        if user is None or DayPlan.objects.filter(user=user).exists():
            continue
        today = services.today_for(user)
        yesterday = today - timedelta(days=1)
        for day in (yesterday, today):
            plan = services.day_plan_open(actor=user, day=day)
            for suggestion in selectors.suggestions(actor=user, day=day)[:5]:
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
        plan = DayPlan.objects.get(user=user, date=yesterday)
        comments = {
            str(item.pk): "Клиент не ответил, перенёс на завтра" for item in plan.items.all()
        }
        services.day_plan_close(actor=user, plan=plan, miss_comments=comments)
