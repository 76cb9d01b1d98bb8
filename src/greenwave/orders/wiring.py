"""How the orders app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import SALES_ROLES, RoleCode
from greenwave.core.case_access import register_case_access, register_case_link
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.home import HomeCard, register_home_card
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav

from . import events, fulfilment, home, selectors, services
from .claim_actions import register_claim_actions
from .demo import seed_money

MONEY_ROLES = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)


def register() -> None:
    """Every registration of the app, in one call."""
    _seams()
    _navigation()
    _event_labels()


def _seams() -> None:
    """Periodic jobs, search, quick add, case access and links, demo seeders, hooks."""
    register_periodic("orders_overdue_reminders", services.overdue_reminders_job, every_seconds=300)
    register_demo_seeder("money", seed_money, order=45)
    register_periodic("orders_from_won_deals", fulfilment.orders_from_won_deals, every_seconds=60)
    register_periodic(
        "orders_claim_deadlines", fulfilment.claims_escalate_overdue, every_seconds=300
    )
    register_case_access("order", selectors.order_visible, rows=selectors.order_list)
    register_case_access("claim", selectors.claim_visible, rows=selectors.claim_list)
    register_case_link("order", pgettext_lazy("client order", "Order"), selectors.order_links)
    register_case_link("claim", _("Claim"), selectors.claim_links)
    register_claim_actions()
    register_home_card(
        HomeCard(
            "receivables",
            "orders/partials/home_receivables_card.html",
            home.home_receivables,
            order=8,
        )
    )


def _navigation() -> None:
    """The menu entries."""
    sellers = (*MONEY_ROLES, *SALES_ROLES)
    for item in (
        NavItem(
            "payments",
            _("Payments"),
            "orders:payment_list",
            "cash-coin",
            order=60,
            roles=(*MONEY_ROLES, RoleCode.HEAD_OF_SALES),
        ),
        NavItem(
            "receivables",
            _("Receivables"),
            "orders:receivables",
            "hourglass-split",
            order=61,
            roles=sellers,
        ),
        NavItem("orders", _("Orders"), "orders:order_list", "truck", order=62, roles=sellers),
        NavItem(
            "supplier_orders",
            _("Supplier orders"),
            "orders:supplier_order_list",
            "box-seam",
            order=63,
            visible=fulfilment.can_order_from_suppliers,
        ),
        NavItem(
            "claims",
            _("Claims"),
            "orders:claim_list",
            "exclamation-octagon",
            order=64,
            roles=(*MONEY_ROLES, RoleCode.LAWYER, *SALES_ROLES),
        ),
    ):
        register_nav(item)


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.OVERDUE_REMINDED: _("Overdue payment reminder"),
            events.ORDER_CREATED: _("Order created"),
            events.SHIPMENT_MADE: _("Shipment made"),
            events.ORDER_SHIPPED: _("Order shipped"),
            events.SUPPLIER_ORDER_PLACED: _("Supplier order placed"),
            events.SUPPLIER_ORDER_RECEIVED: _("Supplier order received"),
            events.SUPPLIER_ORDER_CHANGED: _("Supplier order changed"),
            events.CLAIM_OPENED: _("Claim opened"),
            events.CLAIM_STATUS_CHANGED: _("Claim moved on"),
            events.CLAIM_CLOSED: _("Claim closed"),
            events.CLAIM_ESCALATED: _("Claim escalated"),
        }
    )
