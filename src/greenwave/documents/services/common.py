"""Shared by the documents writers: who keeps the papers, gap-free numbering."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import CoreError, DomainError

from ..models import (
    DocumentNumberSequence,
    LegalEntity,
    NumberedKind,
)

CENTS = Decimal("0.01")
# Who keeps our requisites and the invoices of every deal they can read.
FINANCE_ROLES = (RoleCode.FINANCE, RoleCode.ACCOUNTANT, RoleCode.ADMIN)
# Besides the deal's own people: finance and accounting issue and cancel invoices of any deal
# they can read (their job), heads within their reach through the ordinary write rule.
INVOICE_KEEPERS = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)
DEFAULT_PAYMENT_DAYS = 5


def _is_finance(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*FINANCE_ROLES)


# --- numbering ----------------------------------------------------------------------------


@transaction.atomic
def document_number_next(*, legal_entity: LegalEntity, kind: str, year: int) -> int:
    """The next number of a kind of document of a legal entity in a year: no gaps, no
    duplicates. The sequence row is locked until the caller's transaction ends, so the number
    is given back if the record taking it is rolled back, and two writers queue up."""
    if kind not in NumberedKind.values:
        raise DomainError(CoreError.VALIDATION, _("Unknown kind of document."))
    # Create the row if it is missing without a race: a concurrent insert waits on the unique
    # index and then does nothing.
    DocumentNumberSequence.objects.bulk_create(
        [DocumentNumberSequence(legal_entity=legal_entity, kind=kind, year=year)],
        ignore_conflicts=True,
    )
    row = DocumentNumberSequence.objects.select_for_update().get(
        legal_entity=legal_entity, kind=kind, year=year
    )
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number
