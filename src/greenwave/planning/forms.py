"""Forms of the "My day" pages and of the rules of plans and motivation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.core.forms import BootstrapFormMixin, DecimalInput, with_blank
from greenwave.core.text import LinesField
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company, ProductGroup

from . import selectors as planning_selectors
from .models import ItemPriority, Kpi, KpiAggregate, KpiDirection, KpiSource, KpiUnit, RevenueBasis


class ItemForm(BootstrapFormMixin, forms.Form):
    company = forms.ModelChoiceField(
        label=_("Client"), queryset=Company.objects.none(), required=False
    )
    goal = forms.CharField(label=_("Goal"), max_length=500)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=ItemPriority.choices, initial=ItemPriority.NORMAL
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = crm_selectors.company_list(actor=actor).order_by(  # type: ignore[attr-defined]
            "name"
        )


# --- the rules of plans and motivation -------------------------------------------------------


def _pairs(text: str) -> list[tuple[str, str]]:
    """Lines «name = value» (or «name: value») → pairs; a line without either is an error."""
    pairs = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in ("=", ":"):
            if sep in line:
                name, _sep, value = line.partition(sep)
                pairs.append((name.strip(), value.strip()))
                break
        else:
            raise forms.ValidationError(
                _("Write each line as «name = value»: %(line)s"), params={"line": line[:60]}
            )
    return pairs


class SettingsForm(BootstrapFormMixin, forms.Form):
    revenue_basis = forms.ChoiceField(
        label=_("Revenue in the plan is"),
        choices=RevenueBasis.choices,
        help_text=_(
            "Paid: the payments of invoices received in the month (the accounts department's "
            "figure). Won: the amount of deals won in the month, paid or not."
        ),
    )


class KpiForm(BootstrapFormMixin, forms.Form):
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("Small Latin letters, digits and «_»; it names the KPI in the API and files."),
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=KpiUnit.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=KpiDirection.choices)
    source = forms.ChoiceField(
        label=_("Computed from"),
        choices=[
            (KpiSource.RECORD, KpiSource.RECORD.label),
            (KpiSource.EVENT, KpiSource.EVENT.label),
        ],
    )
    aggregate = forms.ChoiceField(label=_("Aggregate"), choices=KpiAggregate.choices)
    record = forms.ChoiceField(
        label=_("Which records"),
        required=False,
        choices=with_blank(
            [("deal", _("Deals")), ("lead", _("Leads")), ("activity", _("Activities"))]
        ),
    )
    field = forms.CharField(
        label=_("Field to add up"),
        max_length=40,
        required=False,
        help_text=_(
            "For a sum or an average: deals — amount, probability; activities — "
            "duration_minutes; events — a key of the event's payload."
        ),
    )
    date_field = forms.CharField(
        label=_("Date that places a record in the month"),
        max_length=40,
        required=False,
        help_text=_(
            "Deals — closed_at, created_at; leads — created_at, closed_at, qualified_at; "
            "activities — completed_at, created_at, due_at."
        ),
    )
    filters = LinesField(
        label=_("Filters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, «field = value», e.g. status = won."),
    )
    event_activity = forms.CharField(
        label=_("Event activity"),
        max_length=80,
        required=False,
        help_text=_("For the event log: the activity to count, e.g. call_completed."),
    )
    definition = LinesField(
        label=_("Definition"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    definition_en = LinesField(
        label=_("Definition in English"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]

    def clean_filters(self) -> dict[str, str]:
        return dict(_pairs(self.cleaned_data.get("filters") or ""))

    @staticmethod
    def initial_of(kpi: Kpi) -> dict[str, Any]:
        data = {f: getattr(kpi, f) for f in KpiForm.base_fields if f != "filters"}
        data["filters"] = "\n".join(f"{k} = {v}" for k, v in (kpi.filters or {}).items())
        return data


class CommissionSchemeForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    default_percent = forms.DecimalField(
        label=_("Percent of paid revenue"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
        widget=DecimalInput,
        help_text=_("For the product groups without their own percent below."),
    )
    steps = LinesField(
        label=_("Steps by plan achievement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, «from percent of the revenue plan = multiplier», ascending, e.g. "
            "«80 = 0.8» and «100 = 1.2». Below the first step the multiplier is 1."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(ProductGroup.objects.order_by("name"))
        for group in self.groups:
            self.fields[f"group_{group.pk}"] = forms.DecimalField(
                label=_("Percent for «%(g)s»") % {"g": group.name},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                decimal_places=2,
                max_digits=5,
                widget=DecimalInput,
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.NumberInput):
                field.widget.attrs.setdefault("class", "form-control")
                field.widget.attrs["step"] = "0.01"

    def clean_steps(self) -> list[list[str]]:
        return [[a, b] for a, b in _pairs(self.cleaned_data.get("steps") or "")]

    def group_percents(self) -> dict[str, Any]:
        return {
            str(g.pk): self.cleaned_data.get(f"group_{g.pk}")
            for g in self.groups
            if self.cleaned_data.get(f"group_{g.pk}") is not None
        }

    @staticmethod
    def initial_of(scheme: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": scheme.name,
            "default_percent": scheme.default_percent,
            "steps": "\n".join(f"{a} = {b}" for a, b in scheme.steps or []),
        }
        for key, value in (scheme.group_percents or {}).items():
            data[f"group_{key}"] = Decimal(str(value))
        return data


class AssistantSplitForm(BootstrapFormMixin, forms.Form):
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.none())
    assistant = forms.ModelChoiceField(label=_("Assistant"), queryset=User.objects.none())
    share_percent = forms.DecimalField(
        label=_("Assistant's part of the manager's commission, %"),
        min_value=Decimal("0.01"),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
        widget=DecimalInput(attrs={"step": "0.01"}),
    )
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: until changed."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = planning_selectors.assignable_people(actor=actor)
        self.fields["manager"].queryset = people  # type: ignore[attr-defined]
        self.fields["assistant"].queryset = people  # type: ignore[attr-defined]
