"""The sales figures of seed 003 «Аналитика» for a period, the previous period and last year.

Sales are won deals: a deal counts on the day it was won (`closed_at`, local time) with its
amount, in the main currency (deals in other currencies are counted apart, never added to
roubles). The client history behind new / regular / lost and repeat sales is the client's
whole history of won deals, whoever sold them; the amounts and counts summed are those of
the deals the actor may see (`accounts.scoping`): a manager sees their clients, a head the
team's, the director everything.

Once the rollups are built (`rollups.rebuild`, kept by the worker) the figures are read from
the sales rollups (`sales_rollups`: one fact row per won deal with its client history, product
lines and leads per day × team), scoped by the same rule: two statements for the three periods
and a few small reads per period. Before that, from the raw deals: each period costs a fixed
number of queries whatever the size of the base (the period, the previous one and last year
are three runs of the same queries). `tests/test_sales_rollups.py` keeps both equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.crm.models import Product
from greenwave.sales.models import Deal, DealItem, DealStatus, Lead, LeadSource
from greenwave.sales.periods import PERIODS, comparison_periods

from . import sales_rollups
from .models import SaleFact

# Defaults of the client definitions; both can be changed per request (`lost_after_days`,
# `new_within_days`) and are written on the page.
LOST_AFTER_DAYS = 180
NEW_WITHIN_DAYS = 90
GROUPINGS = ("day", "week", "month")
COMPARES = ("previous", "last_year")
_TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=20, decimal_places=2)
LINE_TOTAL = ExpressionWrapper(F("quantity") * F("price"), output_field=_MONEY)
NO_LINES = "none"


def window(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The period as [start, end) in local time: from the first day's midnight to the
    midnight after the last day."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time.min, tzinfo=tz),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
    )


def _money(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENTS)


def _ratio(part: Any, whole: Any) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def won_deals(actor: User, date_from: date, date_to: date) -> QuerySet[Deal]:
    """The visible sales of a period: deals won in it, in the main currency."""
    start, end = window(date_from, date_to)
    qs = Deal.objects.filter(
        status=DealStatus.WON,
        currency=DEFAULT_CURRENCY,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    return scope_records(qs, actor=actor)


def first_purchase() -> Subquery:
    """When the deal's client first bought (its whole history of won deals)."""
    first = Deal.objects.filter(
        company=OuterRef("company"), status=DealStatus.WON, closed_at__isnull=False
    ).order_by("closed_at")
    return Subquery(first.values("closed_at")[:1])


def earlier_purchase() -> Exists:
    """The deal's client had bought before this deal was won."""
    return Exists(
        Deal.objects.filter(
            company=OuterRef("company"),
            status=DealStatus.WON,
            closed_at__lt=OuterRef("closed_at"),
        )
    )


@dataclass
class PeriodSales:
    key: str
    date_from: date
    date_to: date
    values: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    utm: dict[str, dict[str, Any]] = field(default_factory=dict)
    series: list[dict[str, Any]] = field(default_factory=list)


def period_sales(
    *,
    actor: User,
    key: str,
    date_from: date,
    date_to: date,
    group_by: str = "month",
    lost_after_days: int = LOST_AFTER_DAYS,
    breakdowns: bool = True,
) -> PeriodSales:
    """Every figure of one period (8 queries; 5 without the breakdowns)."""
    start, end = window(date_from, date_to)
    result = PeriodSales(key, date_from, date_to)
    deals = won_deals(actor, date_from, date_to).annotate(
        first_won=first_purchase(),
        repeat=earlier_purchase(),
        has_lines=Exists(DealItem.objects.filter(deal=OuterRef("pk"))),
    )
    totals = deals.aggregate(
        orders=Count("pk"),
        volume=Sum("amount"),
        with_client=Count("pk", filter=Q(company__isnull=False)),
        repeat_orders=Count("pk", filter=Q(repeat=True)),
        clients=Count("company", distinct=True),
        new_clients=Count("company", distinct=True, filter=Q(first_won__gte=start)),
        new_revenue=Sum("amount", filter=Q(first_won__gte=start)),
        old_revenue=Sum("amount", filter=Q(first_won__lt=start)),
        no_lines=Sum("amount", filter=Q(has_lines=False)),
        no_lines_orders=Count("pk", filter=Q(has_lines=False)),
    )
    other_currency = scope_records(
        Deal.objects.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
        .exclude(currency=DEFAULT_CURRENCY)
        .order_by(),
        actor=actor,
    ).count()
    lost, alive = _lost_clients(actor, start, end, lost_after_days)
    profit, costed = _profit(deals)
    _fill(
        result.values,
        orders=totals["orders"],
        volume=_money(totals["volume"]),
        repeat_orders=totals["repeat_orders"],
        clients=totals["clients"],
        new_clients=totals["new_clients"],
        lost=lost,
        alive=alive,
        profit=profit,
        costed=costed,
        new_revenue=_money(totals["new_revenue"]),
        old_revenue=_money(totals["old_revenue"]),
        other_currency=other_currency,
    )
    if breakdowns:
        _lines(result, deals, _money(totals["no_lines"]), totals["no_lines_orders"])
        _leads(result, actor, start, end)
    result.series = _series(deals, group_by)
    _check_change(result)
    return result


