"""REST endpoints of the integrations app: webhook subscriptions and their delivery log.

Event types (the closed catalogue): see `catalogue.WEBHOOK_EVENTS`. Deliveries are JSON bodies
signed with `X-Greenwave-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
"""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import Page, list_query, paginate
from greenwave.core.endpoints import Endpoints

from . import selectors, services
from .catalogue import WEBHOOK_EVENTS
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
    sub = selectors.webhook_get(actor=request.user, pk=webhook_id)
    fields = payload.dict(exclude_unset=True)
    return services.webhook_update(
        actor=request.user, subscription=sub, **{k: v for k, v in fields.items() if v is not None}
    )


@router.delete(
    "/webhooks/{webhook_id}",
    response={204: None},
    operation_id="webhook_delete",
    summary="Delete a webhook with its delivery log",
    description="Administrators only, as for a change. The subscription, its deliveries "
    "(pending ones are never sent) and their attempts are deleted for good; the event log "
    "keeps its history and a `webhook_deleted` event. To pause a webhook and keep its log, "
    "PATCH `is_active: false` instead.",
)
def webhook_delete(request: AuthedRequest, webhook_id: int) -> Any:
    sub = selectors.webhook_get(actor=request.user, pk=webhook_id)
    services.webhook_delete(actor=request.user, subscription=sub)
    return Status(204, None)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response=Page[DeliveryOut],
    operation_id="webhook_deliveries",
)
def webhook_deliveries(request: AuthedRequest, webhook_id: int) -> Any:
    sub = selectors.webhook_get(actor=request.user, pk=webhook_id)
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
    sub = selectors.webhook_get(actor=request.user, pk=webhook_id)
    return Status(202, services.webhook_test(actor=request.user, subscription=sub))


@router.get(
    "/products/{product_id}/pictures",
    response=list[ProductPictureOut],
    operation_id="product_pictures",
    description="The pictures 1C sent for the product (CommerceML `<Картинка>`), in order.",
)
def product_pictures(request: AuthedRequest, product_id: int) -> Any:
    return list(selectors.product_pictures(actor=request.user, product_id=product_id))
