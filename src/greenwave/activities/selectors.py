"""Readers of the activities app: scoped lists, the reminders of a user and the timeline
(one chronological feed per client, contact, deal or lead that merges activities with the
events of every other app)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import scope_records, scope_users, visible_team_ids
from greenwave.accounts.selectors import responsible_filter
from greenwave.core.choice_filters import choice_filter
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.models import Event
from greenwave.core.selectors import event_list_for_object, row_get, row_visible
from greenwave.crm import selectors as crm
from greenwave.sales import selectors as sales

from .models import URGENT_FIRST, Activity, ActivityKind, ActivityStatus, Reminder

ACTIVITY_LIST_SPEC = ListSpec(
    search_fields=("subject", "company__name", "contact__full_name"),
    sorts=(
        SortSpec("urgent", _("Most urgent first"), URGENT_FIRST, reversible=False),
        SortSpec("due", _("Planned for"), ("due_at",)),
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("completed", _("Completed"), ("completed_at",)),
    ),
    # What needs doing first: the overdue and today's open ones, the upcoming ones by date,
    # then the done ones (a chosen ?sort= is kept as chosen).
    default_sort="urgent",
    filters=(
        choice_filter("type", _("Type"), ActivityKind, field="kind"),
        choice_filter("status", _("Status"), ActivityStatus),
        responsible_filter("owner"),
        FilterSpec("from", _("From"), "due_at__date", kind="date_from"),
        FilterSpec("to", _("To"), "due_at__date", kind="date_to"),
        FilterSpec("company", _("Client"), "company_id", kind="int"),
        FilterSpec("contact", _("Contact"), "contact_id", kind="int"),
        FilterSpec("deal", _("Deal"), "deal_id", kind="int"),
        FilterSpec("lead", _("Lead"), "lead_id", kind="int"),
    ),
)


def activity_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Activity]:
    qs = scope_records(Activity.objects.all(), actor=actor)
    qs = apply_list_query(qs, ACTIVITY_LIST_SPEC, query)
    return qs.select_related("responsible", "team", "company", "contact", "lead", "deal")


def activity_get(*, actor: User, pk: int) -> Activity:
    return row_get(
        activity_list(actor=actor).select_related("author"), pk, _("Activity not found.")
    )


def activity_visible(actor: User, case_id: str) -> bool:
    """For the event log API: may the actor read the history of this activity?"""
    return row_visible(case_id, activity_list, actor)


def activity_history(*, actor: User, activity: Activity) -> QuerySet[Event]:
    return (
        Event.objects.filter(case_type="activity", case_id=str(activity.pk))
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


def open_activities_of(*, actor: User, user: User) -> QuerySet[Activity]:
    return activity_list(actor=actor).filter(responsible=user, status=ActivityStatus.PLANNED)


# --- reminders ------------------------------------------------------------------------


def reminders_due(*, actor: User, now: datetime | None = None) -> QuerySet[Reminder]:
    """The actor's due reminders not yet dismissed (the UI badge and its dropdown)."""
    return (
        Reminder.objects.filter(
            user=actor,
            seen_at__isnull=True,
            remind_at__lte=now or timezone.now(),
            activity__status=ActivityStatus.PLANNED,
        )
        .select_related("activity", "activity__company")
        .order_by("-remind_at", "-pk")
    )


def reminders_due_count(actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False):
        return 0
    return reminders_due(actor=actor).count()


# --- timeline -------------------------------------------------------------------------

# Filter keys of the timeline: a kind of activity, or every other app's "changes".
TIMELINE_FILTERS: tuple[tuple[str, Any], ...] = (
    ("call", _("Calls")),
    ("meeting", _("Meetings")),
    ("task", _("Tasks")),
    ("note", _("Notes")),
    ("email", pgettext_lazy("activity kind", "E-mails")),
    ("changes", _("Changes")),
)
TIMELINE_PAGE_SIZE = 20


