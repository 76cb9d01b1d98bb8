"""Template filters of the decisions pages."""

from __future__ import annotations

from typing import Any

from django import template

from greenwave.decisions.library_texts import library_text

register = template.Library()


@register.filter
def decision_text(text: Any, key: Any) -> str:
    """`text|decision_text:key`: a text of the built-in decision `key` in the reader's language."""
    return library_text(str(key or ""), str(text or ""))
