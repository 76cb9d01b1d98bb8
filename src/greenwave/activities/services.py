"""Writers of the activities app: plan, log, complete, reschedule and cancel activities; send
reminders. Every change appends an event whose case is the activity and whose objects are the
client, contact, lead and deal it concerns, so their timelines and the sales gates see it.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import (
    acts_as_head,
    can_write,
    can_write_for_user,
    require_write,
    visible_team_ids,
)
from greenwave.core.errors import DomainError, not_found
from greenwave.core.services import ObjectRef, event_append, event_append_for, ref
from greenwave.core.text import visible_text
from greenwave.crm.models import Company, Contact
from greenwave.sales.models import Deal, Lead

from . import events
from .errors import ActivitiesError
from .models import (
    COMPLETION_EVENT,
    PRIORITY_RANK,
    RESULTS_NEEDING_NEXT_CALL,
    Activity,
    ActivityKind,
    ActivityStatus,
    CallCapacity,
    CallDirection,
    CallResult,
    Priority,
    Reminder,
)
from .planner import CallToPlan, Capacity, PlanResult, spread_calls

logger = logging.getLogger(__name__)

# Kinds that happen at a moment and are recorded after the fact: never "planned".
RECORDED_KINDS = frozenset({ActivityKind.NOTE, ActivityKind.EMAIL})
# Kinds that must say whom they concern.
LINKED_KINDS = frozenset(
    {ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.NOTE, ActivityKind.EMAIL}
)
MAX_CHECKLIST = 50


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(ActivitiesError.INVALID, message, details={"field": field})


def activity_objects(activity: Activity) -> list[ObjectRef]:
    """The business objects an activity event involves (OCEL event-to-object relations)."""
    refs = [ref(activity.responsible, "responsible")]
    if activity.deal_id:
        refs.append(ref(activity.deal, "deal"))  # type: ignore[arg-type]
    if activity.company_id:
        refs.append(ref(activity.company, "client"))  # type: ignore[arg-type]
    if activity.contact_id:
        refs.append(ref(activity.contact, "contact"))  # type: ignore[arg-type]
    if activity.lead_id:
        refs.append(ref(activity.lead, "lead"))  # type: ignore[arg-type]
    return refs


def _record(activity: Activity, name: str, *, actor: User | None, **extra: Any) -> None:
    """Append the event `name` of the activity: its `_payload` with `extra`, and the objects
    it involves."""
    event_append_for(
        activity,
        activity=name,
        actor=actor,
        payload=_payload(activity, **extra),
        objects=activity_objects(activity),
    )


def _payload(activity: Activity, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": activity.kind,
        "subject": activity.subject,
        "status": activity.status,
        "responsible_id": activity.responsible_id,
    }
    if activity.due_at:
        data["due_at"] = activity.due_at.isoformat()
    data.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return data


def _require_assignable(actor: User | None, responsible: User) -> None:
    """A task may go only to a colleague within the actor's write reach, never beyond (reading
    every team, as a lawyer does, is no right to hand out work there)."""
    if actor is None or responsible.pk == actor.pk:
        return
    if not responsible.is_active or not can_write_for_user(actor, responsible):
        raise DomainError(
            ActivitiesError.ASSIGNEE_OUT_OF_SCOPE,
            _("You cannot assign work to this user: they are outside your teams."),
            details={"field": "responsible"},
            status=403,
        )


def _require_visible(actor: User | None, record: Any, label: str) -> None:
    """Linked records must be visible to the actor (same rule as every selector)."""
    if actor is None or record is None:
        return
    teams = visible_team_ids(actor)
    if teams is None or record.responsible_id == actor.pk or record.team_id in teams:
        return
    raise not_found(_("%(what)s not found.") % {"what": label})


def _require_writable(actor: User | None, record: Any, label: str) -> None:
    """An activity writes into the timelines of the records it links (and can meet a deal's
    stage gate): the actor must be allowed to change them, not only to read them."""
    _require_visible(actor, record, label)
    if record is not None:
        require_write(
            actor,
            record,
            message=_("You can read this %(what)s but not add activities to it.")
            % {"what": label.lower()},
        )


def _not_allowed(message: str) -> DomainError:
    """The refusal of a change this actor may not make (403)."""
    return DomainError(ActivitiesError.NOT_ALLOWED, message, status=403)


def _require_can_change(actor: User | None, activity: Activity) -> None:
    if actor is None:
        return
    if actor.pk in (activity.responsible_id, activity.author_id):
        return
    if acts_as_head(actor) and can_write(actor, activity):
        return
    raise _not_allowed(
        _("Only the responsible person, the author or a head can change this activity.")
    )


def activity_require_can_change(*, actor: User, activity: Activity) -> None:
    """For the views: refuse (403) before a form is even read."""
    _require_can_change(actor, activity)


def _require_open(activity: Activity) -> None:
    if activity.status != ActivityStatus.PLANNED:
        raise DomainError(
            ActivitiesError.NOT_OPEN,
            _("This activity is already %(status)s.")
            % {"status": activity.get_status_display().lower()},
            details={"status": activity.status},
            status=409,
        )


def _clean_checklist(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for item in items or []:
        if isinstance(item, str):
            text, done = item, False
        elif isinstance(item, dict):
            text, done = str(item.get("text", "")), bool(item.get("done"))
        else:
            raise _invalid("checklist", _("Each checklist item is a text."))
        text = text.strip()[:255]
        if text:
            result.append({"text": text, "done": done})
    if len(result) > MAX_CHECKLIST:
        raise _invalid(
            "checklist", _("A checklist has at most %(n)s items.") % {"n": MAX_CHECKLIST}
        )
    return result


def _check_call_result(call_result: str, next_call_at: datetime | None, now: datetime) -> None:
    if not call_result:
        raise DomainError(
            ActivitiesError.RESULT_REQUIRED,
            _("Choose the result of the call."),
            details={"field": "call_result"},
        )
    if call_result not in CallResult.values:
        raise _invalid("call_result", _("Unknown call result: %(r)s.") % {"r": call_result})
    if call_result in RESULTS_NEEDING_NEXT_CALL:
        if next_call_at is None:
            raise DomainError(
                ActivitiesError.NEXT_DATE_REQUIRED,
                _("The result “%(result)s” needs the date of the next call.")
                % {"result": CallResult(call_result).label},
                details={"field": "next_call_at", "result": call_result},
            )
        if next_call_at <= now:
            raise _invalid("next_call_at", _("The next call must be in the future."))


class Completion(TypedDict, total=False):
    """What a completion writes: a call's result (and next call), the duration, the
    recording, a meeting's outcome, the checklist (left out or None: left as it is).
    `activity_complete` takes these as keywords (mypy checks them against it)."""

    call_result: str
    next_call_at: datetime | None
    duration_minutes: int | None
    recording_url: str
    recording_file: UploadedFile | None
    outcome: str
    checklist: Sequence[Any] | None


def _complete_fields(activity: Activity, done: Completion, now: datetime) -> None:
    if activity.kind == ActivityKind.CALL:
        call_result, next_call_at = done.get("call_result", ""), done.get("next_call_at")
        _check_call_result(call_result, next_call_at, now)
        activity.call_result = call_result
        activity.next_call_at = next_call_at if call_result in RESULTS_NEEDING_NEXT_CALL else None
    duration = done.get("duration_minutes")
    if duration is not None:
        if duration < 0 or duration > 24 * 60:
            raise _invalid("duration_minutes", _("The duration is between 0 and 1440 minutes."))
        activity.duration_minutes = duration
    if recording_url := done.get("recording_url"):
        activity.recording_url = recording_url[:500]
    if (recording_file := done.get("recording_file")) is not None:
        activity.recording_file = recording_file
    if outcome := done.get("outcome"):
        activity.outcome = outcome
    if (checklist := done.get("checklist")) is not None:
        activity.checklist = _clean_checklist(checklist)
    activity.status = ActivityStatus.DONE
    activity.completed_at = now


def _append_completion(actor: User | None, activity: Activity) -> None:
    """The completion event of a saved done activity, and the next call its result asks for."""
    _record(
        activity,
        COMPLETION_EVENT[ActivityKind(activity.kind)],
        actor=actor,
        result=activity.call_result,
        duration_minutes=activity.duration_minutes,
        outcome=activity.outcome,
    )
    _follow_up_call(actor, activity)


def _default_reminders(activity: Activity) -> list[datetime]:
    if activity.due_at and activity.kind in (
        ActivityKind.CALL,
        ActivityKind.TASK,
        ActivityKind.MEETING,
    ):
        return [activity.due_at]
    return []


def _set_reminders(activity: Activity, moments: Iterable[datetime]) -> None:
    wanted = sorted(set(moments))
    Reminder.objects.bulk_create(
        Reminder(activity=activity, user_id=activity.responsible_id, remind_at=m) for m in wanted
    )


def _follow_up_call(actor: User | None, activity: Activity) -> Activity | None:
    if activity.kind != ActivityKind.CALL or activity.next_call_at is None:
        return None
    # «Первичный звонок» is followed by «Перезвонить: Первичный звонок», and that one by a call
    # of the same name: the follow-up says what it is without a chain of prefixes.
    subject = (
        activity.subject
        if activity.follow_up_of_id
        else _("Call back: %(subject)s") % {"subject": activity.subject}
    )
    follow_up = Activity.objects.create(
        kind=ActivityKind.CALL,
        subject=subject[:255],
        direction=CallDirection.OUTGOING,
        due_at=activity.next_call_at,
        priority=activity.priority,
        responsible_id=activity.responsible_id,
        team_id=activity.team_id,
        author=actor,
        company_id=activity.company_id,
        contact_id=activity.contact_id,
        lead_id=activity.lead_id,
        deal_id=activity.deal_id,
        follow_up_of=activity,
    )
    _set_reminders(follow_up, _default_reminders(follow_up))
    _record(follow_up, events.ACTIVITY_PLANNED, actor=actor, follow_up_of=activity.pk)
    return follow_up


def _record_done(
    actor: User | None, activity: Activity, *, now: datetime, done: Completion
) -> Activity:
    """Save a new activity that already happened, with its completion event (and the next call
    its result asks for)."""
    _complete_fields(activity, done, now)
    activity.save()
    _append_completion(actor, activity)
    return activity


def _plan(
    actor: User | None,
    activity: Activity,
    *,
    duration_minutes: int | None,
    reminders: Iterable[datetime] | None,
) -> Activity:
    """Save a new planned activity with its reminders and its *planned* event."""
    # A call without a date waits for the planner (call planning by load); a meeting cannot.
    if activity.due_at is None and activity.kind == ActivityKind.MEETING:
        raise _invalid("due_at", _("Give the date and time it is planned for."))
    activity.duration_minutes = duration_minutes
    activity.save()
    _set_reminders(activity, list(reminders) if reminders else _default_reminders(activity))
    _record(activity, events.ACTIVITY_PLANNED, actor=actor)
    return activity


def _clean_header(*, kind: str, subject: str, priority: str, direction: str) -> str:
    """Check what every activity has (kind, priority, call direction); the cleaned subject."""
    if kind not in ActivityKind.values:
        raise _invalid("kind", _("Unknown activity type: %(kind)s.") % {"kind": kind})
    subject = visible_text(subject)
    if not subject:
        raise _invalid("subject", _("Give the activity a subject."))
    if priority not in Priority.values:
        raise _invalid("priority", _("Unknown priority."))
    if direction and direction not in CallDirection.values:
        raise _invalid("direction", _("Unknown call direction."))
    return subject


def _linked_company(
    actor: User | None,
    kind: str,
    *,
    company: Company | None,
    contact: Contact | None,
    lead: Lead | None,
    deal: Deal | None,
) -> Company | None:
    """The records an activity links to must be the actor's to write; the company comes from
    the deal, contact or lead when not given. Calls and meetings need at least one link."""
    for record, label in (
        (company, _("Company")),
        (contact, _("Contact")),
        (lead, _("Lead")),
        (deal, _("Deal")),
    ):
        _require_writable(actor, record, str(label))
    if company is None:
        for linked in (deal, contact, lead):
            if linked is not None and linked.company_id:
                company = linked.company
                break
    if kind in LINKED_KINDS and not any((company, contact, lead, deal)):
        raise DomainError(
            ActivitiesError.NO_LINK,
            _("Link the activity to a client, contact, lead or deal."),
            details={"field": "company"},
        )
    return company


@transaction.atomic
def activity_create(  # noqa: PLR0913 -- keyword-only: one keyword per activity field
    *,
    actor: User | None,
    kind: str,
    subject: str,
    responsible: User | None = None,
    company: Company | None = None,
    contact: Contact | None = None,
    lead: Lead | None = None,
    deal: Deal | None = None,
    due_at: datetime | None = None,
    done: bool = False,
    description: str = "",
    priority: str = Priority.NORMAL,
    duration_minutes: int | None = None,
    direction: str = "",
    call_result: str = "",
    next_call_at: datetime | None = None,
    recording_url: str = "",
    recording_file: UploadedFile | None = None,
    place: str = "",
    participants: str = "",
    outcome: str = "",
    checklist: Sequence[Any] | None = None,
    email_to: str = "",
    reminders: Iterable[datetime] | None = None,
) -> Activity:
    """Plan an activity, or record one that already happened (`done=True`; notes and e-mails
    are always records). Completing a call with a result that asks for a next call plans it."""
    subject = _clean_header(kind=kind, subject=subject, priority=priority, direction=direction)
    owner = responsible or actor
    if owner is None:
        raise _invalid("responsible", _("Choose who is responsible."))
    _require_assignable(actor, owner)
    company = _linked_company(actor, kind, company=company, contact=contact, lead=lead, deal=deal)
    now = timezone.now()
    activity = Activity(
        kind=kind,
        subject=subject[:255],
        description=description,
        due_at=due_at,
        priority=priority,
        responsible=owner,
        team_id=owner.team_id,
        author=actor,
        company=company,
        contact=contact,
        lead=lead,
        deal=deal,
        direction=direction or (CallDirection.OUTGOING if kind == ActivityKind.CALL else ""),
        place=place,
        participants=participants,
        email_to=email_to,
        checklist=_clean_checklist(checklist),
    )
    if done or kind in RECORDED_KINDS:
        activity.due_at = due_at or now
        done_now = Completion(
            call_result=call_result,
            next_call_at=next_call_at,
            duration_minutes=duration_minutes,
            recording_url=recording_url,
            recording_file=recording_file,
            outcome=outcome,
        )
        return _record_done(actor, activity, now=now, done=done_now)
    return _plan(actor, activity, duration_minutes=duration_minutes, reminders=reminders)


def _locked(activity: Activity) -> Activity:
    """Re-read the row under a lock: two people completing the same call never both win."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    # Keep the already-loaded relations (deal, company…) for the event's objects.
    for field in ("responsible", "company", "contact", "lead", "deal", "team"):
        if field in activity._state.fields_cache:
            locked._state.fields_cache[field] = activity._state.fields_cache[field]
    return locked


