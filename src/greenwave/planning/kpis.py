"""The KPI catalogue (seed 003, «Финансовые показатели») and how each KPI is computed.

Every figure comes from the event log (`core.Event`) or the sales/activities/orders records, never
typed in. A computation answers, for a month and a scope (people and teams), *parts*: rows
grouped by (person, team) holding a numerator and a denominator, so a person's value, a team's
and a department's are all combinations of the same few grouped queries (one per KPI, however
many people the grid has). `kpi_facts` lists the records behind a figure (the click-through).

Invoice and payment figures read only the events of the shared contract (INVOICE_EVENTS.md):
`invoice_issued` carries `responsible_id`/`team_id`, which credit the person and the team.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import holidays
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.models import Event
from greenwave.orders.models import Order, OrderStatus
from greenwave.sales.models import Deal, DealItem, DealStatus, Lead, LeadStatus

from .models import Kpi, KpiAggregate, KpiSource, RevenueBasis

ZERO = Decimal(0)
HUNDRED = Decimal(100)
OVERDUE_GRACE_DAYS = 5
INVOICE = "invoice"


# --- months and working days -------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first: date

    @classmethod
    def parse(cls, value: str) -> Month:
        """`YYYY-MM` → the month; ValueError on anything else."""
        if len(value) != 7 or value[4] != "-":
            raise ValueError(value)
        year, month = int(value[:4]), int(value[5:])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(value)
        return cls(date(year, month, 1))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.replace(day=1))

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def last(self) -> date:
        return self.first.replace(day=calendar.monthrange(self.first.year, self.first.month)[1])

    @property
    def next(self) -> Month:
        return Month(self.last + timedelta(days=1))

    @property
    def previous(self) -> Month:
        return Month.of(self.first - timedelta(days=1))

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_default_timezone()
        start = datetime.combine(self.first, time(0), tzinfo=zone)
        return start, datetime.combine(self.next.first, time(0), tzinfo=zone)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.last.day)]


def today() -> date:
    return timezone.localdate()


def working_days(month: Month) -> list[date]:
    """Working days of the month by the Russian production calendar: Monday to Friday minus
    the days off of `holidays.RU` (public holidays, their observed and substituted days off)."""
    return list(_working_days(month.first))


@functools.lru_cache(maxsize=128)
def _working_days(first: date) -> tuple[date, ...]:
    # Built once per month and process: the calendar cost more than a grid's other Python
    # (the run-rate of every cell asked for it).
    month = Month(first)
    off = holidays.country_holidays("RU", years=first.year)
    return tuple(d for d in month.days() if d.weekday() < 5 and d not in off)


# --- parts and values --------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A grouped piece of a KPI: the records of one (person, team) pair."""

    user_id: int | None
    team_id: int | None
    num: Decimal
    den: Decimal = Decimal(1)


@dataclass(frozen=True)
class Scope:
    """Whose records to read: these people's and these teams' (None = everyone's)."""

    user_ids: frozenset[int] | None = None
    team_ids: frozenset[int] | None = None

    @property
    def everything(self) -> bool:
        return self.user_ids is None and self.team_ids is None

    def q(self, user_field: str = "responsible_id", team_field: str = "team_id") -> Q:
        if self.everything:
            return Q()
        condition = Q(pk__in=[])
        if self.user_ids:
            condition |= Q(**{f"{user_field}__in": self.user_ids})
        if self.team_ids:
            condition |= Q(**{f"{team_field}__in": self.team_ids})
        return condition

    def holds(self, user_id: int | None, team_id: int | None) -> bool:
        if self.everything:
            return True
        return bool(
            (user_id is not None and self.user_ids and user_id in self.user_ids)
            or (team_id is not None and self.team_ids and team_id in self.team_ids)
        )


# How parts combine into a value: a sum, an average (num/den) or a share in percent.
MODE_SUM, MODE_AVG, MODE_SHARE = "sum", "avg", "share"


