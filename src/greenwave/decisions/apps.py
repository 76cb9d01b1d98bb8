from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "greenwave.decisions"
    label = "decisions"
    verbose_name = _("Decisions")

    def ready(self) -> None:
        from greenwave.core.demo import register_demo_seeder
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.core.navigation import NavItem, register_nav

        from . import events
        from .demo import seed_decisions
        from .services import can_edit_decisions

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