@transaction.atomic
def activity_complete(
    *, actor: User | None, activity: Activity, **done: Unpack[Completion]
) -> Activity:
    _require_can_change(actor, activity)
    activity = _locked(activity)
    _require_open(activity)
    now = timezone.now()
    _complete_fields(activity, done, now)
    activity.save()
    activity.reminders.filter(sent_at__isnull=True, remind_at__gt=now).delete()
    _append_completion(actor, activity)
    return activity


@transaction.atomic
def activity_reschedule(
    *, actor: User | None, activity: Activity, due_at: datetime, reason: str
) -> Activity:
    _require_can_change(actor, activity)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            ActivitiesError.REASON_REQUIRED,
            _("Say why the activity is moved."),
            details={"field": "reason"},
        )
    activity = _locked(activity)
    _require_open(activity)
    before = activity.due_at
    activity.due_at = due_at
    activity.reschedule_count += 1
    activity.save(update_fields=["due_at", "reschedule_count", "updated_at"])
    # Unsent reminders move with the activity; sent ones stay as they were.
    pending = list(activity.reminders.filter(sent_at__isnull=True))
    if before and pending:
        delta = due_at - before
        for reminder in pending:
            reminder.remind_at += delta
            reminder.seen_at = None
        Reminder.objects.bulk_update(pending, ["remind_at", "seen_at"])
    elif not pending:
        _set_reminders(activity, _default_reminders(activity))
    _record(
        activity,
        events.ACTIVITY_RESCHEDULED,
        actor=actor,
        changes={"due_at": [before.isoformat() if before else None, due_at.isoformat()]},
        reason=reason,
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor: User | None, activity: Activity, reason: str = "") -> Activity:
    _require_can_change(actor, activity)
    activity = _locked(activity)
    _require_open(activity)
    activity.status = ActivityStatus.CANCELLED
    activity.cancelled_at = timezone.now()
    activity.cancel_reason = (reason or "").strip()
    activity.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    activity.reminders.filter(sent_at__isnull=True).delete()
    _record(activity, events.ACTIVITY_CANCELLED, actor=actor, reason=activity.cancel_reason)
    return activity