def _fill(  # noqa: PLR0913 -- keyword-only: one argument per count or sum of the period
    v: dict[str, Any],
    *,
    orders: int,
    volume: Decimal,
    repeat_orders: int,
    clients: int,
    new_clients: int,
    lost: int,
    alive: int,
    profit: Decimal,
    costed: int,
    new_revenue: Decimal,
    old_revenue: Decimal,
    other_currency: int,
) -> None:
    """The figures of a period from its counts and sums (raw or from the rollups)."""
    regular = clients - new_clients
    v["sales_volume"] = volume
    v["orders"] = orders
    v["average_check"] = (volume / orders).quantize(CENTS) if orders else None
    v["profit_total"] = profit
    v["costed_orders"] = costed
    v["profit_per_deal"] = (profit / costed).quantize(CENTS) if costed else None
    v["repeat_share"] = _ratio(repeat_orders, orders)
    v["repeat_orders"] = repeat_orders
    v["active_clients"] = clients
    v["new_clients"] = new_clients
    v["new_clients_share"] = _ratio(new_clients, clients)
    v["regular_clients"] = regular
    v["regular_clients_share"] = _ratio(regular, clients)
    v["lost_clients"] = lost
    v["lost_clients_share"] = _ratio(lost, alive)
    v["new_client_revenue"] = new_revenue
    v["old_client_revenue"] = old_revenue
    v["no_client_revenue"] = volume - new_revenue - old_revenue
    v["other_currency_orders"] = other_currency


def _check_change(result: PeriodSales) -> None:
    first = next((p for p in result.series if p["orders"]), None)
    last = next((p for p in reversed(result.series) if p["orders"]), None)
    result.values["average_check_change"] = (
        _ratio(last["average_check"] - first["average_check"], first["average_check"])
        if first and last and first is not last
        else None
    )


def _rollup_period(
    key: str,
    date_from: date,
    date_to: date,
    group_by: str,
    t: dict[str, int],
    scope: dict[str, Any],
    *,
    breakdowns: bool = True,
) -> PeriodSales:
    """Every figure of one period from the sales rollups (`sales_rollups`), scoped as the raw
    figures are: the totals come in `t`; the product lines, the leads (unless `breakdowns` is
    off) and the series are small grouped reads."""
    result = PeriodSales(key, date_from, date_to)
    _rollup_values(result, t)
    if breakdowns:
        _rollup_lines(result, t, scope)
        _rollup_channels(result, scope)
    result.series = _rollup_series(date_from, date_to, group_by, scope)
    _check_change(result)
    return result


def _cents_money(cents: int) -> Decimal:
    return _money(Decimal(cents) / 100)


def _rollup_values(result: PeriodSales, t: dict[str, int]) -> None:
    _fill(
        result.values,
        orders=t["orders"],
        volume=_cents_money(t["cents"]),
        repeat_orders=t["repeat_orders"],
        clients=t["clients"],
        new_clients=t["new_clients"],
        lost=t["lost"],
        alive=t["alive"],
        profit=_cents_money(t["profit_cents"]),
        costed=t["costed_orders"],
        new_revenue=_cents_money(t["new_cents"]),
        old_revenue=_cents_money(t["old_cents"]),
        other_currency=t["other_currency_orders"],
    )


