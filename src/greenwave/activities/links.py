"""Resolve `?company=&contact=&deal=&lead=` into records the actor may see (else 404)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from greenwave.accounts.models import User
from greenwave.crm import selectors as crm_selectors
from greenwave.sales import selectors as sales_selectors

GETTERS: dict[str, Any] = {
    "company": crm_selectors.company_get,
    "contact": crm_selectors.contact_get,
    "deal": sales_selectors.deal_get,
    "lead": sales_selectors.lead_get,
}


def links_from_params(actor: User, params: Mapping[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {}
    for name, getter in GETTERS.items():
        value = str(params.get(name) or "")
        if value.isdigit():
            links[name] = getter(actor=actor, pk=int(value))
    return links