def combine(parts: Iterable[Part], mode: str) -> Decimal | None:
    num, den, seen = ZERO, ZERO, False
    for part in parts:
        num += part.num
        den += part.den
        seen = True
    if mode == MODE_SUM:
        return num
    if not seen or den == 0:
        return None
    value = num / den * (HUNDRED if mode == MODE_SHARE else 1)
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Fact:
    """One record behind a figure (the click-through)."""

    day: date
    label: str
    value: Decimal
    user_id: int | None
    team_id: int | None
    url: str = ""
    note: str = ""
    counts: bool = True  # a denominator-only row of a share (a converted lead) is False
    ref: str = ""  # the invoice (case id) of a payment


@dataclass
class Context:
    month: Month
    as_of: date  # the last day the figures reach (today inside the current month)
    settings_basis: str = RevenueBasis.PAID
    # The days the flow KPIs read (first, last), inside the month; None = the whole month.
    # The rollups compute and read days with it (`kpi_rollups`).
    span: tuple[date, date] | None = None
    _cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def first(self) -> date:
        return self.span[0] if self.span else self.month.first

    @property
    def last(self) -> date:
        return self.span[1] if self.span else self.month.last

    def bounds(self) -> tuple[datetime, datetime]:
        """The moments of the flow KPIs' days (the month's unless a span is set)."""
        zone = timezone.get_default_timezone()
        start = datetime.combine(self.first, time(0), tzinfo=zone)
        return start, datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=zone)

    @property
    def as_of_end(self) -> datetime:
        zone = timezone.get_default_timezone()
        return datetime.combine(self.as_of + timedelta(days=1), time(0), tzinfo=zone)


def context_for(month: Month, basis: str = RevenueBasis.PAID) -> Context:
    now = today()
    as_of = min(month.last, now) if month.first <= now else month.first - timedelta(days=1)
    return Context(month=month, as_of=as_of, settings_basis=basis)


# --- record-based computations -----------------------------------------------------------


def _month_q(date_field: str, ctx: Context) -> Q:
    start, end = ctx.bounds()
    return Q(**{f"{date_field}__gte": start, f"{date_field}__lt": end})


def _grouped(qs: QuerySet[Any], **aggregates: Any) -> list[dict[str, Any]]:
    return list(qs.values("responsible_id", "team_id").annotate(**aggregates).order_by())


def _count_parts(qs: QuerySet[Any]) -> list[Part]:
    return [
        Part(row["responsible_id"], row["team_id"], Decimal(row["n"]))
        for row in _grouped(qs, n=Count("pk"))
    ]


def won_deals(ctx: Context) -> QuerySet[Deal]:
    """The deals won in the context's days (projects, processing time, revenue «won»)."""
    return _won_deals(ctx)


def cross_sale_deals(ctx: Context) -> QuerySet[Deal]:
    return _cross_sale_deals(ctx)


def decided_leads(ctx: Context) -> QuerySet[Lead]:
    return _decided_leads(ctx)


def done_activities(ctx: Context) -> QuerySet[Activity]:
    """The calls and meetings done in the context's days."""
    return Activity.objects.filter(
        _month_q("completed_at", ctx),
        kind__in=[ActivityKind.CALL, ActivityKind.MEETING],
        status=ActivityStatus.DONE,
    )


def _won_deals(ctx: Context) -> QuerySet[Deal]:
    return Deal.objects.filter(_month_q("closed_at", ctx), status=DealStatus.WON)


def _cross_sale_deals(ctx: Context) -> QuerySet[Deal]:
    earlier = Deal.objects.filter(
        company_id=OuterRef("company_id"),
        status=DealStatus.WON,
        closed_at__lt=OuterRef("closed_at"),
    )
    bought_group_before = DealItem.objects.filter(
        deal__company_id=OuterRef(OuterRef("company_id")),
        deal__status=DealStatus.WON,
        deal__closed_at__lt=OuterRef(OuterRef("closed_at")),
        product__group_id=OuterRef("product__group_id"),
    )
    new_group_line = DealItem.objects.filter(deal_id=OuterRef("pk")).filter(
        ~Exists(bought_group_before)
    )
    return _won_deals(ctx).filter(Exists(earlier), Exists(new_group_line))


