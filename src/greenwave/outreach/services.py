"""Writers of the outreach app: segments, campaigns, sending by the worker, triggers,
unsubscribes, bounces, opens and clicks. Every change appends an event.

Sending, and why nobody gets a message twice
--------------------------------------------
Each recipient has one `Delivery` row (unique per campaign, contact and occurrence). One
process sends at a time (the run lock `outreach_send`, which dies with its process), and for
each row it

1. claims it: `pending → sending`, committed in its own transaction;
2. hands the message to the SMTP server;
3. records the answer: `sent` or `failed`, committed in its own transaction.

A worker killed between 1 and 3 leaves the row `sending`. The server may or may not have the
message — there is no way to know — so the next sender (which holds the run lock, so nobody
else is sending) marks such rows `interrupted` and never sends them again: at most once,
at the cost of at most one uncertain message per crash, which the statistics show. The same
holds for a connection that breaks in the middle of a message; a definite refusal of the
server (recipient, sender or data refused) is `failed`. A row is claimed only after the
connection to the server is open, so a server that is down claims nothing.

The rate limit (`OUTREACH_RATE_PER_MINUTE`) counts the rows claimed in the last minute; a run
sends at most `OUTREACH_BATCH_SIZE` and returns, and the periodic job comes back for the rest.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any, TypedDict, Unpack

import holidays
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import SALES_ROLES, RoleCode, User
from greenwave.accounts.scoping import require_write
from greenwave.core import runlock
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.models import Event
from greenwave.core.record_change import record_change, record_insert
from greenwave.core.services import ObjectRef, event_append, event_append_for, ref
from greenwave.core.values import EMPTY
from greenwave.crm.models import Contact, ProductGroup
from greenwave.crm.selectors import contact_list
from greenwave.sales.models import Deal, Stage

from . import events, messages, selectors, templating
from .errors import OutreachError
from .models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    Delivery,
    DeliveryStatus,
    Segment,
    TriggerCursor,
    Unsubscription,
)
from .segments import SegmentFilters, parse_filters

logger = logging.getLogger(__name__)

OUTREACH_ROLES = (*SALES_ROLES, RoleCode.ADMIN)
SEND_LOCK = "outreach_send"
STAGE_CURSOR = "deal_stage"
# Event ids are taken before their transaction commits, so a late commit can land below the
# cursor; the trigger reads this far back again (deliveries are unique, so nothing doubles).
STAGE_LOOKBACK = 500
STAGE_ACTIVITIES = ("deal_created", "deal_stage_changed")
SMTP_REFUSALS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def require_outreach_role(actor: User | None) -> None:
    if actor is None or actor.is_greenwave_admin or actor.has_role(*OUTREACH_ROLES):
        return
    raise permission_denied(_("Mailings are made by sales managers, heads and administrators."))


def _name(value: str, field: str = "name") -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(
            CoreError.VALIDATION,
            _("Give it a name."),
            details={"fields": {field: _("This field is required.")}},
        )
    if len(value) > 200:
        raise DomainError(
            CoreError.VALIDATION,
            _("The name is too long (200 characters at most)."),
            details={"fields": {field: _("At most 200 characters.")}},
        )
    return value


def _lines(text: str | None) -> str:
    """Line ends as LF alone: a browser sends a textarea's lines ended by CR LF, and saving a
    form untouched must not change the text."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _check_filter_references(filters: SegmentFilters, actor: User | None = None) -> None:
    fields: dict[str, str] = {}
    if filters.deal_stage_ids:
        known = set(
            Stage.objects.filter(pk__in=filters.deal_stage_ids).values_list("pk", flat=True)
        )
        missing = sorted(set(filters.deal_stage_ids) - known)
        if missing:
            fields["filters.deal_stage_ids"] = _("Unknown stages: %(ids)s.") % {
                "ids": ", ".join(map(str, missing))
            }
    if filters.product_group_ids:
        known = set(
            ProductGroup.objects.filter(pk__in=filters.product_group_ids).values_list(
                "pk", flat=True
            )
        )
        missing = sorted(set(filters.product_group_ids) - known)
        if missing:
            fields["filters.product_group_ids"] = _("Unknown product groups: %(ids)s.") % {
                "ids": ", ".join(map(str, missing))
            }
    if filters.analytics_segment_ids and actor is not None:
        readable = set(
            selectors.analytics_segment_choices(actor=actor)
            .filter(pk__in=filters.analytics_segment_ids)
            .values_list("pk", flat=True)
        )
        missing = sorted(set(filters.analytics_segment_ids) - readable)
        if missing:
            fields["filters.analytics_segment_ids"] = _(
                "Unknown saved analytics segments: %(ids)s."
            ) % {"ids": ", ".join(map(str, missing))}
    if fields:
        raise DomainError(
            OutreachError.INVALID_FILTERS,
            _("The segment filters are invalid: %(names)s.") % {"names": ", ".join(fields)},
            details={"fields": fields},
        )