@transaction.atomic
def activity_reassign(*, actor: User | None, activity: Activity, responsible: User) -> Activity:
    """Hand an open activity to a colleague (the head's rebalancing of calls uses it)."""
    _require_can_change(actor, activity)
    _require_assignable(actor, responsible)
    activity = _locked(activity)
    _require_open(activity)
    before = activity.responsible_id
    activity.responsible = responsible
    activity.team_id = responsible.team_id
    activity.save(update_fields=["responsible", "team", "updated_at"])
    activity.reminders.filter(sent_at__isnull=True).update(user=responsible)
    _record(
        activity,
        events.ACTIVITY_REASSIGNED,
        actor=actor,
        changes={"responsible_id": [before, responsible.pk]},
    )
    return activity


@transaction.atomic
def checklist_toggle(*, actor: User | None, activity: Activity, index: int) -> Activity:
    _require_can_change(actor, activity)
    activity = _locked(activity)
    _require_open(activity)
    if not 0 <= index < len(activity.checklist):
        raise _invalid("checklist", _("No such checklist item."))
    activity.checklist[index]["done"] = not activity.checklist[index].get("done")
    activity.save(update_fields=["checklist", "updated_at"])
    return activity


# --- reminders ------------------------------------------------------------------------


def reminders_mark_seen(*, actor: User, reminder_ids: Iterable[int] | None = None) -> int:
    qs = Reminder.objects.filter(user=actor, seen_at__isnull=True, remind_at__lte=timezone.now())
    if reminder_ids is not None:
        qs = qs.filter(pk__in=list(reminder_ids))
    return qs.update(seen_at=timezone.now())


