"""REST endpoints of the outreach app (mounted under /api/v1/ by config/api.py): `/segments`
(+ preview), `/campaigns` (+ send, stats, preview per recipient, bounces)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import row_of_id
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import CoreError, DomainError
from greenwave.crm.selectors import contact_get
from greenwave.sales.models import Stage

from . import selectors, services
from .messages import render_message
from .models import Campaign, Segment
from .schemas import (
    BounceIn,
    BounceOut,
    CampaignIn,
    CampaignOut,
    PreviewOut,
    SegmentIn,
    SegmentOut,
    SegmentPreviewOut,
    SendIn,
    StatsOut,
)

router = Router(tags=["outreach"])
ENDPOINTS = Endpoints(router, __name__)


def preview_message(count: int, mailable: int) -> str:
    if not count:
        return _("No contacts match these filters.")
    if not mailable:
        return _("%(n)d contacts match, but none may receive mail (consent, e-mail).") % {
            "n": count
        }
    return _("%(n)d contacts match, %(m)d may receive mail.") % {"n": count, "m": mailable}


ENDPOINTS.list(
    "/segments",
    selectors.segment_list,
    selectors.SEGMENT_LIST_SPEC,
    SegmentOut,
    name="segment_list",
    summary="Segments visible to me",
)


ENDPOINTS.create(
    "/segments", services.segment_create, SegmentIn, SegmentOut, summary="Create a segment"
)


ENDPOINTS.detail("/segments/{segment_id}", selectors.segment_get, SegmentOut)


@router.get(
    "/segments/{segment_id}/preview",
    response=SegmentPreviewOut,
    summary="Live count and the first recipients of a segment",
)
def segment_preview(request: AuthedRequest, segment_id: int) -> Any:
    segment: Segment = selectors.segment_get(actor=request.user, pk=segment_id)
    preview = selectors.segment_preview(actor=request.user, filters=segment.filters)
    return {
        "count": preview.count,
        "mailable": preview.mailable,
        "message": preview_message(preview.count, preview.mailable),
        "recipients": preview.contacts,
    }


def _stage(pk: int | None) -> Stage | None:
    unknown = DomainError(
        CoreError.VALIDATION,
        _("Unknown stage."),
        details={"fields": {"trigger_stage_id": _("Unknown stage.")}},
    )
    return row_of_id(Stage, pk, unknown)


# A campaign as its handlers reach it; an action answers it read again (its segment, its counts).
CAMPAIGN = Entity(Campaign, "campaign", selectors.campaign_get, reread=True)


ENDPOINTS.list(
    "/campaigns",
    selectors.campaign_list,
    selectors.CAMPAIGN_LIST_SPEC,
    CampaignOut,
    name="campaign_list",
    summary="Campaigns visible to me",
)


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a campaign (a draft)")
def campaign_create(request: AuthedRequest, payload: CampaignIn) -> Any:
    actor = request.user
    campaign = services.campaign_create(
        actor=actor,
        segment=selectors.segment_get(actor=actor, pk=payload.segment_id)
        if payload.segment_id is not None
        else None,
        trigger_stage=_stage(payload.trigger_stage_id),
        **payload.dict(exclude={"segment_id", "trigger_stage_id"}),
    )
    return Status(201, campaign)


ENDPOINTS.detail("/campaigns/{campaign_id}", selectors.campaign_get, CampaignOut)


ENDPOINTS.action(
    CAMPAIGN,
    "/campaigns/{campaign_id}/send",
    services.campaign_send,
    CampaignOut,
    payload=SendIn,
    summary="Send now, schedule (`scheduled_at`), or switch a trigger on",
)


@router.get("/campaigns/{campaign_id}/stats", response=StatsOut, summary="Delivery statistics")
def campaign_stats(request: AuthedRequest, campaign_id: int) -> Any:
    campaign = CAMPAIGN.row(request, campaign_id)
    return selectors.campaign_stats(campaign=campaign).as_dict()


@router.get(
    "/campaigns/{campaign_id}/preview/{contact_id}",
    response=PreviewOut,
    summary="The letter as this contact would get it",
)
def campaign_preview(request: AuthedRequest, campaign_id: int, contact_id: int) -> Any:
    campaign = CAMPAIGN.row(request, campaign_id)
    contact = contact_get(actor=request.user, pk=contact_id)
    return {"contact_id": contact.pk, **asdict(render_message(campaign, contact))}


@router.post(
    "/campaigns/{campaign_id}/bounces",
    response=BounceOut,
    summary="Record that the messages to an address came back",
)
def campaign_bounce(request: AuthedRequest, campaign_id: int, payload: BounceIn) -> Any:
    campaign = CAMPAIGN.row(request, campaign_id)
    marked = services.delivery_bounce(
        actor=request.user, campaign=campaign, email=payload.email, reason=payload.reason
    )
    return {"marked": marked}
