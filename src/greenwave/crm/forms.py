"""Forms of the client-base pages. Validation of requisites lives in the services; a
`DomainError` they raise is shown next to the field its `details["field"]` names. The
company form also checks the requisites field by field (the same `requisites` rules), so a
wrong INN is told together with the other mistakes, not after they are fixed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import scope_users, visible_team_ids
from greenwave.core.errors import DomainError
from greenwave.core.forms import (
    BootstrapFormMixin,
    DecimalInput,
    bootstrap_class,
    initial_of,
    with_blank,
)
from greenwave.core.money import Currency
from greenwave.core.text import LinesField, NameField

from .models import (
    Attitude,
    ClientGoal,
    Company,
    CompanySize,
    Competitor,
    Contact,
    CustomField,
    CustomFieldKind,
    Gender,
    ImportJob,
    ImportKind,
    PriceLevel,
    PriceListKind,
    ProductGroup,
    Segment,
    Source,
    Unit,
    VatRate,
)
from .requisites import normalize_inn, normalize_kpp, normalize_ogrn
from .selectors import company_list, custom_field_list


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _requisite(normalize: Callable[[str], str], value: str) -> str:
    """A requisite checked by the service's own rule, its refusal shown on the field."""
    try:
        return normalize(value)
    except DomainError as exc:
        raise forms.ValidationError(exc.message, code="invalid") from exc


class CompanyForm(BootstrapFormMixin, forms.Form):
    name = NameField(label=_("Name"), max_length=255)
    inn = forms.CharField(
        label=_("INN"),
        max_length=14,
        required=False,
        help_text=_("10 digits for an organisation, 12 for an entrepreneur."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kpp = forms.CharField(label=_("KPP"), max_length=12, required=False)
    ogrn = forms.CharField(label=_("OGRN/OGRNIP"), max_length=17, required=False)
    legal_address = forms.CharField(label=_("Legal address"), max_length=500, required=False)
    actual_address = forms.CharField(label=_("Actual address"), max_length=500, required=False)
    region = forms.CharField(label=_("Region"), max_length=120, required=False)
    industry = forms.CharField(label=_("Industry"), max_length=120, required=False)
    size = forms.ChoiceField(
        label=_("Size"), choices=with_blank(CompanySize.choices), required=False
    )
    source = forms.ChoiceField(
        label=_("Source / channel"), choices=with_blank(Source.choices), required=False
    )
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices, initial=Segment.NEW)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One input per custom field the administrator set up (not a JSON box).
        self.custom_fields = list(custom_field_list())
        stored = self.initial.get("custom_fields") or {}
        for index, definition in enumerate(self.custom_fields):
            field = custom_form_field(definition)
            bootstrap_class(field)
            self.fields[f"custom_{index}"] = field
            value = stored.get(definition.name)
            self.initial[f"custom_{index}"] = custom_initial(definition, value)

    def clean_inn(self) -> str:
        return _requisite(normalize_inn, self.cleaned_data.get("inn", ""))

    def clean_kpp(self) -> str:
        inn = self.cleaned_data.get("inn", "")
        return _requisite(lambda v: normalize_kpp(v, inn=inn), self.cleaned_data.get("kpp", ""))

    def clean_ogrn(self) -> str:
        inn = self.cleaned_data.get("inn", "")
        return _requisite(lambda v: normalize_ogrn(v, inn=inn), self.cleaned_data.get("ogrn", ""))

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("custom_")}
        data["tags"] = [t.strip() for t in data.get("tags", "").split(",") if t.strip()]
        # Values of fields no longer set up stay as they were: editing never drops data.
        stored = dict(self.initial.get("custom_fields") or {})
        for index, definition in enumerate(self.custom_fields):
            value = custom_json(definition, self.cleaned_data.get(f"custom_{index}"))
            if value is None or (value is False and definition.name not in stored):
                stored.pop(definition.name, None)
            else:
                stored[definition.name] = value
        data["custom_fields"] = stored
        return data

    @staticmethod
    def initial_for(company: Company) -> dict[str, Any]:
        data = initial_of(company, CompanyForm.base_fields)
        data["tags"] = ", ".join(company.tags)
        data["custom_fields"] = dict(company.custom_fields)
        return data


