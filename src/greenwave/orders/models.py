"""Money and fulfilment records: payments against invoices (entered by hand or imported from
a bank statement) and the reminders sent about overdue invoices."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from greenwave.accounts.models import CreatedOwnedRecord, User, owner_index
from greenwave.core.model_fields import (
    choice_field,
    kept_link,
    optional_link,
    optional_moment,
    quantity_field,
)
from greenwave.core.models import TimeStampedModel
from greenwave.core.money import money_amount_field
from greenwave.crm.models import Product


def numbered(*prefixes: str) -> Callable[[str], int | None]:
    """The search of a record numbered as its id behind a prefix in the reader's language
    («П-12», «CL-12»): the id a searched text names with any of `prefixes`, None for any other
    text. Texts written earlier keep the Russian prefix, so both are accepted."""
    pattern = re.compile(rf"^\s*(?:{'|'.join(prefixes)})\s*-\s*(\d{{1,18}})\s*$", re.IGNORECASE)

    def number_id(text: str) -> int | None:
        found = pattern.match(text)
        return int(found.group(1)) if found else None

    return number_id


# An order's and a claim's number: «З-12» / «ORD-12», «П-12» / «CL-12».
order_number_id = numbered("з", "ord")
claim_number_id = numbered("п", "cl")


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    BANK = "bank", _("Bank statement")


class Payment(CreatedOwnedRecord):
    """Money received for an invoice (or a refund of it: `kind=refund`, `refund_of` the
    payment it returns). Owned like the invoice (responsible and team copied from it), so it
    is scoped like a deal. Its events are written on the invoice's case (INVOICE_EVENTS.md)."""

    invoice = models.ForeignKey(
        "documents.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    kind = choice_field(_("kind"), PaymentKind, max_length=8, default=PaymentKind.PAYMENT)
    amount = money_amount_field(_("amount"))
    payment_date = models.DateField(_("payment date"))
    document_number = models.CharField(_("payment order no."), max_length=40, blank=True)
    payer_inn = models.CharField(_("payer's INN"), max_length=12, blank=True)
    payer_name = models.CharField(_("payer"), max_length=255, blank=True)
    purpose = models.CharField(_("purpose of payment"), max_length=1000, blank=True)
    source = choice_field(_("source"), PaymentSource, max_length=8, default=PaymentSource.MANUAL)
    # One bank document once: number|date|amount|payer INN of the statement's document.
    bank_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    refund_of = optional_link(
        "self", _("refund of"), on_delete=models.PROTECT, related_name="refunds"
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-payment_date", "-pk"]
        indexes = [
            owner_index("payment_owner_idx"),
            models.Index(fields=["-payment_date", "-id"], name="payment_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.payment_date})"


class OverdueReminder(models.Model):
    """The reminder activity created for an invoice overdue by more than the grace days: one
    per invoice (the unique invoice is what makes the worker's job run it exactly once)."""

    invoice = models.OneToOneField(
        "documents.Invoice", on_delete=models.CASCADE, related_name="overdue_reminder"
    )
    activity_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")

    def __str__(self) -> str:
        return f"reminder #{self.invoice_id}"


# --- orders and shipments -----------------------------------------------------------------


class OrderStatus(models.TextChoices):
    OPEN = "open", _("To ship")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


class LateReason(models.TextChoices):
    """Why an order was shipped after its promised date (KPI 11 «просроченные проекты»)."""

    SUPPLIER_DELAY = "supplier_delay", _("Supplier delivered late")
    NO_STOCK = "no_stock", _("Out of stock")
    CLIENT_NOT_READY = "client_not_ready", _("Client not ready to accept")
    NO_PAYMENT = "no_payment", _("Waiting for payment")
    LOGISTICS = "logistics", _("Transport and logistics")
    DOCUMENTS = "documents", _("Documents not ready")
    OTHER = "other", _("Other")


class Order(CreatedOwnedRecord):
    """A won deal's order: what is to be shipped to the client, line by line. Owned like its
    deal (responsible and team copied from it)."""

    EVENT_CASE_TYPE = "order"

    deal = models.OneToOneField(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.PROTECT, related_name="order"
    )
    company = models.ForeignKey(
        "crm.Company", verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    status = choice_field(_("status"), OrderStatus, max_length=20, default=OrderStatus.OPEN)
    promised_date = models.DateField(_("promised shipping date"))
    shipped_date = models.DateField(_("shipped"), null=True, blank=True)
    late_reason = choice_field(_("reason of the delay"), LateReason, max_length=20, blank=True)
    late_comment = models.CharField(_("comment on the delay"), max_length=500, blank=True)
    amount = money_amount_field(_("amount"))

    class Meta:
        verbose_name = pgettext_lazy("client order", "order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [owner_index("order_owner_idx")]

    def __str__(self) -> str:
        return pgettext("order number", "ORD-%(id)s") % {"id": self.pk}

    @property
    def is_late(self) -> bool:
        return bool(self.shipped_date and self.shipped_date > self.promised_date)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(pgettext_lazy("line number", "position"))
    product = optional_link(Product, on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=500)
    unit = models.CharField(_("unit"), max_length=20, default="шт")
    quantity = quantity_field(_("quantity"))
    price = money_amount_field(_("price"))
    shipped_quantity = quantity_field(_("shipped"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
            models.CheckConstraint(
                condition=models.Q(shipped_quantity__lte=models.F("quantity")),
                name="order_line_not_overshipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}"

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.shipped_quantity


class Shipment(TimeStampedModel):
    """A shipment of (part of) an order under a shipping document (ТН, УПД…)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    document_number = models.CharField(_("shipping document no."), max_length=40)
    shipped_on = models.DateField(_("shipping date"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.document_number} ({self.shipped_on})"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = quantity_field(_("quantity"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"


class SupplierOrder(TimeStampedModel):
    """A purchase from a supplier for an order line that is not in stock."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="supplier_orders")
    supplier = models.CharField(_("supplier"), max_length=255)
    quantity = quantity_field(_("quantity"))
    expected_date = models.DateField(_("expected"))
    received_on = models.DateField(_("received"), null=True, blank=True)
    created_by = kept_link(User, blank=False)

    class Meta:
        verbose_name = _("supplier order")
        verbose_name_plural = _("supplier orders")
        ordering = ["expected_date", "pk"]

    def __str__(self) -> str:
        return f"{self.supplier}: {self.quantity}"


# --- claims and returns -------------------------------------------------------------------


class ClaimKind(models.TextChoices):
    CLAIM = "claim", _("Claim")
    RETURN = "return", _("Return")


class ClaimStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INVESTIGATION = "investigation", _("Investigation")
    DECISION = "decision", _("Decision")
    SETTLEMENT = "settlement", _("Refund or replacement")
    CLOSED = "closed", pgettext_lazy("claim status", "Closed")


class ClaimDecision(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    REJECTED = "rejected", _("Rejected")


class Claim(CreatedOwnedRecord):
    """A client's claim (претензия) or return against an order or one of its shipments, with
    the deadline for the answer (by law or by the contract)."""

    EVENT_CASE_TYPE = "claim"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="claims")
    shipment = optional_link(Shipment, on_delete=models.PROTECT, related_name="claims")
    kind = choice_field(_("kind"), ClaimKind, max_length=8)
    status = choice_field(_("status"), ClaimStatus, max_length=16, default=ClaimStatus.REGISTERED)
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    amount = money_amount_field(_("amount claimed"))
    deadline = models.DateField(_("deadline"))
    decision = choice_field(_("decision"), ClaimDecision, max_length=12, blank=True)
    resolution = models.CharField(_("resolution"), max_length=1000, blank=True)
    closed_at = optional_moment(_("closed"))
    escalated_at = optional_moment(_("escalated"))

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-pk"]
        indexes = [owner_index("claim_owner_idx")]

    def __str__(self) -> str:
        return pgettext("claim number", "CL-%(id)s") % {"id": self.pk}