@dataclass
class TimelineEntry:
    event: Event
    activity: Activity | None
    # Earlier events of the same kind on the same case that follow this one directly (a
    # process passing eight steps reads as one line naming the steps, not eight lines).
    repeats: list[Event] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.activity.kind if self.activity else "change"

    @property
    def step_names(self) -> list[str]:
        """The names the grouped events carry, oldest first."""
        names = []
        for event in [*reversed(self.repeats), self.event]:
            name = event.payload.get("name") if isinstance(event.payload, dict) else None
            if name:
                names.append(str(name))
        return names


def _group_repeats(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    grouped: list[TimelineEntry] = []
    for entry in entries:
        last = grouped[-1] if grouped else None
        e = entry.event
        if (
            last is not None
            and entry.activity is None
            and last.activity is None
            and (last.event.case_type, last.event.case_id, last.event.activity)
            == (e.case_type, e.case_id, e.activity)
            and not (isinstance(e.payload, dict) and e.payload.get("changes"))
        ):
            last.repeats.append(e)
        else:
            grouped.append(entry)
    return grouped


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    planned: list[Activity]
    page: int
    has_next: bool
    kind: str


def timeline(
    *, actor: User, object_type: str, object_id: int, kind: str = "", page: int = 1
) -> TimelinePage:
    """One page of the feed of a record the caller has already fetched through its own
    scoped selector: events newest first (three queries, whatever the page holds)."""
    events = event_list_for_object(object_type=object_type, object_id=object_id)
    if kind == "changes":
        events = events.exclude(case_type=Activity.EVENT_CASE_TYPE)
    elif kind in ActivityKind.values:
        events = events.filter(case_type=Activity.EVENT_CASE_TYPE, payload__kind=kind)
    page = max(page, 1)
    start = (page - 1) * TIMELINE_PAGE_SIZE
    rows = list(events[start : start + TIMELINE_PAGE_SIZE + 1])
    has_next = len(rows) > TIMELINE_PAGE_SIZE
    rows = rows[:TIMELINE_PAGE_SIZE]
    ids = {int(e.case_id) for e in rows if e.case_type == Activity.EVENT_CASE_TYPE}
    activities = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=ids).select_related("responsible", "contact")
    }
    entries = [
        TimelineEntry(
            e,
            activities.get(int(e.case_id)) if e.case_type == Activity.EVENT_CASE_TYPE else None,
        )
        for e in rows
    ]
    planned: list[Activity] = []
    if page == 1 and kind != "changes":
        link = {
            "company": "company_id",
            "contact": "contact_id",
            "deal": "deal_id",
            "lead": "lead_id",
        }.get(object_type)
        if link:
            qs = Activity.objects.filter(
                Q(**{link: object_id}), status=ActivityStatus.PLANNED
            ).select_related("responsible")
            if kind:
                qs = qs.filter(kind=kind)
            planned = list(qs.order_by("due_at", "pk")[:10])
    return TimelinePage(
        entries=_group_repeats(entries), planned=planned, page=page, has_next=has_next, kind=kind
    )


def timeline_subject_visible(*, actor: User, object_type: str, object_id: int) -> bool:
    """Ask the owning app's scoped selector whether the actor sees the record (else 404)."""
    lists: dict[str, Any] = {
        "company": crm.company_list,
        "contact": crm.contact_list,
        "deal": sales.deal_list,
        "lead": sales.lead_list,
    }
    selector = lists.get(object_type)
    return bool(selector and selector(actor=actor).filter(pk=object_id).exists())


# --- call planning by load ----------------------------------------------------------------


@dataclass
class LoadDay:
    day: date
    working: bool
    holiday: str


@dataclass
class ManagerLoad:
    user: User
    calls_per_day: int
    per_day: dict[date, int]
    overdue: int
    unscheduled: int
    later: int
    # (day, open calls, above the norm) for every calendar day of the window.
    cells: list[tuple[LoadDay, int, bool]] = field(default_factory=list)

    @property
    def overloaded(self) -> bool:
        return self.overdue + self.unscheduled > 0 or any(
            n > self.calls_per_day for n in self.per_day.values()
        )


@dataclass
class CallLoad:
    days: list[LoadDay]
    rows: list[ManagerLoad]


