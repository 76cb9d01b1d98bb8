"""The events of an invoice, as the shared contract of INVOICE_EVENTS.md has them: on the
invoice's own case, linked to its buyer (qualifier "buyer") and deal (qualifier "deal").
Written by the documents app (the invoice's life) and the orders app (payments, reminders)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from greenwave.accounts.models import User
from greenwave.core.services import ObjectRef, event_append_for

from .models import Invoice


def invoice_links(invoice: Invoice) -> list[ObjectRef]:
    """The invoice's buyer and, if it has one, its deal: the objects of its every event."""
    links = [ObjectRef("company", str(invoice.buyer_id), "buyer")]
    if invoice.deal_id:
        links.append(ObjectRef("deal", str(invoice.deal_id), "deal"))
    return links


def invoice_event(
    invoice: Invoice,
    activity: str,
    actor: User | None,
    payload: dict[str, Any],
    *,
    objects: Iterable[ObjectRef] = (),
    new_case: bool = False,
) -> None:
    """One event of the invoice, linked to its buyer and deal (and to `objects` besides)."""
    event_append_for(
        invoice,
        activity=activity,
        actor=actor,
        payload=payload,
        objects=[*invoice_links(invoice), *objects],
        new_case=new_case,
    )
