"""The home page card of receivables for the director, a head of sales and finance: what
clients owe on the invoices the reader sees, what of it is overdue, and the largest debtors.
Shown only when something is owed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from greenwave.accounts.models import RoleCode, User

from . import selectors

READERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN, RoleCode.FINANCE, RoleCode.ACCOUNTANT)
TOP = 3


def home_receivables(actor: User) -> dict[str, Any] | None:
    if not actor.has_role(*READERS):
        return None
    rows, total = selectors.receivables(actor=actor, group_by="client")
    if not total.invoices:
        return None
    not_due = total.buckets.get("not_due", 0)
    return {
        "total": total,
        "overdue": total.total - not_due,
        "top": rows[:TOP],
        "today": timezone.localdate(),
    }
