"""Outreach: segments of contacts, e-mail campaigns (one-off, scheduled, recurring triggers),
one delivery row per recipient and occurrence, and the unsubscribe list (152-ФЗ)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import AssignedRecord, User, owner_index
from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.sales.models import Stage


class Segment(AssignedRecord):
    """Contacts chosen by filters (`outreach.segments.SegmentFilters`), evaluated live."""

    EVENT_CASE_TYPE = "segment"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "pk"]
        indexes = [owner_index("outreach_segment_owner_idx")]

    def __str__(self) -> str:
        return self.name


class CampaignKind(models.TextChoices):
    ONE_OFF = "one_off", _("One-off mailing")
    BIRTHDAY = "birthday", _("Birthday greeting")
    HOLIDAY = "holiday", _("Holiday greeting")
    STAGE = "stage", _("When a deal enters a stage")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    ACTIVE = "active", _("Active trigger")
    PAUSED = "paused", _("Paused trigger")


class Campaign(AssignedRecord):
    EVENT_CASE_TYPE = "campaign"

    name = models.CharField(_("name"), max_length=200)
    kind = choice_field(_("kind"), CampaignKind, max_length=10, default=CampaignKind.ONE_OFF)
    status = choice_field(_("status"), CampaignStatus, max_length=10, default=CampaignStatus.DRAFT)
    segment = optional_link(
        Segment, _("segment"), on_delete=models.PROTECT, related_name="campaigns"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(pgettext_lazy("letter", "body"))
    track_opens = models.BooleanField(_("track opens"), default=True)
    trigger_stage = optional_link(Stage, _("stage"), on_delete=models.PROTECT)
    scheduled_at = optional_moment(_("scheduled for"))
    started_at = optional_moment(_("started"))
    finished_at = optional_moment(_("finished"))
    sent_by = optional_link(User, _("sent by"), on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]
        indexes = [
            owner_index("outreach_campaign_owner_idx"),
            models.Index(fields=["status", "scheduled_at"], name="outreach_campaign_due_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_trigger(self) -> bool:
        return self.kind != CampaignKind.ONE_OFF


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    # The worker died between claiming the row and recording the SMTP answer: the server may
    # or may not have the message, so it is never sent again (at most once).
    INTERRUPTED = "interrupted", _("Interrupted")
    SKIPPED = "skipped", _("Skipped")
    BOUNCED = "bounced", _("Bounced")


class Delivery(models.Model):
    """One message to one contact for one occurrence of a campaign (a one-off campaign has one
    occurrence; a birthday trigger one a year; a stage trigger one per stage entry)."""

    EVENT_CASE_TYPE = "mail_delivery"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        "crm.Contact", verbose_name=_("contact"), on_delete=models.CASCADE, related_name="+"
    )
    occurrence = models.CharField(_("occurrence"), max_length=80, blank=True)
    email = models.EmailField(_("e-mail"))
    context = models.JSONField(_("occurrence variables"), default=dict, blank=True)
    status = choice_field(
        _("status"), DeliveryStatus, max_length=12, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = optional_moment(pgettext_lazy("mailing", "claimed"))
    sent_at = optional_moment(_("sent"))
    message_id = models.CharField(_("message id"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    opened_at = optional_moment(_("opened"))
    clicked_at = optional_moment(_("clicked"))
    unsubscribed_at = optional_moment(_("unsubscribed"))
    bounced_at = optional_moment(_("bounced"))

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact", "occurrence"], name="outreach_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "campaign"], name="outreach_delivery_status_idx"),
            models.Index(fields=["sent_at"], name="outreach_delivery_sent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.email}"


class Unsubscription(models.Model):
    """A contact who asked for no more mailings: every send checks this list. Kept here, next
    to the mailings, rather than as a change of the client card."""

    contact = models.OneToOneField(
        "crm.Contact", on_delete=models.CASCADE, related_name="outreach_unsubscription"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    campaign = kept_link(Campaign)
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    class Meta:
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")

    def __str__(self) -> str:
        return self.email


class TriggerCursor(models.Model):
    """How far the stage trigger has read the event log (the last event id it looked at)."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}@{self.last_event_id}"
