"""Money and fulfilment records: payments against invoices (entered by hand or imported from
a bank statement) and the reminders sent about overdue invoices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.core.models import TimeStampedModel
from greenwave.core.money import money_amount_field


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    BANK = "bank", _("Bank statement")


class Payment(TimeStampedModel):
    """Money received for an invoice (or a refund of it: `kind=refund`, `refund_of` the
    payment it returns). Owned like the invoice (responsible and team copied from it), so it
    is scoped like a deal. Its events are written on the invoice's case (INVOICE_EVENTS.md)."""

    invoice = models.ForeignKey(
        "documents.Invoice",
        verbose_name=_("invoice"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    kind = models.CharField(
        _("kind"), max_length=8, choices=PaymentKind.choices, default=PaymentKind.PAYMENT
    )
    amount = money_amount_field(_("amount"))
    payment_date = models.DateField(_("payment date"))
    document_number = models.CharField(_("payment order no."), max_length=40, blank=True)
    payer_inn = models.CharField(_("payer's INN"), max_length=12, blank=True)
    payer_name = models.CharField(_("payer"), max_length=255, blank=True)
    purpose = models.CharField(_("purpose of payment"), max_length=1000, blank=True)
    source = models.CharField(
        _("source"), max_length=8, choices=PaymentSource.choices, default=PaymentSource.MANUAL
    )
    # One bank document once: number|date|amount|payer INN of the statement's document.
    bank_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    refund_of = models.ForeignKey(
        "self",
        verbose_name=_("refund of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-payment_date", "-pk"]
        indexes = [
            models.Index(fields=["team", "responsible"], name="payment_owner_idx"),
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