def _rollup_lines(result: PeriodSales, t: dict[str, int], scope: dict[str, Any]) -> None:
    """Sales per product and product group: the period's product rows with the products'
    names and groups."""
    lines = sales_rollups.product_lines(result.date_from, result.date_to, DEFAULT_CURRENCY, **scope)
    names: dict[int, Any] = {
        p["pk"]: p
        for p in Product.objects.filter(pk__in=[row[0] for row in lines]).values(
            "pk", "name", "group_id", "group__name"
        )
    }
    rows = []
    for product_id, revenue, quantity, count in lines:
        product = names.get(product_id, {})
        rows.append(
            {
                "product_id": product_id,
                "product__name": product.get("name"),
                "product__group_id": product.get("group_id"),
                "product__group__name": product.get("group__name"),
                "revenue": revenue,
                "quantity": quantity,
                "orders": count,
            }
        )
    _line_rows(result, rows, _cents_money(t["no_lines_cents"]), t["no_lines_orders"])


def _rollup_channels(result: PeriodSales, scope: dict[str, Any]) -> None:
    """Leads per source and per utm_source (those without one left out) of the period."""
    channels: dict[str, list[int]] = {}
    utm: dict[str, list[int]] = {}
    for source, utm_source, leads, with_deal, won in sales_rollups.lead_channels(
        result.date_from, result.date_to, **scope
    ):
        for table, name in ((channels, source), (utm, utm_source)):
            if table is utm and not name:
                continue
            sums = table.setdefault(name, [0, 0, 0])
            sums[0] += leads
            sums[1] += with_deal
            sums[2] += won
    _lead_rows(
        result,
        [{"source": k, "leads": n, "deals": d, "won": w} for k, (n, d, w) in channels.items()],
        [{"utm_source": k, "leads": n, "deals": d, "won": w} for k, (n, d, w) in utm.items()],
    )


def _rollup_series(
    date_from: date, date_to: date, group_by: str, scope: dict[str, Any]
) -> list[dict[str, Any]]:
    """Orders and volume per day, week (from Monday) or month of the period."""
    buckets: dict[date, list[int]] = {}
    for day, orders, cents in sales_rollups.daily_sales(
        date_from, date_to, DEFAULT_CURRENCY, **scope
    ):
        if group_by == "week":
            day = day - timedelta(days=day.weekday())
        elif group_by == "month":
            day = day.replace(day=1)
        sums = buckets.setdefault(day, [0, 0])
        sums[0] += orders
        sums[1] += cents
    return [
        _point(bucket, orders, _cents_money(cents))
        for bucket, (orders, cents) in sorted(buckets.items())
    ]


def _point(bucket: date, orders: int, volume: Decimal) -> dict[str, Any]:
    return {
        "bucket": bucket,
        "orders": orders,
        "volume": volume,
        "average_check": (volume / orders).quantize(CENTS) if orders else None,
    }


def _lost_clients(actor: User, start: datetime, end: datetime, days: int) -> tuple[int, int]:
    """(lost, alive): clients whose last purchase up to the period's end is `days` or more
    before a day of the period (they fell silent in it), and every client who bought in the
    `days` before the period or in it. Clients are those with a visible sale."""
    mine = scope_records(Deal.objects.filter(status=DealStatus.WON), actor=actor)
    history = (
        Deal.objects.filter(
            status=DealStatus.WON,
            closed_at__lt=end,
            company_id__in=mine.exclude(company=None).values("company_id"),
        )
        .order_by()
        .values("company_id")
        .annotate(last=Max("closed_at"))
    )
    silence = timedelta(days=days)
    counted = history.aggregate(
        lost=Count("company_id", filter=Q(last__gte=start - silence, last__lt=end - silence)),
        alive=Count("company_id", filter=Q(last__gte=start - silence)),
    )
    return counted["lost"], counted["alive"]


