"""A length of time as people read it in a table: `2 d 3 h`, `3 h 5 min`, `4 min`; an ISO 8601
duration written in a process (`P5D`) in words: «5 дней»."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


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


# An ISO 8601 duration as BPMN timers and process variables write it: `P5D`, `PT4H30M`, `P1W`.
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def _iso_parts() -> dict[str, Callable[[int], str]]:
    return {
        "years": lambda n: ngettext("%(n)s year", "%(n)s years", n) % {"n": n},
        "months": lambda n: ngettext("%(n)s month", "%(n)s months", n) % {"n": n},
        "weeks": lambda n: ngettext("%(n)s week", "%(n)s weeks", n) % {"n": n},
        "days": lambda n: ngettext("%(n)s day", "%(n)s days", n) % {"n": n},
        "hours": lambda n: ngettext("%(n)s hour", "%(n)s hours", n) % {"n": n},
        "minutes": lambda n: ngettext("%(n)s minute", "%(n)s minutes", n) % {"n": n},
        "seconds": lambda n: ngettext("%(n)s second", "%(n)s seconds", n) % {"n": n},
    }


def iso_duration_text(value: str) -> str | None:
    """`P5D` as «5 дней» / «5 days», `PT1H30M` as «1 час 30 минут»; None when `value` is not
    an ISO 8601 duration (then the caller shows it as it is)."""
    found = _ISO_DURATION.match(value.strip())
    if found is None:
        return None
    parts = [
        text(int(count))
        for name, text in _iso_parts().items()
        if (count := found.group(name)) is not None and int(count)
    ]
    return " ".join(parts) if parts else ngettext("%(n)s minute", "%(n)s minutes", 0) % {"n": 0}
