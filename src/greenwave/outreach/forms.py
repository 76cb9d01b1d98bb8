"""Forms of the outreach pages: the segment builder and the campaign editor. The services
validate; a `DomainError` naming fields is shown next to them (`add_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.analytics.models import SavedSegment
from greenwave.core.errors import DomainError
from greenwave.core.forms import BootstrapFormMixin
from greenwave.core.text import LinesField
from greenwave.crm.models import ProductGroup
from greenwave.crm.models import Segment as ClientStatus
from greenwave.sales.models import Stage

from . import selectors
from .models import CampaignKind, Segment
from .segments import MAX_BIRTHDAY_WINDOW
from .templating import VARIABLES


class StageChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pipeline.label} — {obj.label}"


class StageField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.pipeline.label} — {obj.label}"


class SavedSegmentField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("%(name)s (%(kind)s, %(size)d clients)") % {
            "name": obj.name,
            "kind": str(obj.kind).upper(),
            "size": obj.size,
        }


class SegmentForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = LinesField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    client_status = forms.MultipleChoiceField(
        label=_("Client status"),
        required=False,
        choices=ClientStatus.choices,
        widget=forms.SelectMultiple(attrs={"size": 2}),
    )
    deal_stage_ids = StageChoiceField(
        label=_("Open deal at the stage"),
        required=False,
        queryset=Stage.objects.select_related("pipeline").order_by("pipeline__order", "order"),
    )
    product_group_ids = forms.ModelMultipleChoiceField(
        label=_("Bought products of the groups"),
        required=False,
        queryset=ProductGroup.objects.order_by("name"),
    )
    regions = forms.MultipleChoiceField(label=_("Regions"), required=False)
    birthday_within_days = forms.IntegerField(
        label=_("Birthday within the next N days"),
        required=False,
        min_value=0,
        max_value=MAX_BIRTHDAY_WINDOW,
        help_text=_("0 is today; 7 is the coming week."),
    )
    analytics_segment_ids = SavedSegmentField(
        label=_("Clients of the saved analytics segments"),
        required=False,
        queryset=SavedSegment.objects.none(),
        help_text=_("ABC, XYZ or RFM segments saved on the analytics pages."),
    )
    consent_only = forms.BooleanField(
        label=_("Only contacts who agreed to mailings"), required=False, initial=True
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [(r, r) for r in selectors.region_choices(actor=actor)]
        self.fields["regions"].choices = regions  # type: ignore[attr-defined]
        saved = selectors.analytics_segment_choices(actor=actor)
        self.fields["analytics_segment_ids"].queryset = saved  # type: ignore[attr-defined]
        # A multiple select of size 1 is drawn as a one-row box («0 selected»): at least 3 rows.
        count = saved.count()
        field = self.fields["analytics_segment_ids"]
        field.widget.attrs["size"] = min(max(count, 3), 4)
        if not count:
            field.help_text = _(
                "None saved yet: save an ABC, XYZ or RFM segment on the analytics pages."
            )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        filters: dict[str, Any] = {"consent_only": bool(data.get("consent_only"))}
        if data.get("client_status"):
            filters["client_status"] = list(data["client_status"])
        if data.get("deal_stage_ids"):
            filters["deal_stage_ids"] = [s.pk for s in data["deal_stage_ids"]]
        if data.get("product_group_ids"):
            filters["product_group_ids"] = [g.pk for g in data["product_group_ids"]]
        if data.get("regions"):
            filters["regions"] = list(data["regions"])
        if data.get("birthday_within_days") is not None:
            filters["birthday_within_days"] = data["birthday_within_days"]
        if data.get("analytics_segment_ids"):
            filters["analytics_segment_ids"] = [s.pk for s in data["analytics_segment_ids"]]
        return filters

    @staticmethod
    def initial_from(segment: Any) -> dict[str, Any]:
        return {"name": segment.name, "description": segment.description, **segment.filters}


class CampaignForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CampaignKind.choices)
    segment: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Segment"), required=False, queryset=Segment.objects.none()
    )
    trigger_stage = StageField(
        label=_("Stage (for «when a deal enters a stage»)"),
        required=False,
        queryset=Stage.objects.select_related("pipeline").order_by("pipeline__order", "order"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = LinesField(label=_("Text of the letter"), widget=forms.Textarea(attrs={"rows": 10}))
    track_opens = forms.BooleanField(
        label=_("Count opens (tracking pixel)"), required=False, initial=True
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["segment"].queryset = selectors.segment_list(actor=actor)  # type: ignore[attr-defined]
        names = ", ".join("{{ " + name + " }}" for name in VARIABLES)
        self.fields["body"].help_text = _("Variables: %(names)s.") % {"names": names}


def add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the fields it names, or above the form."""
    fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
    placed = False
    for name, message in (fields or {}).items():
        field = str(name).removeprefix("filters.").removesuffix("_id")
        if field in form.fields:
            form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, exc.message)
