"""Writers of the analytics app: save a segment, set a product's cost price, NPS surveys
(created by a manager, answered, and the links sent automatically after a win or a claim)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import require_write
from greenwave.core.errors import DomainError, permission_denied
from greenwave.core.jobs import claim_each
from greenwave.core.models import Event
from greenwave.core.record_change import record_change, record_insert
from greenwave.core.services import ObjectRef, event_append_for, ref
from greenwave.crm.models import Contact, Product
from greenwave.orders import events as orders_events
from greenwave.orders.models import Claim, ClaimStatus
from greenwave.sales import events as sales_events
from greenwave.sales.models import Deal, DealStatus
from greenwave.sales.selectors import deal_get

from . import events
from .errors import AnalyticsError
from .inputs import invalid
from .models import NpsChannel, NpsSurvey, ProductCost, RollupCursor, SavedSegment
from .nps import kind_of
from .segments import KINDS, SegmentParams, matches, segment_clients
from .selectors import nps_by_token

logger = logging.getLogger(__name__)

COST_ROLES = (RoleCode.HEAD_OF_SALES, RoleCode.FINANCE, RoleCode.ADMIN)


@transaction.atomic
def segment_save(
    *, actor: User, name: str, kind: str, classes: list[str], params: SegmentParams
) -> SavedSegment:
    """Freeze the visible clients of the chosen classes into a named list."""
    name = name.strip()
    if not name:
        raise invalid("name", _("Give the segment a name."))
    if kind not in KINDS:
        raise invalid("kind", _("The kind must be abc, xyz or rfm."))
    members = [
        c.company_id
        for c in segment_clients(actor=actor, params=params)
        if matches(c, kind, classes)
    ]
    if not members:
        raise DomainError(
            AnalyticsError.EMPTY_SEGMENT, _("No client falls into the chosen classes.")
        )
    segment = SavedSegment(
        name=name[:200],
        kind=kind,
        rule={"kind": kind, "classes": classes, **params.rule()},
        company_ids=members,
        responsible=actor,
        team=actor.team,
    )
    record_insert(
        segment,
        activity=events.SEGMENT_SAVED,
        actor=actor,
        payload={"name": segment.name, "kind": kind, "classes": classes, "size": len(members)},
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
        raise invalid("cost", _("The cost price cannot be negative."))
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
        raise invalid("deal_id", _("NPS is asked after a won deal."))
    contact = None
    if contact_id is not None:
        contacts = Contact.objects.filter(pk=contact_id)
        mine = contacts.filter(Q(deals=deal) | Q(company_id=deal.company_id, company__isnull=False))
        contact = mine.first()
        if contact is None:
            raise invalid("contact_id", _("The contact is not one of the deal's client."))
    return deal, contact


def _nps_score(score: Any) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise invalid("score", _("The score is a whole number from 0 to 10."))
    return int(score)


@transaction.atomic
def nps_survey_create(*, actor: User, deal_id: int, contact_id: int | None = None) -> NpsSurvey:
    """A survey link for a client contact after a won deal (answered once, no sign-in)."""
    deal, contact = _nps_target(actor, deal_id, contact_id)
    return _nps_survey_add(
        actor,
        deal,
        contact,
        activity=events.NPS_SURVEY_CREATED,
        payload={"deal_id": deal.pk, "contact_id": contact.pk if contact else None},
        channel=NpsChannel.LINK,
    )


def _nps_survey_add(
    actor: User,
    deal: Deal,
    contact: Contact | None,
    *,
    activity: str,
    payload: dict[str, Any],
    **survey_fields: Any,
) -> NpsSurvey:
    """A new survey about the deal the actor may change, scoped like it, and its event."""
    require_write(actor, deal)
    return _nps_survey_new(
        deal, contact, deal, activity=activity, actor=actor, payload=payload, **survey_fields
    )


def _nps_survey_new(
    deal: Deal,
    contact: Contact | None,
    owner: Deal | Claim,
    *,
    activity: str,
    actor: User | None,
    payload: dict[str, Any],
    objects: Sequence[ObjectRef] = (),
    **survey_fields: Any,
) -> NpsSurvey:
    """A new survey about the deal, owned like `owner` (the deal, or the claim it follows), and
    its first event, linked to the deal (and `objects`)."""
    survey = NpsSurvey(
        token=secrets.token_urlsafe(24),
        deal=deal,
        company_id=deal.company_id,
        contact=contact,
        responsible_id=owner.responsible_id,
        team_id=owner.team_id,
        **survey_fields,
    )
    return record_insert(
        survey,
        activity=activity,
        actor=actor,
        payload=payload,
        objects=[ref(deal, "deal"), *objects],
    )


@transaction.atomic
def nps_answer(*, token: str, score: Any, comment: str = "") -> NpsSurvey:
    """The client's answer through the public link: one answer per link."""
    survey = NpsSurvey.objects.select_for_update().filter(pk=nps_by_token(token).pk).get()
    if survey.answered_at is not None:
        raise DomainError(AnalyticsError.NPS_ANSWERED, _("This survey has already been answered."))
    value = _nps_score(score)
    return record_change(
        survey,
        {"score": value, "comment": comment.strip()[:4000], "answered_at": timezone.now()},
        activity=events.NPS_ANSWERED,
        actor=None,
        payload={"score": value, "kind": kind_of(value)},
    )


