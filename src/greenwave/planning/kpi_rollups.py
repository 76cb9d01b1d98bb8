"""Day rollups of the KPI parts (issue 18, «under 1 s at 1M deals»).

`KpiDayRollup` holds, per local day × measure × person × team, the numerator and denominator
of the day-additive KPIs — projects, order processing time, revenue (paid and won), positive
decisions, motivated refusals, calls, meetings, cross-sales — computed by the same querysets
as the raw figures (`kpis.won_deals`, `decided_leads`, `done_activities`, `cross_sale_deals`,
`payment_rows`), only grouped by day as well. A month's figure is the sum of its days.

How they stay equal to the raw figures:

- A day is always recomputed whole from the records (delete its rows, insert the grouped
  ones): recomputing is idempotent, and there are no differences to get wrong.
- `KpiRollupRecord` remembers the day each deal, lead and activity last added to: when an
  event of the record is written, its old day and its new day are both recomputed (a reopened
  deal leaves its old day, a reassigned call moves within its day).
- A payment's or refund's day is its payment date (a payment arriving next month for a date
  in this one recomputes that date); an `invoice_issued` (the invoice's person or team may
  change) recomputes the days of every payment of the invoice.
- `refresh()` (the worker's periodic job, as analytics' `DailyRollup`) reads the events
  written since its cursor, `LOOKBACK` ids before it included (late commits).
- `rebuild()` (`manage.py kpi_rollups_rebuild`, and the first `refresh()`) recomputes every
  month from the records.
- Not followed: a deal won with a backdated close that changes whether a *later* deal of the
  client is a cross-sale; the rebuild puts it right.

Reading (`kpi_parts`): every day of the month but today from the rollup, **today from the
records** (the same querysets over one day, indexed), so «Мой план» and the grids show a call,
a win or a payment of today at once. A change to an earlier day (a payment recorded today for
a date of last week) shows after the next refresh (the worker runs it every 30 s). Until the
rollups are first built the figures are read from the records only. The stocks (unpaid and
overdue invoices, late projects) and administrators' KPIs are always read from the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.models import Event
from greenwave.sales.models import Deal, DealStatus, Lead, LeadStatus

from . import kpis
from .models import Kpi, KpiDayRollup, KpiRollupCursor, KpiRollupRecord, KpiSource, RevenueBasis

CURSOR = "kpis"
LOOKBACK = 200  # event ids re-read before the cursor (transactions that committed late)
LIMIT = 50_000  # events read by one refresh
PAYMENT_ACTIVITIES = ("payment_received", "payment_refunded")
MICRO = Decimal("0.000001")
CENT = Decimal("0.01")

# Measures kept per day: what each KPI reads from them.
PROJECTS, PROCESSING, WON_AMOUNT = "projects", "processing", "won_amount"
POSITIVE, REFUSAL, CALLS, MEETINGS = "positive", "refusal", "calls", "meetings"
CROSS_SALES, PAID = "cross_sales", "paid"
MEASURE_OF = {
    "projects": PROJECTS,
    "order_processing_days": PROCESSING,
    "positive_decisions": POSITIVE,
    "motivated_refusal_share": REFUSAL,
    "calls": CALLS,
    "meetings": MEETINGS,
    "cross_sales": CROSS_SALES,
}
ACTIVITY_MEASURE = {ActivityKind.CALL.value: CALLS, ActivityKind.MEETING.value: MEETINGS}

RowKey = tuple[date, str, int | None, int | None]  # day, measure, person, team


# --- computing days ----------------------------------------------------------------------


def _zone() -> Any:
    return timezone.get_default_timezone()


def _local_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=_zone())


def _seconds(value: timedelta | None) -> Decimal:
    """A summed duration as seconds, exact to the microsecond."""
    if value is None:
        return Decimal(0)
    return (Decimal(value // timedelta(microseconds=1)) * MICRO).quantize(MICRO)


def day_rows(ctx: kpis.Context) -> dict[RowKey, list[Decimal]]:
    """Every measure of the context's days, grouped by day, person and team: [num, den]."""
    rows: dict[RowKey, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])

    def put(
        day: date, measure: str, u: Any, t: Any, num: Decimal, den: Decimal = Decimal(0)
    ) -> None:
        if num or den:
            row = rows[(day, measure, u, t)]
            row[0] += num
            row[1] += den

    owner = ("responsible_id", "team_id")
    won = (
        kpis.won_deals(ctx)
        .annotate(day=_local_day("closed_at"))
        .values("day", *owner)
        .annotate(n=Count("pk"), d=Sum(kpis.DURATION), s=Sum("amount"))
        .order_by()
    )
    for r in won:
        u, t = r["responsible_id"], r["team_id"]
        put(r["day"], PROJECTS, u, t, Decimal(r["n"]))
        put(r["day"], PROCESSING, u, t, _seconds(r["d"]), Decimal(r["n"]))
        put(r["day"], WON_AMOUNT, u, t, Decimal(r["s"] or 0))
    motivated = Q(status=LeadStatus.DISQUALIFIED) & ~Q(disqualification_reason="")
    leads = (
        kpis.decided_leads(ctx)
        .annotate(day=_local_day("closed_at"))
        .values("day", *owner)
        .annotate(
            n=Count("pk"),
            c=Count("pk", filter=Q(status=LeadStatus.CONVERTED)),
            m=Count("pk", filter=motivated),
        )
        .order_by()
    )
    for r in leads:
        u, t = r["responsible_id"], r["team_id"]
        put(r["day"], POSITIVE, u, t, Decimal(r["c"]))
        put(r["day"], REFUSAL, u, t, Decimal(r["m"]), Decimal(r["n"]))
    done = (
        kpis.done_activities(ctx)
        .annotate(day=_local_day("completed_at"))
        .values("day", "kind", *owner)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in done:
        measure = ACTIVITY_MEASURE[str(r["kind"])]
        put(r["day"], measure, r["responsible_id"], r["team_id"], Decimal(r["n"]))
    cross = (
        kpis.cross_sale_deals(ctx)
        .annotate(day=_local_day("closed_at"))
        .values("day", *owner)
        .annotate(n=Count("pk"))
        .order_by()
    )
    for r in cross:
        put(r["day"], CROSS_SALES, r["responsible_id"], r["team_id"], Decimal(r["n"]))
    for r in kpis.payment_rows(ctx).values("day", "u", "t").annotate(s=Sum("signed")).order_by():
        put(r["day"], PAID, r["u"], r["t"], Decimal(r["s"] or 0))
    return dict(rows)


def _recompute_month(month: kpis.Month, days: set[date]) -> int:
    """Recompute these days of the month from the records (delete and insert)."""
    ctx = kpis.Context(month=month, as_of=month.last, span=(min(days), max(days)))
    rows = [(key, sums) for key, sums in day_rows(ctx).items() if key[0] in days]
    ordered = sorted(days)
    for start in range(0, len(ordered), 500):
        KpiDayRollup.objects.filter(day__in=ordered[start : start + 500]).delete()
    KpiDayRollup.objects.bulk_create(
        [
            KpiDayRollup(day=day, measure=measure, user_id=u, team_id=t, num=num, den=int(den))
            for (day, measure, u, t), (num, den) in rows
        ],
        batch_size=2000,
    )
    return len(rows)


def recompute_days(days: Iterable[date]) -> int:
    """Recompute these days (any months) from the records; returns the rows written."""
    by_month: dict[kpis.Month, set[date]] = defaultdict(set)
    for day in days:
        by_month[kpis.Month.of(day)].add(day)
    ordered = sorted(by_month.items(), key=lambda item: item[0].first)
    return sum(_recompute_month(month, wanted) for month, wanted in ordered)


def recompute_months(months: Iterable[kpis.Month]) -> int:
    return recompute_days(day for month in months for day in month.days())


# --- which days an event touches -----------------------------------------------------------

_RECORDS: dict[str, Callable[[], QuerySet[Any]]] = {
    Deal.EVENT_CASE_TYPE: lambda: Deal.objects.filter(
        status=DealStatus.WON, closed_at__isnull=False
    ).annotate(day=_local_day("closed_at")),
    Lead.EVENT_CASE_TYPE: lambda: Lead.objects.filter(
        status__in=[LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED], closed_at__isnull=False
    ).annotate(day=_local_day("closed_at")),
    Activity.EVENT_CASE_TYPE: lambda: Activity.objects.filter(
        kind__in=[ActivityKind.CALL, ActivityKind.MEETING],
        status=ActivityStatus.DONE,
        completed_at__isnull=False,
    ).annotate(day=_local_day("completed_at")),
}


def _record_days(kind: str, ids: set[int]) -> set[date]:
    """The old and new days of these records; the memo updated to the new ones."""
    days: set[date] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        chunk = ordered[start : start + 1000]
        memos = KpiRollupRecord.objects.filter(kind=kind, record_id__in=chunk)
        days |= set(memos.values_list("day", flat=True))
        memos.delete()
        now = list(_RECORDS[kind]().filter(pk__in=chunk).values_list("pk", "day"))
        KpiRollupRecord.objects.bulk_create(
            [KpiRollupRecord(kind=kind, record_id=pk, day=day) for pk, day in now]
        )
        days |= {day for _pk, day in now}
    return days


def _payment_day(payment_date: Any, stamp: datetime) -> date:
    return kpis._iso(payment_date) or timezone.localtime(stamp, _zone()).date()


def _invoice_days(events: QuerySet[Event]) -> set[date]:
    """Payment days of the payments written, and of every payment of a re-issued invoice."""
    days: set[date] = set()
    reissued: set[str] = set()
    rows = events.filter(
        case_type=kpis.INVOICE, activity__in=[*PAYMENT_ACTIVITIES, "invoice_issued"]
    ).values_list("case_id", "activity", "payload__payment_date", "timestamp")
    for case_id, activity, payment_date, stamp in rows:
        if activity == "invoice_issued":
            reissued.add(case_id)
        else:
            days.add(_payment_day(payment_date, stamp))
    listed = sorted(reissued)
    for start in range(0, len(listed), 1000):
        paid = Event.objects.filter(
            case_type=kpis.INVOICE,
            activity__in=PAYMENT_ACTIVITIES,
            case_id__in=listed[start : start + 1000],
        ).values_list("payload__payment_date", "timestamp")
        days |= {_payment_day(payment_date, stamp) for payment_date, stamp in paid}
    return days


def touched_days(events: QuerySet[Event]) -> set[date]:
    touched: dict[str, set[int]] = defaultdict(set)
    rows = events.filter(case_type__in=list(_RECORDS)).values_list("case_type", "case_id")
    for case_type, case_id in rows:
        if case_id.isdigit():
            touched[case_type].add(int(case_id))
    days = _invoice_days(events)
    for kind, ids in touched.items():
        days |= _record_days(kind, ids)
    return days


# --- keeping them current --------------------------------------------------------------------


def _cursor() -> KpiRollupCursor:
    cursor, _created = KpiRollupCursor.objects.get_or_create(name=CURSOR)
    return KpiRollupCursor.objects.select_for_update().get(pk=cursor.pk)


def ready() -> bool:
    return KpiRollupCursor.objects.filter(name=CURSOR, rebuilt_at__isnull=False).exists()


@transaction.atomic
def refresh(limit: int = LIMIT) -> int:
    """Apply the events written since the cursor; returns the days recomputed."""
    cursor = _cursor()
    if cursor.rebuilt_at is None:  # never built: everything at once
        return rebuild()
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    if newest <= cursor.last_event_id:
        return 0
    start = max(0, cursor.last_event_id - LOOKBACK)
    upto = min(newest, cursor.last_event_id + limit)
    days = touched_days(Event.objects.filter(pk__gt=start, pk__lte=upto))
    if days:
        recompute_days(days)
    cursor.last_event_id = upto
    cursor.save(update_fields=["last_event_id", "updated_at"])
    return len(days)


def refresh_job() -> int:
    """The worker's periodic job."""
    return refresh()


def refresh_all() -> int:
    """Refresh until the cursor reaches the newest event (after a bulk write)."""
    done = 0
    while True:
        newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
        done += refresh()
        if KpiRollupCursor.objects.get(name=CURSOR).last_event_id >= newest:
            return done


def _memo_sql(kind: str, qs: QuerySet[Any]) -> tuple[str, Any]:
    sql, params = qs.values_list("pk", "day").order_by().query.sql_with_params()
    return (
        "INSERT INTO planning_kpirolluprecord (kind, record_id, day) "  # noqa: S608 - constants
        f"SELECT %s, r.* FROM ({sql}) r",
        (kind, *params),
    )


def _months() -> list[kpis.Month]:
    """Every month a record or a payment can add to."""
    bounds = KpiRollupRecord.objects.aggregate(lo=Min("day"), hi=Max("day"))
    firsts = [bounds["lo"]] if bounds["lo"] else []
    lasts = [bounds["hi"]] if bounds["hi"] else []
    paid = Event.objects.filter(case_type=kpis.INVOICE, activity__in=PAYMENT_ACTIVITIES)
    stamps = paid.aggregate(lo=Min("timestamp"), hi=Max("timestamp"))
    if stamps["lo"] is not None:
        window = timedelta(days=kpis.LATE_PAYMENT_DAYS + 1)
        firsts.append(timezone.localtime(stamps["lo"], _zone()).date() - window)
        lasts.append(timezone.localtime(stamps["hi"], _zone()).date() + window)
    if not firsts:
        return []
    months, month = [], kpis.Month.of(min(firsts))
    while month.first <= max(lasts):
        months.append(month)
        month = month.next
    return months


@transaction.atomic
def rebuild(progress: Callable[[str], None] | None = None) -> int:
    """Empty the rollups and recompute every month from the records; returns rows written."""
    cursor = _cursor()
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    KpiDayRollup.objects.all().delete()
    KpiRollupRecord.objects.all().delete()
    with connection.cursor() as db:
        for kind, records in _RECORDS.items():
            db.execute(*_memo_sql(kind, records()))
    if progress:
        progress("records")
    written = 0
    for month in _months():
        written += _recompute_month(month, set(month.days()))
        if progress:
            progress(month.key)
    cursor.last_event_id = newest
    cursor.rebuilt_at = timezone.now()
    cursor.save(update_fields=["last_event_id", "rebuilt_at", "updated_at"])
    return written


# --- reading -------------------------------------------------------------------------------


def _measure(kpi: Kpi, ctx: kpis.Context) -> str | None:
    if kpi.source != KpiSource.BUILTIN:
        return None
    if kpi.key == "revenue":
        return WON_AMOUNT if ctx.settings_basis == RevenueBasis.WON else PAID
    return MEASURE_OF.get(kpi.key)


def _part(measure: str, u: Any, t: Any, num: Decimal, den: int) -> kpis.Part:
    if measure == PROCESSING:
        days = kpis._days(timedelta(microseconds=int(num / MICRO)))
        return kpis.Part(u, t, days, Decimal(den))
    if measure == REFUSAL:
        return kpis.Part(u, t, Decimal(int(num)), Decimal(den))
    if measure in (PAID, WON_AMOUNT):
        return kpis.Part(u, t, num.quantize(CENT))
    return kpis.Part(u, t, Decimal(int(num)))


def _rolled(ctx: kpis.Context, scope: kpis.Scope, today: date) -> dict[str, list[kpis.Part]]:
    """The month's days but today from the rollup, by measure (one grouped query)."""
    key = ("rollup", scope)
    if key not in ctx._cache:
        rows = (
            KpiDayRollup.objects.filter(day__gte=ctx.month.first, day__lte=ctx.month.last)
            .exclude(day=today)
            .filter(scope.q("user_id", "team_id"))
            .values("measure", "user_id", "team_id")
            .annotate(num=Sum("num"), den=Sum("den"))
            .order_by()
        )
        parts: dict[str, list[kpis.Part]] = defaultdict(list)
        for r in rows:
            if r["num"] or r["den"]:
                parts[r["measure"]].append(
                    _part(r["measure"], r["user_id"], r["team_id"], r["num"], r["den"])
                )
        ctx._cache[key] = parts
    return ctx._cache[key]  # type: ignore[no-any-return]


def _today_context(ctx: kpis.Context, today: date) -> kpis.Context:
    key = "today"
    if key not in ctx._cache:
        ctx._cache[key] = kpis.Context(
            month=ctx.month,
            as_of=ctx.as_of,
            settings_basis=ctx.settings_basis,
            span=(today, today),
        )
    return ctx._cache[key]  # type: ignore[no-any-return]


def kpi_parts(kpi: Kpi, ctx: kpis.Context, scope: kpis.Scope) -> list[kpis.Part]:
    """`kpis.kpi_parts`, from the rollup where it keeps the KPI (see the module's docstring)."""
    measure = _measure(kpi, ctx)
    if measure is None or ctx.span is not None:
        return kpis.kpi_parts(kpi, ctx, scope)
    if "ready" not in ctx._cache:
        ctx._cache["ready"] = ready()
    if not ctx._cache["ready"]:
        return kpis.kpi_parts(kpi, ctx, scope)
    today = kpis.today()
    parts = list(_rolled(ctx, scope, today).get(measure, []))
    if ctx.month.first <= today <= ctx.month.last:
        parts += kpis.kpi_parts(kpi, _today_context(ctx, today), scope)
    return parts
