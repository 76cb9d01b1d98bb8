"""How the bpm app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import HEAD_ROLES
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.request_guard import allow_large_body

from . import events, selectors, services
from .demo import seed_processes
from .engine import MAX_BPMN_BYTES
from .formschema import file_max_bytes
from .notifications import notification_unread_count


def badge(user: object) -> int:
    """The inbox's count in the menu."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return selectors.task_count_mine(user)  # type: ignore[arg-type]


def unread(user: object) -> int:
    """Unread notifications in the menu."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_unread_count(user)  # type: ignore[arg-type]


def register() -> None:
    """Every registration of the app, in one call."""
    _seams()
    _navigation()
    _event_labels()


def _seams() -> None:
    """Periodic jobs, search, quick add, case access and links, demo seeders, hooks."""
    register_home_card(
        HomeCard("tasks", "bpm/partials/home_card.html", selectors.home_tasks, order=15)
    )
    # A whole BPMN file as text in JSON or a form: escaping can triple its bytes.
    for view_name in ("api:definitions", "bpm:definition_new", "bpm:definition_edit"):
        allow_large_body(view_name, 3 * MAX_BPMN_BYTES)
    # A task form may carry a file (the document to approve): the form's limit plus room.
    allow_large_body("bpm:task_detail", file_max_bytes() + 1024 * 1024)
    register_demo_seeder("processes", seed_processes, order=80)
    register_periodic("bpm_timers", services.timers_fire_due, every_seconds=5)
    register_periodic("bpm_escalations", services.tasks_escalate_overdue, every_seconds=60)


def _navigation() -> None:
    """The menu entries."""
    register_nav(
        NavItem(
            "bpm_inbox",
            _("My tasks"),
            "bpm:inbox",
            "inbox",
            section="processes",
            order=0,
            badge=badge,
        )
    )
    register_nav(
        NavItem(
            "bpm_notifications",
            _("Notifications"),
            "bpm:notifications",
            "bell",
            section="processes",
            order=5,
            badge=unread,
        )
    )
    register_nav(
        NavItem(
            "bpm_team",
            _("Team tasks"),
            "bpm:team_tasks",
            "people",
            section="processes",
            order=1,
            roles=HEAD_ROLES,
        )
    )
    register_nav(
        NavItem(
            "bpm_instances",
            _("Processes"),
            "bpm:instance_list",
            "diagram-2",
            section="processes",
            order=2,
        )
    )
    register_nav(
        NavItem(
            "bpm_definitions",
            _("Process definitions"),
            "bpm:definition_list",
            "bezier2",
            section="processes",
            order=3,
        )
    )
    register_nav(
        NavItem(
            "bpm_holdups",
            _("Who holds up whom"),
            "bpm:holdups",
            "hourglass-split",
            section="processes",
            order=4,
            roles=HEAD_ROLES,
        )
    )


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.DEFINITION_UPLOADED: _("Process definition uploaded"),
            events.DEFINITION_DEPLOYED: _("Process definition deployed"),
            events.PROCESS_STARTED: _("Process started"),
            events.PROCESS_COMPLETED: _("Process completed"),
            events.PROCESS_CANCELLED: _("Process cancelled"),
            events.TOKEN_MOVED: _("Process step passed"),
            events.TASK_CREATED: _("Task created"),
            events.TASK_CLAIMED: _("Task taken"),
            events.TASK_UNCLAIMED: _("Task given back"),
            events.TASK_DELEGATED: _("Task handed over"),
            events.TASK_COMPLETED: _("Task completed"),
            events.TASK_OVERDUE: _("Task overdue: escalated"),
            events.TIMER_FIRED: _("Timer fired"),
            events.MESSAGE_CORRELATED: _("Message received"),
            events.INCIDENT_RAISED: _("Incident"),
            events.INCIDENT_RESOLVED: _("Incident resolved"),
            events.INSTANCE_MIGRATED: _("Process moved to another version"),
            events.FILE_ATTACHED: _("File attached to the process"),
            events.NOTIFICATION_SENT: _("Notification sent"),
            events.ABSENCE_RECORDED: _("Absence recorded"),
        }
    )
