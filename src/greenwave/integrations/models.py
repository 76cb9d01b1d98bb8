"""Webhook subscriptions and their deliveries; the 1C (CommerceML 2) exchange sessions, files
and the map from 1C ids to Greenwave records.

Both features are administrators' settings of the whole installation, not records of a team:
only an administrator reads or changes them (see `selectors`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.core.model_fields import choice_field, kept_link, optional_moment
from greenwave.core.models import SettlingCursor, TimeStampedModel


class WebhookSubscription(TimeStampedModel):
    EVENT_CASE_TYPE = "webhook"

    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=128)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = kept_link(User, _("created by"))
    # Only events appended after the subscription was made are delivered to it.
    start_event_id = models.BigIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = optional_moment(_("disabled"))
    disabled_reason = models.CharField(_("why disabled"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TimeStampedModel):
    """One event to one subscription: the exact body signed and sent at every attempt."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField(_("event"), null=True, blank=True)
    event_type = models.CharField(_("event type"), max_length=40)
    body = models.TextField(_("body"))
    status = choice_field(
        _("status"), DeliveryStatus, max_length=10, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = optional_moment(_("next attempt"))
    last_attempt_at = optional_moment(_("last attempt"))
    response_status = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    delivered_at = optional_moment(_("delivered"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"],
                condition=models.Q(event_id__isnull=False),
                name="webhook_delivery_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log shows these."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(_("attempted"))
    status_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at}"


class DispatchCursor(SettlingCursor):
    """How far the webhook dispatcher has read the event log (see `dispatch`)."""

    settled_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.settled_id}"


class ExchangeKind(models.TextChoices):
    CATALOG = "catalog", _("Catalogue and prices")
    SALE = "sale", _("Orders")


class ExchangeSource(models.TextChoices):
    HTTP = "http", _("1C over HTTP")
    UPLOAD = "upload", _("Uploaded by hand")
    COMMAND = "command", _("Command line")


class ExchangeStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class OneCExchange(TimeStampedModel):
    """One exchange with 1C: an HTTP session from checkauth to import (or query/success), a
    manual upload, or a command run. Its log is `results`, one entry per file imported."""

    EVENT_CASE_TYPE = "onec_exchange"

    kind = choice_field(_("what"), ExchangeKind, max_length=10)
    source = choice_field(_("source"), ExchangeSource, max_length=10)
    status = choice_field(_("status"), ExchangeStatus, max_length=10, default=ExchangeStatus.OPEN)
    started_by = kept_link(User, _("started by"))
    # SHA-256 of the session cookie value 1C got from checkauth (HTTP exchanges only).
    session_hash = models.CharField(max_length=64, blank=True, db_index=True)
    session_expires_at = optional_moment()
    results = models.JSONField(_("results"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = optional_moment(_("finished"))

    class Meta:
        verbose_name = _("1C exchange")
        verbose_name_plural = _("1C exchanges")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class OneCFile(TimeStampedModel):
    """A file 1C uploads in `mode=file` (possibly in several parts) until `mode=import`."""

    exchange = models.ForeignKey(OneCExchange, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"), default=bytes)

    class Meta:
        verbose_name = _("1C file")
        verbose_name_plural = _("1C files")
        constraints = [
            models.UniqueConstraint(fields=["exchange", "name"], name="onec_file_once"),
        ]

    def __str__(self) -> str:
        return self.name


class OneCLinkKind(models.TextChoices):
    GROUP = "group", _("Product group")
    PRODUCT = "product", _("Product")
    PRICE_TYPE = "price_type", _("Price type")


class OneCLink(TimeStampedModel):
    """The Greenwave record a 1C «Ид» stands for: what makes a repeated import idempotent."""

    kind = choice_field(None, OneCLinkKind, max_length=12)
    guid = models.CharField(_("1C id"), max_length=100)
    object_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("1C id")
        verbose_name_plural = _("1C ids")
        constraints = [
            models.UniqueConstraint(fields=["kind", "guid"], name="onec_link_guid"),
            models.UniqueConstraint(fields=["kind", "object_id"], name="onec_link_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.guid}"


class OneCOrderMark(models.Model):
    """A won deal given to 1C: `query` sends it, `success` confirms; confirmed ones are not
    sent again."""

    deal_id = models.BigIntegerField(unique=True)
    exchange = kept_link(OneCExchange, blank=False, related_name="orders")
    sent_at = models.DateTimeField()
    confirmed_at = optional_moment()

    def __str__(self) -> str:
        return f"deal {self.deal_id}"


class ProductPicture(TimeStampedModel):
    """A picture of a product sent by 1C (`<Картинка>` of the catalogue), kept as a file.

    Kept here rather than on `crm.Product`: 1C is where pictures come from, and the 1C path
    (`source`) is what makes a repeated import idempotent.
    """

    product = models.ForeignKey(
        "crm.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="onec_pictures",
    )
    source = models.CharField(_("path in 1C"), max_length=200)
    file = models.FileField(_("file"), upload_to="product_pictures/%Y/%m/", max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(_("type"), max_length=20)
    size = models.PositiveIntegerField(_("size, bytes"))
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    position = models.PositiveSmallIntegerField(_("picture order"), default=0)

    class Meta:
        verbose_name = _("product picture")
        verbose_name_plural = _("product pictures")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "source"], name="onec_picture_once"),
        ]

    def __str__(self) -> str:
        return self.source
