"""Date and time inputs carry the value format browsers accept, in every language."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django import forms
from django.utils import timezone, translation

from greenwave.core.forms import BootstrapFormMixin


class _Form(BootstrapFormMixin, forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    text = forms.CharField()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_date_inputs_render_iso_values_and_parse_them_back(language: str) -> None:
    moment = timezone.make_aware(datetime(2026, 12, 30, 9, 45))
    with translation.override(language):
        form = _Form(initial={"day": date(2026, 12, 30), "moment": moment, "text": "x"})
        html = str(form["day"]) + str(form["moment"])
        assert 'value="2026-12-30"' in html
        assert 'value="2026-12-30T09:45"' in html
        bound = _Form(data={"day": "2026-12-30", "moment": "2026-12-30T09:45", "text": "x"})
        assert bound.is_valid(), bound.errors
        assert bound.cleaned_data["day"] == date(2026, 12, 30)
        assert bound.cleaned_data["moment"] == moment


class _Choices(BootstrapFormMixin, forms.Form):
    agreed = forms.BooleanField(required=False)
    roles = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple, required=False
    )


def test_a_checkbox_list_is_not_styled_as_one_box() -> None:
    """A list of boxes gets no class: the widget's attributes go on the list's wrapper too,
    and Bootstrap's one-box class there shrank the list (users' roles, webhook events) to a
    box's size, its options spilling over the fields below."""
    form = _Choices()
    assert 'class="form-check-input"' in str(form["agreed"])
    roles = str(form["roles"])
    assert 'id="id_roles"' in roles
    assert "form-check-input" not in roles
    assert roles.count('type="checkbox"') == 2
