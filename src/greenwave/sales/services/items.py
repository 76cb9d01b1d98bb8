"""Products and price lists of a deal, discount rules by decision, company merge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import acts_as_head
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import ObjectRef, event_append, event_append_for, ref
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company, PriceList, Product
from greenwave.decisions.services import decision_evaluate

from .. import events
from ..errors import SalesError
from ..models import (
    ClientHandoff,
    Deal,
    DealItem,
    Lead,
)
from .common import (
    _lock_open,
    _require_access,
)

# --- products and price lists --------------------------------------------------------------


def _recompute_amount(deal: Deal) -> None:
    lines = list(deal.items.all())
    if lines:
        deal.amount = sum((line.total for line in lines), Decimal(0))


def _reprice(
    actor: User,
    deal: Deal,
    *,
    changes: Mapping[str, Any] | None = None,
    objects: Sequence[ObjectRef] = (),
    **payload: Any,
) -> None:
    """After its lines changed: the deal's amount recomputed from them, a new version saved
    and the change recorded — `payload`, with `changes` and the amount before and after."""
    before = str(deal.amount)
    _recompute_amount(deal)
    deal.version += 1
    deal.save()
    amount = {"amount": [before, str(deal.amount)]}
    event_append_for(
        deal,
        activity=events.DEAL_CHANGED,
        actor=actor,
        payload={**payload, "changes": {**(changes or {}), **amount}},
        objects=objects,
    )


@transaction.atomic
def deal_add_item(
    *,
    actor: User,
    deal: Deal,
    product: Product,
    quantity: Decimal,
    price: Decimal | None = None,
) -> DealItem:
    """Add a product line; without a price, the deal's price list (or the base list) prices it."""
    _require_access(actor, deal)
    deal = _lock_open(deal, None)
    if quantity <= 0:
        raise DomainError(CoreError.VALIDATION, _("The quantity must be positive."))
    if price is None:
        price = _list_price(product, deal.price_list)
    if price < 0:
        raise DomainError(CoreError.VALIDATION, _("The price cannot be negative."))
    item = DealItem.objects.create(deal=deal, product=product, quantity=quantity, price=price)
    added = {"product": product.name, "quantity": str(quantity), "price": str(price)}
    _reprice(actor, deal, item_added=added, objects=[ref(product, "product")])
    return item


@transaction.atomic
def deal_remove_item(*, actor: User, item: DealItem) -> Deal:
    deal = item.deal
    _require_access(actor, deal)
    deal = _lock_open(deal, None)
    product = item.product
    item.delete()
    _reprice(actor, deal, item_removed=product.name)
    return deal


def _list_price(product: Product, price_list: PriceList | None) -> Decimal:
    lists = [price_list] if price_list is not None else []
    lists += list(PriceList.objects.filter(kind="base", is_active=True).order_by("pk")[:1])
    for candidate in lists:
        money = crm_selectors.price_of(product=product, price_list=candidate)
        if money is not None:
            return money.amount
    raise DomainError(
        CoreError.VALIDATION,
        _("No price for %(product)s in the price list: give the price.") % {"product": product},
    )


@transaction.atomic
def deal_set_price_list(*, actor: User, deal: Deal, price_list: PriceList) -> Deal:
    """Price the deal from another list; a discount list is the head of sales' decision (seed
    001: on a price objection the head chooses one of five discount price lists)."""
    _require_access(actor, deal)
    if price_list.kind == "discount" and not acts_as_head(actor):
        raise DomainError(
            SalesError.APPROVAL_NOT_ALLOWED,
            _("Only a head of sales chooses a discount price list."),
            status=403,
        )
    deal = _lock_open(deal, None)
    previous = deal.price_list.name if deal.price_list else None
    deal.price_list = price_list
    repriced = []
    for line in deal.items.select_related("product"):
        money = crm_selectors.price_of(product=line.product, price_list=price_list)
        if money is not None and money.amount != line.price:
            repriced.append([line.product.name, str(line.price), str(money.amount)])
            line.price = money.amount
            line.save(update_fields=["price"])
    _reprice(
        actor,
        deal,
        changes={"price_list": [previous, price_list.name]},
        repriced=repriced,
        objects=[ref(price_list, "price_list")],
    )
    return deal


@transaction.atomic
def sales_company_merged(*, actor: User | None, source: Company, target: Company) -> None:
    """Client base merge hook: the merged-away company's deals and leads follow it, and its
    handoff (hunter share) moves unless the kept company has one already."""
    moved_deals = list(Deal.objects.filter(company=source).values_list("pk", flat=True))
    Deal.objects.filter(pk__in=moved_deals).update(company=target)
    Lead.objects.filter(company=source).update(company=target)
    if not ClientHandoff.objects.filter(company=target).exists():
        ClientHandoff.objects.filter(company=source).update(company=target)
    else:
        ClientHandoff.objects.filter(company=source).delete()
    for pk in moved_deals:
        event_append(
            case_type=Deal.EVENT_CASE_TYPE,
            case_id=pk,
            activity=events.DEAL_CHANGED,
            actor=actor,
            payload={"changes": {"company": [source.name, target.name]}},
            objects=[ref(target, "client"), ref(source, "merged_from")],
        )


DISCOUNT_DECISION = "discount_price_list"


@transaction.atomic
def deal_apply_discount_rules(
    *, actor: User, deal: Deal, client_segment: str, payment_history: str
) -> Deal:
    """Seed 001: on a price objection the head picks one of five discount price lists; the
    decision table «discount_price_list» (editable in the browser) makes the choice, with the
    deal amount as the order volume, and the deal is re-priced from the chosen list."""
    evaluation = decision_evaluate(
        actor=actor,
        key=DISCOUNT_DECISION,
        context={
            "segment": client_segment,
            "payment_history": payment_history,
            "order_volume": str(deal.amount),
        },
    )
    result = evaluation.result if isinstance(evaluation.result, dict) else {}
    level = result.get("price_list_level")
    if evaluation.errors or level is None:
        raise DomainError(
            CoreError.VALIDATION,
            _("The discount rules gave no answer: %(why)s")
            % {"why": "; ".join(evaluation.errors) or _("no rule matched")},
        )
    price_list = PriceList.objects.filter(kind="discount", level=int(Decimal(str(level)))).first()
    if price_list is None:
        raise DomainError(
            CoreError.NOT_FOUND,
            _("There is no discount price list of level %(level)s.") % {"level": level},
        )
    deal = deal_set_price_list(actor=actor, deal=deal, price_list=price_list)
    event_append_for(
        deal,
        activity=events.DEAL_DISCOUNT_CHOSEN,
        actor=actor,
        payload={
            "decision": DISCOUNT_DECISION,
            "version": evaluation.definition.version,
            "inputs": {"segment": client_segment, "payment_history": payment_history},
            "level": str(level),
            "comment": str(result.get("comment", "")),
            "matched_rules": [str(r.get("index", r)) for r in evaluation.matched_rules],
        },
    )
    return deal