def _late_orders(ctx: Context) -> QuerySet[Order]:
    """Late projects (seed 003, KPI 11): the orders shipped in the month after their promised
    date, and those whose promised date fell in the month and passed with the order still
    unshipped at the month's end (today in the current month). Cancelled orders are none."""
    month = ctx.month
    shipped_late = Q(
        shipped_date__gte=month.first,
        shipped_date__lte=ctx.as_of,
        shipped_date__gt=F("promised_date"),
    )
    unshipped_late = Q(
        promised_date__gte=month.first,
        promised_date__lte=month.last,
        promised_date__lt=ctx.as_of,
    ) & (Q(shipped_date__isnull=True) | Q(shipped_date__gt=ctx.as_of))
    return Order.objects.filter(shipped_late | unshipped_late).exclude(status=OrderStatus.CANCELLED)


def _decided_leads(ctx: Context) -> QuerySet[Lead]:
    return Lead.objects.filter(
        _month_q("closed_at", ctx),
        status__in=[LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED],
    )


def _done(kind: str, ctx: Context) -> QuerySet[Activity]:
    return Activity.objects.filter(
        _month_q("completed_at", ctx), kind=kind, status=ActivityStatus.DONE
    )


DURATION = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
DAY_SECONDS = Decimal(86400)


def _days(value: timedelta | None) -> Decimal:
    if value is None:
        return ZERO
    return Decimal(value.total_seconds()) / DAY_SECONDS


def _once(ctx: Context, name: str, scope: Scope, compute: Callable[[], Any]) -> Any:
    """A grouped query that serves several KPIs, run once per context and scope."""
    key = (name, scope)
    if key not in ctx._cache:
        ctx._cache[key] = compute()
    return ctx._cache[key]


def _won_rows(ctx: Context, scope: Scope) -> list[dict[str, Any]]:
    """The month's won deals by person and team: count, summed duration and amount (projects,
    order processing time and revenue «won» from one pass over the month's wins)."""
    return _once(  # type: ignore[no-any-return]
        ctx,
        "won",
        scope,
        lambda: _grouped(
            _won_deals(ctx).filter(scope.q()), n=Count("pk"), d=Sum(DURATION), s=Sum("amount")
        ),
    )


def _lead_rows(ctx: Context, scope: Scope) -> list[dict[str, Any]]:
    """The month's decided leads by person and team: decided, converted and refused with a
    reason (positive decisions and the motivated refusals' share from one pass)."""
    motivated = Q(status=LeadStatus.DISQUALIFIED) & ~Q(disqualification_reason="")
    return _once(  # type: ignore[no-any-return]
        ctx,
        "leads",
        scope,
        lambda: _grouped(
            _decided_leads(ctx).filter(scope.q()),
            n=Count("pk"),
            c=Count("pk", filter=Q(status=LeadStatus.CONVERTED)),
            m=Count("pk", filter=motivated),
        ),
    )


def _activity_parts(kind: str, ctx: Context, scope: Scope) -> list[Part]:
    """Calls or meetings done in the month: both counted in one pass over the month's done
    activities, grouped by kind, person and team."""
    rows = _once(
        ctx,
        "done",
        scope,
        lambda: list(
            done_activities(ctx)
            .filter(scope.q())
            .values("kind", "responsible_id", "team_id")
            .annotate(n=Count("pk"))
            .order_by()
        ),
    )
    return [
        Part(r["responsible_id"], r["team_id"], Decimal(r["n"])) for r in rows if r["kind"] == kind
    ]


def _projects_parts(ctx: Context, scope: Scope) -> list[Part]:
    return [Part(r["responsible_id"], r["team_id"], Decimal(r["n"])) for r in _won_rows(ctx, scope)]


def _processing_parts(ctx: Context, scope: Scope) -> list[Part]:
    return [
        Part(r["responsible_id"], r["team_id"], _days(r["d"]), Decimal(r["n"]))
        for r in _won_rows(ctx, scope)
    ]


def _positive_parts(ctx: Context, scope: Scope) -> list[Part]:
    return [
        Part(r["responsible_id"], r["team_id"], Decimal(r["c"]))
        for r in _lead_rows(ctx, scope)
        if r["c"]
    ]