def custom_form_field(definition: CustomField) -> forms.Field:
    """The input of one custom field, validated by its type."""
    common: dict[str, Any] = {"label": definition.name, "required": definition.required}
    if definition.kind == CustomFieldKind.NUMBER:
        return forms.DecimalField(max_digits=20, decimal_places=6, **common)
    if definition.kind == CustomFieldKind.DATE:
        widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        return forms.DateField(widget=widget, **common)
    if definition.kind == CustomFieldKind.YES_NO:
        return forms.BooleanField(label=definition.name, required=False)
    if definition.kind == CustomFieldKind.CHOICE:
        return forms.ChoiceField(choices=with_blank([(c, c) for c in definition.choices]), **common)
    return forms.CharField(max_length=500, **common)


def custom_initial(definition: CustomField, value: Any) -> Any:
    """A stored JSON value as the input shows it (a date string becomes a date)."""
    if value is None:
        return None
    if definition.kind == CustomFieldKind.DATE and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def custom_json(definition: CustomField, value: Any) -> Any:
    """A cleaned input value as JSON: numbers stay numbers, dates ISO strings; empty is None."""
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def responsible_choices(field: forms.Field, actor: User) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    """Offer as the responsible the active users the actor may hand records to."""
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = scope_users(User.objects.filter(is_active=True), actor=actor)
    return field


class CompanyCreateForm(CompanyForm):
    responsible = forms.ModelChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    allow_duplicate = forms.BooleanField(
        label=_("Create even if a company with this INN exists (a branch)"), required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        responsible_choices(self.fields["responsible"], actor).initial = actor.pk


class ReassignForm(BootstrapFormMixin, forms.Form):
    responsible = forms.ModelChoiceField(label=_("New responsible"), queryset=User.objects.none())
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Leave empty to use the team of the new responsible."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        responsible_choices(self.fields["responsible"], actor)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        teams = visible_team_ids(actor)
        team.queryset = Team.objects.all() if teams is None else Team.objects.filter(pk__in=teams)


def _textarea(label: Any, help_text: Any = "", *, rows: int = 3) -> forms.CharField:
    """An optional text of a few lines (`rows` high)."""
    return LinesField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class ContactForm(BootstrapFormMixin, forms.Form):
    full_name = NameField(label=_("Full name"), max_length=255)
    position = forms.CharField(label=_("Position"), max_length=255, required=False)
    company = forms.ModelChoiceField(
        label=_("Company"), queryset=Company.objects.none(), required=False
    )
    phones = _textarea(
        _("Phones"),
        _("One per line; a number without a country code is taken as Russian."),
        rows=2,
    )
    emails = _textarea(
        _("E-mails"),
        _("One per line."),
        rows=2,
    )
    telegram = forms.CharField(label=_("Telegram"), max_length=100, required=False)
    whatsapp = forms.CharField(label=_("WhatsApp"), max_length=100, required=False)
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=with_blank(Gender.choices), required=False
    )
    mailing_consent = forms.BooleanField(label=_("Consents to mailings"), required=False)
    notes = _textarea(_("Notes"))
    allow_duplicate = forms.BooleanField(
        label=_("Save even if another contact has this phone or e-mail"), required=False
    )

    MESSENGER_FIELDS = ("telegram", "whatsapp")

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        company = self.fields["company"]
        assert isinstance(company, forms.ModelChoiceField)
        company.queryset = company_list(actor=actor).select_related(None).only("pk", "name")

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["phones"] = _lines(data.get("phones", ""))
        data["emails"] = _lines(data.get("emails", ""))
        data["messengers"] = {k: data.pop(k) for k in self.MESSENGER_FIELDS if data.get(k)}
        for key in self.MESSENGER_FIELDS:
            data.pop(key, None)
        return data

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        return {
            "full_name": contact.full_name,
            "position": contact.position,
            "company": contact.company_id,
            "phones": "\n".join(contact.phones),
            "emails": "\n".join(contact.emails),
            "telegram": contact.messengers.get("telegram", ""),
            "whatsapp": contact.messengers.get("whatsapp", ""),
            "birthday": contact.birthday,
            "gender": contact.gender,
            "mailing_consent": contact.mailing_consent,
            "notes": contact.notes,
        }


class DecisionMakerForm(BootstrapFormMixin, forms.Form):
    role = forms.CharField(
        label=_("Role in the decision"),
        max_length=255,
        required=False,
        help_text=_("For example: signs the contract, approves the budget, uses the product."),
    )
    influence_level = forms.TypedChoiceField(
        label=_("Influence level"),
        coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)],
        initial=3,
        help_text=_("1 — little, 5 — decides alone."),
    )
    attitude = forms.ChoiceField(
        label=_("Attitude to us"), choices=Attitude.choices, initial=Attitude.NEUTRAL
    )
    age = forms.IntegerField(label=_("Age"), required=False, min_value=14, max_value=120)
    personal_benefits = _textarea(
        _("Personal benefits"),
        _("What this person wins personally: bonus, career, less work, safety."),
        rows=2,
    )
    character = _textarea(_("Character"), rows=2)
    hobbies = _textarea(_("Hobbies"), rows=2)


