"""How the planning app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import SALES_ROLES, Team
from greenwave.core.case_access import register_case_access
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav

from . import events, home, kpi_rollups, selectors
from .demo import seed_days, seed_month_payments, seed_month_plans, seed_motivation


def is_head(user: object) -> bool:
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role("head_of_sales", "admin"))


def is_director(user: object) -> bool:
    """A head of a team that has teams under it (or an administrator)."""
    if getattr(user, "is_greenwave_admin", False):
        return True
    if not is_head(user):
        return False
    return Team.objects.filter(head_id=getattr(user, "pk", None), children__isnull=False).exists()


def register() -> None:
    """Every registration of the app, in one call."""
    _seams()
    _navigation_1()
    _navigation_2()
    _event_labels()


def _seams() -> None:
    """Periodic jobs, search, quick add, case access and links, demo seeders, hooks."""
    # The KPI day rollups (as analytics' rollups): the events since the cursor, every 30 s.
    register_periodic("planning_kpi_rollups", kpi_rollups.refresh_job, every_seconds=30)
    register_demo_seeder("days", seed_days, order=41)
    # After the orders app's money (45): the month's payments, then the plans on them.
    register_demo_seeder("month_payments", seed_month_payments, order=46)
    register_demo_seeder("month_plans", seed_month_plans, order=47)
    register_demo_seeder("motivation", seed_motivation, order=48)
    register_home_card(
        HomeCard("plan", "planning/partials/home_plan_card.html", home.home_plan, order=7)
    )
    register_case_access("day_plan", selectors.day_plan_visible)
    register_case_access("month_plan", selectors.month_plan_visible)
    register_case_access("kpi", selectors.kpi_case_visible)
    register_case_access("commission_scheme", selectors.rules_case_visible)
    register_case_access("planning_settings", selectors.rules_case_visible)
    register_case_access("assistant_split", selectors.assistant_split_visible)


def _navigation_1() -> None:
    """The menu entries: a manager's."""
    register_nav(
        NavItem("my_day", _("My day"), "planning:my_day", "sunrise", order=5, roles=SALES_ROLES)
    )
    register_nav(
        NavItem(
            "team_days",
            _("Team days"),
            "planning:team_board",
            "people",
            order=6,
            visible=is_head,
        )
    )
    register_nav(
        NavItem("my_plan", _("My plan"), "planning:my_plan", "bullseye", order=7, roles=SALES_ROLES)
    )
    register_nav(
        NavItem(
            "team_plan",
            _("Team plan"),
            "planning:team_plan",
            "grid-3x3",
            order=8,
            visible=is_head,
        )
    )
    register_nav(
        NavItem(
            "department_plan",
            _("Department plan"),
            "planning:department_plan",
            "diagram-3",
            order=9,
            visible=is_director,
        )
    )
    register_nav(
        NavItem(
            "plan_entry",
            _("Plan entry"),
            "planning:plan_entry",
            "pencil-square",
            section="admin",
            order=20,
            visible=is_head,
        )
    )
    register_nav(
        NavItem(
            "kpis", _("KPIs"), "planning:kpi_list", "speedometer2", section="analytics", order=5
        )
    )
    register_nav(
        NavItem(
            "commissions",
            _("My commission"),
            "planning:commissions",
            "cash-coin",
            order=10,
            roles=SALES_ROLES,
        )
    )


def _navigation_2() -> None:
    """The menu entries: a head's and the settings."""
    register_nav(
        NavItem(
            "planning_settings",
            _("Plans and motivation"),
            "planning:settings",
            "sliders",
            section="admin",
            order=21,
            visible=is_head,
        )
    )


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.DAY_ITEM_ADDED: _("Added to the day plan"),
            events.DAY_ITEM_REMOVED: _("Removed from the day plan"),
            events.DAY_CLOSED: _("Day closed"),
            events.PLAN_TARGETS_SET: _("Plan targets set"),
            events.PLAN_COPIED: _("Plan copied from last month"),
            events.PLAN_IMPORTED: _("Plan imported from XLSX"),
            events.PLAN_SPLIT: _("Team plan split among the people"),
            events.KPI_CREATED: _("KPI added"),
            events.PLANNING_SETTINGS_CHANGED: _("Planning settings changed"),
            events.COMMISSION_SCHEME_SAVED: _("Commission scheme saved"),
            events.KPI_UPDATED: _("KPI changed"),
            events.COMMISSION_SCHEME_CHANGED: _("Commission scheme changed"),
            events.COMMISSION_SCHEME_ACTIVATED: _("Commission scheme made active"),
            events.ASSISTANT_SPLIT_SAVED: _("Assistant split set"),
            events.ASSISTANT_SPLIT_CHANGED: _("Assistant split changed"),
        }
    )
