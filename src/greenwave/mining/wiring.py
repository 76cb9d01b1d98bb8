"""How the mining app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.event_labels import register_activity_labels
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav

from . import services


def may_mine(user: object) -> bool:
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role("head_of_sales", "admin"))


def register() -> None:
    """Every registration of the app, in one call."""
    register_periodic("mining_rollup", services.rollup_update, every_seconds=30)
    register_activity_labels({services.ROLLUP_REBUILT: _("Process map rollup rebuilt")})
    register_nav(
        NavItem(
            "mining_map",
            _("Process map"),
            "mining:map",
            "diagram-3",
            section="analytics",
            order=20,
            visible=may_mine,
        )
    )