def planner_managers(*, actor: User, team_id: int | None = None) -> QuerySet[User]:
    """Whose calls the actor plans: a head the people they see (optionally one team), anyone
    else only themselves."""
    qs = User.objects.filter(is_active=True)
    if not (actor.is_greenwave_admin or actor.has_role("head_of_sales")):
        return qs.filter(pk=actor.pk)
    qs = scope_users(qs, actor=actor).filter(
        roles__code__in=["hunter", "farmer", "kam", "closer", "call_center"]
    )
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.distinct().order_by("last_name", "first_name", "username")


def call_load(*, actor: User, managers: list[User], start: date, days: int = 10) -> CallLoad:
    """Open calls per manager per day over the next `days` working days (3 queries)."""
    from django.db.models import Count
    from django.db.models.functions import TruncDate

    from .models import CallCapacity
    from .planner import holiday_name, is_working_day, working_days

    last = list(working_days(start, max(days, 1)))[-1]
    calendar = [
        LoadDay(start + timedelta(n), is_working_day(start + timedelta(n)), "")
        for n in range((last - start).days + 1)
    ]
    for d in calendar:
        if not d.working and d.day.weekday() < 5:
            d.holiday = holiday_name(d.day)
    ids = [m.pk for m in managers]
    now = timezone.now()
    calls = Activity.objects.filter(
        responsible_id__in=ids, kind=ActivityKind.CALL, status=ActivityStatus.PLANNED
    )
    per_day: dict[int, dict[date, int]] = {}
    for row in (
        calls.filter(due_at__date__gte=start, due_at__date__lte=last)
        .annotate(day=TruncDate("due_at"))
        .values("responsible_id", "day")
        .annotate(n=Count("pk"))
    ):
        per_day.setdefault(row["responsible_id"], {})[row["day"]] = row["n"]
    totals = {
        row["responsible_id"]: row
        for row in calls.values("responsible_id").annotate(
            overdue=Count("pk", filter=Q(due_at__lt=now)),
            unscheduled=Count("pk", filter=Q(due_at__isnull=True)),
            later=Count("pk", filter=Q(due_at__date__gt=last)),
        )
    }
    capacity = dict(
        CallCapacity.objects.filter(user_id__in=ids).values_list("user_id", "calls_per_day")
    )
    rows = [
        ManagerLoad(
            user=m,
            calls_per_day=capacity.get(m.pk, 30),
            per_day=per_day.get(m.pk, {}),
            overdue=totals.get(m.pk, {}).get("overdue", 0),
            unscheduled=totals.get(m.pk, {}).get("unscheduled", 0),
            later=totals.get(m.pk, {}).get("later", 0),
        )
        for m in managers
    ]
    for load in rows:
        load.cells = [
            (d, load.per_day.get(d.day, 0), load.per_day.get(d.day, 0) > load.calls_per_day)
            for d in calendar
        ]
    return CallLoad(days=calendar, rows=rows)


def planner_teams(*, actor: User) -> list[tuple[int, str]]:
    teams = visible_team_ids(actor)
    qs = Team.objects.all() if teams is None else Team.objects.filter(pk__in=teams)
    return list(qs.order_by("name").values_list("pk", "name"))


# --- the home page --------------------------------------------------------------------


def home_agenda(actor: User) -> dict[str, Any] | None:
    """The home card «Today»: what is overdue and what is due today (three queries); none
    for a user with nothing planned at all."""
    planned = Activity.objects.filter(
        responsible=actor, status=ActivityStatus.PLANNED, due_at__isnull=False
    )
    now = timezone.now()
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + timedelta(days=1)
    overdue = planned.filter(due_at__lt=day_start).count()
    today = list(
        planned.filter(due_at__gte=day_start, due_at__lt=day_end)
        .select_related("company", "deal")
        .only("pk", "kind", "subject", "due_at", "company__name", "deal__title")
        .order_by("due_at", "pk")[:6]
    )
    if not overdue and not today and not planned.exists():
        return None
    return {
        "user_id": actor.pk,
        "overdue": overdue,
        "today": today[:5],
        "more_today": len(today) > 5,
        "date": day_start.date().isoformat(),
        "yesterday": (day_start - timedelta(days=1)).date().isoformat(),
        "now": now,
    }
