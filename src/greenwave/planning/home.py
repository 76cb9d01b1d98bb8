"""The home page card of the month's plan: a manager's own, a head's team, a director's
department — target, actual so far and the run-rate forecast of the main KPIs."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from greenwave.accounts.models import SALES_ROLES, User
from greenwave.accounts.scoping import team_subtree_ids

from . import kpis, selectors

# The KPIs the card shows (seed 003's first figures of a month): revenue, applications
# decided positively, calls and meetings.
CARD_KEYS = ("revenue", "positive_decisions", "calls", "meetings")


def _subject(actor: User) -> tuple[selectors.Subject, str, str] | None:
    """Whose plan the card shows, its title and the page it links to."""
    if selectors.is_planner(actor):
        root = selectors.headed_root_team(actor=actor)
        team = root or actor.team
        if team is None:
            return None
        if root is not None and root.children.exists():
            title, url = _("Department plan"), reverse("planning:department_plan")
        else:
            title, url = _("Team plan"), reverse("planning:team_plan") + f"?team={team.pk}"
        subject = selectors.Subject(team=team, team_ids=frozenset(team_subtree_ids(team.pk)))
        return subject, title, url
    if not actor.has_role(*SALES_ROLES):
        return None
    return selectors.Subject(user=actor), _("My plan"), reverse("planning:my_plan")


def home_plan(actor: User) -> dict[str, Any] | None:
    """The card's context, or None for someone without a plan (no sales role, no team)."""
    found = _subject(actor)
    if found is None:
        return None
    subject, title, url = found
    month = kpis.Month.of(kpis.today())
    figures = selectors.plan_figures(
        actor=actor, month=month, subject=subject, keys=list(CARD_KEYS)
    )
    owner = (
        f"user={subject.user.pk}" if subject.user else f"team={subject.team.pk}"  # type: ignore[union-attr]
    )
    return {
        "title": title,
        "url": url,
        "month": month.first,
        "figures": figures,
        "has_plan": any(f.target is not None for f in figures),
        "can_enter": selectors.is_planner(actor),
        "owner": owner,
    }
