from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "greenwave.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from greenwave.accounts.models import SALES_ROLES
        from greenwave.core.case_access import register_case_access
        from greenwave.core.demo import register_demo_seeder
        from greenwave.core.event_labels import register_activity_labels
        from greenwave.core.navigation import NavItem, register_nav

        from . import events, selectors
        from .demo import seed_days

        def is_head(user: object) -> bool:
            has_role = getattr(user, "has_role", None)
            return bool(has_role and has_role("head_of_sales", "admin"))

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
        register_demo_seeder("days", seed_days, order=41)
        register_case_access("day_plan", selectors.day_plan_visible)
        register_activity_labels(
            {
                events.DAY_ITEM_ADDED: _("Added to the day plan"),
                events.DAY_ITEM_REMOVED: _("Removed from the day plan"),
                events.DAY_CLOSED: _("Day closed"),
            }
        )
