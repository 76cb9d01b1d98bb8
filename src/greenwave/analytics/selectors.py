"""Readers of what analytics stores: saved segments and cost prices (scoped like deals)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import not_found
from greenwave.core.selectors import row_get, row_visible

from .models import NpsSurvey, ProductCost, SavedSegment


def segment_list(*, actor: User) -> QuerySet[SavedSegment]:
    return scope_records(SavedSegment.objects.all(), actor=actor).select_related("responsible")


def segment_get(*, actor: User, pk: int) -> SavedSegment:
    return row_get(segment_list(actor=actor), pk, _("Segment not found."))


def segment_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, segment_list, actor)


def product_cost_visible(actor: User, case_id: str) -> bool:
    """Cost prices are the department's, like the catalogue: every signed-in user reads them."""
    return case_id.isdigit() and ProductCost.objects.filter(pk=int(case_id)).exists()


def nps_list(*, actor: User) -> QuerySet[NpsSurvey]:
    return scope_records(NpsSurvey.objects.all(), actor=actor).select_related(
        "deal", "company", "contact", "responsible"
    )


def nps_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, nps_list, actor)


def nps_by_token(token: str) -> NpsSurvey:
    """The survey behind a public link (no actor: the link is the permission)."""
    survey = (
        NpsSurvey.objects.select_related("company").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if survey is None:
        raise not_found(_("This survey link is not valid."))
    return survey
