"""Template filters of the bpm pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A waiting time as `2 d 3 h`, `3 h 5 min` or `4 min`."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    return _("%(m)s min") % {"m": mins}


@register.filter
def role_label(code: str) -> str:
    """A role code as its readable name (`lawyer` → «Юрист»)."""
    from greenwave.accounts.models import RoleCode

    return str(RoleCode(code).label) if code in RoleCode.values else code


@register.filter
def local_url(value: object) -> str:
    """A link taken from process variables, only if it stays on this site (`/…`, not `//…`):
    variables can be typed through the API, so a `javascript:` link must never be rendered."""
    text = str(value or "")
    return text if text.startswith("/") and not text.startswith("//") else ""


@register.simple_tag
def subject_links(instances: Any) -> dict[int, Any]:
    """The records of a page of process runs as links: `{% subject_links page.object_list as
    links %}` then `links|subject_of:i.pk`."""
    from greenwave.bpm.selectors import subject_links as links_of

    return links_of(list(instances))


@register.filter
def subject_of(links: dict[int, Any], pk: int) -> Any:
    return links.get(pk)
