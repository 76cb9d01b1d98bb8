"""Forms of the money pages: a payment entered by hand, a refund, a bank statement, a
shipment, a claim, a supplier order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.core.forms import BootstrapFormMixin, with_blank
from greenwave.core.money import Money
from greenwave.core.text import LinesField
from greenwave.documents.models import Invoice

from . import models, selectors


class InvoiceChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("№ %(number)s · %(client)s · due %(left)s of %(total)s") % {
            "number": obj.number,
            "client": obj.buyer.name,
            "left": Money.of(obj.outstanding, obj.currency).format(),
            "total": Money.of(obj.total, obj.currency).format(),
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


class ShipmentForm(BootstrapFormMixin, forms.Form):
    document_number = forms.CharField(label=_("Shipping document no."), max_length=40)
    shipped_on = forms.DateField(
        label=_("Shipping date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    late_reason = forms.ChoiceField(
        label=_("Reason of the delay (if shipped after the promised date)"),
        choices=with_blank(models.LateReason.choices),
        required=False,
    )
    late_comment = forms.CharField(label=_("Comment on the delay"), max_length=500, required=False)

    def __init__(self, *args: Any, order: models.Order, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipped_on"].initial = timezone.localdate()
        self.line_fields = []
        for line in order.lines.all():
            if line.remaining <= 0:
                continue
            name = f"line_{line.pk}"
            self.fields[name] = forms.DecimalField(
                label=f"{line.name} ({line.unit})",
                max_digits=14,
                decimal_places=3,
                min_value=0,
                max_value=line.remaining,
                # «24», not «24.000»: a Russian reader takes that for twenty-four thousand.
                initial=format(line.remaining.normalize(), "f"),
                required=False,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.001"}),
            )
            self.line_fields.append((line, name))

    def lines(self) -> list[tuple[int, Any]]:
        return [
            (line.pk, self.cleaned_data[name])
            for line, name in self.line_fields
            if self.cleaned_data.get(name)
        ]

    def service_data(self) -> dict[str, Any]:
        """`fulfilment.shipment_create`'s fields: the quantities as (line id, quantity)."""
        data = self.cleaned_data
        named = ("document_number", "shipped_on", "late_reason", "late_comment")
        return {**{key: data[key] for key in named}, "lines": self.lines()}


class ClaimForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=models.ClaimKind.choices)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = LinesField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )
    amount = forms.DecimalField(
        label=_("Amount claimed"),
        help_text=_("For a return, the value of the goods sent back."),
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    deadline = forms.DateField(
        label=_("Answer deadline"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def service_data(self) -> dict[str, Any]:
        """`fulfilment.claim_create`'s fields: no amount is a zero."""
        return {**self.cleaned_data, "amount": self.cleaned_data["amount"] or 0}


class ClaimAdvanceForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Next step"), choices=models.ClaimStatus.choices)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=with_blank(models.ClaimDecision.choices), required=False
    )
    resolution = forms.CharField(label=_("Resolution"), max_length=1000, required=False)


class OrderLineChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return _("%(order)s · %(client)s · %(name)s × %(quantity)s %(unit)s") % {
            "order": obj.order,
            "client": obj.order.company.name,
            "name": obj.name,
            "quantity": obj.quantity.normalize(),
            "unit": obj.unit,
        }


class SupplierOrderForm(BootstrapFormMixin, forms.Form):
    """A purchase from a supplier for an order line (the line is chosen only when creating)."""

    line = OrderLineChoiceField(label=_("Order line"), queryset=models.OrderLine.objects.none())
    supplier = forms.CharField(label=_("Supplier"), max_length=255)
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001")
    )
    expected_date = forms.DateField(
        label=_("Expected delivery date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, actor: User, purchase: models.SupplierOrder | None = None, **kwargs: Any
    ) -> None:
        if purchase is not None:  # the values shown (a bound form shows what was posted)
            kwargs["initial"] = {
                "supplier": purchase.supplier,
                # «10», not «1E+1» (what normalize() makes of 10.000) for the number input.
                "quantity": format(purchase.quantity.normalize(), "f"),
                "expected_date": purchase.expected_date,
            }
        super().__init__(*args, **kwargs)
        if purchase is not None:
            del self.fields["line"]
        else:
            self.fields["line"].queryset = selectors.purchasable_lines(actor=actor)  # type: ignore[attr-defined]


class SupplierReceiveForm(BootstrapFormMixin, forms.Form):
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