def _refusal_parts(ctx: Context, scope: Scope) -> list[Part]:
    return [
        Part(r["responsible_id"], r["team_id"], Decimal(r["m"]), Decimal(r["n"]))
        for r in _lead_rows(ctx, scope)
    ]


def _won_amount_parts(ctx: Context, scope: Scope) -> list[Part]:
    return [
        Part(r["responsible_id"], r["team_id"], Decimal(r["s"] or 0)) for r in _won_rows(ctx, scope)
    ]


def _deal_url(pk: int) -> str:
    return reverse("sales:deal_detail", args=[pk])


def _deal_facts(qs: QuerySet[Deal], value: Callable[[Deal], Decimal], day_of: Any) -> list[Fact]:
    return [
        Fact(
            day=day_of(d),
            label=d.title,
            value=value(d),
            user_id=d.responsible_id,
            team_id=d.team_id,
            url=_deal_url(d.pk),
            note=d.company.name if d.company_id and d.company else "",
        )
        for d in qs.select_related("company").order_by("closed_at", "pk")
    ]


def _local(value: datetime | None) -> date:
    return timezone.localtime(value).date() if value else date.min


def _activity_facts(qs: QuerySet[Activity]) -> list[Fact]:
    return [
        Fact(
            day=_local(a.completed_at),
            label=a.subject,
            value=Decimal(1),
            user_id=a.responsible_id,
            team_id=a.team_id,
            url=reverse("activities:activity_detail", args=[a.pk]),
            note=a.company.name if a.company_id and a.company else "",
        )
        for a in qs.select_related("company").order_by("completed_at", "pk")
    ]


def _lead_facts(qs: QuerySet[Lead], counts: Callable[[Lead], bool]) -> list[Fact]:
    return [
        Fact(
            day=_local(lead.closed_at),
            label=lead.title,
            value=Decimal(1) if counts(lead) else ZERO,
            user_id=lead.responsible_id,
            team_id=lead.team_id,
            url=reverse("sales:lead_detail", args=[lead.pk]),
            note=lead.get_disqualification_reason_display() if lead.disqualification_reason else "",
            counts=counts(lead),
        )
        for lead in qs.order_by("closed_at", "pk")
    ]


# --- invoice and payment events (INVOICE_EVENTS.md) ----------------------------------------


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return ZERO


