"""How the crm app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import BACK_OFFICE_ROLES, SALES_ROLES
from greenwave.core.case_access import register_case_access, register_case_link
from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.guards import is_admin
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.quick_add import QuickAddItem, register_quick_add
from greenwave.core.search import SearchProvider, register_search

from . import events, selectors, services
from .demo import seed_catalog, seed_clients

EVERYONE_AT_CLIENTS = SALES_ROLES + BACK_OFFICE_ROLES


def register() -> None:
    """Every registration of the app, in one call."""
    _seams()
    _navigation()
    _admin_navigation()
    _event_labels()


def _seams() -> None:
    """The stalled imports' job, search, quick add, case access and links, demo seeders."""
    # An import whose worker died mid-run goes back to the queue (core.runlock).
    register_periodic("crm_imports_resume", services.imports_resume_stalled, every_seconds=10)
    register_search(SearchProvider("company", _("Clients"), selectors.company_search, order=10))
    register_search(SearchProvider("contact", _("Contacts"), selectors.contact_search, order=20))
    register_quick_add(
        QuickAddItem(
            "company",
            _("Company"),
            "crm:company_create",
            "building-add",
            order=30,
            visible=selectors.may_create_clients,
        )
    )
    register_case_access("company", selectors.company_visible, rows=selectors.company_list)
    register_case_access("contact", selectors.contact_visible, rows=selectors.contact_list)
    register_case_link("company", _("Client"), selectors.company_links)
    register_case_link("contact", _("Contact"), selectors.contact_links)
    register_demo_seeder("clients", seed_clients, order=10)
    register_demo_seeder("catalog", seed_catalog, order=11)


def _navigation() -> None:
    """The menu entries: clients, contacts, competitors, the catalogue and the import."""
    register_nav(
        NavItem(
            "clients",
            _("Clients"),
            "crm:company_list",
            "building",
            order=10,
            roles=EVERYONE_AT_CLIENTS,
        )
    )
    register_nav(
        NavItem(
            "contacts",
            _("Contacts"),
            "crm:contact_list",
            "person-lines-fill",
            order=11,
            roles=EVERYONE_AT_CLIENTS,
        )
    )
    register_nav(
        NavItem(
            "competitors",
            _("Competitors"),
            "crm:competitor_list",
            "shield",
            order=12,
            roles=SALES_ROLES,
        )
    )
    register_nav(
        NavItem(
            "products",
            _("Products"),
            "crm:product_list",
            "box-seam",
            order=13,
            roles=EVERYONE_AT_CLIENTS,
        )
    )
    register_nav(
        NavItem(
            "price_lists",
            _("Price lists"),
            "crm:price_list_list",
            "tags",
            order=14,
            roles=EVERYONE_AT_CLIENTS,
        )
    )
    register_nav(
        NavItem(
            "crm_import",
            _("Import clients"),
            "crm:import_start",
            "upload",
            order=15,
            roles=SALES_ROLES,
        )
    )


def _admin_navigation() -> None:
    """The administrator's entry: the custom fields of companies."""
    register_nav(
        NavItem(
            "custom_fields",
            _("Custom fields"),
            "crm:custom_field_settings",
            "ui-checks",
            section="admin",
            order=12,
            visible=is_admin,
        )
    )


def _event_labels() -> None:
    """How the event log names this app's activities."""
    register_activity_labels(
        {
            events.COMPANY_CREATED: _("Company created"),
            events.COMPANY_CHANGED: _("Company changed"),
            events.COMPANY_REASSIGNED: _("Client handed over"),
            events.CONTACT_CREATED: _("Contact added"),
            events.CONTACT_CHANGED: _("Contact changed"),
            events.DECISION_MAKER_ADDED: _("Decision maker added"),
            events.DECISION_MAKER_CHANGED: _("Decision maker profile changed"),
            events.DECISION_MAKER_REMOVED: _("Decision maker removed"),
            events.CLIENT_PROFILE_CHANGED: _("Client profile changed"),
            events.COMPETITOR_CREATED: _("Competitor added"),
            events.COMPETITOR_CHANGED: _("Competitor changed"),
            events.COMPETITOR_LINKED: _("Competitor noted at the client"),
            events.COMPETITOR_UNLINKED: _("Competitor no longer at the client"),
            events.PRODUCT_GROUP_CREATED: _("Product group created"),
            events.PRODUCT_GROUP_CHANGED: _("Product group renamed or moved"),
            events.PRODUCT_CREATED: _("Product created"),
            events.PRODUCT_CHANGED: _("Product changed"),
            events.PRICE_LIST_CREATED: _("Price list created"),
            events.PRICE_LIST_CHANGED: _("Price list changed"),
            events.PRICES_CHANGED: _("Prices changed"),
            events.COMPANY_MERGED: _("Duplicate merged into the company"),
            events.COMPANY_MERGED_INTO: _("Company merged into another"),
            events.IMPORT_FINISHED: _("Import finished"),
            events.COMPANY_DELETED: _("Company deleted"),
            events.COMPANY_RESTORED: _("Company restored"),
            events.CONTACT_DELETED: _("Contact deleted"),
            events.CONTACT_RESTORED: _("Contact restored"),
            events.IMPORT_FAILED: _("Import failed"),
            events.IMPORT_RESUMED: _("Import restarted after its worker stopped"),
            events.CUSTOM_FIELD_CREATED: _("Custom field added"),
            events.CUSTOM_FIELD_DELETED: _("Custom field removed"),
        }
    )
