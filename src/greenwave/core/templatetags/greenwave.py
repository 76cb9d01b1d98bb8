"""Template filters of the shell."""

from __future__ import annotations

from django import template

from greenwave.core.event_labels import activity_label as _activity_label

register = template.Library()


@register.filter
def activity_label(code: str) -> str:
    return _activity_label(code)
