"""Product groups, products, price lists and prices."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import DomainError
from greenwave.core.money import Currency
from greenwave.core.record_change import changes_log
from greenwave.core.services import (
    ObjectRef,
    RecordHistory,
    assign,
    event_append,
    event_append_for,
    fields_check,
    typed_fields,
)

from .. import events
from ..errors import CrmError
from ..models import (
    Price,
    PriceList,
    PriceListKind,
    Product,
    ProductGroup,
    Unit,
    VatRate,
)
from .clients import (
    _choice,
    _field_error,
    _text,
    search_text_of,
)
from .profiles import (
    _decimal,
    _refuse_duplicate_name,
)

# --- Products and price lists (seed 001: five discount price lists) -----------------------

CATALOG_MANAGERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)


class ProductDetails(TypedDict, total=False):
    """A product's fields beside its name and article (`product_create` takes those apart)."""

    group: ProductGroup | None
    unit: str
    vat_rate: str
    description: str
    is_active: bool


class ProductChanges(ProductDetails, total=False):
    name: str
    sku: str


class PriceListDetails(TypedDict, total=False):
    kind: str
    level: int | str | None
    currency: str
    description: str
    is_active: bool


class PriceListChanges(PriceListDetails, total=False):
    name: str


PRODUCT_FIELDS = typed_fields(ProductChanges)
PRICE_LIST_FIELDS = typed_fields(PriceListChanges)


def _require_catalog_manager(actor: User | None) -> None:
    if actor is not None and not (actor.is_superuser or actor.has_role(*CATALOG_MANAGERS)):
        raise DomainError(
            CrmError.NOT_A_CATALOG_MANAGER,
            _("Only a head of sales or an administrator can change products and prices."),
            status=403,
        )


@transaction.atomic
def product_group_create(
    *, actor: User | None, name: str, parent: ProductGroup | None = None
) -> ProductGroup:
    _require_catalog_manager(actor)
    clean = _text(name, "name", 255, required=True)
    _refuse_duplicate_name(ProductGroup, clean)
    group = ProductGroup.objects.create(name=clean, parent=parent)
    event_append(
        case_type=ProductGroup.EVENT_CASE_TYPE,
        case_id=group.pk,
        activity=events.PRODUCT_GROUP_CREATED,
        actor=actor,
        payload={"after": {"name": group.name, "parent": parent.name if parent else None}},
    )
    return group


@transaction.atomic
def product_group_update(
    *, actor: User | None, group: ProductGroup, name: str, parent: ProductGroup | None
) -> ProductGroup:
    """Rename a product group or move it under another one (None: to the top). A group is
    never moved under itself or one of its own subgroups. Nothing changed: no event."""
    _require_catalog_manager(actor)
    clean = _text(name, "name", 255, required=True)
    if clean != group.name:
        _refuse_duplicate_name(ProductGroup, clean, exclude_pk=group.pk)
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == group.pk:
            raise _field_error(
                "parent", _("A group cannot be moved under itself or one of its subgroups.")
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    before = {"name": group.name, "parent": group.parent.name if group.parent else None}
    after = {"name": clean, "parent": parent.name if parent else None}
    if before == after and group.parent_id == (parent.pk if parent else None):
        return group
    group.name, group.parent = clean, parent
    group.save(update_fields=["name", "parent", "updated_at"])
    event_append(
        case_type=ProductGroup.EVENT_CASE_TYPE,
        case_id=group.pk,
        activity=events.PRODUCT_GROUP_CHANGED,
        actor=actor,
        payload={"before": before, "after": after},
    )
    return group


def _clean_product(data: Mapping[str, Any]) -> dict[str, Any]:
    group = data.get("group")
    if group is not None and not isinstance(group, ProductGroup):
        raise _field_error("group", _("Choose one of the offered values."))
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "sku": _text(data.get("sku"), "sku", 64, required=True),
        "group": group,
        "unit": _choice(data.get("unit") or Unit.PIECE, Unit.values, "unit"),
        "vat_rate": _choice(data.get("vat_rate") or VatRate.TWENTY, VatRate.values, "vat_rate"),
        "description": _text(data.get("description"), "description", 5000),
        "is_active": bool(data.get("is_active", True)),
    }


_PRODUCT_HISTORY = RecordHistory(
    Product.objects.select_related("group"),
    schema=ProductChanges,
    changed=events.PRODUCT_CHANGED,
    created=events.PRODUCT_CREATED,
    shown=lambda product: {"group": product.group.name if product.group else None},
)


def _refuse_taken(same: QuerySet[Any], exclude_pk: int | None, field: str, message: str) -> None:
    """409 on `field` when a row other than `exclude_pk` already holds the value."""
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(CrmError.DUPLICATE, message, details={"field": field}, status=409)


def _refuse_duplicate_sku(sku: str, exclude_pk: int | None = None) -> None:
    message = _("A product with the article %(sku)s already exists.") % {"sku": sku}
    _refuse_taken(Product.objects.filter(sku__iexact=sku), exclude_pk, "sku", message)


@transaction.atomic
def product_create(
    *, actor: User | None, name: str, sku: str, **fields: Unpack[ProductDetails]
) -> Product:
    _require_catalog_manager(actor)
    fields_check(fields, ProductDetails)
    data = _clean_product({**fields, "name": name, "sku": sku})
    _refuse_duplicate_sku(data["sku"])
    product = Product(**data)
    product.search_text = search_text_of(product.name, product.sku, product.description)
    return _PRODUCT_HISTORY.create(product, actor=actor)


