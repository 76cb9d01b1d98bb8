"""API schemas of the integrations app (webhooks, product pictures from 1C)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from greenwave.core.api import InSchema, resolve_rows


class WebhookIn(InSchema):
    url: str = Field(..., min_length=1, max_length=500)
    events: list[str] = Field(..., min_length=1, max_length=50)
    secret: str = Field("", max_length=128)
    description: str = Field("", max_length=200)


class WebhookPatch(InSchema):
    url: str | None = Field(None, min_length=1, max_length=500)
    events: list[str] | None = Field(None, min_length=1, max_length=50)
    secret: str | None = Field(None, max_length=128)
    description: str | None = Field(None, max_length=200)
    is_active: bool | None = None


class WebhookOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    is_active: bool
    consecutive_failures: int
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="Shown once: the key of the HMAC signature.")


class AttemptOut(Schema):
    attempted_at: datetime
    status_code: int | None
    response_excerpt: str
    duration_ms: int
    error: str


class DeliveryOut(Schema):
    id: int
    event_type: str
    event_id: int | None
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]

    resolve_log = resolve_rows("log")


class ProductPictureOut(Schema):
    id: int
    product_id: int
    source: str = Field(description="The path 1C named the picture with (import_files/…).")
    url: str = Field(description="The image itself, for a signed-in user.")
    content_type: str
    width: int
    height: int
    size: int
    position: int

    @staticmethod
    def resolve_url(obj: Any) -> str:
        from django.urls import reverse

        return reverse("integrations:product_picture", args=[obj.pk])
