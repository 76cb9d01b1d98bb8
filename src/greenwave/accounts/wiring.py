"""How the accounts app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.case_access import register_case_name
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.guards import is_admin
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.navigation import NavItem, register_nav

from . import events, signals
from .demo import seed_people
from .tour import tour_card


def register() -> None:
    """Every registration of the app, in one call."""
    signals.connect()
    register_demo_seeder("people", seed_people, order=0)
    register_case_name("demo", _("Demo company"))
    register_home_card(HomeCard("tour", "accounts/partials/tour_card.html", tour_card, order=1))
    _navigation()
    _event_labels()


def _navigation() -> None:
    """The administrator's menu entries: users, teams, roles."""
    for order, (key, label, url, icon) in enumerate(
        [
            ("users", _("Users"), "accounts:user_list", "people"),
            ("teams", _("Teams"), "accounts:team_list", "diagram-3"),
            ("roles", _("Roles"), "accounts:role_list", "shield-lock"),
        ]
    ):
        register_nav(NavItem(key, label, url, icon, section="admin", order=order, visible=is_admin))


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.USER_CREATED: _("User created"),
            events.USER_CHANGED: _("User changed"),
            events.TEAM_CREATED: _("Team created"),
            events.TEAM_CHANGED: _("Team changed"),
            events.TOKEN_ISSUED: _("API token issued"),
            events.TOKEN_REVOKED: _("API token revoked"),
            events.ROLE_CHANGED: _("Role changed"),
        }
    )