def _profit(deals: QuerySet[Deal]) -> tuple[Decimal, int]:
    """Profit of the deals whose every line has a cost price: Σ (price − cost) × quantity."""
    rows = (
        DealItem.objects.filter(deal__in=deals.values("pk"))
        .order_by()
        .values("deal_id")
        .annotate(
            revenue=Sum(LINE_TOTAL),
            cost=Sum(
                ExpressionWrapper(F("quantity") * F("product__cost__cost"), output_field=_MONEY)
            ),
            lines=Count("pk"),
            costed=Count("product__cost"),
        )
    )
    profit, costed = Decimal(0), 0
    for row in rows:
        if row["lines"] == row["costed"]:
            profit += _money(row["revenue"]) - _money(row["cost"])
            costed += 1
    return profit.quantize(CENTS), costed


def _lines(
    result: PeriodSales, deals: QuerySet[Deal], no_lines: Decimal, no_lines_orders: int
) -> None:
    """Revenue per product and per product group (line totals of the period's sales)."""
    rows = (
        DealItem.objects.filter(deal__in=deals.values("pk"))
        .order_by()
        .values("product_id", "product__name", "product__group_id", "product__group__name")
        .annotate(revenue=Sum(LINE_TOTAL), quantity=Sum("quantity"), orders=Count("deal_id"))
    )
    _line_rows(result, rows, no_lines, no_lines_orders)


def _line_rows(
    result: PeriodSales, rows: Iterable[dict[str, Any]], no_lines: Decimal, no_lines_orders: int
) -> None:
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        revenue = _money(row["revenue"])
        result.products[str(row["product_id"])] = {
            "name": row["product__name"],
            "revenue": revenue,
            "quantity": Decimal(row["quantity"] or 0).quantize(Decimal("0.001")),
            "orders": row["orders"],
        }
        group_key = str(row["product__group_id"] or NO_LINES + "_group")
        group = groups.setdefault(
            group_key,
            {
                "name": row["product__group__name"] or str(_("Without a group")),
                "revenue": Decimal(0),
            },
        )
        group["revenue"] += revenue
    if no_lines_orders:
        groups[NO_LINES] = {"name": str(_("Without product lines")), "revenue": no_lines}
    total = sum((g["revenue"] for g in groups.values()), Decimal(0))
    for group in groups.values():
        group["share"] = _ratio(group["revenue"], total)
    result.groups = groups


def _leads(result: PeriodSales, actor: User, start: datetime, end: datetime) -> None:
    """Leads of the period per channel: created, turned into a deal, won (by now)."""
    leads = scope_records(
        Lead.objects.filter(created_at__gte=start, created_at__lt=end), actor=actor
    )
    measures = {
        "leads": Count("pk"),
        "deals": Count("pk", filter=Q(deal__isnull=False)),
        "won": Count("pk", filter=Q(deal__status=DealStatus.WON)),
    }
    tagged = leads.exclude(utm_source="").order_by().values("utm_source").annotate(**measures)
    _lead_rows(result, leads.order_by().values("source").annotate(**measures), tagged)


def _lead_rows(
    result: PeriodSales, per_source: Iterable[dict[str, Any]], tagged: Iterable[dict[str, Any]]
) -> None:
    names = dict(LeadSource.choices)
    for row in per_source:
        result.channels[row["source"]] = {
            "name": str(names.get(row["source"], row["source"])),
            "leads": row["leads"],
            "deals": row["deals"],
            "won": row["won"],
            "conversion": _ratio(row["won"], row["leads"]),
        }
    for row in tagged:
        result.utm[row["utm_source"]] = {
            "name": row["utm_source"],
            "leads": row["leads"],
            "deals": row["deals"],
            "won": row["won"],
            "conversion": _ratio(row["won"], row["leads"]),
        }


def _series(deals: QuerySet[Deal], group_by: str) -> list[dict[str, Any]]:
    trunc = _TRUNC[group_by]("closed_at", tzinfo=timezone.get_current_timezone())
    rows = (
        deals.order_by()
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(orders=Count("pk"), volume=Sum("amount"))
        .order_by("bucket")
    )
    series = []
    for row in rows:
        bucket = row["bucket"]
        day = bucket.date() if isinstance(bucket, datetime) else bucket
        series.append(_point(day, row["orders"], _money(row["volume"])))
    return series


# --- The figures as shown: one entry per figure with its definition and both comparisons ---


