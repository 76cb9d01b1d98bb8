"""REST endpoints of the integrations app: webhook subscriptions and their delivery log.

Event types (the closed catalogue): see `catalogue.WEBHOOK_EVENTS`. Deliveries are JSON bodies
signed with `X-Greenwave-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import Page, document_list, list_query, paginate
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints

from . import selectors, services
from .catalogue import WEBHOOK_EVENTS
from .models import WebhookSubscription
from .schemas import (
    DeliveryOut,
    ProductPictureOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)

router = Router(tags=["integrations"])
ENDPOINTS = Endpoints(router, __name__)
EVENTS_DOC = "Event types: " + ", ".join(f"`{name}`" for name in WEBHOOK_EVENTS) + "."

# A subscription as its handlers reach it: administrators only, a 404 for anyone else.
WEBHOOK = Entity(
    WebhookSubscription, "subscription", selectors.webhook_get, delete=services.webhook_delete
)


ENDPOINTS.list(
    "/webhooks",
    selectors.webhook_list,
    selectors.WEBHOOK_SPEC,
    WebhookOut,
    name="webhook_list",
    operation_id="webhook_list",
)


ENDPOINTS.create(
    "/webhooks",
    services.webhook_create,
    WebhookIn,
    WebhookCreatedOut,
    operation_id="webhook_create",
    description=EVENTS_DOC + " Without a secret one is generated; it is answered only here.",
)


ENDPOINTS.detail(
    "/webhooks/{webhook_id}", selectors.webhook_get, WebhookOut, operation_id="webhook_detail"
)


@router.patch("/webhooks/{webhook_id}", response=WebhookOut, operation_id="webhook_update")
def webhook_update(request: AuthedRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    # A null leaves the field as it is (no column of a subscription takes NULL).
    fields = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in fields.items() if v is not None}
    return WEBHOOK.act(request, webhook_id, services.webhook_update, **changes)


ENDPOINTS.delete(
    WEBHOOK,
    "/webhooks/{webhook_id}",
    name="webhook_delete",
    operation_id="webhook_delete",
    summary="Delete a webhook with its delivery log",
    description="Administrators only, as for a change. The subscription, its deliveries "
    "(pending ones are never sent) and their attempts are deleted for good; the event log "
    "keeps its history and a `webhook_deleted` event. To pause a webhook and keep its log, "
    "PATCH `is_active: false` instead.",
)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=Page[DeliveryOut],
    operation_id="webhook_deliveries",
    openapi_extra=document_list(selectors.DELIVERY_SPEC),
)
def webhook_deliveries(request: AuthedRequest, webhook_id: int) -> Any:
    sub = WEBHOOK.row(request, webhook_id)
    query = list_query(request, selectors.DELIVERY_SPEC)
    qs = selectors.delivery_list(actor=request.user, subscription=sub)
    return paginate(qs, selectors.DELIVERY_SPEC, query)


@router.post(
    "/webhooks/{webhook_id}/test",
    response={202: DeliveryOut},
    operation_id="webhook_test",
    description="Queue a `ping` delivery, due at once; the worker sends it.",
)
def webhook_test(request: AuthedRequest, webhook_id: int) -> Any:
    return Status(202, WEBHOOK.act(request, webhook_id, services.webhook_test))


@router.get(
    "/products/{product_id}/pictures",
    response=list[ProductPictureOut],
    operation_id="product_pictures",
    description="The pictures 1C sent for the product (CommerceML `<Картинка>`), in order.",
)
def product_pictures(request: AuthedRequest, product_id: int) -> Any:
    return list(selectors.product_pictures(actor=request.user, product_id=product_id))