class DecisionMakerAddForm(DecisionMakerForm):
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none())
    field_order = ["contact"]

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = company.contacts.order_by("full_name")


class ClientProfileForm(BootstrapFormMixin, forms.Form):
    """Seed 003's client profile; `SECTIONS` groups the fields as the card shows them."""

    industry_trends = _textarea(_("Main trends of the client's industry"))
    key_success_factors = _textarea(_("Key success factors"))
    market_share = forms.DecimalField(
        label=_("Market share, %"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        widget=DecimalInput,
    )
    client_competitors = _textarea(_("Competitors of the client"))
    benefits_sought = _textarea(_("Main benefits the client's customers seek"))
    goals = forms.MultipleChoiceField(
        label=_("Goals and tasks"),
        choices=ClientGoal.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    goals_note = _textarea(_("Goals in detail"))
    consumption_benefits = _textarea(_("Main benefits of consumption"))
    further_needs = _textarea(_("What else they may need from us"))

    SECTIONS = (
        (
            _("The client's industry"),
            (
                "industry_trends",
                "key_success_factors",
                "market_share",
                "client_competitors",
                "benefits_sought",
            ),
        ),
        (_("Goals and tasks of the client"), ("goals", "goals_note")),
        (_("Goods behaviour"), ("consumption_benefits", "further_needs")),
    )


class CompetitorForm(BootstrapFormMixin, forms.Form):
    name = NameField(label=_("Name"), max_length=255)
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    price_level = forms.ChoiceField(
        label=_("Price level"), choices=PriceLevel.choices, initial=PriceLevel.SIMILAR
    )
    assortment = _textarea(_("Assortment"))
    special_conditions = _textarea(
        _("Special conditions"), _("Deferred payment, delivery, bonuses, guarantees.")
    )
    marketing_activity = _textarea(_("Marketing activity"))
    notes = _textarea(_("Notes"))


class CompetitorLinkForm(BootstrapFormMixin, forms.Form):
    competitor = forms.ModelChoiceField(
        label=_("Competitor"), queryset=Competitor.objects.order_by("name")
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        help_text=_("What they supply, on what terms."),
    )


class ProductGroupForm(BootstrapFormMixin, forms.Form):
    name = NameField(label=_("Name"), max_length=255)
    parent = forms.ModelChoiceField(
        label=_("Parent group"), queryset=ProductGroup.objects.all(), required=False
    )


class ProductForm(BootstrapFormMixin, forms.Form):
    name = NameField(label=_("Name"), max_length=255)
    sku = forms.CharField(label=_("Article"), max_length=64)
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=ProductGroup.objects.all(), required=False
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.PIECE)
    vat_rate = forms.ChoiceField(
        label=_("VAT rate"), choices=VatRate.choices, initial=VatRate.TWENTY
    )
    description = _textarea(_("Description"))
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)


class PriceListForm(BootstrapFormMixin, forms.Form):
    name = NameField(label=_("Name"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=PriceListKind.choices, initial=PriceListKind.BASE
    )
    level = forms.TypedChoiceField(
        label=_("Discount level"),
        choices=with_blank([(i, str(i)) for i in range(1, 6)]),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Only for discount price lists: 1 is the smallest discount."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices, initial="RUB")
    description = _textarea(_("Description"))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or Windows-1251, separated by ; or ,) or XLSX; the first row holds "
            "the column names. Up to 20 MB."
        ),
    )
    responsible = forms.ModelChoiceField(
        label=_("Responsible for the imported clients"),
        queryset=User.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        responsible_choices(self.fields["responsible"], actor).initial = actor.pk
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"


class ImportMappingForm(BootstrapFormMixin, forms.Form):
    """One select per column of the file: which field it fills, or skip it."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .services import import_columns

        choices = [("", _("— skip —"))] + [
            (c.field, f"{c.label} *" if c.required else c.label) for c in import_columns(job.kind)
        ]
        for index, header in enumerate(job.headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=job.mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def mapping(self, job: ImportJob) -> dict[str, str]:
        return {h: self.cleaned_data.get(f"col_{i}", "") for i, h in enumerate(job.headers)}


class CustomFieldForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Type"), choices=CustomFieldKind.choices)
    choices = _textarea(
        _("Choices"),
        _("For a choice from a list: one option per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = [c.strip() for c in data["choices"].splitlines() if c.strip()]
        return data
