from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds(value: Any) -> str:
    """Seconds as `2 d 3 h`, `3 h 5 min` or `4 min`."""
    if value is None:
        return "—"
    minutes = int(float(value) // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


@register.filter
def percent(value: Any) -> str:
    return f"{float(value) * 100:.1f}%" if value is not None else "—"