def validate_filters(raw: Any, actor: User | None = None) -> SegmentFilters:
    """Parse the filters and check what they name exists (saved analytics segments: among
    those the actor reads)."""
    filters = parse_filters(raw)
    _check_filter_references(filters, actor)
    return filters


# --- segments -----------------------------------------------------------------------------


def _segment_fields(*, actor: User, name: str, filters: Any, description: str) -> dict[str, Any]:
    """What the segment form sets, cleaned: the name, the description and the checked filters
    (with the consent-only flag always written out) — the same for a new and a changed one."""
    parsed = validate_filters(filters, actor)
    return {
        "name": _name(name),
        "description": _lines(description).strip()[:2000],
        "filters": parsed.model_dump(exclude_defaults=True) | {"consent_only": parsed.consent_only},
    }


@transaction.atomic
def segment_create(*, actor: User, name: str, filters: Any, description: str = "") -> Segment:
    require_outreach_role(actor)
    fields = _segment_fields(actor=actor, name=name, filters=filters, description=description)
    segment = Segment(**fields, responsible=actor, team=actor.team)
    return record_insert(
        segment,
        activity=events.SEGMENT_CREATED,
        actor=actor,
        payload={"name": segment.name, "filters": segment.filters},
    )


@transaction.atomic
def segment_update(
    *, actor: User, segment: Segment, name: str, filters: Any, description: str = ""
) -> Segment:
    require_outreach_role(actor)
    require_write(actor, segment)
    fields = _segment_fields(actor=actor, name=name, filters=filters, description=description)
    for field, value in fields.items():
        setattr(segment, field, value)
    segment.save()
    event_append_for(
        segment,
        activity=events.SEGMENT_CHANGED,
        actor=actor,
        payload={"name": segment.name, "filters": segment.filters},
    )
    return segment


# --- campaigns ----------------------------------------------------------------------------


def _check_campaign(
    *, kind: str, segment: Segment | None, subject: str, body: str, trigger_stage: Stage | None
) -> tuple[str, str]:
    if kind not in CampaignKind.values:
        raise DomainError(
            CoreError.VALIDATION,
            _("Unknown kind of campaign."),
            details={"fields": {"kind": ", ".join(CampaignKind.values)}},
        )
    subject = (subject or "").strip()
    if not subject or len(subject) > 300:
        raise DomainError(
            CoreError.VALIDATION,
            _("Write a subject of at most 300 characters."),
            details={"fields": {"subject": _("Required, 300 characters at most.")}},
        )
    body = _lines(body)
    if not body.strip():
        raise DomainError(
            CoreError.VALIDATION,
            _("Write the text of the letter."),
            details={"fields": {"body": _("This field is required.")}},
        )
    if len(body) > 100_000:
        raise DomainError(
            CoreError.VALIDATION,
            _("The text is too long."),
            details={"fields": {"body": _("At most 100 000 characters.")}},
        )
    templating.compile_template(subject, field="subject")
    templating.compile_template(body, field="body")
    if kind in (CampaignKind.ONE_OFF, CampaignKind.BIRTHDAY, CampaignKind.HOLIDAY) and not segment:
        raise DomainError(
            CoreError.VALIDATION,
            _("Choose the segment to send to."),
            details={"fields": {"segment_id": _("This field is required.")}},
        )
    if kind == CampaignKind.STAGE and trigger_stage is None:
        raise DomainError(
            CoreError.VALIDATION,
            _("Choose the stage whose entry sends the message."),
            details={"fields": {"trigger_stage_id": _("This field is required.")}},
        )
    return subject, body


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    name: str,
    subject: str,
    body: str,
    segment: Segment | None = None,
    kind: str = CampaignKind.ONE_OFF,
    track_opens: bool = True,
    trigger_stage: Stage | None = None,
) -> Campaign:
    """A draft campaign. The segment must be one the actor reads (the caller got it from
    `segment_get`)."""
    require_outreach_role(actor)
    subject, body = _check_campaign(
        kind=kind, segment=segment, subject=subject, body=body, trigger_stage=trigger_stage
    )
    campaign = Campaign(
        name=_name(name),
        kind=kind,
        segment=segment,
        subject=subject,
        body=body,
        track_opens=track_opens,
        trigger_stage=trigger_stage if kind == CampaignKind.STAGE else None,
        responsible=actor,
        team=actor.team,
    )
    return record_insert(
        campaign,
        activity=events.CAMPAIGN_CREATED,
        actor=actor,
        payload={"name": campaign.name, "kind": kind, "segment": segment.pk if segment else None},
        objects=[ref(segment, "segment")] if segment else [],
    )