def _iso(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class Invoice:
    case_id: str
    number: str
    total: Decimal
    issued: date
    due: date | None
    user_id: int | None
    team_id: int | None
    deal_id: int | None = None


def _issued(ctx: Context, case_ids: Iterable[str] | None = None) -> dict[str, Invoice]:
    """The invoices issued up to the end of the figures (one query)."""
    qs = Event.objects.filter(case_type=INVOICE, activity="invoice_issued")
    if case_ids is not None:
        qs = qs.filter(case_id__in=list(case_ids))
    else:
        qs = qs.filter(timestamp__lt=ctx.as_of_end)
    result: dict[str, Invoice] = {}
    # Only the keys used, extracted by the database: decoding whole payloads cost more than
    # the rest of the KPI (kpi_grid benchmark).
    rows = qs.order_by("timestamp", "pk").values_list(
        "case_id",
        "timestamp",
        "payload__number",
        "payload__total",
        "payload__issue_date",
        "payload__due_date",
        "payload__responsible_id",
        "payload__team_id",
        "payload__deal_id",
    )
    for case_id, stamp, number, total, issue_date, due_date, user_id, team_id, deal_id in rows:
        result[case_id] = Invoice(
            case_id=case_id,
            number=str(number if number is not None else case_id),
            total=_money(total),
            issued=_iso(issue_date) or _local(stamp),
            due=_iso(due_date),
            user_id=_int(user_id),
            team_id=_int(team_id),
            deal_id=_int(deal_id),
        )
    return result


def invoice_url_maker() -> Callable[[str], str]:
    """The URL of an invoice's events page by case id, reversed once: `reverse()` for every
    payment cost more than reading the payment (kpi_grid benchmark)."""
    sentinel = "987654321"
    head, _sep, tail = reverse("planning:kpi_invoice", args=[int(sentinel)]).partition(sentinel)
    return lambda case_id: f"{head}{case_id}{tail}" if case_id.isdigit() else ""


def _unpaid(ctx: Context, scope: Scope) -> list[Invoice]:
    key = "unpaid"
    if key not in ctx._cache:
        issued = _issued(ctx)
        closed = set(
            Event.objects.filter(
                case_type=INVOICE,
                activity__in=["invoice_paid", "invoice_cancelled"],
                timestamp__lt=ctx.as_of_end,
                case_id__in=list(issued),
            ).values_list("case_id", flat=True)
        )
        ctx._cache[key] = [inv for cid, inv in issued.items() if cid not in closed]
    invoices: list[Invoice] = ctx._cache[key]
    return [inv for inv in invoices if scope.holds(inv.user_id, inv.team_id)]


def _overdue(ctx: Context, scope: Scope) -> list[Invoice]:
    limit = ctx.as_of - timedelta(days=OVERDUE_GRACE_DAYS)
    return [inv for inv in _unpaid(ctx, scope) if inv.due is not None and inv.due < limit]


def _payload_int(key: str) -> Any:
    return Cast(KT(f"payload__{key}"), IntegerField())


def _unpaid_parts(ctx: Context, scope: Scope, *, overdue: bool = False) -> list[Part]:
    """Unpaid (or overdue) invoices grouped by the invoice's responsible and team in the
    database: the last `invoice_issued` of each case up to the end of the figures with no
    `invoice_paid`/`invoice_cancelled` before it — what `_unpaid` lists row by row for the
    click-through (one query; Python per invoice was most of the grid's time)."""
    end = ctx.as_of_end
    # A set, not a correlated check: PostgreSQL hashes it once (the correlated NOT EXISTS was
    # planned as a scan of every paid invoice per issued one).
    closed = Event.objects.filter(
        case_type=INVOICE,
        activity__in=["invoice_paid", "invoice_cancelled"],
        timestamp__lt=end,
    ).values("case_id")
    later = Event.objects.filter(
        case_type=INVOICE,
        activity="invoice_issued",
        case_id=OuterRef("case_id"),
        timestamp__lt=end,
    ).filter(
        Q(timestamp__gt=OuterRef("timestamp"))
        | Q(timestamp=OuterRef("timestamp"), pk__gt=OuterRef("pk"))
    )
    key = f"unpaid_parts:{sorted(scope.user_ids or [])}:{sorted(scope.team_ids or [])}"
    if key not in ctx._cache:
        limit = ctx.as_of - timedelta(days=OVERDUE_GRACE_DAYS)
        rows = (
            Event.objects.filter(case_type=INVOICE, activity="invoice_issued", timestamp__lt=end)
            .exclude(case_id__in=closed)
            .filter(~Exists(later))
            .annotate(
                u=_payload_int("responsible_id"),
                t=_payload_int("team_id"),
                due=Cast(KT("payload__due_date"), DateField()),
            )
            .filter(scope.q("u", "t"))
            .values("u", "t")
            .annotate(n=Count("pk"), late=Count("pk", filter=Q(due__lt=limit)))
            .order_by()
        )
        ctx._cache[key] = list(rows)
    return [
        Part(r["u"], r["t"], Decimal(r["late"] if overdue else r["n"]))
        for r in ctx._cache[key]
        if r["late" if overdue else "n"]
    ]


def payment_rows(ctx: Context) -> Any:
    """Payments minus refunds whose payment date (else the local day of the event) is in the
    context's days, annotated with `day`, the crediting `u`/`t` (the responsible and team of
    the invoice's last `invoice_issued`) and the `signed` amount. A payment counts when it
    was recorded within `LATE_PAYMENT_DAYS` of its month (the window is the month's even
    when the context reads fewer days, so a day's figure is the month's share of it)."""
    start, end = ctx.month.bounds()
    issued = Event.objects.filter(
        case_type=INVOICE, activity="invoice_issued", case_id=OuterRef("case_id")
    ).order_by("-timestamp", "-pk")
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)
    return (
        Event.objects.filter(
            case_type=INVOICE,
            activity__in=["payment_received", "payment_refunded"],
            timestamp__gte=start - timedelta(days=LATE_PAYMENT_DAYS),
            timestamp__lt=end + timedelta(days=LATE_PAYMENT_DAYS),
        )
        .annotate(
            day=Coalesce(Cast(KT("payload__payment_date"), DateField()), TruncDate("timestamp"))
        )
        .filter(day__gte=ctx.first, day__lte=ctx.last)
        .annotate(
            u=Subquery(issued.values(v=_payload_int("responsible_id"))[:1]),
            t=Subquery(issued.values(v=_payload_int("team_id"))[:1]),
            signed=Case(
                When(activity="payment_refunded", then=Value(Decimal(-1))),
                default=Value(Decimal(1)),
                output_field=money,
            )
            * Cast(KT("payload__amount"), money),
        )
    )


