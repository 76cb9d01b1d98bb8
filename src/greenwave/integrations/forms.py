"""Forms of the integrations pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from greenwave.core.forms import BootstrapFormMixin

from .catalogue import EVENT_LABELS, WEBHOOK_EVENTS


class WebhookForm(BootstrapFormMixin, forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_(
            "https:// on a public address; private hosts only when listed in WEBHOOK_ALLOWED_HOSTS."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        # Lazy: an f-string here froze the labels in the language of the first import.
        choices=[
            (name, format_lazy("{} ({})", EVENT_LABELS[name], name)) for name in WEBHOOK_EVENTS
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    secret = forms.CharField(
        label=_("Secret"),
        max_length=128,
        required=False,
        help_text=_(
            "The key of the X-Greenwave-Signature HMAC. Leave empty to generate one "
            "(new webhook) or to keep the current one (edit)."
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            del self.fields["is_active"]


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input (the Django documentation's recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            _MultipleFileInput(
                attrs={"class": "form-control", "accept": ".xml,.zip,.jpg,.jpeg,.png,.gif,.webp"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class CommerceMLUploadForm(forms.Form):
    documents = _MultipleFileField(
        label=_("CommerceML files (import.xml, offers.xml)"),
        help_text=_("Or a zip archive of them as 1C writes it, with the pictures."),
    )