def _reminder_message(reminder: Reminder, connection: Any) -> mail.EmailMessage:
    activity = reminder.activity
    user = reminder.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        when = (
            date_format(timezone.localtime(activity.due_at), "SHORT_DATETIME_FORMAT")
            if activity.due_at
            else ""
        )
        subject = _("Reminder: %(kind)s “%(subject)s”") % {
            "kind": activity.get_kind_display().lower(),
            "subject": activity.subject,
        }
        lines = [
            _("Hello, %(name)s!") % {"name": user.first_name or user.username},
            "",
            _("%(kind)s “%(subject)s” is due %(when)s.")
            % {"kind": activity.get_kind_display(), "subject": activity.subject, "when": when},
        ]
        if activity.company_id:
            lines.append(_("Client: %(name)s") % {"name": activity.company})
        base = str(getattr(settings, "GREENWAVE_BASE_URL", "")).rstrip("/")
        lines += ["", base + reverse("activities:activity_detail", args=[activity.pk])]
    return mail.EmailMessage(
        subject=subject,
        body="\n".join(lines),
        to=[user.email],
        connection=connection,
    )


def reminders_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """The periodic job: e-mail every due reminder exactly once.

    Each reminder is claimed, sent and marked in its own transaction (`FOR UPDATE SKIP LOCKED`
    on PostgreSQL, so parallel workers take different rows). If the SMTP server or the worker
    fails mid-run, the rows not yet committed stay unsent and the next run sends them; a
    committed row is never sent again.
    """
    moment = now or timezone.now()
    sent = 0
    connection = mail.get_connection()
    try:
        while sent < limit:
            with transaction.atomic():
                reminder = (
                    Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("activity", "activity__company", "user")
                    .filter(sent_at__isnull=True, remind_at__lte=moment)
                    .order_by("remind_at", "pk")
                    .first()
                )
                if reminder is None:
                    break
                if reminder.user.email and reminder.activity.status == ActivityStatus.PLANNED:
                    connection.send_messages([_reminder_message(reminder, connection)])
                reminder.sent_at = timezone.now()
                reminder.save(update_fields=["sent_at", "updated_at"])
            sent += 1
    except (smtplib.SMTPException, OSError):
        logger.exception("reminder e-mail failed; the unsent reminders wait for the next run")
    finally:
        connection.close()
    return sent