def _payment_parts(ctx: Context, scope: Scope) -> list[Part]:
    """Revenue «paid» grouped in the database by the crediting person and team (one query;
    `_payments` lists the payments one by one)."""
    rows = (
        payment_rows(ctx)
        .filter(scope.q("u", "t"))
        .values("u", "t")
        .annotate(s=Sum("signed"))
        .order_by()
    )
    return [Part(r["u"], r["t"], Decimal(r["s"] or 0).quantize(Decimal("0.01"))) for r in rows]


def _invoice_facts(invoices: list[Invoice], ctx: Context) -> list[Fact]:
    url_of = invoice_url_maker()
    return [
        Fact(
            day=inv.issued,
            label=inv.number,
            value=Decimal(1),
            user_id=inv.user_id,
            team_id=inv.team_id,
            url=url_of(inv.case_id),
            note=f"{inv.total} ₽"
            + (f", {_shown(inv.due)}" if inv.due else "")
            + (f" (+{(ctx.as_of - inv.due).days})" if inv.due and inv.due < ctx.as_of else ""),
        )
        for inv in sorted(invoices, key=lambda i: (i.issued, i.case_id))
    ]


# A payment recorded up to this long after its month still counts in the month of its date.
LATE_PAYMENT_DAYS = 92


def payments(ctx: Context, scope: Scope) -> list[Fact]:
    """Payments and refunds dated in the month, credited through their invoices."""
    return _payments(ctx, scope)


def invoices_of(ctx: Context, case_ids: Iterable[str]) -> dict[str, Invoice]:
    return _issued(ctx, case_ids)


def _payments(ctx: Context, scope: Scope) -> list[Fact]:
    """Payments (and refunds, negative) dated in the month, credited through the invoice."""
    key = "payments"
    if key not in ctx._cache:
        start, end = ctx.month.bounds()
        rows = list(
            Event.objects.filter(
                case_type=INVOICE,
                activity__in=["payment_received", "payment_refunded"],
                timestamp__gte=start - timedelta(days=LATE_PAYMENT_DAYS),
                timestamp__lt=end + timedelta(days=LATE_PAYMENT_DAYS),
            )
            .order_by("timestamp", "pk")
            .values_list(
                "case_id", "activity", "payload__payment_date", "payload__amount", "timestamp"
            )
        )
        dated = []
        for case_id, activity, payment_date, amount, stamp in rows:
            when = _iso(payment_date) or _local(stamp)
            if ctx.month.first <= when <= ctx.month.last:
                sign = Decimal(-1) if activity == "payment_refunded" else Decimal(1)
                dated.append((case_id, when, sign * _money(amount), activity))
        invoices = _issued(ctx, {row[0] for row in dated}) if dated else {}
        url_of = invoice_url_maker()
        facts = []
        for case_id, when, amount, activity in dated:
            inv = invoices.get(case_id)
            facts.append(
                Fact(
                    day=when,
                    label=inv.number if inv else case_id,
                    value=amount,
                    user_id=inv.user_id if inv else None,
                    team_id=inv.team_id if inv else None,
                    url=url_of(case_id),
                    note=activity,
                    ref=case_id,
                )
            )
        ctx._cache[key] = facts
    payments: list[Fact] = ctx._cache[key]
    return [f for f in payments if scope.holds(f.user_id, f.team_id)]


