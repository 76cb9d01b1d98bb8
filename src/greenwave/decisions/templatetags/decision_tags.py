"""Template filters of the decisions pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import pgettext_lazy

from greenwave.decisions.library_texts import library_text

register = template.Library()


@register.filter
def decision_text(text: Any, key: Any) -> str:
    """`text|decision_text:key`: a text of the built-in decision `key` in the reader's language."""
    return library_text(str(key or ""), str(text or ""))


# The FEEL types an input declares, as the reader says them (the code stays beside the name).
TYPE_NAMES = {
    "string": pgettext_lazy("data type", "text"),
    "number": pgettext_lazy("data type", "number"),
    "boolean": pgettext_lazy("data type", "yes/no"),
    "date": pgettext_lazy("data type", "date"),
    "datetime": pgettext_lazy("data type", "date and time"),
    "time": pgettext_lazy("data type", "time"),
}


@register.filter
def type_name(type_ref: Any) -> str:
    """`input.type_ref|type_name`: «число» for `number` (`feel:number` too); an unknown type as
    it is written."""
    code = str(type_ref or "")
    return str(TYPE_NAMES.get(code.rsplit(":", 1)[-1].rsplit(".", 1)[-1].lower(), code))
