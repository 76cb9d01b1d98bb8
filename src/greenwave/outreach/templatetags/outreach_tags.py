"""A segment's filters in words, for lists (no queries: ids are counted, not looked up)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from greenwave.crm.models import Segment as ClientStatus

register = template.Library()


@register.filter
def filters_summary(filters: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    statuses = dict(ClientStatus.choices)
    if filters.get("client_status"):
        parts.append(
            _("Status: %(v)s")
            % {"v": ", ".join(str(statuses.get(s, s)) for s in filters["client_status"])}
        )
    if filters.get("deal_stage_ids"):
        parts.append(_("Deal stages: %(n)d") % {"n": len(filters["deal_stage_ids"])})
    if filters.get("product_group_ids"):
        parts.append(_("Product groups: %(n)d") % {"n": len(filters["product_group_ids"])})
    if filters.get("regions"):
        parts.append(_("Regions: %(v)s") % {"v": ", ".join(filters["regions"])})
    if filters.get("birthday_within_days") is not None:
        parts.append(_("Birthday within %(n)d days") % {"n": filters["birthday_within_days"]})
    if filters.get("analytics_segment_ids"):
        parts.append(
            _("Saved analytics segments: %(n)d") % {"n": len(filters["analytics_segment_ids"])}
        )
    parts.append(
        _("Only with consent") if filters.get("consent_only", True) else _("Consent not required")
    )
    return parts
