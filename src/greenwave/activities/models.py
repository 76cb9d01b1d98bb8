"""Calls, meetings, tasks, notes and e-mail records, each linked to a client, contact, lead or
deal (seeds 002, 003 «Мои дела»), their reminders and the managers' call capacity.

One table for every kind: the timeline, the planner and "My day" read them together, and the
kind-specific columns are few. Every change is also an event (`events.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import AssignedRecord, Team, User
from greenwave.core.model_fields import choice_field, kept_link, optional_link, optional_moment
from greenwave.core.models import TimeStampedModel
from greenwave.crm.models import Company, Contact
from greenwave.sales.models import Deal, Lead


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    TASK = "task", _("Task")
    NOTE = "note", pgettext_lazy("activity kind", "Note")
    EMAIL = "email", pgettext_lazy("activity kind", "E-mail")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CallDirection(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class CallResult(models.TextChoices):
    """A closed list (seed 000: no «думает», «потом»): every result says what happens next."""

    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    PROPOSAL_REQUESTED = "proposal_requested", _("Proposal requested")
    INTERESTED = "interested", _("Interested, next call agreed")
    CALL_BACK = "call_back", _("Asked to call back")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    SECRETARY = "secretary", _("Stopped at the secretary")
    REFUSED = "refused", _("Refused")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    ORDER_TAKEN = "order_taken", _("Order taken")


# Results after which the conversation must go on: the next call date is required.
RESULTS_NEEDING_NEXT_CALL = frozenset(
    {
        CallResult.INTERESTED,
        CallResult.CALL_BACK,
        CallResult.NO_ANSWER,
        CallResult.BUSY,
        CallResult.SECRETARY,
    }
)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


PRIORITY_RANK = {Priority.HIGH: 0, Priority.NORMAL: 1, Priority.LOW: 2}

# What completing each kind writes to the event log (sales gates read these names).
COMPLETION_EVENT = {
    ActivityKind.CALL: "call_completed",
    ActivityKind.MEETING: "meeting_completed",
    ActivityKind.TASK: "task_completed",
    ActivityKind.EMAIL: "email_sent",
    ActivityKind.NOTE: "note_added",
}


# «Сначала срочные»: what needs doing first. Open activities with a date by the date (the
# overdue, today's, then the upcoming ones), open ones without a date, the done ones (the
# latest first), the cancelled. Expressions, not fields: `activity_urgency_idx` holds the
# same terms, so the list's first page is read from the index, not sorted from the table.
URGENCY_RANK = Case(
    When(due_at__isnull=False, status=ActivityStatus.PLANNED.value, then=Value(0)),
    When(status=ActivityStatus.PLANNED.value, then=Value(1)),
    When(status=ActivityStatus.DONE.value, then=Value(2)),
    default=Value(3),
)
OPEN_DUE_AT = Case(When(status=ActivityStatus.PLANNED.value, then=F("due_at")))
URGENT_FIRST = (URGENCY_RANK.asc(), OPEN_DUE_AT.asc(), F("due_at").desc())


class Activity(AssignedRecord):
    EVENT_CASE_TYPE = "activity"

    kind = choice_field(_("type"), ActivityKind, max_length=10)
    status = choice_field(
        _("status"), ActivityStatus, max_length=10, default=ActivityStatus.PLANNED
    )
    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    due_at = optional_moment(_("planned for"))
    duration_minutes = models.PositiveIntegerField(_("duration, min"), null=True, blank=True)
    priority = choice_field(_("priority"), Priority, max_length=8, default=Priority.NORMAL)
    # A removed team leaves its calls and meetings without one (its clients keep it: PROTECT).
    team = kept_link(Team, _("team"), related_name=None)
    author = kept_link(User, _("author"), related_name="authored_activities")
    company = optional_link(
        Company, _("client"), on_delete=models.CASCADE, related_name="activities"
    )
    contact = kept_link(Contact, _("contact"), related_name="activities")
    lead = kept_link(Lead, _("lead"), related_name="activities")
    deal = kept_link(Deal, _("deal"), related_name="activities")
    # Calls.
    direction = choice_field(_("direction"), CallDirection, max_length=10, blank=True)
    call_result = choice_field(_("call result"), CallResult, max_length=20, blank=True)
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)
    recording_file = models.FileField(
        _("recording file"), upload_to="activities/recordings/%Y/%m/", blank=True
    )
    next_call_at = optional_moment(_("next call"))
    # Meetings.
    place = models.CharField(_("place"), max_length=255, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    # Tasks: [{"text": "…", "done": false}, …]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    # E-mail records.
    email_to = models.CharField(_("to"), max_length=500, blank=True)
    completed_at = optional_moment(_("completed"))
    cancelled_at = optional_moment(_("cancelled"))
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    reschedule_count = models.PositiveSmallIntegerField(_("times rescheduled"), default=0)
    follow_up_of = kept_link("self", _("follows up"), related_name="follow_ups")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-due_at", "-pk"]
        indexes = [
            models.Index(fields=["responsible", "status", "due_at"], name="activity_owner_due_idx"),
            models.Index(fields=["team", "status"], name="activity_team_idx"),
            models.Index(fields=["status", "completed_at"], name="activity_done_idx"),
            models.Index(fields=["kind", "status", "due_at"], name="activity_kind_idx"),
            models.Index(*URGENT_FIRST, F("id"), name="activity_urgency_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == ActivityStatus.PLANNED

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def needs_next_call(self) -> bool:
        return self.call_result in RESULTS_NEEDING_NEXT_CALL

    @property
    def checklist_done(self) -> int:
        return sum(1 for item in self.checklist if item.get("done"))


class Reminder(TimeStampedModel):
    """One notice to one person about one activity: shown in the UI and sent by e-mail once.

    `sent_at` is set in the same transaction that claimed the row, so a worker that dies
    mid-run leaves the unsent rows for the next run (no loss) and never re-sends a committed
    one (no duplicates).
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_reminders"
    )
    remind_at = models.DateTimeField(_("remind at"))
    sent_at = optional_moment(_("e-mail sent"))
    seen_at = optional_moment(_("seen"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["remind_at", "pk"]
        indexes = [
            models.Index(fields=["sent_at", "remind_at"], name="reminder_due_idx"),
            models.Index(fields=["user", "seen_at", "remind_at"], name="reminder_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} @ {self.remind_at:%Y-%m-%d %H:%M}"


class CallCapacity(models.Model):
    """How many calls a manager makes a day and when (seed 002: calls planned by load)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_capacity"
    )
    calls_per_day = models.PositiveSmallIntegerField(_("calls per day"), default=30)
    work_start = models.TimeField(_("working day starts"), default="09:00")
    work_end = models.TimeField(_("working day ends"), default="18:00")

    class Meta:
        verbose_name = _("call capacity")
        verbose_name_plural = _("call capacities")

    def __str__(self) -> str:
        return f"{self.user}: {self.calls_per_day}"
