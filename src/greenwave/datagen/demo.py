"""The demo company's history: the generator's realistic year (and a quarter before it, so a
quarter's funnel has its last-year quarter) written for the demo users themselves.

The planted findings are cast from the demo company: the bottleneck stage and the skewed
loss reason as in the benchmark, `lawyer` is the slow approver (beside `lawyer2`), `farmer2`
the overloaded farmer with abandoned clients; some finished contract approvals left the model
(a review skipped, repeated or out of order), so its conformance has deviations to show. At
most `DEMO_OPEN_DEALS` deals stay open, so the kanban is a department's, not an archive's.
Skipped when deals exist (idempotent).
"""

from __future__ import annotations

from typing import Any

from greenwave.accounts.demo import DEPARTMENT, TEAM_HEADS
from greenwave.accounts.models import User
from greenwave.sales.models import Deal

from .generator import Config, Person
from .loader import generate_into_database

DEMO_DEALS = 2000
DEMO_SEED = 24
# A year and the funnel's default 90 days, with 60 days before them for the deals to get going
# (the year-ago quarter closes deals as a running department does).
DEMO_SPAN_DAYS = 365 + 91 + 60
DEMO_OPEN_DEALS = 60
DEMO_SLOW_APPROVER = "lawyer"
DEMO_OVERLOADED_FARMER = "farmer2"
# One finished contract approval in eight left the model (skipped, repeated, out of order):
# the conformance page has deviations to draw.
DEMO_APPROVAL_DEVIATIONS = 0.125
# Heads keep a few key accounts of their own (their home page has deals too).
HEAD_SELLS = {"director": 1.0, "head_north": 0.5, "head_south": 0.5}
SELLER_ROLES = ("hunter", "kam", "closer")


def demo_people(users: dict[str, User], heads: dict[str, str], director: str) -> list[Person]:
    """The demo users cast in the generator's roles (`heads`: team name -> head's login)."""
    head_logins = set(heads.values())
    people: list[Person] = []
    for login, user in sorted(users.items(), key=lambda item: item[1].pk):
        codes = sorted(user.roles.values_list("code", flat=True))
        if not codes or user.team is None:
            continue
        role = codes[0]
        if login == director:
            role = "director"
        sells = HEAD_SELLS.get(login, 1.0 if role in SELLER_ROLES else 0.0)
        people.append(
            Person(
                pk=user.pk,
                username=user.username,
                role=role,
                team_id=user.team.pk,
                team_name=user.team.name,
                full_name=str(user),
                head=login in head_logins,
                sells=sells,
            )
        )
    return people


def seed_history(context: dict[str, Any]) -> None:
    if Deal.objects.exists():
        return
    people = demo_people(context["users"], TEAM_HEADS, TEAM_HEADS[DEPARTMENT])
    config = Config(
        deals=int(context.get("deals") or DEMO_DEALS),
        seed=DEMO_SEED,
        span_days=DEMO_SPAN_DAYS,
        max_open=DEMO_OPEN_DEALS,
        slow_approver=DEMO_SLOW_APPROVER,
        overloaded_manager=DEMO_OVERLOADED_FARMER,
        neglected_share=0.5,
        steady=True,
        fresh_per_seller=2,
        approval_deviations=DEMO_APPROVAL_DEVIATIONS,
        chunk=1000,
    )
    generate_into_database(config, rebuild_indexes=False, people=people)
