"""Forms of the analytics pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.core.forms import BootstrapFormMixin, with_blank
from greenwave.core.text import LinesField
from greenwave.crm.models import Product
from greenwave.sales.models import Deal

from .figures import LOST_AFTER_DAYS
from .segments import ABC_A, ABC_B, DEFAULT_MONTHS, XYZ_X, XYZ_Y


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def _bound(label: Any, default: Decimal, *, max_value: int) -> forms.DecimalField:
    """An optional class bound of the segment analysis: left empty, it is `default`, which
    the placeholder shows."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.01"),
        max_value=max_value,
        widget=forms.NumberInput(attrs={"placeholder": default, "step": "any"}),
    )


class SalesForm(BootstrapFormMixin, forms.Form):
    preset = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("", _("Custom (dates)")),
            ("day", _("Today")),
            ("week", _("This week")),
            ("month", _("This month")),
            ("quarter", _("This quarter")),
            ("year", _("This year")),
        ],
    )
    date_from = _date(_("From"))
    date_to = _date(_("To"))
    group_by = forms.ChoiceField(
        label=_("Step"),
        required=False,
        choices=[("month", _("Month")), ("week", _("Week")), ("day", _("Day"))],
    )
    lost_after_days = forms.IntegerField(
        label=_("Lost after, days"),
        required=False,
        min_value=1,
        max_value=3650,
        initial=LOST_AFTER_DAYS,
    )


class SegmentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Analysis"),
        required=False,
        choices=[("abc", _("ABC by revenue")), ("xyz", _("XYZ by regularity")), ("rfm", _("RFM"))],
    )
    # Left empty, each bound is its default: the placeholders show which.
    months = forms.IntegerField(
        label=_("Months"),
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.NumberInput(attrs={"placeholder": DEFAULT_MONTHS}),
    )
    a_share = _bound(_("A up to (share)"), ABC_A, max_value=1)
    b_share = _bound(_("B up to (share)"), ABC_B, max_value=1)
    x_max = _bound(_("X up to (variation)"), XYZ_X, max_value=10)
    y_max = _bound(_("Y up to (variation)"), XYZ_Y, max_value=10)


class SegmentSaveForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Segment name"), max_length=200)
    classes = forms.CharField(
        label=_("Classes"),
        max_length=400,
        help_text=_(
            "Letters for ABC/XYZ (“A B”), RFM codes (“555 554”) or minimum scores (“R4 M5”)."
        ),
    )

    def __init__(self, *args: Any, kind: str = "abc", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_classes(self) -> list[str]:
        raw = self.cleaned_data["classes"].replace(",", " ").upper().split()
        allowed = {"abc": set("ABC"), "xyz": set("XYZ")}.get(self.kind)
        for item in raw:
            ok = (
                item in allowed
                if allowed is not None
                else (len(item) == 3 and all(c in "12345" for c in item))
                or (len(item) == 2 and item[0] in "RFM" and item[1] in "12345")
            )
            if not ok:
                raise forms.ValidationError(_("Unknown class: %(item)s.") % {"item": item})
        if not raw:
            raise forms.ValidationError(_("Name at least one class."))
        return sorted(set(raw))


class CostForm(BootstrapFormMixin, forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.order_by("name"))
    cost = forms.DecimalField(
        label=_("Cost price, ₽"), min_value=0, max_digits=14, decimal_places=2
    )


class NpsPeriodForm(BootstrapFormMixin, forms.Form):
    date_from = _date(_("From"))
    date_to = _date(_("To"))


class NpsRecordForm(BootstrapFormMixin, forms.Form):
    """Record an answer got by phone, or make a survey link for the client to answer."""

    deal: forms.ModelChoiceField[Deal] = forms.ModelChoiceField(
        label=_("Won deal"), queryset=Deal.objects.none()
    )
    score = forms.TypedChoiceField(
        label=_("Score (0–10)"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=with_blank([(str(n), str(n)) for n in range(11)]),
    )
    comment = LinesField(
        label=_("What would make it a 10"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, deals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["deal"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = deals


class NpsAnswerForm(BootstrapFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        coerce=int,
        choices=[(str(n), str(n)) for n in range(11)],
        widget=forms.RadioSelect,
    )
    comment = LinesField(
        label=_("What should we do for you to give us a 10 next time?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
