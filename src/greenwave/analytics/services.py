"""Writers of the analytics app: save a segment, set a product's cost price."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import require_write
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.services import event_append_for, ref
from greenwave.crm.models import Contact, Product
from greenwave.sales.models import Deal, DealStatus
from greenwave.sales.selectors import deal_get

from . import events
from .errors import AnalyticsError
from .models import NpsChannel, NpsSurvey, ProductCost, SavedSegment
from .nps import kind_of
from .segments import KINDS, SegmentParams, matches, segment_clients
from .selectors import nps_by_token

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


# --- NPS --------------------------------------------------------------------------------------


def _nps_target(actor: User, deal_id: int, contact_id: int | None) -> tuple[Deal, Contact | None]:
    """The visible won deal and, when given, one of its client's contacts."""
    deal = deal_get(actor=actor, pk=deal_id, lookups=False)
    if deal.status != DealStatus.WON:
        raise _invalid("deal_id", _("NPS is asked after a won deal."))
    contact = None
    if contact_id is not None:
        contacts = Contact.objects.filter(pk=contact_id)
        mine = contacts.filter(Q(deals=deal) | Q(company_id=deal.company_id, company__isnull=False))
        contact = mine.first()
        if contact is None:
            raise _invalid("contact_id", _("The contact is not one of the deal's client."))
    return deal, contact


def _nps_score(score: Any) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise _invalid("score", _("The score is a whole number from 0 to 10."))
    return int(score)


@transaction.atomic
def nps_survey_create(*, actor: User, deal_id: int, contact_id: int | None = None) -> NpsSurvey:
    """A survey link for a client contact after a won deal (answered once, no sign-in)."""
    deal, contact = _nps_target(actor, deal_id, contact_id)
    require_write(actor, deal)
    survey = NpsSurvey.objects.create(
        token=secrets.token_urlsafe(24),
        channel=NpsChannel.LINK,
        deal=deal,
        company_id=deal.company_id,
        contact=contact,
        responsible_id=deal.responsible_id,
        team_id=deal.team_id,
    )
    event_append_for(
        survey,
        activity=events.NPS_SURVEY_CREATED,
        actor=actor,
        payload={"deal_id": deal.pk, "contact_id": contact.pk if contact else None},
        objects=[ref(deal, "deal")],
        new_case=True,
    )
    return survey


@transaction.atomic
def nps_answer(*, token: str, score: Any, comment: str = "") -> NpsSurvey:
    """The client's answer through the public link: one answer per link."""
    survey = NpsSurvey.objects.select_for_update().filter(pk=nps_by_token(token).pk).get()
    if survey.answered_at is not None:
        raise DomainError(AnalyticsError.NPS_ANSWERED, _("This survey has already been answered."))
    survey.score = _nps_score(score)
    survey.comment = comment.strip()[:4000]
    survey.answered_at = timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at", "updated_at"])
    event_append_for(
        survey,
        activity=events.NPS_ANSWERED,
        actor=None,
        payload={"score": survey.score, "kind": kind_of(survey.score)},
    )
    return survey


@transaction.atomic
def nps_record(
    *, actor: User, deal_id: int, score: Any, contact_id: int | None = None, comment: str = ""
) -> NpsSurvey:
    """An answer the manager got by phone or at a meeting, recorded by them."""
    value = _nps_score(score)
    deal, contact = _nps_target(actor, deal_id, contact_id)
    require_write(actor, deal)
    survey = NpsSurvey.objects.create(
        token=secrets.token_urlsafe(24),
        channel=NpsChannel.RECORDED,
        deal=deal,
        company_id=deal.company_id,
        contact=contact,
        score=value,
        comment=comment.strip()[:4000],
        answered_at=timezone.now(),
        responsible_id=deal.responsible_id,
        team_id=deal.team_id,
    )
    event_append_for(
        survey,
        activity=events.NPS_RECORDED,
        actor=actor,
        payload={"deal_id": deal.pk, "score": value, "kind": kind_of(value)},
        objects=[ref(deal, "deal")],
        new_case=True,
    )
    return survey
