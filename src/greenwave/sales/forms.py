"""Forms of the sales pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.event_labels import activity_choices
from greenwave.core.forms import BootstrapFormMixin, with_blank
from greenwave.core.text import LinesField, LongTextField, NameField
from greenwave.crm.models import Company, PriceList, Product

from .gates import GATE_FIELDS
from .models import (
    ApprovalKind,
    DisqualificationReason,
    DocumentKind,
    LeadCategory,
    LeadRating,
    LeadSource,
    LossReason,
    Pipeline,
    Stage,
)
from .stage_texts import stage_text


class DealForm(BootstrapFormMixin, forms.Form):
    title = NameField(label=_("Title"), max_length=200)
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True)
    )
    amount = forms.DecimalField(
        label=_("Amount, ₽"), min_value=Decimal(0), max_digits=18, decimal_places=2, initial=0
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    company = forms.ModelChoiceField(
        label=_("Client"), queryset=Company.objects.none(), required=False
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    description = LongTextField(label=_("Description"))

    def __init__(self, *args: Any, users: Any = None, companies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if users is not None:
            self.fields["responsible"].queryset = users  # type: ignore[attr-defined]
        if companies is not None:
            self.fields["company"].queryset = companies  # type: ignore[attr-defined]


class DealEditForm(DealForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["pipeline"]
        del self.fields["responsible"]
        del self.fields["company"]


class LoseForm(BootstrapFormMixin, forms.Form):
    reason = forms.ModelChoiceField(label=_("Loss reason"), queryset=LossReason.objects.none())
    comment = LinesField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, pipeline: Pipeline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = pipeline.loss_reasons.filter(is_active=True)  # type: ignore[attr-defined]


class CloserHandoffForm(BootstrapFormMixin, forms.Form):
    """The hunter (or the head) hands the deal to a closer (seed 001: «Leads Conversion»)."""

    closer = forms.ModelChoiceField(
        label=_("Closer"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The least loaded one"),
    )
    comment = LongTextField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        closers = User.objects.filter(is_active=True, roles__code=RoleCode.CLOSER)
        self.fields["closer"].queryset = closers.order_by("last_name", "first_name", "pk")  # type: ignore[attr-defined]


class DocumentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Document kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    # The stage gates count a document only with its file, so the card asks for one.
    file = forms.FileField(label=_("File"))


class ApprovalForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Approval"), choices=ApprovalKind.choices)
    comment = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args: Any, kinds: Iterable[str] | None = None, **kwargs: Any) -> None:
        """`kinds`: the approvals the user may give (the others are not offered)."""
        super().__init__(*args, **kwargs)
        if kinds is not None:
            allowed = set(kinds)
            field = self.fields["kind"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(k, v) for k, v in ApprovalKind.choices if k in allowed]


class LeadForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices, initial="call")
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    company_name = forms.CharField(label=_("Company"), max_length=255, required=False)
    inn = forms.CharField(label=_("INN"), max_length=12, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    need = LongTextField(label=_("Need"))
    # Seed 001's classification of a lead: category, prospect rating, probability of closing,
    # and the plan of the next steps.
    category = forms.ChoiceField(
        label=_("Category"), choices=with_blank(LeadCategory.choices), required=False
    )
    rating = forms.ChoiceField(
        label=_("Prospect rating"),
        choices=with_blank(LeadRating.choices),
        required=False,
        help_text=_("Hot: ready to buy soon; warm: interested; cold: no near need."),
    )
    close_probability = forms.IntegerField(
        label=_("Probability of closing, %"), min_value=0, max_value=100, required=False
    )
    next_steps = LongTextField(label=_("Plan of next steps"))
    utm_source = forms.CharField(label=_("Source (UTM)"), max_length=100, required=False)
    utm_campaign = forms.CharField(label=_("Campaign (UTM)"), max_length=100, required=False)


class DisqualifyForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DisqualificationReason.choices)
    comment = forms.CharField(label=_("Comment"), required=False)


class ConvertForm(BootstrapFormMixin, forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True)
    )
    amount = forms.DecimalField(
        label=_("Amount, ₽"), min_value=Decimal(0), max_digits=18, decimal_places=2, initial=0
    )


class WebLeadForm(forms.Form):
    """The public form: a honeypot field that people never see and bots fill."""

    name = NameField(label=_("Your name"), max_length=200)
    company = forms.CharField(label=_("Company"), max_length=255, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    message = LongTextField(label=_("What do you need?"))
    website = forms.CharField(required=False)  # honeypot
    utm_source = forms.CharField(required=False, max_length=100)
    utm_medium = forms.CharField(required=False, max_length=100)
    utm_campaign = forms.CharField(required=False, max_length=100)
    utm_term = forms.CharField(required=False, max_length=100)
    utm_content = forms.CharField(required=False, max_length=100)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError(_("Leave a phone or an e-mail so we can answer."))
        return data


def checklist_choices() -> list[tuple[str, str]]:
    fields = [(f"field:{k}", f"{_('Field')}: {label()}") for k, (label, _c) in GATE_FIELDS.items()]
    documents = [(f"document:{k}", f"{_('Document')}: {v}") for k, v in DocumentKind.choices]
    approvals = [(f"approval:{k}", f"{_('Approval')}: {v}") for k, v in ApprovalKind.choices]
    return fields + documents + approvals


class StageForm(BootstrapFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    responsible_role = forms.ChoiceField(
        label=_("Responsible role"), choices=with_blank(RoleCode.choices), required=False
    )
    participants = forms.MultipleChoiceField(
        label=_("Participants"),
        choices=RoleCode.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "stage-participants"}),
        required=False,
        help_text=_("The roles that take part in the stage besides the responsible one."),
    )
    expected_days = forms.IntegerField(
        label=_("Expected duration, days"),
        min_value=0,
        initial=7,
        help_text=_(
            "The target time in the stage: an open deal in it for longer is flagged as stuck "
            "on its card, in the funnel, on the home page and in the morning plan's suggestions."
        ),
    )
    probability = forms.IntegerField(
        label=_("Probability, %"), min_value=0, max_value=100, initial=10
    )
    target_conversion = forms.IntegerField(
        label=_("Target conversion, %"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_(
            "The share of the deals leaving the stage that should move on or be won; the "
            "funnel marks the stage when its conversion is below it. Empty: no target."
        ),
    )
    input_description = LinesField(
        label=_("Input"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    output_description = LinesField(
        label=_("Output"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    checklist = forms.MultipleChoiceField(
        label=_("Verifiable output"),
        choices=checklist_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    activities = forms.MultipleChoiceField(
        label=_("Required activities"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "stage-activities"}),
        help_text=_("The deal leaves the stage once each of these has happened to it."),
    )
    tasks = LinesField(
        label=_("Tasks"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the manager must solve at this stage."),
    )
    actions = LinesField(
        label=_("Actions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the manager does to solve the tasks."),
    )
    key_success_factor = LinesField(
        label=_("Key success factor"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    opening_process = forms.ChoiceField(
        label=_("Process started on entry"),
        required=False,
        help_text=_(
            "Started when a deal enters the stage (and from the deal's card); its approved "
            "outcome meets the approvals of the stage output."
        ),
    )

    # The texts a built-in stage stores in Russian and shows in the reader's language.
    TEXTS = ("input_description", "output_description", "tasks", "actions", "key_success_factor")

    def __init__(
        self,
        *args: Any,
        processes: Sequence[Any] = (),
        stage: Stage | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.stage = stage
        choices = with_blank((p.key, p.name) for p in processes)
        current = (self.initial or {}).get("opening_process")
        if current and current not in {key for key, _label in choices}:
            choices.append((current, current))  # named before, not deployed now: kept
        field = self.fields["opening_process"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        # The registered activities by name; a stored name no app registers stays visible
        # (and checked) instead of being dropped on the next save.
        known = activity_choices()
        stored = (self.initial or {}).get("activities") or []
        codes = {code for code, _label in known}
        unknown = [
            (code, _("%(code)s (not a known activity)") % {"code": code})
            for code in stored
            if code not in codes
        ]
        activities = self.fields["activities"]
        assert isinstance(activities, forms.MultipleChoiceField)
        activities.choices = [*unknown, *known]

    @staticmethod
    def initial_for(stage: Stage) -> dict[str, Any]:
        items = stage.output_checklist or []
        return {
            "code": stage.code,
            "name": stage.name,
            "name_en": stage.name_en,
            "responsible_role": stage.responsible_role,
            "participants": list(stage.participants or []),
            "expected_days": stage.expected_days,
            "probability": stage.probability,
            # "" rather than None for no target: the form's data posts back as it came.
            "target_conversion": "" if stage.target_conversion is None else stage.target_conversion,
            # A built-in text in the reader's language, as the pages show it (`clean` keeps
            # the stored Russian when it comes back untouched).
            **{name: stage_text(stage.code, getattr(stage, name)) for name in StageForm.TEXTS},
            "checklist": [f"{i['kind']}:{i[i['kind']]}" for i in items if i["kind"] != "activity"],
            "activities": [i["activity"] for i in items if i["kind"] == "activity"],
            "opening_process": stage.opening_process,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        responsible = data.get("responsible_role")
        if responsible and responsible in (data.get("participants") or []):
            self.add_error(
                "participants",
                _("The responsible role is not listed again among the participants."),
            )
        if self.stage is not None:
            for name in self.TEXTS:
                stored = getattr(self.stage, name)
                shown = stage_text(self.stage.code, stored)
                # The built-in text shown translated and posted back as shown: it stays as
                # stored, so an English reader's untouched save changes nothing.
                if shown != stored and data.get(name) == shown.replace("\r\n", "\n"):
                    data[name] = stored
        return data

    def checklist_items(self) -> list[dict[str, str]]:
        items = []
        for value in self.cleaned_data["checklist"]:
            kind, key = value.split(":", 1)
            items.append({"kind": kind, kind: key})
        # Stored activities keep their order, newly chosen ones follow.
        stored = list((self.initial or {}).get("activities") or [])
        chosen = self.cleaned_data["activities"]
        names = [n for n in stored if n in chosen] + [n for n in chosen if n not in stored]
        items.extend({"kind": "activity", "activity": name} for name in names)
        return items


class FunnelForm(BootstrapFormMixin, forms.Form):
    pipeline = forms.ModelChoiceField(
        label=_("Pipeline"), queryset=Pipeline.objects.filter(is_active=True), required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group_by = forms.ChoiceField(
        label=_("Slice by"),
        required=False,
        choices=[
            ("", _("No slice")),
            ("responsible", _("Responsible")),
            ("team", _("Team")),
            ("segment", _("New / current client")),
            ("region", _("Region")),
            ("channel", _("Lead channel")),
            ("product", _("Product")),
            ("audience", _("Target audience (client's industry)")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class DealItemForm(BootstrapFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True)
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.001"), max_digits=14, decimal_places=3, initial=1
    )
    price = forms.DecimalField(
        label=_("Price, ₽"),
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("Empty: from the deal's price list."),
    )


class PriceListForm(BootstrapFormMixin, forms.Form):
    price_list = forms.ModelChoiceField(
        label=_("Price list"), queryset=PriceList.objects.filter(is_active=True)
    )


class PipelineForm(BootstrapFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)
    description = LinesField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class LossReasonForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Loss reason"), max_length=120)
    name_en = forms.CharField(label=_("Name in English"), max_length=120, required=False)


class DiscountRulesForm(BootstrapFormMixin, forms.Form):
    # The values are those of the decision table's inputs (Russian, as the head wrote them).
    client_segment = forms.ChoiceField(
        label=_("Client segment"),
        choices=[
            ("ключевой", _("key account")),
            ("крупный опт", _("large wholesale")),
            ("мелкий опт", _("small wholesale")),
            ("новый", _("new client")),
        ],
    )
    payment_history = forms.ChoiceField(
        label=_("Payment history"),
        choices=[
            ("хорошая", _("pays on time")),
            ("с задержками", _("pays late")),
            ("с просрочками", _("has overdue debts")),
        ],
    )
