"""How the outreach app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.demo import register_demo_seeder
from greenwave.core.event_labels import register_activity_labels
from greenwave.core.jobs import register_periodic
from greenwave.core.navigation import NavItem, register_nav

from . import events, services
from .demo import seed_outreach


def register() -> None:
    """Every registration of the app, in one call."""
    roles = tuple(str(r) for r in services.OUTREACH_ROLES)
    register_nav(
        NavItem(
            "outreach_campaigns",
            _("Mailings"),
            "outreach:campaign_list",
            "envelope-paper",
            section="sales",
            order=60,
            roles=roles,
        )
    )
    register_nav(
        NavItem(
            "outreach_segments",
            _("Segments"),
            "outreach:segment_list",
            "funnel",
            section="sales",
            order=61,
            roles=roles,
        )
    )
    register_periodic("outreach_send", services.deliveries_send_due, every_seconds=5)
    register_periodic("outreach_triggers", services.triggers_run, every_seconds=60)
    register_demo_seeder("outreach", seed_outreach, order=50)
    register_activity_labels(
        {
            events.SEGMENT_CREATED: _("Segment created"),
            events.SEGMENT_CHANGED: _("Segment changed"),
            events.CAMPAIGN_CREATED: _("Campaign created"),
            events.CAMPAIGN_CHANGED: _("Campaign changed"),
            events.CAMPAIGN_SCHEDULED: _("Campaign scheduled"),
            events.CAMPAIGN_SENDING_STARTED: _("Campaign sending started"),
            events.CAMPAIGN_SENT: _("Campaign sent"),
            events.CAMPAIGN_ACTIVATED: _("Trigger switched on"),
            events.CAMPAIGN_PAUSED: _("Trigger paused"),
            events.MAIL_SENT: _("Letter sent"),
            events.MAIL_FAILED: _("Letter not sent"),
            events.MAIL_INTERRUPTED: _("Letter interrupted"),
            events.MAIL_SKIPPED: _("Letter skipped"),
            events.MAIL_BOUNCED: _("Letter bounced"),
            events.MAIL_OPENED: _("Letter opened"),
            events.MAIL_CLICKED: _("Link in a letter clicked"),
            events.MAIL_UNSUBSCRIBED: _("Unsubscribed from mailings"),
        }
    )
