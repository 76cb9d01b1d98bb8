"""A length of time as people read it in a table: `2 d 3 h`, `3 h 5 min`, `4 min`."""

from __future__ import annotations

from django.utils.translation import gettext as _


def duration_text(seconds: float | None) -> str:
    """Whole days and hours, hours and minutes, or minutes (rounded down); `—` for none."""
    if seconds is None:
        return "—"
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}
