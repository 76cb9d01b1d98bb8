"""API schemas of the outreach app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from greenwave.core.api import InSchema, fields_of

from .selectors import CampaignStats


class SegmentIn(InSchema):
    name: str = Field(..., max_length=200)
    description: str = Field("", max_length=2000)
    # Validated by the service, which names an unknown key or a bad value in its 400.
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Every key optional, all given keys must hold: client_status (list of «new», "
            "«current»), deal_stage_ids, product_group_ids (with their subgroups), regions, "
            "birthday_within_days (0–366), analytics_segment_ids (ids of "
            "/api/v1/analytics/segments/saved the caller reads: the contacts of their "
            "clients), consent_only "
            "(default true)."
        ),
        examples=[{"birthday_within_days": 7, "analytics_segment_ids": [1]}],
    )


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filters: dict[str, Any]
    responsible_id: int
    created_at: datetime


class RecipientOut(Schema):
    id: int
    full_name: str
    company: str | None
    email: str | None
    birthday: date | None
    mailing_consent: bool

    @staticmethod
    def resolve_company(obj: Any) -> str | None:
        return obj.company.name if obj.company_id else None

    @staticmethod
    def resolve_email(obj: Any) -> str | None:
        return str(obj.emails[0]) if obj.emails else None


class SegmentPreviewOut(Schema):
    count: int
    mailable: int
    message: str
    recipients: list[RecipientOut]


class CampaignIn(InSchema):
    name: str = Field(..., max_length=200)
    segment_id: int | None = None
    subject: str = Field(..., max_length=300)
    body: str = Field(..., max_length=100_000)
    kind: str = Field("one_off", max_length=20)
    track_opens: bool = True
    trigger_stage_id: int | None = None


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    segment_id: int | None
    subject: str
    body: str
    track_opens: bool
    trigger_stage_id: int | None
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    responsible_id: int
    created_at: datetime


class SendIn(InSchema):
    scheduled_at: datetime | None = None


@fields_of(CampaignStats)
class StatsOut(Schema):
    """A campaign's delivery counts (`selectors.campaign_stats`)."""


class PreviewOut(Schema):
    contact_id: int
    subject: str
    text: str
    html: str


class BounceIn(InSchema):
    email: str = Field(..., max_length=254)
    reason: str = Field("", max_length=500)


class BounceOut(Schema):
    marked: int
