from __future__ import annotations

from typing import Any

from django import template

from greenwave.core.durations import duration_text
from greenwave.core.values import EMPTY

register = template.Library()


@register.filter
def seconds(value: Any) -> str:
    """Seconds as `2 d 3 h`, `3 h 5 min` or `4 min`."""
    return duration_text(None if value is None else float(value))


@register.filter
def percent(value: Any) -> str:
    return f"{float(value) * 100:.1f}%" if value is not None else EMPTY