@transaction.atomic
def campaign_update(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    subject: str,
    body: str,
    segment: Segment | None,
    track_opens: bool,
    trigger_stage: Stage | None = None,
) -> Campaign:
    require_outreach_role(actor)
    require_write(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.PAUSED):
        raise DomainError(
            OutreachError.WRONG_STATE,
            _("Only a draft or a paused trigger can be edited."),
            status=409,
        )
    subject, body = _check_campaign(
        kind=campaign.kind, segment=segment, subject=subject, body=body, trigger_stage=trigger_stage
    )
    campaign.name, campaign.subject, campaign.body = _name(name), subject, body
    campaign.segment, campaign.track_opens = segment, track_opens
    if campaign.kind == CampaignKind.STAGE:
        campaign.trigger_stage = trigger_stage
    campaign.save()
    event_append_for(
        campaign, activity=events.CAMPAIGN_CHANGED, actor=actor, payload={"name": campaign.name}
    )
    return campaign


def _recipients(campaign: Campaign, actor: User, filters: SegmentFilters | None = None) -> Any:
    base = (
        selectors.segment_contacts(actor=actor, filters=filters or campaign.segment.filters)  # type: ignore[union-attr]
        if campaign.segment_id or filters
        else contact_list(actor=actor)
    )
    return selectors.mailable(base)


def _no_recipients(campaign: Campaign, actor: User) -> DomainError:
    matched = (
        selectors.segment_contacts(actor=actor, filters=campaign.segment.filters).count()  # type: ignore[union-attr]
        if campaign.segment_id
        else 0
    )
    if matched:
        message = _(
            "The segment matches %(n)d contacts, but none of them may receive mail: no consent "
            "to mailings, no e-mail or unsubscribed."
        ) % {"n": matched}
    else:
        message = _("The segment matches nobody: change its filters before sending.")
    return DomainError(
        OutreachError.NO_RECIPIENTS, message, details={"matched": matched, "mailable": 0}
    )


def _add_deliveries(
    campaign: Campaign,
    contacts: Iterable[Contact],
    *,
    occurrence: str = "",
    context: dict[str, Any] | None = None,
) -> int:
    """One pending delivery per contact with an e-mail; an existing one (same occurrence) is
    left alone, so a trigger run twice adds nobody twice."""
    rows = [
        Delivery(
            campaign=campaign,
            contact=contact,
            occurrence=occurrence,
            email=str(contact.emails[0]).strip().lower(),
            context=context or {},
        )
        for contact in contacts
        if contact.emails
    ]
    if not rows:
        return 0
    before = Delivery.objects.filter(campaign=campaign, occurrence=occurrence).count()
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Delivery.objects.filter(campaign=campaign, occurrence=occurrence).count() - before