# --- call planning by load (seed 002) -----------------------------------------------------

DEFAULT_CAPACITY = CallCapacity(calls_per_day=30, work_start=time(9), work_end=time(18))


def call_capacity_of(user: User) -> Capacity:
    row = CallCapacity.objects.filter(user=user).first() or DEFAULT_CAPACITY
    try:
        tz = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return Capacity(row.calls_per_day, _as_time(row.work_start), _as_time(row.work_end), tz)


def _as_time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))


def _require_planner(actor: User | None, manager: User) -> None:
    """A manager plans their own calls; a head plans those of the people they see."""
    if actor is None or actor.pk == manager.pk:
        return
    if acts_as_head(actor) and can_write_for_user(actor, manager):
        return
    raise _not_allowed(_("Only the manager or their head can plan these calls."))


@transaction.atomic
def call_capacity_set(
    *, actor: User | None, user: User, calls_per_day: int, work_start: time, work_end: time
) -> CallCapacity:
    _require_planner(actor, user)
    if not 1 <= calls_per_day <= 300:
        raise _invalid("calls_per_day", _("Calls per day are between 1 and 300."))
    if work_end <= work_start:
        raise _invalid("work_end", _("The working day must end after it starts."))
    row, _created = CallCapacity.objects.update_or_create(
        user=user,
        defaults={"calls_per_day": calls_per_day, "work_start": work_start, "work_end": work_end},
    )
    return row