@transaction.atomic
def nps_record(
    *, actor: User, deal_id: int, score: Any, contact_id: int | None = None, comment: str = ""
) -> NpsSurvey:
    """An answer the manager got by phone or at a meeting, recorded by them."""
    value = _nps_score(score)
    deal, contact = _nps_target(actor, deal_id, contact_id)
    return _nps_survey_add(
        actor,
        deal,
        contact,
        activity=events.NPS_RECORDED,
        payload={"deal_id": deal.pk, "score": value, "kind": kind_of(value)},
        channel=NpsChannel.RECORDED,
        score=value,
        comment=comment.strip()[:4000],
        answered_at=timezone.now(),
    )


# --- NPS links sent automatically (seed 000: after a won deal or a closed claim) -------------

NPS_CURSOR = "nps"  # a `RollupCursor`: how far the job has read the event log
NPS_START = "nps_start"  # where the log ended when the job first ran (nothing before it)
NPS_LOOKBACK = 200  # ids re-read before the cursor (transactions that committed late)
NPS_BATCH = 2000
NPS_SEND_BATCH = 200
NPS_TRIGGERS = {"deal": sales_events.DEAL_WON, "claim": orders_events.CLAIM_CLOSED}


def _first_email(contact: Contact) -> str:
    for value in contact.emails or []:
        if isinstance(value, str) and "@" in value.strip():
            return value.strip()
    return ""


def _nps_recipients(deal: Deal) -> list[tuple[Contact, str]]:
    """The deal's contacts (else its client's) with an e-mail who did not unsubscribe from
    mailings: whom an automatic survey link goes to."""
    contacts = Contact.objects.filter(deals=deal)
    if not contacts.exists() and deal.company_id:
        contacts = Contact.objects.filter(company_id=deal.company_id)
    contacts = contacts.filter(is_deleted=False, outreach_unsubscription__isnull=True)
    contacts = contacts.order_by("pk")
    return [(c, email) for c in contacts if (email := _first_email(c))]


def _nps_links_for(case_type: str, case_id: int) -> int:
    """One survey link per contact for a won deal or a closed claim (none twice)."""
    claim: Claim | None = None
    if case_type == "claim":
        claim = (
            Claim.objects.select_related("order__deal")
            .filter(pk=case_id, status=ClaimStatus.CLOSED)
            .first()
        )
        deal = claim.order.deal if claim is not None else None
    else:
        deal = Deal.objects.filter(pk=case_id, status=DealStatus.WON).first()
    if deal is None:
        return 0
    owner = claim if claim is not None else deal
    created = 0
    for contact, email in _nps_recipients(deal):
        occurrence = f"{case_type}:{case_id}:{contact.pk}"
        if NpsSurvey.objects.filter(occurrence=occurrence).exists():
            continue
        _nps_survey_new(
            deal,
            contact,
            owner,
            activity=events.NPS_SURVEY_CREATED,
            actor=None,
            payload={
                "deal_id": deal.pk,
                "claim_id": claim.pk if claim is not None else None,
                "contact_id": contact.pk,
                "automatic": True,
            },
            objects=[ref(claim, "claim")] if claim else [],
            channel=NpsChannel.LINK,
            claim=claim,
            email=email,
            occurrence=occurrence,
        )
        created += 1
    return created


