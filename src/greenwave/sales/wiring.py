"""How the sales app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import BACK_OFFICE_ROLES, SALES_ROLES
from greenwave.core.case_access import register_case_access, register_case_link
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.guards import is_admin
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.quick_add import QuickAddItem, register_quick_add
from greenwave.core.search import SearchProvider, register_search
from greenwave.crm.merging import register_company_merge_handler

from . import events, selectors, services, signals
from .demo import seed_closer_handoff, seed_sales
from .process_actions import register_sales_actions


def register() -> None:
    """Every registration of the app, in one call."""
    signals.connect()
    _seams()
    _navigation()
    _event_labels()


def _seams() -> None:
    """Periodic jobs, search, quick add, case access and links, demo seeders, hooks."""
    register_sales_actions()

    register_search(SearchProvider("deal", _("Deals"), selectors.deal_search, order=30))
    register_search(SearchProvider("lead", _("Leads"), selectors.lead_search, order=40))
    register_quick_add(
        QuickAddItem(
            "lead",
            _("Lead"),
            "sales:lead_create",
            "funnel",
            order=10,
            visible=selectors.may_create_leads,
        )
    )
    register_quick_add(
        QuickAddItem(
            "deal",
            _("Deal"),
            "sales:deal_create",
            "kanban",
            order=20,
            visible=selectors.may_create_deals,
        )
    )
    register_home_card(
        HomeCard("sales", "sales/partials/home_card.html", selectors.home_summary, order=10)
    )
    register_home_card(
        HomeCard("team", "sales/partials/home_team_card.html", selectors.home_team, order=20)
    )
    register_demo_seeder("sales", seed_sales, order=30)
    register_demo_seeder("closer_handoff", seed_closer_handoff, order=31)
    register_company_merge_handler("sales", services.sales_company_merged)
    register_case_access("deal", selectors.deal_visible, rows=selectors.deal_list)
    register_case_access("lead", selectors.lead_visible, rows=selectors.lead_list)
    register_case_link("deal", _("Deal"), selectors.deal_links)
    register_case_link("lead", _("Lead"), selectors.lead_links)


def _navigation() -> None:
    """The menu entries."""
    register_nav(
        NavItem(
            "deals",
            _("Deals"),
            "sales:board",
            "kanban",
            section="sales",
            order=10,
            roles=SALES_ROLES + BACK_OFFICE_ROLES,
        )
    )
    register_nav(
        NavItem(
            "leads",
            _("Leads"),
            "sales:lead_list",
            "funnel",
            section="sales",
            order=5,
            roles=SALES_ROLES,
        )
    )
    register_nav(
        NavItem(
            "pipelines",
            _("Pipelines"),
            "sales:pipeline_settings",
            "signpost-split",
            section="admin",
            order=10,
            visible=is_admin,
        )
    )
    register_nav(
        NavItem(
            "funnel",
            _("Funnel"),
            "sales:funnel",
            "bar-chart-steps",
            section="analytics",
            roles=SALES_ROLES,
        )
    )
    register_nav(
        NavItem(
            "abandoned",
            _("Abandoned clients"),
            "sales:abandoned",
            "exclamation-triangle",
            section="analytics",
            order=20,
            roles=SALES_ROLES,
        )
    )


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.LEAD_CREATED: _("Lead created"),
            events.LEAD_CHANGED: _("Lead changed"),
            events.LEAD_QUALIFIED: _("Lead qualified"),
            events.LEAD_DISQUALIFIED: _("Lead disqualified"),
            events.LEAD_CONVERTED: _("Lead converted to a deal"),
            events.LEAD_REASSIGNED: _("Lead reassigned"),
            events.DEAL_CREATED: _("Deal created"),
            events.DEAL_CHANGED: _("Deal changed"),
            events.DEAL_STAGE_CHANGED: _("Stage changed"),
            events.DEAL_WON: _("Deal won"),
            events.DEAL_LOST: _("Deal lost"),
            events.DEAL_REOPENED: _("Deal reopened"),
            events.DEAL_REASSIGNED: _("Deal reassigned"),
            events.DEAL_APPROVED: _("Approval given"),
            events.DEAL_DOCUMENT_ATTACHED: _("Document attached"),
            events.CLIENT_HANDED_OFF: _("Client handed to a farmer"),
            events.DEAL_HANDED_TO_CLOSER: _("Deal handed to a closer"),
            events.DEAL_DISCOUNT_CHOSEN: _("Discount price list chosen by the rules"),
            events.PIPELINE_CHANGED: _("Pipeline changed"),
            "call_completed": _("Call made"),
            "meeting_completed": _("Meeting held"),
        }
    )