@dataclass(frozen=True)
class FigureSpec:
    key: str
    number: str  # the numbers of seed 003's list
    label: Promise
    unit: str  # money | count | share
    definition: Promise


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "sales_volume",
        "1–3",
        _("Sales volume"),
        "money",
        _(
            "The sum of the amounts of the deals won in the period (a deal counts on the day it "
            "was won), in roubles; deals in other currencies are not added and are counted apart."
        ),
    ),
    FigureSpec(
        "orders",
        "5",
        _("Number of orders"),
        "count",
        _("The number of deals won in the period."),
    ),
    FigureSpec(
        "repeat_share",
        "6",
        _("Repeat sales"),
        "share",
        _(
            "The share of the period's won deals whose client had already won a deal before "
            "(whoever sold it). Deals without a client are never repeat sales."
        ),
    ),
    FigureSpec(
        "average_check",
        "8",
        _("Average check"),
        "money",
        _("Sales volume divided by the number of orders of the period."),
    ),
    FigureSpec(
        "profit_per_deal",
        "8",
        _("Profit per deal"),
        "money",
        _(
            "For the won deals whose every product line has a cost price: the sum over the "
            "lines of (price − cost price) × quantity, divided by the number of such deals. "
            "Products have no cost price in the client base: it is kept in analytics (cost "
            "prices); deals without lines or with a line without a cost price are left out and "
            "their number is shown."
        ),
    ),
    FigureSpec(
        "average_check_change",
        "9",
        _("Change of the average check in the period"),
        "share",
        _(
            "The average check of the last day / week / month of the period with sales against "
            "that of the first one, in per cent (the chart shows every step)."
        ),
    ),
    FigureSpec(
        "new_clients",
        "10",
        _("New clients"),
        "count",
        _(
            "Clients whose first won deal ever was won in the period; the share is of every "
            "client who bought in the period."
        ),
    ),
    FigureSpec(
        "regular_clients",
        "11",
        _("Regular clients"),
        "count",
        _(
            "Clients who bought in the period and had bought before it; the share is of every "
            "client who bought in the period."
        ),
    ),
    FigureSpec(
        "lost_clients",
        "12",
        _("Lost clients"),
        "count",
        _(
            "Clients whose last purchase became %(days)s days old during the period (they fell "
            "silent in it); the share is of every client who bought in the %(days)s days before "
            "the period or in it."
        ),
    ),
    FigureSpec(
        "new_client_revenue",
        "14",
        _("Sales to new clients"),
        "money",
        _("Sales volume of the period from clients whose first purchase was in the period."),
    ),
    FigureSpec(
        "old_client_revenue",
        "15",
        _("Sales to old clients"),
        "money",
        _("Sales volume of the period from clients who had bought before the period."),
    ),
)
SHARES = {
    "new_clients": "new_clients_share",
    "regular_clients": "regular_clients_share",
    "lost_clients": "lost_clients_share",
}
BREAKDOWNS = {
    "groups": (
        "4",
        _("Share of each product group in revenue"),
        _(
            "Line totals (quantity × price) of the period's won deals per product group, and "
            "their share of the sum; a won deal without lines counts with its amount under "
            "“Without product lines”."
        ),
    ),
    "channels": (
        "7",
        _("Conversion per advertising channel"),
        _(
            "Leads created in the period per source (and per utm_source when it was given): "
            "how many became deals and how many of those are won by now; conversion = won ÷ "
            "leads."
        ),
    ),
    "products": (
        "13",
        _("Sales per product"),
        _("Line totals and quantities of the period's won deals per product."),
    ),
}


def change(current: Any, other: Any, unit: str) -> Decimal | None:
    """How the period differs: per cent for amounts and counts, points for shares."""
    if current is None or other is None:
        return None
    if unit == "share":
        return ((Decimal(current) - Decimal(other)) * 100).quantize(Decimal("0.1"))
    if not other:
        return None
    return ((Decimal(current) - Decimal(other)) * 100 / Decimal(other)).quantize(Decimal("0.1"))


