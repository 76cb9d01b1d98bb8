"""Names must hold a visible character (shared by every app's names)."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from greenwave.core.text import LinesField, LongTextField, NameField, validate_visible, visible_text


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


def test_a_long_text_stores_the_lines_a_browser_posts_with_newlines() -> None:
    assert LongTextField().clean("Нужно КП\r\nи счёт") == "Нужно КП\nи счёт"


def test_every_textarea_of_the_forms_stores_newlines() -> None:
    """A textarea posts `\\r\\n`: a field of several lines that kept them would change the
    stored text each time a form is saved untouched."""
    from greenwave.activities import forms as activities
    from greenwave.analytics import forms as analytics
    from greenwave.bpm import forms as bpm
    from greenwave.crm import forms as crm
    from greenwave.documents import forms as documents
    from greenwave.orders import forms as orders
    from greenwave.outreach import forms as outreach
    from greenwave.planning import forms as planning
    from greenwave.sales import forms as sales

    modules = (activities, analytics, bpm, crm, documents, orders, outreach, planning, sales)
    form_classes = {
        form
        for module in modules
        for form in vars(module).values()
        if isinstance(form, type) and issubclass(form, forms.BaseForm)
    }
    textareas = {
        f"{form.__name__}.{name}": field
        for form in form_classes
        for name, field in form.base_fields.items()
        if isinstance(field.widget, forms.Textarea)
    }
    assert len(textareas) > 20
    assert [key for key, field in textareas.items() if not isinstance(field, LinesField)] == []
