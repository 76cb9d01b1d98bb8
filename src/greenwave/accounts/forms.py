"""Forms of the accounts pages (the in-app user, team and token administration)."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import RoleCode, Team, User

TIME_ZONE_CHOICES = [
    (tz, tz)
    for tz in sorted(zoneinfo.available_timezones())
    if tz.startswith(("Europe/", "Asia/", "America/", "Africa/", "Australia/")) or tz == "UTC"
]


# The browser's date inputs accept only these value formats, whatever the page's language; a
# localized value («30.12.2026») is shown as an empty field and erased by the next save.
HTML_INPUT_FORMATS = {"date": "%Y-%m-%d", "datetime-local": "%Y-%m-%dT%H:%M", "time": "%H:%M"}


class BootstrapFormMixin:
    """Give every widget Bootstrap's classes so templates stay loops over fields, and make
    every date and time input round-trip its value."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
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
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        widget.attrs.setdefault("class", "form-check-input")
    elif isinstance(widget, forms.Select | forms.SelectMultiple):
        widget.attrs.setdefault("class", "form-select")
    else:
        widget.attrs.setdefault("class", "form-control")


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong login name or password. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class UserProfileFields(BootstrapFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    middle_name = forms.CharField(label=_("Middle name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.CharField(label=_("Position"), max_length=150, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=RoleCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Europe/Moscow"
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("ru", _("Russian")), ("en", _("English"))], initial="ru"
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class UserCreateForm(UserProfileFields):
    username = forms.CharField(label=_("Login name"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=_("Leave empty to let the user set one through password reset by e-mail."),
    )
    field_order = ["username", "password"]


class TeamForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    head = forms.ModelChoiceField(
        label=_("Head"), queryset=User.objects.filter(is_active=True), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("Reports to"), queryset=Team.objects.all(), required=False
    )


class TokenForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("For example: 1C exchange, website.")
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for a token that does not expire."),
    )


class PreferencesForm(BootstrapFormMixin, forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("ru", _("Russian")), ("en", _("English"))]
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
