"""The form helpers every app's forms use: Bootstrap's classes on every widget, and the
upload of a model file (a BPMN process, a DMN decision) with its key."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .values import EMPTY

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The browser's date inputs accept only these value formats, whatever the page's language; a
# localized value («30.12.2026») is shown as an empty field and erased by the next save.
HTML_INPUT_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}


def with_blank(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """A select's choices with the empty one first, shown as a dash («—»: nothing chosen)."""
    return [("", EMPTY), *choices]


def initial_of(record: object | None, fields: Iterable[str]) -> dict[str, Any]:
    """An edit form's `initial`: the value the record holds for each of `fields` (none without
    a record yet, as a client's profile before it is first written)."""
    if record is None:
        return {}
    return {name: getattr(record, name) for name in fields}


class DecimalInput(forms.NumberInput):
    """A number box that shows a stored decimal as the pages print it, without the zeros its
    column pads it with: a share of 10.00 % reads «10», 12.50 reads «12.5» (the browser shows
    the number in the reader's own notation and posts it back with a point)."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal) and value.is_finite():
            text = format(value, "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
        return super().format_value(value)


class BootstrapFormMixin:
    """Give every widget Bootstrap's classes so templates stay loops over fields, and make
    every date and time input round-trip its value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.DateInput | forms.DateTimeInput | forms.TimeInput):
                html_format = HTML_INPUT_FORMATS.get(widget.input_type)
                if html_format:
                    widget.format = html_format
            bootstrap_class(field)


def bootstrap_class(field: forms.Field) -> None:
    """Bootstrap's class for the field's widget (kept if one is set): also for fields added
    after the form's `__init__` (custom fields, a process task's schema)."""
    widget = field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        # Its attributes go on the list's wrapper as well as on every box: Bootstrap's
        # one-box class there shrank the whole list to a box's size, its options overflowing
        # onto the fields below. The boxes stay the browser's own.
        return
    if isinstance(widget, forms.CheckboxInput):
        widget.attrs.setdefault("class", "form-check-input")
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        widget.attrs.setdefault("class", "form-select")
    else:
        widget.attrs.setdefault("class", "form-control")


class ModelUploadForm(BootstrapFormMixin, forms.Form):
    """A model's file (declared by the subclass), the key it is kept under — empty: the one
    `key_help` says the file gives — and whether it is deployed at once (`deploy_label`)."""

    field_order = ("file", "key", "deploy")
    key_help: StrOrPromise
    deploy_label: StrOrPromise

    key = forms.CharField(label=_("Key"), max_length=100, required=False)
    deploy = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key"].help_text = self.key_help
        self.fields["deploy"].label = self.deploy_label