def _open_calls(manager: User) -> QuerySet[Activity]:
    return Activity.objects.filter(
        responsible=manager, kind=ActivityKind.CALL, status=ActivityStatus.PLANNED
    )


def _fixed(now: datetime) -> Q:
    """Calls whose time was agreed with the client (a follow-up of a call) are not moved."""
    return Q(follow_up_of__isnull=False, due_at__gte=now)


@transaction.atomic
def calls_plan(*, actor: User | None, manager: User, start: date, days: int = 10) -> PlanResult:
    """Spread the manager's open calls over their next working days by capacity; the calls
    that do not fit are the overload (they keep their date and are reported)."""
    _require_planner(actor, manager)
    now = timezone.now()
    capacity = call_capacity_of(manager)
    calls = list(_open_calls(manager).exclude(_fixed(now)).select_for_update().order_by("pk"))
    busy = {
        row["day"]: row["n"]
        for row in _open_calls(manager)
        .filter(_fixed(now))
        .annotate(day=TruncDate("due_at", tzinfo=capacity.tz))
        .values("day")
        .annotate(n=Count("pk"))
    }
    ranked = [
        CallToPlan(
            c.pk,
            (
                0 if c.due_at is None or c.due_at < now else 1,
                PRIORITY_RANK.get(Priority(c.priority), 1),
                c.due_at.timestamp() if c.due_at else 0.0,
            ),
        )
        for c in calls
    ]
    result = spread_calls(ranked, capacity, start=start, days=days, busy=busy, now=now)
    moved = [c for c in calls if c.pk in result.planned and c.due_at != result.planned[c.pk]]
    for call in moved:
        call.due_at = result.planned[call.pk]
    Activity.objects.bulk_update(moved, ["due_at", "updated_at"], batch_size=500)
    moved_ids = [c.pk for c in moved]
    Reminder.objects.filter(activity_id__in=moved_ids, sent_at__isnull=True).delete()
    Reminder.objects.bulk_create(
        Reminder(activity=c, user_id=c.responsible_id, remind_at=result.planned[c.pk])
        for c in moved
    )
    days_used = sorted(result.per_day)
    event_append(
        case_type="user",
        case_id=manager.pk,
        activity=events.CALLS_PLANNED,
        actor=actor,
        payload={
            "planned": len(result.planned),
            "moved": len(moved),
            "overflow": len(result.overflow),
            "from": days_used[0].isoformat() if days_used else None,
            "to": days_used[-1].isoformat() if days_used else None,
        },
        objects=[ref(manager, "responsible")],
    )
    return result


@transaction.atomic
def calls_rebalance(
    *,
    actor: User,
    source: User,
    target: User,
    count: int,
    start: date,
    days: int = 10,
) -> int:
    """The head moves `count` calls from an overloaded manager to another, then re-plans
    both. The calls moved are those the source would reach last."""
    if not acts_as_head(actor):
        raise _not_allowed(_("Only a head can rebalance calls."))
    _require_assignable(actor, source)
    _require_assignable(actor, target)
    if source.pk == target.pk or count < 1:
        raise _invalid("count", _("Choose two different managers and a positive number."))
    now = timezone.now()
    candidates = list(
        _open_calls(source)
        .exclude(_fixed(now))
        .select_related("responsible", "company", "contact", "lead", "deal")
        .order_by("-due_at", "-pk")[:count]
    )
    for call in candidates:
        activity_reassign(actor=actor, activity=call, responsible=target)
    calls_plan(actor=actor, manager=source, start=start, days=days)
    calls_plan(actor=actor, manager=target, start=start, days=days)
    return len(candidates)