def _start_sending(campaign: Campaign, actor: User) -> int:
    """Fix the recipients of a one-off campaign and mark it sending."""
    added = _add_deliveries(
        campaign, _recipients(campaign, actor).select_related(None).only("pk", "emails")
    )
    record_change(
        campaign,
        {"status": CampaignStatus.SENDING, "started_at": timezone.now()},
        activity=events.CAMPAIGN_SENDING_STARTED,
        actor=actor,
        payload={"recipients": added},
    )
    return added


@transaction.atomic
def campaign_send(
    *, actor: User, campaign: Campaign, scheduled_at: datetime | None = None
) -> Campaign:
    """Send a one-off campaign now or at `scheduled_at`, or switch a trigger on. The worker
    does the sending (`deliveries_send_due`)."""
    require_outreach_role(actor)
    require_write(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_trigger:
        return _campaign_activate(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise DomainError(
            OutreachError.WRONG_STATE,
            _("This campaign has been sent or scheduled already."),
            status=409,
        )
    if not _recipients(campaign, actor).exists():
        raise _no_recipients(campaign, actor)
    campaign.sent_by = actor
    if scheduled_at is not None and scheduled_at > timezone.now():
        record_change(
            campaign,
            {"status": CampaignStatus.SCHEDULED, "scheduled_at": scheduled_at, "sent_by": actor},
            activity=events.CAMPAIGN_SCHEDULED,
            actor=actor,
            payload={"scheduled_at": scheduled_at.isoformat()},
        )
        return campaign
    campaign.save(update_fields=["sent_by", "updated_at"])
    _start_sending(campaign, actor)
    transaction.on_commit(_enqueue_sending, robust=True)
    return campaign


def _enqueue_sending() -> None:
    from .tasks import send_due

    send_due.enqueue()


def _campaign_activate(actor: User, campaign: Campaign) -> Campaign:
    if campaign.status == CampaignStatus.ACTIVE:
        raise DomainError(OutreachError.WRONG_STATE, _("The trigger is on already."), status=409)
    campaign.status = CampaignStatus.ACTIVE
    campaign.sent_by = actor
    campaign.started_at = campaign.started_at or timezone.now()
    campaign.save(update_fields=["status", "sent_by", "started_at", "updated_at"])
    if campaign.kind == CampaignKind.STAGE:
        _stage_cursor()
    event_append_for(campaign, activity=events.CAMPAIGN_ACTIVATED, actor=actor, payload={})
    return campaign


@transaction.atomic
def campaign_pause(*, actor: User, campaign: Campaign) -> Campaign:
    require_outreach_role(actor)
    require_write(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.ACTIVE:
        raise DomainError(OutreachError.WRONG_STATE, _("The trigger is not on."), status=409)
    record_change(
        campaign, {"status": CampaignStatus.PAUSED}, activity=events.CAMPAIGN_PAUSED, actor=actor
    )
    return campaign


# --- sending (the worker) -------------------------------------------------------------------


def _delivery_event(
    delivery: Delivery, activity: str, payload: dict[str, Any] | None = None
) -> None:
    event_append(
        case_type=Campaign.EVENT_CASE_TYPE,
        case_id=delivery.campaign_id,
        activity=activity,
        actor=None,
        payload={"delivery": delivery.pk, "email": delivery.email, **(payload or {})},
        objects=[
            ObjectRef("contact", str(delivery.contact_id), "recipient"),
            ObjectRef(Delivery.EVENT_CASE_TYPE, str(delivery.pk), "delivery"),
        ],
    )


class DeliveryOutcome(TypedDict, total=False):
    """What the sender records on a delivery beside its status."""

    error: str
    sent_at: datetime
    message_id: str


@transaction.atomic
def _mark(
    delivery: Delivery, status: str, activity: str, **fields: Unpack[DeliveryOutcome]
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
    error = fields.get("error")
    _delivery_event(delivery, activity, {"error": error} if error else None)


def _interrupt_orphans() -> int:
    """Rows a dead sender left `sending`: recorded as interrupted, never sent again."""
    orphans = list(Delivery.objects.filter(status=DeliveryStatus.SENDING))
    for delivery in orphans:
        _mark(
            delivery,
            DeliveryStatus.INTERRUPTED,
            events.MAIL_INTERRUPTED,
            error=_("The sender stopped while sending; not sent again to avoid a duplicate."),
        )
    return len(orphans)


def _start_due_campaigns(now: datetime) -> int:
    started = 0
    for campaign_id in Campaign.objects.filter(
        status=CampaignStatus.SCHEDULED, scheduled_at__lte=now
    ).values_list("pk", flat=True):
        with transaction.atomic():
            campaign = (
                Campaign.objects.select_for_update(of=("self",))
                .select_related("segment", "sent_by", "responsible")
                .get(pk=campaign_id)
            )
            if campaign.status != CampaignStatus.SCHEDULED:
                continue
            _start_sending(campaign, campaign.sent_by or campaign.responsible)
            started += 1
    return started


def _claim_next() -> Delivery | None:
    """Claim the next pending delivery, committed before the SMTP call (step 1)."""
    with transaction.atomic():
        pk = (
            Delivery.objects.filter(
                status=DeliveryStatus.PENDING,
                campaign__status__in=[CampaignStatus.SENDING, CampaignStatus.ACTIVE],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if pk is None:
            return None
        claimed = Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING, claimed_at=timezone.now()
        )
        if not claimed:
            return None
    return (
        Delivery.objects.select_related(
            "campaign", "contact", "contact__company", "contact__responsible"
        )
        .filter(pk=pk)
        .first()
    )


def _may_receive(contact: Contact) -> bool:
    return (
        contact.mailing_consent
        and not contact.is_deleted
        and not Unsubscription.objects.filter(contact_id=contact.pk).exists()
    )


def _deliver(delivery: Delivery, connection: Any) -> bool:
    """Send one claimed delivery and record the answer (steps 2 and 3). False when the
    connection broke and the run should stop."""
    if not _may_receive(delivery.contact):
        _mark(
            delivery,
            DeliveryStatus.SKIPPED,
            events.MAIL_SKIPPED,
            error=_("No consent to mailings any more, or unsubscribed."),
        )
        return True
    try:
        email = messages.build_email(delivery.campaign, delivery, connection)
    except DomainError as exc:  # a template broken since (cannot happen for a checked one)
        _mark(delivery, DeliveryStatus.FAILED, events.MAIL_FAILED, error=exc.message[:500])
        return True
    try:
        email.send()
    except SMTP_REFUSALS as exc:
        _mark(delivery, DeliveryStatus.FAILED, events.MAIL_FAILED, error=str(exc)[:500])
        return True
    except (smtplib.SMTPException, OSError) as exc:
        # The connection broke mid-message: whether the server kept it is unknown.
        _mark(delivery, DeliveryStatus.INTERRUPTED, events.MAIL_INTERRUPTED, error=str(exc)[:500])
        return False
    _mark(
        delivery,
        DeliveryStatus.SENT,
        events.MAIL_SENT,
        sent_at=timezone.now(),
        message_id=messages.message_id(delivery),
        error="",
    )
    return True


def _finish_campaigns() -> None:
    busy = Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING],
        campaign__status=CampaignStatus.SENDING,
    )
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENDING).exclude(
        pk__in=busy.values("campaign_id")
    ):
        with transaction.atomic():
            record_change(
                campaign,
                {"status": CampaignStatus.SENT, "finished_at": timezone.now()},
                activity=events.CAMPAIGN_SENT,
                actor=None,
                payload=selectors.campaign_stats(campaign=campaign).as_dict(),
            )


def deliveries_send_due(
    *, connection: Any = None, now: datetime | None = None, rate_limit: bool = True
) -> int:
    """The periodic job (and the task a "send now" queues): start due scheduled campaigns and
    send pending deliveries within the rate limit. Returns how many it handled.
    `rate_limit=False` is for the demo seeder, which sends to the in-memory backend."""
    lock = runlock.acquire(SEND_LOCK, 0)
    if lock is None:  # another worker is sending
        return 0
    opened_here = False
    handled = 0
    try:
        now = now or timezone.now()
        handled += _interrupt_orphans()
        _start_due_campaigns(now)
        recent = Delivery.objects.filter(claimed_at__gte=now - timedelta(minutes=1)).count()
        budget = int(settings.OUTREACH_BATCH_SIZE)
        if rate_limit:
            budget = min(budget, int(settings.OUTREACH_RATE_PER_MINUTE) - recent)
        pending = Delivery.objects.filter(
            status=DeliveryStatus.PENDING,
            campaign__status__in=[CampaignStatus.SENDING, CampaignStatus.ACTIVE],
        )
        if budget > 0 and pending.exists():
            if connection is None:
                connection = get_connection(fail_silently=False)
                try:
                    connection.open()
                except OSError:
                    logger.exception("outreach: the mail server is unreachable")
                    return handled
                opened_here = True
            while budget > 0:
                delivery = _claim_next()
                if delivery is None:
                    break
                handled += 1
                budget -= 1
                if not _deliver(delivery, connection):
                    break
        _finish_campaigns()
    finally:
        if opened_here and connection is not None:
            try:
                connection.close()
            except Exception:  # a broken connection is closed already
                logger.debug("outreach: closing the mail connection failed", exc_info=True)
        lock.release()
    return handled


# --- recurring triggers ---------------------------------------------------------------------


def _stage_cursor() -> TriggerCursor:
    cursor, _created = TriggerCursor.objects.get_or_create(
        name=STAGE_CURSOR,
        defaults={"last_event_id": Event.objects.aggregate(m=Max("pk"))["m"] or 0},
    )
    return cursor


def _owner(campaign: Campaign) -> User:
    return campaign.responsible


def _birthday_and_holiday(today: date) -> int:
    added = 0
    names = holidays.country_holidays("RU", years=today.year, language="ru")
    holiday = names.get(today)
    for campaign in Campaign.objects.filter(
        status=CampaignStatus.ACTIVE, kind__in=[CampaignKind.BIRTHDAY, CampaignKind.HOLIDAY]
    ).select_related("segment", "responsible"):
        with transaction.atomic():
            if campaign.kind == CampaignKind.BIRTHDAY:
                filters = parse_filters(campaign.segment.filters if campaign.segment else {})
                filters.birthday_within_days = 0
                contacts = selectors.mailable(
                    selectors.segment_contacts(actor=_owner(campaign), filters=filters, today=today)
                )
                added += _add_deliveries(campaign, contacts, occurrence=f"birthday:{today.year}")
            elif holiday:
                contacts = _recipients(campaign, _owner(campaign))
                occurrence = f"holiday:{today.year}:{holiday}"[:80]
                added += _add_deliveries(
                    campaign, contacts, occurrence=occurrence, context={"holiday": holiday}
                )
    return added


def _stage_entries() -> int:
    campaigns: dict[int, list[Campaign]] = {}
    for campaign in Campaign.objects.filter(
        status=CampaignStatus.ACTIVE, kind=CampaignKind.STAGE
    ).select_related("responsible", "trigger_stage", "segment"):
        campaigns.setdefault(campaign.trigger_stage_id or 0, []).append(campaign)
    if not campaigns:
        return 0
    cursor = _stage_cursor()
    entries = (
        Event.objects.filter(
            pk__gt=max(cursor.last_event_id - STAGE_LOOKBACK, 0),
            case_type="deal",
            activity__in=STAGE_ACTIVITIES,
        )
        .order_by("pk")
        .values_list("pk", "case_id", "payload", "timestamp")[:2000]
    )
    added, last = 0, cursor.last_event_id
    for event_id, deal_id, payload, when in entries:
        last = max(last, event_id)
        stage_id = payload.get("to_stage") or payload.get("stage")
        for campaign in campaigns.get(stage_id or -1, []):
            if campaign.started_at and when < campaign.started_at:
                continue
            added += _stage_deliveries(campaign, int(deal_id), event_id)
    TriggerCursor.objects.filter(pk=cursor.pk, last_event_id__lt=last).update(last_event_id=last)
    return added


@transaction.atomic
def _stage_deliveries(campaign: Campaign, deal_id: int, event_id: int) -> int:
    """The deal's contacts (or its company's when it names none) the campaign owner reads."""
    deal = Deal.objects.filter(pk=deal_id).select_related("stage").first()
    if deal is None:
        return 0
    owner_contacts = _recipients(campaign, _owner(campaign))
    chosen = owner_contacts.filter(deals=deal)
    if not chosen.exists() and deal.company_id:
        chosen = owner_contacts.filter(company_id=deal.company_id)
    return _add_deliveries(
        campaign,
        chosen,
        occurrence=f"stage:{deal_id}:{event_id}",
        context={"stage": campaign.trigger_stage.name if campaign.trigger_stage else ""},
    )


def triggers_run(*, today: date | None = None) -> int:
    """The periodic job: queue the birthday, holiday and stage-entry messages that are due.
    Each contact gets one delivery per occurrence however often it runs."""
    return _birthday_and_holiday(today or timezone.localdate()) + _stage_entries()


# --- recipients' answers: unsubscribe, open, click; bounces --------------------------------


def _delivery_for(token: str, salt: str) -> tuple[Delivery, dict[str, Any]] | None:
    data = messages.read_token(token, salt)
    if data is None or not isinstance(data.get("d"), int):
        return None
    delivery = Delivery.objects.select_related("campaign").filter(pk=data["d"]).first()
    return (delivery, data) if delivery is not None else None


@transaction.atomic
def unsubscribe(*, token: str) -> Delivery:
    """The one-click unsubscribe of the link in a letter (a public page: no actor)."""
    found = _delivery_for(token, messages.UNSUBSCRIBE_SALT)
    if found is None or found[1].get("c") != found[0].contact_id:
        raise DomainError(OutreachError.INVALID, _("This unsubscribe link is invalid."), status=400)
    delivery = found[0]
    _unsubscription, created = Unsubscription.objects.get_or_create(
        contact_id=delivery.contact_id,
        defaults={"email": delivery.email, "campaign_id": delivery.campaign_id},
    )
    if created or delivery.unsubscribed_at is None:
        Delivery.objects.filter(pk=delivery.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
    if created:
        _delivery_event(delivery, events.MAIL_UNSUBSCRIBED)
    return delivery


@transaction.atomic
def record_open(*, token: str) -> bool:
    found = _delivery_for(token, messages.OPEN_SALT)
    if found is None or not found[0].campaign.track_opens:
        return False
    delivery = found[0]
    if Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    ):
        _delivery_event(delivery, events.MAIL_OPENED)
    return True


@transaction.atomic
def record_click(*, token: str) -> str:
    """The target of a tracked link; only a link that is in the campaign's text."""
    found = _delivery_for(token, messages.CLICK_SALT)
    url = found[1].get("u") if found else None
    if (
        found is None
        or not isinstance(url, str)
        or url not in templating.urls_in(found[0].campaign.body)
    ):
        raise DomainError(OutreachError.INVALID, _("This link is invalid."), status=400)
    delivery = found[0]
    now = timezone.now()
    if Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(
        clicked_at=now, opened_at=Coalesce(F("opened_at"), Value(now))
    ):
        _delivery_event(delivery, events.MAIL_CLICKED, {"url": url})
    return url


@transaction.atomic
def delivery_bounce(*, actor: User, campaign: Campaign, email: str, reason: str = "") -> int:
    """Record that the messages of the campaign to this address came back (a bounce report
    of the mail server). Returns how many deliveries it marked."""
    require_outreach_role(actor)
    require_write(actor, campaign)
    address = (email or "").strip().lower()
    rows = list(
        Delivery.objects.select_for_update().filter(
            campaign=campaign, email=address, status=DeliveryStatus.SENT
        )
    )
    if not rows:
        raise DomainError(
            OutreachError.INVALID,
            _("No message of this campaign was sent to %(email)s.") % {"email": address or EMPTY},
            details={"fields": {"email": _("No message was sent to this address.")}},
        )
    now = timezone.now()
    for delivery in rows:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.BOUNCED, bounced_at=now, error=(reason or "")[:500]
        )
        event_append(
            case_type=Campaign.EVENT_CASE_TYPE,
            case_id=campaign.pk,
            activity=events.MAIL_BOUNCED,
            actor=actor,
            payload={"delivery": delivery.pk, "email": address, "reason": (reason or "")[:500]},
            objects=[ObjectRef("contact", str(delivery.contact_id), "recipient")],
        )
    return len(rows)