@transaction.atomic
def product_update(
    *, actor: User | None, product: Product, **fields: Unpack[ProductChanges]
) -> Product:
    _require_catalog_manager(actor)

    def apply(product: Product) -> None:
        data = _clean_product({**_PRODUCT_HISTORY.stored(product), **fields})
        if data["sku"].lower() != product.sku.lower():
            _refuse_duplicate_sku(data["sku"], exclude_pk=product.pk)
        assign(product, data)
        product.search_text = search_text_of(product.name, product.sku, product.description)

    return _PRODUCT_HISTORY.update(product, fields, apply, actor=actor)


def _clean_price_list(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(data.get("kind") or PriceListKind.BASE, PriceListKind.values, "kind")
    level: Any = data.get("level")
    if kind == PriceListKind.DISCOUNT:
        if level in (None, "") or not str(level).isdigit() or not 1 <= int(level) <= 5:
            raise _field_error("level", _("A discount price list has a level from 1 to 5."))
        level = int(level)
    else:
        level = None
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "kind": kind,
        "level": level,
        "currency": _choice(data.get("currency") or "RUB", Currency.values, "currency"),
        "description": _text(data.get("description"), "description", 5000),
        "is_active": bool(data.get("is_active", True)),
    }


def _refuse_duplicate_level(kind: str, level: int | None, exclude_pk: int | None = None) -> None:
    if kind != PriceListKind.DISCOUNT:
        return
    message = _("There is already a discount price list of level %(level)s.") % {"level": level}
    _refuse_taken(PriceList.objects.filter(kind=kind, level=level), exclude_pk, "level", message)


@transaction.atomic
def price_list_create(
    *, actor: User | None, name: str, **fields: Unpack[PriceListDetails]
) -> PriceList:
    _require_catalog_manager(actor)
    fields_check(fields, PriceListDetails)
    data = _clean_price_list({**fields, "name": name})
    _refuse_duplicate_name(PriceList, data["name"])
    _refuse_duplicate_level(data["kind"], data["level"])
    price_list = PriceList.objects.create(**data)
    event_append_for(
        price_list, activity=events.PRICE_LIST_CREATED, actor=actor, payload={"after": data}
    )
    return price_list


_PRICE_LIST_HISTORY = RecordHistory(
    PriceList.objects.all(), schema=PriceListChanges, changed=events.PRICE_LIST_CHANGED
)


@transaction.atomic
def price_list_update(
    *, actor: User | None, price_list: PriceList, **fields: Unpack[PriceListChanges]
) -> PriceList:
    _require_catalog_manager(actor)

    def apply(price_list: PriceList) -> None:
        data = _clean_price_list({**_PRICE_LIST_HISTORY.stored(price_list), **fields})
        _refuse_duplicate_name(PriceList, data["name"], exclude_pk=price_list.pk)
        _refuse_duplicate_level(data["kind"], data["level"], exclude_pk=price_list.pk)
        assign(price_list, data)

    return _PRICE_LIST_HISTORY.update(price_list, fields, apply, actor=actor)


@transaction.atomic
def prices_set(
    *, actor: User | None, price_list: PriceList, prices: Mapping[int, Any]
) -> dict[str, list[str | None]]:
    """Set prices of products (by id) in one list; an empty value removes the price.

    All or nothing: one bad amount refuses the whole change. Returns `{sku: [old, new]}`.
    """
    _require_catalog_manager(actor)
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(prices))}
    missing = sorted(set(prices) - set(products))
    if missing:
        raise DomainError(
            CrmError.INVALID_PRICE,
            _("Unknown products: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            details={"field": "prices", "products": missing},
        )
    wanted: dict[int, Decimal | None] = {}
    errors: dict[str, str] = {}
    for product_id, raw in prices.items():
        try:
            amount = _decimal(raw, "prices", low=Decimal(0), high=Decimal("1e15"))
        except DomainError as exc:
            errors[str(product_id)] = exc.message
            continue
        wanted[product_id] = amount.quantize(Decimal("0.01")) if amount is not None else None
    if errors:
        raise DomainError(
            CrmError.INVALID_PRICE,
            _("Some prices are not valid amounts."),
            details={"field": "prices", "errors": errors},
        )
    current = {
        p.product_id: p
        for p in Price.objects.select_for_update().filter(
            price_list=price_list, product_id__in=list(wanted)
        )
    }
    changes: dict[str, list[str | None]] = {}
    for product_id, amount in wanted.items():
        existing = current.get(product_id)
        old = existing.amount if existing else None
        if old == amount:
            continue
        if amount is None and existing is not None:
            existing.delete()
        elif existing is not None and amount is not None:
            existing.amount = amount
            existing.save(update_fields=["amount", "updated_at"])
        elif amount is not None:
            Price.objects.create(price_list=price_list, product_id=product_id, amount=amount)
        changes[products[product_id].sku] = [
            str(old) if old is not None else None,
            str(amount) if amount is not None else None,
        ]
    changes_log(
        price_list,
        changes,
        activity=events.PRICES_CHANGED,
        actor=actor,
        objects=[
            ObjectRef(Product.EVENT_CASE_TYPE, str(pk), "product")
            for pk, p in products.items()
            if p.sku in changes
        ],
    )
    return changes
