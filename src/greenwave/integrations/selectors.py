"""Readers of the integrations app. Webhooks and exchanges belong to the installation, not to a
team: an administrator reads them all, anyone else reads none (a 404 by id, an empty list).
Product pictures from 1C are read like the catalogue: by whoever reads the product."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import User
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import not_found
from greenwave.core.guards import is_admin
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.selectors import row_get
from greenwave.crm import selectors as crm_selectors

from .models import (
    DeliveryStatus,
    OneCExchange,
    ProductPicture,
    WebhookDelivery,
    WebhookSubscription,
)

WEBHOOK_SPEC = ListSpec(
    search_fields=("url", "description"),
    sorts=(SortSpec("created", gettext_lazy("Created"), ("created_at", "id")),),
    default_sort="-created",
    filters=(FilterSpec("active", gettext_lazy("Active"), "is_active", kind="bool"),),
)
DELIVERY_SPEC = ListSpec(
    search_fields=("event_type",),
    sorts=(SortSpec("created", gettext_lazy("Created"), ("created_at", "id")),),
    default_sort="-created",
    filters=(choice_filter("status", gettext_lazy("Status"), DeliveryStatus),),
)
EXCHANGE_SPEC = ListSpec(
    sorts=(SortSpec("created", gettext_lazy("Started"), ("created_at", "id")),),
    default_sort="-created",
)


def webhook_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[WebhookSubscription]:
    qs = WebhookSubscription.objects.all()
    if not is_admin(actor):
        return qs.none()
    qs = apply_list_query(qs, WEBHOOK_SPEC, query)
    return qs


def webhook_get(*, actor: User, pk: int) -> WebhookSubscription:
    return row_get(webhook_list(actor=actor), pk, _("Webhook not found."))


def delivery_list(
    *, actor: User, subscription: WebhookSubscription, query: ListQuery | None = None
) -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(subscription=subscription)
    if not is_admin(actor):
        return qs.none()
    qs = apply_list_query(qs, DELIVERY_SPEC, query)
    return qs.prefetch_related("log")


def exchange_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[OneCExchange]:
    qs = OneCExchange.objects.select_related("started_by")
    if not is_admin(actor):
        return qs.none()
    qs = apply_list_query(qs, EXCHANGE_SPEC, query)
    return qs


def product_pictures(*, actor: User, product_id: int) -> QuerySet[ProductPicture]:
    """The pictures 1C sent for a product the actor reads (a 404 for any other product)."""
    product = crm_selectors.product_get(actor=actor, pk=product_id)
    return ProductPicture.objects.filter(product=product).order_by("position", "pk")


def product_picture_get(*, actor: User, pk: int) -> ProductPicture:
    picture = ProductPicture.objects.filter(pk=pk).first()
    if (
        picture is None
        or not crm_selectors.product_list(actor=actor).filter(pk=picture.product_id).exists()
    ):
        raise not_found(_("Picture not found."))
    return picture
