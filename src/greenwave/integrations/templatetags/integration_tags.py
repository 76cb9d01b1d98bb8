"""Template filters of the integrations pages."""

from __future__ import annotations

from typing import Any

from django import template

from greenwave.integrations.notes import note_text

register = template.Library()


@register.filter(name="note_text")
def note_text_filter(value: Any) -> str:
    """An import's warning in the reader's language (`integrations.notes`)."""
    return note_text(value)