@dataclass
class SalesReport:
    periods: list[PeriodSales]
    group_by: str
    lost_after_days: int

    @property
    def current(self) -> PeriodSales:
        return self.periods[0]

    def figures(self) -> list[dict[str, Any]]:
        rows = []
        for spec in FIGURES:
            values = {p.key: p.values.get(spec.key) for p in self.periods}
            share_key = SHARES.get(spec.key)
            definition = str(spec.definition)
            if spec.key == "lost_clients":
                definition = definition % {"days": self.lost_after_days}
            rows.append(
                {
                    "key": spec.key,
                    "number": spec.number,
                    "label": str(spec.label),
                    "unit": spec.unit,
                    "definition": definition,
                    "values": values,
                    "shares": {p.key: p.values.get(share_key) for p in self.periods}
                    if share_key
                    else None,
                    "changes": {
                        p.key: change(values["current"], values[p.key], spec.unit)
                        for p in self.periods[1:]
                    },
                }
            )
        return rows

    def breakdown(self, name: str, measure: str, unit: str) -> list[dict[str, Any]]:
        """One row per key seen in any period: the measure in each period and the changes."""
        tables: list[dict[str, dict[str, Any]]] = [getattr(p, name) for p in self.periods]
        keys: dict[str, str] = {}
        for table in tables:
            for key, row in table.items():
                keys.setdefault(key, row["name"])
        rows = []
        for key, label in keys.items():
            values = {p.key: getattr(p, name).get(key, {}).get(measure) for p in self.periods}
            rows.append(
                {
                    "key": key,
                    "label": label,
                    "values": values,
                    "rows": {p.key: getattr(p, name).get(key) for p in self.periods},
                    "changes": {
                        p.key: change(values["current"], values[p.key], unit)
                        for p in self.periods[1:]
                    },
                }
            )
        return sorted(rows, key=lambda r: (-Decimal(r["values"]["current"] or 0), r["label"]))


def rollup_scope(actor: User) -> dict[str, Any]:
    """How the sales rollups are read for the actor: the teams they see, or None when they
    see every sale fact and lead row (`sales_rollups.sees_every_sale`: a director heading
    every selling team reads the rollups as the admin does, without the owner filter)."""
    teams = visible_team_ids(actor)
    every = sales_rollups.sees_every_sale(teams, actor.pk)
    return {"teams": None if every else teams, "actor_id": actor.pk}


def sales_report(
    *,
    actor: User,
    date_from: date,
    date_to: date,
    compare: str | None = None,
    group_by: str = "month",
    lost_after_days: int = LOST_AFTER_DAYS,
    breakdowns: bool = True,
) -> SalesReport:
    """The period and its comparisons (`compare` keeps one; None keeps both). Without
    `breakdowns` the products, groups and channels are left empty (the home card)."""
    if date_to < date_from:
        raise ValueError("date_to before date_from")
    if group_by not in GROUPINGS:
        raise ValueError(group_by)
    periods = comparison_periods(date_from, date_to)
    wanted = {"current", *({"previous", "year_ago"} if compare is None else set())}
    if compare == "previous":
        wanted.add("previous")
    elif compare == "last_year":
        wanted.add("year_ago")
    if sales_rollups.built():
        kept = [(key, start, end) for key, start, end in periods if key in wanted]
        scope = rollup_scope(actor)
        totals = sales_rollups.period_totals(kept, DEFAULT_CURRENCY, lost_after_days, **scope)
        chosen = [
            _rollup_period(key, start, end, group_by, totals[key], scope, breakdowns=breakdowns)
            for key, start, end in kept
        ]
        order = {key: n for n, key in enumerate(PERIODS)}
        return SalesReport(sorted(chosen, key=lambda p: order[p.key]), group_by, lost_after_days)
    chosen = [
        period_sales(
            actor=actor,
            key=key,
            date_from=start,
            date_to=end,
            group_by=group_by,
            lost_after_days=lost_after_days,
            breakdowns=breakdowns,
        )
        for key, start, end in periods
        if key in wanted
    ]
    order = {key: n for n, key in enumerate(PERIODS)}
    return SalesReport(sorted(chosen, key=lambda p: order[p.key]), group_by, lost_after_days)


# --- The deals behind a figure (the click-through) ---

DRILLS = (
    "sales_volume",
    "orders",
    "average_check",
    "repeat",
    "profit",
    "new_client_revenue",
    "old_client_revenue",
    "group",
    "product",
    "channel",
)


