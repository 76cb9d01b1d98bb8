"""Forms of the documents pages (ISO dates through the shared Bootstrap mixin)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.core.forms import BootstrapFormMixin, with_blank
from greenwave.core.text import LinesField

from .models import NumberedKind


class LegalEntityForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Short name"), max_length=255)
    full_name = forms.CharField(
        label=pgettext_lazy("legal entity", "Full name"), max_length=500, required=False
    )
    inn = forms.CharField(label=_("INN"), max_length=20)
    kpp = forms.CharField(label=_("KPP"), max_length=20, required=False)
    ogrn = forms.CharField(label=_("OGRN/OGRNIP"), max_length=20, required=False)
    address = forms.CharField(label=_("Legal address"), max_length=500)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=255)
    bik = forms.CharField(label=_("BIK"), max_length=20)
    account = forms.CharField(label=_("Settlement account"), max_length=30)
    corr_account = forms.CharField(label=_("Correspondent account"), max_length=30)
    signatory_name = forms.CharField(
        label=_("Signatory (surname, name, patronymic)"), max_length=255
    )
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=255)
    signatory_name_genitive = forms.CharField(
        label=_("Signatory in the genitive"),
        max_length=255,
        required=False,
        help_text=_("Leave empty: it is declined automatically («Иванова Ивана Ивановича»)."),
    )
    signatory_position_genitive = forms.CharField(
        label=_("Position in the genitive"), max_length=255, required=False
    )
    signatory_basis = forms.CharField(
        label=_("Acting on the basis of"), max_length=255, required=False, initial="Устава"
    )
    chief_accountant = forms.CharField(label=_("Chief accountant"), max_length=255, required=False)
    vat_payer = forms.BooleanField(label=_("VAT payer"), required=False, initial=True)
    is_default = forms.BooleanField(label=_("Default seller"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class TemplateUploadForm(BootstrapFormMixin, forms.Form):
    legal_entity = forms.TypedChoiceField(label=_("Legal entity"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=NumberedKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    file = forms.FileField(label=_("DOCX file"))

    def __init__(self, *args: Any, entities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_entity"].choices = entities  # type: ignore[attr-defined]


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(choices=NumberedKind.choices)
    template = forms.IntegerField(required=False, min_value=1)


class SendForm(forms.Form):
    contact = forms.IntegerField(min_value=1)
    message = forms.CharField(required=False, max_length=5000)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500)


class ClientBankAccountForm(BootstrapFormMixin, forms.Form):
    """The client's bank details: all four together, or all empty to remove them."""

    bank_name = forms.CharField(label=_("Bank"), max_length=255, required=False)
    bik = forms.CharField(label=_("BIK"), max_length=20, required=False)
    corr_account = forms.CharField(label=_("Correspondent account"), max_length=30, required=False)
    account = forms.CharField(label=_("Settlement account"), max_length=30, required=False)


class InvoiceEditForm(BootstrapFormMixin, forms.Form):
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = LinesField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ApprovalForm(BootstrapFormMixin, forms.Form):
    """Who approves a document: a person for each of the two stages (one person may do both)."""

    approver1 = forms.TypedChoiceField(label=_("Approves (stage 1)"), coerce=int)
    approver2 = forms.TypedChoiceField(
        label=_("Confirms (stage 2)"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Leave empty: the stage 1 approver confirms too."),
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["approver1"].choices = with_blank(people)  # type: ignore[attr-defined]
        self.fields["approver2"].choices = with_blank(people)  # type: ignore[attr-defined]

    def approver_ids(self) -> list[int]:
        first = self.cleaned_data["approver1"]
        second = self.cleaned_data.get("approver2")
        return [first] if second is None else [first, second]
