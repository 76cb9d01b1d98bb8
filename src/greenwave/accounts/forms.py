"""Forms of the accounts pages (the in-app user, team and token administration)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from greenwave.core.forms import BootstrapFormMixin

from .models import RoleCode, Team, User

TIME_ZONE_CHOICES = [
    (tz, tz)
    for tz in sorted(zoneinfo.available_timezones())
    if tz.startswith(("Europe/", "Asia/", "America/", "Africa/", "Australia/")) or tz == "UTC"
]


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
