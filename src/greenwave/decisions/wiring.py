"""How the decisions app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.request_guard import allow_large_body

from . import events
from .demo import seed_decisions
from .modeling import MAX_MODEL_BYTES
from .services import can_edit_decisions


def register() -> None:
    """Every registration of the app, in one call."""
    # A whole DMN model as text in JSON or a form: escaping can triple its bytes.
    for view_name in ("api:decision_list", "decisions:decision_save"):
        allow_large_body(view_name, 3 * MAX_MODEL_BYTES)

    register_nav(
        NavItem(
            "decisions",
            _("Decisions"),
            "decisions:decision_list",
            "table",
            section="processes",
            order=20,
            visible=can_edit_decisions,
        )
    )
    register_demo_seeder("decisions", seed_decisions, order=30)
    register_activity_labels(
        {
            events.DECISION_SAVED: _("Decision saved"),
            events.DECISION_DEPLOYED: _("Decision deployed"),
        }
    )
