"""Shape a day plan with its fact for the API and the pages (live fact while the day is open,
the stored one after it is closed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from greenwave.accounts.models import User

from .goal_texts import goal_label
from .models import DayPlan, DayPlanItem, DayStatus, ItemResult
from .services import DayFact, day_facts


def item_view(item: DayPlanItem, fact: DayFact | None) -> dict[str, Any]:
    if fact is None:  # closed: what was stored at close
        done = item.result == ItemResult.DONE
        rows = item.fact
    else:
        activities = fact.by_item.get(item.pk, [])
        done = bool(activities)
        rows = [
            {
                "id": a.pk,
                "kind": a.kind,
                "subject": a.subject,
                "result": a.get_call_result_display() if a.call_result else a.outcome[:200],
            }
            for a in activities
        ]
    return {
        "id": item.pk,
        "item": item,
        "company_id": item.company_id,
        "company": str(item.company) if item.company_id else None,
        "goal": goal_label(item.goal),
        "priority": item.priority,
        "source": item.source,
        "activity_id": item.activity_id,
        "deal_id": item.deal_id,
        "result": item.result,
        "done": done,
        "fact": rows,
        "miss_comment": item.miss_comment,
    }


def day_views(rows: list[tuple[User, DayPlan | None]], day: date) -> list[dict[str, Any]]:
    """Several days at once (the team board): their facts come from one query."""
    open_plans = [(p, list(p.items.all())) for _u, p in rows if p and p.status == DayStatus.OPEN]
    facts = day_facts(open_plans)
    return [day_view(p, user=u, day=day, fact=facts.get(p.pk) if p else None) for u, p in rows]


def day_view(
    plan: DayPlan | None, *, user: User, day: date, fact: DayFact | None = None
) -> dict[str, Any]:
    if plan is None:
        return {
            "id": None,
            "plan": None,
            "user_id": user.pk,
            "user": str(user),
            "date": day,
            "status": "not_planned",
            "closed_at": None,
            "comment": "",
            "planned": 0,
            "done": 0,
            "unplanned": 0,
            "unplanned_activities": [],
            "items": [],
        }
    items = list(plan.items.all())
    if plan.status == DayStatus.OPEN and fact is None:
        fact = day_facts([(plan, items)])[plan.pk]
    elif plan.status != DayStatus.OPEN:
        fact = None
    views = [item_view(i, fact) for i in items]
    return {
        "id": plan.pk,
        "plan": plan,
        "user_id": plan.user_id,
        "user": str(plan.user),
        "date": plan.date,
        "status": plan.status,
        "closed_at": plan.closed_at,
        "comment": plan.comment,
        "planned": len(items),
        "done": sum(1 for v in views if v["done"]),
        "unplanned": len(fact.unplanned) if fact else plan.unplanned_count,
        "unplanned_activities": fact.unplanned if fact else [],
        "items": views,
    }