@transaction.atomic
def nps_links_create_due() -> int:
    """Read the won deals and closed claims logged since the cursor and create their links.

    The first run only notes where the log ends: links go out for what happens from then on,
    never for a history (an install with years of won deals does not mail them all)."""
    cursor, fresh = RollupCursor.objects.get_or_create(name=NPS_CURSOR)
    cursor = RollupCursor.objects.select_for_update().get(pk=cursor.pk)
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    if fresh:  # the mark is kept apart: the lookback never reads before it
        RollupCursor.objects.update_or_create(name=NPS_START, defaults={"last_event_id": newest})
        cursor.last_event_id = newest
        cursor.save(update_fields=["last_event_id", "updated_at"])
        return 0
    start = RollupCursor.objects.filter(name=NPS_START).values_list("last_event_id", flat=True)
    floor = max(0, cursor.last_event_id - NPS_LOOKBACK, *start)
    wanted = Q()
    for case_type, activity in NPS_TRIGGERS.items():
        wanted |= Q(case_type=case_type, activity=activity)
    found = list(
        Event.objects.filter(wanted, pk__gt=floor)
        .order_by("pk")
        .values_list("pk", "case_type", "case_id")[:NPS_BATCH]
    )
    created, last = 0, cursor.last_event_id
    for event_id, case_type, case_id in found:
        last = max(last, event_id)
        if case_id.isdigit():
            created += _nps_links_for(case_type, int(case_id))
    if len(found) < NPS_BATCH:
        last = max(last, newest)
    if last > cursor.last_event_id:
        cursor.last_event_id = last
        cursor.save(update_fields=["last_event_id", "updated_at"])
    return created


def _nps_letter(survey: NpsSurvey) -> tuple[str, str]:
    link = str(settings.GREENWAVE_BASE_URL).rstrip("/") + reverse(
        "analytics:nps_answer", args=[survey.token]
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("How likely are you to recommend us?")
        body = _(
            "Hello, %(name)s!\n\nOn a scale from 0 to 10, how likely are you to recommend us "
            "to your friends and colleagues? One click on the page answers:\n%(link)s\n\n"
            "Thank you."
        ) % {"name": str(survey.contact) if survey.contact else "", "link": link}
    return subject, body


def nps_links_send_due() -> int:
    """Mail the automatic links not sent yet (a failed send is tried again next run)."""
    pending = NpsSurvey.objects.filter(
        occurrence__isnull=False, sent_at__isnull=True, answered_at__isnull=True
    ).exclude(email="")
    unsent = NpsSurvey.objects.select_related("contact").filter(sent_at__isnull=True)
    return claim_each(pending.order_by("pk"), NPS_SEND_BATCH, unsent, _nps_link_send)


def _nps_link_send(survey: NpsSurvey) -> bool:
    subject, body = _nps_letter(survey)
    try:
        send_mail(subject, body, None, [survey.email])
    except Exception:  # the mail server is down: keep it for the next run
        logger.warning("NPS survey %s: sending to its contact failed", survey.pk, exc_info=True)
        return False
    record_change(
        survey,
        {"sent_at": timezone.now()},
        activity=events.NPS_SURVEY_SENT,
        actor=None,
        payload={"to": survey.email},
    )
    return True


def nps_links_job() -> int:
    """The periodic job: create the due links, then mail them."""
    return nps_links_create_due() + nps_links_send_due()
