"""Rules for text that people type, shared by every app: names and long texts.

A name must hold something visible: `str.strip()` keeps zero-width spaces, joiners, the BOM and
bidi marks (Unicode category Cf), so a name made of them alone would pass a required check and
show as an empty link. Long free texts (descriptions, needs, notes) share one cap, so a 1 MB
description is refused like any other oversized text instead of being stored.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LONG_TEXT_MAX_LENGTH = 5000


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def visible_text(value: object) -> str:
    """`value` as text without whitespace and format characters (zero-width, BOM, bidi marks)
    at either end; empty when nothing visible is left."""
    text = "" if value is None else str(value)
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def validate_visible(value: object) -> None:
    """Django validator for name fields of models and forms."""
    if not visible_text(value):
        raise ValidationError(gettext_lazy("Type at least one visible character."), "blank")


def long_text_error(limit: int = LONG_TEXT_MAX_LENGTH) -> str:
    return _("At most %(n)d characters.") % {"n": limit}


class NameField(forms.CharField):
    """A required-by-default name: whitespace and invisible characters at the ends are dropped
    before the required check, so a name of zero-width spaces is "This field is required"."""

    def to_python(self, value: Any) -> str:
        return visible_text(super().to_python(value))


class LinesField(forms.CharField):
    """A text of several lines stored with `\\n` line ends. A browser posts a textarea's lines
    with `\\r\\n`: without this, saving a form untouched would change every stored text of
    several lines."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class LongTextField(LinesField):
    """An optional free text (a description, a need, a message) in a three-row box, held to
    the one cap of long texts, as its model column is; its lines are stored with `\\n` ends."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", LONG_TEXT_MAX_LENGTH)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)
