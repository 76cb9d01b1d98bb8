"""How the activities app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import SALES_ROLES
from greenwave.core.case_access import register_case_access
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.quick_add import QuickAddItem, register_quick_add

from . import events, selectors, services
from .demo import seed_activities


def register() -> None:
    """Every registration of the app, in one call."""
    register_home_card(
        HomeCard("agenda", "activities/partials/home_card.html", selectors.home_agenda, order=5)
    )
    register_nav(
        NavItem(
            "activities",
            _("Activities"),
            "activities:activity_list",
            "telephone",
            section="main",
            order=20,
            badge=selectors.reminders_due_count,
        )
    )
    register_nav(
        NavItem(
            "call_planning",
            _("Call planning"),
            "activities:planner",
            "calendar-week",
            section="main",
            order=21,
            roles=SALES_ROLES,
        )
    )
    # Everyone plans tasks, approvers and back office included.
    register_quick_add(
        QuickAddItem(
            "task", _("Task"), "activities:activity_create", "check2-square", 40, "kind=task"
        )
    )
    register_demo_seeder("activities", seed_activities, order=40)
    register_periodic("activity_reminders", services.reminders_send_due, every_seconds=60)
    register_case_access("activity", selectors.activity_visible)
    register_activity_labels(
        {
            events.ACTIVITY_PLANNED: _("Activity planned"),
            events.CALL_COMPLETED: _("Call made"),
            events.MEETING_COMPLETED: _("Meeting held"),
            events.TASK_COMPLETED: _("Task done"),
            events.EMAIL_SENT: _("E-mail sent"),
            events.NOTE_ADDED: _("Note added"),
            events.ACTIVITY_RESCHEDULED: _("Activity moved"),
            events.ACTIVITY_CANCELLED: _("Activity cancelled"),
            events.ACTIVITY_REASSIGNED: _("Activity handed over"),
            events.CALLS_PLANNED: _("Calls planned by load"),
        }
    )
