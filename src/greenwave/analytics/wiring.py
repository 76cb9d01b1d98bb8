"""How the analytics app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import SALES_ROLES
from greenwave.core.case_access import register_case_access
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.sales.funnel import register_stage_counts

from . import events, home, home_funnel, rollups, selectors, services
from .demo import seed_analytics


def register() -> None:
    """Every registration of the app, in one call."""
    for key, label, url, icon, order in (
        ("analytics_sales", _("Sales figures"), "analytics:sales", "graph-up", 1),
        ("analytics_portfolio", _("Client portfolio"), "analytics:portfolio", "people", 2),
        ("analytics_segments", _("Segments ABC/XYZ/RFM"), "analytics:segments", "grid-3x3", 3),
        ("analytics_competitors", _("Competitors"), "analytics:competitors", "binoculars", 4),
        ("analytics_nps", _("NPS"), "analytics:nps", "emoji-smile", 5),
        ("analytics_funnel", _("Funnel overview"), "analytics:funnel", "funnel", 6),
    ):
        register_nav(
            NavItem(key, label, url, icon, section="analytics", order=order, roles=SALES_ROLES)
        )
    register_home_card(
        HomeCard("analytics", "analytics/partials/home_card.html", home.home_summary, order=5)
    )
    register_home_card(
        HomeCard(
            "funnel",
            "analytics/partials/home_funnel_card.html",
            home_funnel.home_funnel,
            order=6,
        )
    )
    register_demo_seeder("analytics", seed_analytics, order=60)
    # Last: the rollups of every demo deal, so the pages read them before the worker runs.
    register_demo_seeder("analytics_rollups", rollups.seed_demo_rollups, order=1000)
    register_case_access("segment", selectors.segment_visible)
    register_case_access("product_cost", selectors.product_cost_visible)
    register_case_access("nps_survey", selectors.nps_visible)
    register_periodic("analytics_rollups", rollups.refresh_job, every_seconds=30)
    register_stage_counts(rollups.stage_counts_all_time)
    register_periodic("analytics_nps_links", services.nps_links_job, every_seconds=60)
    register_activity_labels(
        {
            events.SEGMENT_SAVED: _("Segment saved"),
            events.SEGMENT_DELETED: _("Segment deleted"),
            events.PRODUCT_COST_SET: _("Cost price set"),
            events.NPS_SURVEY_CREATED: _("NPS survey link created"),
            events.NPS_ANSWERED: _("NPS answered by the client"),
            events.NPS_RECORDED: _("NPS answer recorded"),
            events.NPS_SURVEY_SENT: _("NPS survey link sent to the client"),
        }
    )