def figure_deals(
    *, actor: User, figure: str, date_from: date, date_to: date, key: str = ""
) -> QuerySet[Deal]:
    """The visible won deals a figure of the period was computed from."""
    start, _end = window(date_from, date_to)
    deals = won_deals(actor, date_from, date_to)
    if figure in _FACT_DRILLS and sales_rollups.built():
        return _ordered(deals.filter(pk__in=_fact_drill(figure, date_from, date_to)))
    if figure in ("repeat",):
        deals = deals.filter(earlier_purchase())
    elif figure == "new_client_revenue":
        deals = deals.annotate(first_won=first_purchase()).filter(first_won__gte=start)
    elif figure == "old_client_revenue":
        deals = deals.annotate(first_won=first_purchase()).filter(first_won__lt=start)
    elif figure == "profit":
        uncosted = DealItem.objects.filter(deal=OuterRef("pk"), product__cost__isnull=True)
        deals = deals.filter(Exists(DealItem.objects.filter(deal=OuterRef("pk")))).exclude(
            Exists(uncosted)
        )
    elif figure == "group":
        if key == NO_LINES:
            deals = deals.exclude(Exists(DealItem.objects.filter(deal=OuterRef("pk"))))
        else:
            lines = DealItem.objects.filter(deal=OuterRef("pk"))
            lines = (
                lines.filter(product__group__isnull=True)
                if key == NO_LINES + "_group"
                else lines.filter(product__group_id=_int(key))
            )
            deals = deals.filter(Exists(lines))
    elif figure == "product":
        deals = deals.filter(
            Exists(DealItem.objects.filter(deal=OuterRef("pk"), product_id=_int(key)))
        )
    elif figure == "channel":
        deals = scope_records(
            Deal.objects.filter(
                status=DealStatus.WON,
                origin_lead__source=key,
                origin_lead__created_at__gte=start,
                origin_lead__created_at__lt=window(date_from, date_to)[1],
            ),
            actor=actor,
        )
    return _ordered(deals)


def _ordered(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.select_related("company", "responsible").order_by("-closed_at", "-pk")


# The drills whose condition is the client history or the costing of a deal: with the rollups
# built, the sale facts hold it per deal (the same facts the figure was summed from), instead
# of a correlated subquery per won deal of the period.
_FACT_DRILLS = {
    "repeat": Q(repeat=True),
    "profit": Q(profit_cents__isnull=False),
    "new_client_revenue": None,
    "old_client_revenue": None,
}


def _fact_drill(figure: str, date_from: date, date_to: date) -> QuerySet[Any]:
    facts = SaleFact.objects.filter(day__gte=date_from, day__lte=date_to, currency=DEFAULT_CURRENCY)
    if figure == "new_client_revenue":
        facts = facts.filter(first_day__gte=date_from)
    elif figure == "old_client_revenue":
        facts = facts.filter(first_day__lt=date_from)
    else:
        facts = facts.filter(_FACT_DRILLS[figure])
    return facts.values("deal_id")


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 18 else 0


BREAKDOWN_MEASURES = {
    "groups": ("revenue", "money"),
    "channels": ("conversion", "share"),
    "utm": ("conversion", "share"),
    "products": ("revenue", "money"),
}


def report_dict(report: SalesReport, *, compare: str | None) -> dict[str, Any]:
    """The report as the API answers it (and as the XLSX export reads it)."""
    breakdowns = {}
    for name, (measure, unit) in BREAKDOWN_MEASURES.items():
        number, label, definition = BREAKDOWNS["channels" if name == "utm" else name]
        breakdowns[name] = {
            "number": number,
            "label": str(label) + (" (utm_source)" if name == "utm" else ""),
            "definition": str(definition),
            "measure": measure,
            "rows": report.breakdown(name, measure, unit),
        }
    current = report.current
    return {
        "date_from": current.date_from,
        "date_to": current.date_to,
        "group_by": report.group_by,
        "compare": compare,
        "lost_after_days": report.lost_after_days,
        "periods": [
            {"period": p.key, "date_from": p.date_from, "date_to": p.date_to}
            for p in report.periods
        ],
        "figures": report.figures(),
        "breakdowns": breakdowns,
        "series": {p.key: p.series for p in report.periods},
        "counts": {
            p.key: {
                "costed_orders": p.values["costed_orders"],
                "other_currency_orders": p.values["other_currency_orders"],
            }
            for p in report.periods
        },
    }