def _fact_parts(facts: list[Fact]) -> list[Part]:
    grouped: dict[tuple[int | None, int | None], Decimal] = {}
    for f in facts:
        grouped[(f.user_id, f.team_id)] = grouped.get((f.user_id, f.team_id), ZERO) + f.value
    return [Part(u, t, v) for (u, t), v in grouped.items()]


# --- the dispatch --------------------------------------------------------------------------


def mode_of(kpi: Kpi) -> str:
    if kpi.key == "order_processing_days":
        return MODE_AVG
    if kpi.key == "motivated_refusal_share":
        return MODE_SHARE
    if kpi.source != KpiSource.BUILTIN and kpi.aggregate == KpiAggregate.AVG:
        return MODE_AVG
    return MODE_SUM


def is_state(kpi: Kpi) -> bool:
    """A stock at a moment (unpaid invoices), not a flow through the month: no run-rate."""
    return kpi.key in ("unpaid_invoices", "overdue_payments_5d", "late_projects")


def _revenue_parts(ctx: Context, scope: Scope) -> list[Part]:
    if ctx.settings_basis == RevenueBasis.WON:
        return _won_amount_parts(ctx, scope)
    return _payment_parts(ctx, scope)


# The built-in KPIs' grouped pieces for the month, by key (one grouped query for most).
_BUILTIN_PARTS: dict[str, Callable[[Context, Scope], list[Part]]] = {
    "revenue": _revenue_parts,
    "projects": _projects_parts,
    "order_processing_days": _processing_parts,
    "positive_decisions": _positive_parts,
    "motivated_refusal_share": _refusal_parts,
    "calls": lambda ctx, scope: _activity_parts(ActivityKind.CALL, ctx, scope),
    "meetings": lambda ctx, scope: _activity_parts(ActivityKind.MEETING, ctx, scope),
    "cross_sales": lambda ctx, scope: _count_parts(_cross_sale_deals(ctx).filter(scope.q())),
    "unpaid_invoices": _unpaid_parts,
    "overdue_payments_5d": lambda ctx, scope: _unpaid_parts(ctx, scope, overdue=True),
    "late_projects": lambda ctx, scope: _count_parts(_late_orders(ctx).filter(scope.q())),
}


def kpi_parts(kpi: Kpi, ctx: Context, scope: Scope) -> list[Part]:
    """The grouped pieces of a KPI for the month (one grouped query for most KPIs)."""
    if kpi.source != KpiSource.BUILTIN:
        return _custom_parts(kpi, ctx, scope)
    parts = _BUILTIN_PARTS.get(kpi.key)
    return parts(ctx, scope) if parts else []


def _one(_record: Any) -> Decimal:
    return Decimal(1)


def _closed_day(deal: Deal) -> date:
    return _local(deal.closed_at)


def _revenue_facts(ctx: Context, scope: Scope) -> list[Fact]:
    if ctx.settings_basis == RevenueBasis.WON:
        return _deal_facts(_won_deals(ctx).filter(scope.q()), lambda d: d.amount, _closed_day)
    return _payments(ctx, scope)


def _processing_facts(ctx: Context, scope: Scope) -> list[Fact]:
    return _deal_facts(
        _won_deals(ctx).filter(scope.q()),
        lambda d: _days((d.closed_at or d.created_at) - d.created_at).quantize(Decimal("0.01")),
        _closed_day,
    )


def _positive_facts(ctx: Context, scope: Scope) -> list[Fact]:
    qs = Lead.objects.filter(_month_q("closed_at", ctx), status=LeadStatus.CONVERTED)
    return _lead_facts(qs.filter(scope.q()), lambda _lead: True)


def _refusal_facts(ctx: Context, scope: Scope) -> list[Fact]:
    return _lead_facts(
        _decided_leads(ctx).filter(scope.q()),
        lambda lead: lead.status == LeadStatus.DISQUALIFIED and bool(lead.disqualification_reason),
    )


