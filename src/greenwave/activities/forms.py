"""Forms of the activities pages: plan or log an activity, complete, move, cancel it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_users
from greenwave.core.forms import BootstrapFormMixin, with_blank
from greenwave.core.text import LinesField
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company

from .models import ActivityKind, CallDirection, CallResult, Priority

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _datetime(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, widget=DATETIME_WIDGET, help_text=help_text
    )


class ActivityForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    company = forms.ModelChoiceField(
        label=_("Client"), queryset=Company.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    due_at = _datetime(_("Planned for"))
    done = forms.BooleanField(
        label=_("Already done (log it now)"),
        required=False,
        help_text=_("Notes and e-mails are always logged as done."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial="normal")
    description = LinesField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=with_blank(CallDirection.choices), required=False
    )
    call_result = forms.ChoiceField(
        label=_("Call result"), choices=with_blank(CallResult.choices), required=False
    )
    next_call_at = _datetime(
        _("Next call"), help_text=_("Required when the result asks for another call.")
    )
    duration_minutes = forms.IntegerField(label=_("Duration, min"), min_value=0, required=False)
    recording_url = forms.URLField(label=_("Recording link"), required=False, assume_scheme="https")
    recording_file = forms.FileField(label=_("Recording file"), required=False)
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    participants = forms.CharField(label=_("Participants"), required=False)
    outcome = LinesField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    checklist = LinesField(
        label=_("Checklist"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One item per line."),
    )
    email_to = forms.CharField(label=_("E-mail to"), max_length=500, required=False)
    remind_at = _datetime(
        _("Remind me at"), help_text=_("By default you are reminded when it is due.")
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = crm_selectors.company_list(actor=actor).order_by("name")  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = scope_users(  # type: ignore[attr-defined]
            User.objects.filter(is_active=True), actor=actor
        )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["checklist"] = [
            line for line in (data["checklist"] or "").splitlines() if line.strip()
        ]
        remind_at = data.pop("remind_at")
        data["reminders"] = [remind_at] if remind_at else None
        data["recording_url"] = data["recording_url"] or ""
        return data


class CompleteForm(BootstrapFormMixin, forms.Form):
    # The outcome of an activity, asked as the activity form asks it (each form copies them).
    call_result, next_call_at, duration_minutes, recording_url, recording_file, outcome = (
        ActivityForm.base_fields[name]
        for name in (
            "call_result",
            "next_call_at",
            "duration_minutes",
            "recording_url",
            "recording_file",
            "outcome",
        )
    )

    def for_kind(self, kind: str) -> CompleteForm:
        """Show only the fields that mean something for this kind of activity."""
        keep = {
            ActivityKind.CALL: set(self.fields),
            ActivityKind.MEETING: {"duration_minutes", "outcome"},
        }.get(ActivityKind(kind), {"outcome"})
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        return self

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        return data


class RescheduleForm(BootstrapFormMixin, forms.Form):
    due_at = _datetime(_("New date and time"), required=True)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PlanForm(BootstrapFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=60, initial=10)
    manager = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RebalanceForm(BootstrapFormMixin, forms.Form):
    source = forms.ModelChoiceField(label=_("From manager"), queryset=User.objects.none())
    target = forms.ModelChoiceField(label=_("To manager"), queryset=User.objects.none())
    count = forms.IntegerField(label=_("Calls"), min_value=1, max_value=1000)
    start = forms.DateField(widget=forms.HiddenInput)
    days = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=60)

    def __init__(self, *args: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = managers  # type: ignore[attr-defined]
        self.fields["target"].queryset = managers  # type: ignore[attr-defined]


class CapacityForm(BootstrapFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.none())
    calls_per_day = forms.IntegerField(label=_("Calls per day"), min_value=1, max_value=300)
    work_start = forms.TimeField(
        label=_("Working day starts"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    work_end = forms.TimeField(
        label=_("Working day ends"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = managers  # type: ignore[attr-defined]


class LogCallForm(forms.Form):
    """One line under a feed: the result of a call that just happened and a comment."""

    call_result = forms.ChoiceField(
        label=_("Call result"), choices=[("", _("Call result…")), *CallResult.choices]
    )
    outcome = forms.CharField(label=_("Comment"), max_length=2000, required=False)
    next_call_at = forms.DateTimeField(
        label=_("Next call"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Required when the result asks for another call."),
    )

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
