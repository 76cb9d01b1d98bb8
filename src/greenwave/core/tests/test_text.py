"""Names must hold a visible character (shared by every app's names)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from greenwave.core.text import LinesField, NameField, validate_visible, visible_text


@pytest.mark.parametrize(
    "value", ["", "   ", "\u200b", "\u200b\u200c\u200d", "\ufeff\u2060", "\u200e\u200f \t"]
)
def test_whitespace_and_format_characters_alone_are_no_name(value: str) -> None:
    assert visible_text(value) == ""
    with pytest.raises(ValidationError):
        validate_visible(value)

    class Form(forms.Form):
        name = NameField(max_length=50)

    form = Form({"name": value})
    assert not form.is_valid()
    assert "name" in form.errors


def test_visible_text_keeps_inner_joiners_and_drops_the_edges() -> None:
    assert visible_text("\u200b Ромашка\u200b ") == "Ромашка"
    assert visible_text("👩\u200d💻") == "👩\u200d💻"


def test_a_lines_field_stores_the_lines_a_browser_posts_with_newlines() -> None:
    field = LinesField(required=False)
    assert field.clean("Найти ЛПР\r\nПодтвердить бюджет\rВыслать КП") == (
        "Найти ЛПР\nПодтвердить бюджет\nВыслать КП"
    )
    assert field.clean("") == ""
