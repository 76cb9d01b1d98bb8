"""Writers of the analytics app: save a segment, set a product's cost price."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import require_write
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.services import event_append_for
from greenwave.crm.models import Product

from . import events
from .errors import AnalyticsError
from .models import ProductCost, SavedSegment
from .segments import KINDS, SegmentParams, matches, segment_clients

COST_ROLES = (RoleCode.HEAD_OF_SALES, RoleCode.FINANCE, RoleCode.ADMIN)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(CoreError.VALIDATION, message, details={"fields": {field: [message]}})


@transaction.atomic
def segment_save(
    *, actor: User, name: str, kind: str, classes: list[str], params: SegmentParams
) -> SavedSegment:
    """Freeze the visible clients of the chosen classes into a named list."""
    name = name.strip()
    if not name:
        raise _invalid("name", _("Give the segment a name."))
    if kind not in KINDS:
        raise _invalid("kind", _("The kind must be abc, xyz or rfm."))
    members = [
        c.company_id
        for c in segment_clients(actor=actor, params=params)
        if matches(c, kind, classes)
    ]
    if not members:
        raise DomainError(
            AnalyticsError.EMPTY_SEGMENT, _("No client falls into the chosen classes.")
        )
    segment = SavedSegment.objects.create(
        name=name[:200],
        kind=kind,
        rule={"kind": kind, "classes": classes, **params.rule()},
        company_ids=members,
        responsible=actor,
        team=actor.team,
    )
    event_append_for(
        segment,
        activity=events.SEGMENT_SAVED,
        actor=actor,
        payload={"name": segment.name, "kind": kind, "classes": classes, "size": len(members)},
        new_case=True,
    )
    return segment


@transaction.atomic
def segment_delete(*, actor: User, segment: SavedSegment) -> None:
    require_write(actor, segment)
    event_append_for(
        segment, activity=events.SEGMENT_DELETED, actor=actor, payload={"name": segment.name}
    )
    segment.delete()


@transaction.atomic
def product_cost_set(*, actor: User | None, product: Product, cost: Decimal) -> ProductCost:
    """Set the unit cost price of a product (heads of sales, finance, administrators)."""
    if actor is not None and not actor.has_role(*COST_ROLES):
        raise permission_denied(_("Only a head of sales or finance sets cost prices."))
    if cost < 0:
        raise _invalid("cost", _("The cost price cannot be negative."))
    item, created = ProductCost.objects.update_or_create(
        product=product, defaults={"cost": cost.quantize(Decimal("0.01"))}
    )
    event_append_for(
        item,
        activity=events.PRODUCT_COST_SET,
        actor=actor,
        payload={"product_id": product.pk, "cost": str(item.cost)},
        new_case=created,
    )
    return item
