"""How the integrations app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.guards import is_admin
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav
from greenwave.core.request_guard import allow_binary_body, allow_large_body

from . import commerceml, events, services
from .demo import seed_integrations


def register() -> None:
    """Every registration of the app, in one call."""
    register_periodic("webhooks_dispatch", services.webhooks_dispatch, every_seconds=5)
    register_periodic("webhooks_send", services.webhook_deliveries_send_due, every_seconds=5)
    register_nav(
        NavItem(
            "webhooks",
            _("Webhooks"),
            "integrations:webhook_list",
            "broadcast",
            section="admin",
            order=30,
            visible=is_admin,
        )
    )
    register_nav(
        NavItem(
            "onec_exchange",
            _("1C exchange"),
            "integrations:onec",
            "arrow-left-right",
            section="admin",
            order=31,
            visible=is_admin,
        )
    )
    # 1C sends whole catalogue files as request bodies; the upload page takes several.
    for view_name in ("integrations:onec_exchange", "integrations:onec"):
        allow_large_body(view_name, commerceml.MAX_FILE_BYTES + 65536)
    # …and, with zip=yes, zip archives and pictures: binary bodies with NUL bytes.
    allow_binary_body("integrations:onec_exchange")
    register_demo_seeder("integrations", seed_integrations, order=95)
    register_activity_labels(
        {
            events.WEBHOOK_CREATED: _("Webhook created"),
            events.WEBHOOK_CHANGED: _("Webhook changed"),
            events.WEBHOOK_TEST_REQUESTED: _("Webhook test requested"),
            events.WEBHOOK_DELIVERED: _("Webhook delivered"),
            events.WEBHOOK_DELIVERY_FAILED: _("Webhook delivery failed"),
            events.WEBHOOK_DELIVERY_GAVE_UP: _("Webhook delivery given up"),
            events.WEBHOOK_DISABLED: _("Webhook disabled after repeated failures"),
            events.ONEC_EXCHANGE_STARTED: _("1C exchange started"),
            events.ONEC_CATALOG_IMPORTED: _("1C catalogue imported"),
            events.ONEC_OFFERS_IMPORTED: _("1C prices imported"),
            events.ONEC_IMPORT_FAILED: _("1C import failed"),
            events.ONEC_ORDERS_EXPORTED: _("Orders given to 1C"),
            events.ONEC_ORDERS_CONFIRMED: _("1C confirmed the orders"),
        }
    )