def _shown(day: date) -> str:
    """A day as the reader writes it (07.12.2026, 12/07/2026)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def _late_fact(order: Order, ctx: Context) -> Fact:
    """A late order by its deal's title; the note holds the promised and shipped dates and
    the reason of the delay with its comment (KPI 11 «причины несвоевременной сдачи»)."""
    shipped = order.shipped_date if order.shipped_date and order.shipped_date <= ctx.as_of else None
    dates = f"{_shown(order.promised_date)} → {_shown(shipped) if shipped else '—'}"
    reason = order.get_late_reason_display() if order.late_reason else ""
    return Fact(
        day=shipped or order.promised_date,
        label=order.deal.title,
        value=Decimal(1),
        user_id=order.responsible_id,
        team_id=order.team_id,
        url=reverse("orders:order_detail", args=[order.pk]),
        note=" · ".join(x for x in (dates, reason, order.late_comment[:120]) if x),
    )


def _late_facts(ctx: Context, scope: Scope) -> list[Fact]:
    late = _late_orders(ctx).filter(scope.q()).select_related("deal")
    return [_late_fact(o, ctx) for o in late.order_by("promised_date", "pk")]


# The records behind the built-in KPIs' figures, by key.
_BUILTIN_FACTS: dict[str, Callable[[Context, Scope], list[Fact]]] = {
    "revenue": _revenue_facts,
    "projects": lambda ctx, scope: _deal_facts(
        _won_deals(ctx).filter(scope.q()), _one, _closed_day
    ),
    "order_processing_days": _processing_facts,
    "positive_decisions": _positive_facts,
    "motivated_refusal_share": _refusal_facts,
    "calls": lambda ctx, scope: _activity_facts(_done(ActivityKind.CALL, ctx).filter(scope.q())),
    "meetings": lambda ctx, scope: _activity_facts(
        _done(ActivityKind.MEETING, ctx).filter(scope.q())
    ),
    "cross_sales": lambda ctx, scope: _deal_facts(
        _cross_sale_deals(ctx).filter(scope.q()), _one, _closed_day
    ),
    "unpaid_invoices": lambda ctx, scope: _invoice_facts(_unpaid(ctx, scope), ctx),
    "overdue_payments_5d": lambda ctx, scope: _invoice_facts(_overdue(ctx, scope), ctx),
    "late_projects": _late_facts,
}


def kpi_facts(kpi: Kpi, ctx: Context, scope: Scope) -> list[Fact]:
    """The records behind a KPI's figure for the month and scope."""
    if kpi.source != KpiSource.BUILTIN:
        return _custom_facts(kpi, ctx, scope)
    facts = _BUILTIN_FACTS.get(kpi.key)
    return facts(ctx, scope) if facts else []


def pipeline_revenue(ctx: Context, scope: Scope) -> list[Part]:
    """Open deals expected to close in the rest of the month, weighted by their stage's
    probability (the pipeline-weighted part of the revenue forecast; one grouped query)."""
    if ctx.as_of >= ctx.month.last:
        return []
    qs = Deal.objects.filter(
        scope.q(),
        status=DealStatus.OPEN,
        expected_close_date__gte=max(ctx.as_of, ctx.month.first),
        expected_close_date__lte=ctx.month.last,
    )
    rows = (
        qs.values("responsible_id", "team_id", "stage__probability")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    return [
        Part(
            r["responsible_id"],
            r["team_id"],
            ((r["s"] or ZERO) * Decimal(r["stage__probability"]) / HUNDRED).quantize(
                Decimal("0.01")
            ),
        )
        for r in rows
    ]


# The catalogue and the administrator's building blocks live in their own modules;
# their names are re-exported here (callers import them from `kpis`).
from .kpi_catalogue import BUILTIN, BUILTIN_KEYS, sync_builtin  # noqa: E402
from .kpi_custom import (  # noqa: E402
    PAYLOAD_KEY_CHARS,
    RECORDS,
    _custom_facts,
    _custom_parts,
    validate_custom,
)

__all__ = [
    "BUILTIN",
    "BUILTIN_KEYS",
    "PAYLOAD_KEY_CHARS",
    "RECORDS",
    "sync_builtin",
    "validate_custom",
]
