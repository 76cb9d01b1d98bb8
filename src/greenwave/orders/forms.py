"""Forms of the money pages: a payment entered by hand, a refund, a bank statement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.forms import BootstrapFormMixin
from greenwave.accounts.models import User
from greenwave.documents.models import Invoice

from . import selectors


class InvoiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("№ %(number)s · %(client)s · due %(left)s of %(total)s") % {
            "number": obj.number,
            "client": obj.buyer.name,
            "left": obj.outstanding,
            "total": obj.total,
        }


class PaymentForm(BootstrapFormMixin, forms.Form):
    invoice = InvoiceChoiceField(label=_("Invoice"), queryset=Invoice.objects.none())
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0.01)
    payment_date = forms.DateField(
        label=_("Payment date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document_number = forms.CharField(label=_("Payment order no."), max_length=40, required=False)
    payer_name = forms.CharField(label=_("Payer"), max_length=255, required=False)
    payer_inn = forms.CharField(label=_("Payer's INN"), max_length=12, required=False)
    purpose = forms.CharField(label=_("Purpose of payment"), max_length=1000, required=False)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = selectors.payable_invoices(actor=actor)  # type: ignore[attr-defined]
        self.fields["payment_date"].initial = timezone.localdate()


class RefundForm(BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to refund"), max_digits=18, decimal_places=2, min_value=0.01
    )
    refund_date = forms.DateField(
        label=_("Refund date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refund_date"].initial = timezone.localdate()
