"""Rollups of the sales figures (issue 19, «fast at scale»): what `figures.sales_report` reads
for a reader of every deal instead of the raw deals, lines and leads.

- `SaleFact`: one row per won deal with a close date, with the client history worked out once
  (first purchase, repeat, previous purchase in the currency, next purchase) — so distinct,
  new, regular and lost clients of any period are plain counts of rows.
- `ProductDay`: product lines of the won deals per day × currency × product.
- `LeadDay`: leads per day of creation × source × utm_source (created, with a deal, won).

They are derived data: `rebuild_sales()` fills them with set-based SQL (from
`rollups.rebuild`, i.e. `manage.py rollups_rebuild`), `recompute()` brings the rows of touched
deals, leads and products up to date (from `rollups.refresh`, the worker's job): the facts of
every client of a touched deal (the history of a client moves when any of its deals does), the
product lines of the days those deals were and are closed, the leads of the days of the
touched leads. `period_totals` and friends are the readers; the test
`test_sales_rollups.py` checks that the figures they give equal the raw ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.sales.models import Deal, DealItem, DealStatus, Lead

from .models import LeadDay, ProductCost, ProductDay, RollupCursor, SaleDay, SaleFact

CHUNK = 500
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=26, decimal_places=5)


def _day(column: str) -> tuple[str, list[Any]]:
    """SQL: the local day of a timestamp column (the site's time zone)."""
    sql, params = connection.ops.datetime_cast_date_sql(
        column, (), timezone.get_current_timezone_name()
    )
    return sql, list(params)


def _cents(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"ROUND(({expression}) * 100)::bigint"
    return f"CAST(ROUND(({expression}) * 100) AS INTEGER)"


def _facts_sql(where: str) -> tuple[str, list[Any]]:
    """SQL inserting the facts of the won deals matching `where` (over `sales_deal d`); the
    condition must take every won deal of a client whose rows it takes (the windows)."""
    closed, p1 = _day("w.closed_at")
    first, p2 = _day("w.first_at")
    prev, p3 = _day("w.prev_at")
    after, p4 = _day("w.next_at")
    sql = f"""
        WITH w AS (
            SELECT d.id, d.closed_at, d.company_id, COALESCE(d.team_id, 0) AS team,
                   COALESCE(d.responsible_id, 0) AS person, d.currency,
                   {_cents("COALESCE(d.amount, 0)")} AS cents,
                   MIN(d.closed_at) OVER (PARTITION BY d.company_id) AS first_at,
                   LAG(d.closed_at) OVER (PARTITION BY d.company_id, d.currency
                                          ORDER BY d.closed_at, d.id) AS prev_at,
                   LEAD(d.closed_at) OVER (PARTITION BY d.company_id
                                           ORDER BY d.closed_at, d.id) AS next_at
            FROM sales_deal d
            WHERE d.status = %s AND d.closed_at IS NOT NULL AND ({where})
        ),
        l AS (
            SELECT i.deal_id, COUNT(*) AS n, COUNT(c.id) AS costed,
                   ROUND(SUM(i.quantity * i.price), 2) AS revenue,
                   ROUND(SUM(i.quantity * c.cost), 2) AS cost
            FROM sales_dealitem i
            JOIN w ON w.id = i.deal_id
            LEFT JOIN analytics_productcost c ON c.product_id = i.product_id
            GROUP BY i.deal_id
        )
        INSERT INTO analytics_salefact (deal_id, day, company_id, team_id, responsible_id,
            currency, cents, first_day, repeat, prev_day, next_day, has_lines, profit_cents)
        SELECT w.id, {closed}, w.company_id, w.team, w.person, w.currency, w.cents,
               CASE WHEN w.company_id IS NOT NULL THEN {first} END,
               CASE WHEN w.company_id IS NOT NULL AND w.closed_at > w.first_at
                    THEN TRUE ELSE FALSE END,
               CASE WHEN w.company_id IS NOT NULL THEN {prev} END,
               CASE WHEN w.company_id IS NOT NULL THEN {after} END,
               CASE WHEN l.deal_id IS NOT NULL THEN TRUE ELSE FALSE END,
               CASE WHEN l.n = l.costed THEN {_cents("l.revenue - l.cost")} END
        FROM w LEFT JOIN l ON l.deal_id = w.id
    """  # noqa: S608 - constant names; the condition is built here from placeholders
    return sql, [*p1, *p2, *p3, *p4]


def _lines_sql(where: str) -> str:
    return (
        "INSERT INTO analytics_productday (day, currency, product_id, team_id, revenue, "  # noqa: S608
        "quantity, lines) SELECT f.day, f.currency, i.product_id, f.team_id, "
        "SUM(i.quantity * i.price), SUM(i.quantity), COUNT(*) FROM analytics_salefact f "
        f"JOIN sales_dealitem i ON i.deal_id = f.deal_id WHERE {where} "
        "GROUP BY f.day, f.currency, i.product_id, f.team_id"
    )


def _sale_days_sql(where: str) -> str:
    return (
        f"INSERT INTO analytics_saleday (day, currency, team_id, {', '.join(_DAY_MEASURES)}) "  # noqa: S608
        f"SELECT f.day, f.currency, f.team_id, {', '.join(_DAY_MEASURES.values())} "
        f"FROM analytics_salefact f WHERE {where} GROUP BY f.day, f.currency, f.team_id"
    )


def _leads_sql(where: str, where_params: list[Any]) -> tuple[str, list[Any]]:
    created, params = _day("l.created_at")
    sql = (
        "INSERT INTO analytics_leadday (day, source, utm_source, team_id, leads, deals, won) "  # noqa: S608
        f"SELECT {created}, l.source, l.utm_source, COALESCE(l.team_id, 0), COUNT(*), "
        "COUNT(l.deal_id), COUNT(CASE WHEN d.status = %s THEN 1 END) FROM sales_lead l "
        f"LEFT JOIN sales_deal d ON d.id = l.deal_id WHERE {where} "
        "GROUP BY 1, 2, 3, 4"
    )
    return sql, [*params, DealStatus.WON, *where_params]


def rebuild_sales(progress: Any = None) -> None:
    """Empty and refill the three tables from the raw deals, lines and leads."""
    step = progress or (lambda _name: None)
    with connection.cursor() as cursor:
        for model in (SaleFact, SaleDay, ProductDay, LeadDay):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - a model's table
        sql, params = _facts_sql("1 = 1")
        cursor.execute(sql, [DealStatus.WON, *params])
        cursor.execute(_sale_days_sql("1 = 1"))
        step("sale facts")
        cursor.execute(_lines_sql("1 = 1"))
        step("product lines per day")
        sql, params = _leads_sql("1 = 1", [])
        cursor.execute(sql, params)
        step("leads per day")
        if connection.vendor == "postgresql":
            cursor.execute(
                "ANALYZE analytics_salefact, analytics_saleday, analytics_productday, "
                "analytics_leadday"
            )


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    ordered = sorted(set(values))
    return [ordered[n : n + CHUNK] for n in range(0, len(ordered), CHUNK)]


def _marks(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def touched(events: QuerySet[Event]) -> tuple[set[int], set[int]]:
    """(lead ids, product ids) of the lead and cost price events among `events`."""
    leads: set[int] = set()
    products: set[int] = set()
    rows = events.filter(
        case_type__in=(Lead.EVENT_CASE_TYPE, ProductCost.EVENT_CASE_TYPE)
    ).values_list("case_type", "case_id")
    for case_type, case_id in rows:
        if not (case_id.isdigit() and len(case_id) < 18):
            continue
        if case_type == Lead.EVENT_CASE_TYPE:
            leads.add(int(case_id))
        else:
            products.add(int(case_id))
    if products:  # a cost price event's case is the cost row: the product is in it
        products = set(
            ProductCost.objects.filter(pk__in=products).values_list("product_id", flat=True)
        )
    return leads, products


def recompute(
    deal_ids: Iterable[int], lead_ids: Iterable[int] = (), products: Iterable[int] = ()
) -> None:
    """Bring the facts, sale days, product lines and leads of these deals, leads and products
    (a changed cost price) up to date, inside the caller's transaction."""
    deals = set(deal_ids)
    for chunk in _chunks(products):
        deals |= set(
            Deal.objects.filter(status=DealStatus.WON, items__product_id__in=chunk)
            .values_list("pk", flat=True)
            .distinct()
        )
    with connection.cursor() as cursor:
        days, sale_days = _recompute_facts(cursor, deals)
        for chunk in _chunks(sale_days):
            SaleDay.objects.filter(day__in=chunk).delete()
            cursor.execute(_sale_days_sql(f"f.day IN ({_marks(chunk)})"), chunk)
        for chunk in _chunks(days):
            ProductDay.objects.filter(day__in=chunk).delete()
            cursor.execute(_lines_sql(f"f.day IN ({_marks(chunk)})"), chunk)
        _recompute_leads(cursor, _lead_days(set(lead_ids), deals))


def _recompute_facts(cursor: Any, deals: set[int]) -> tuple[set[date], set[date]]:
    """Rewrite the facts of these deals and of every deal of their clients (a client's history
    moves when any of its deals does). Returns the days of the deals' facts, before and after
    (their product lines), and the days of every fact rewritten (their sale days)."""
    days: set[date] = set()
    companies: set[int] = set()
    for chunk in _chunks(deals):
        for day, company in SaleFact.objects.filter(deal_id__in=chunk).values_list(
            "day", "company_id"
        ):
            days.add(day)
            if company is not None:
                companies.add(company)
        companies |= set(
            Deal.objects.filter(pk__in=chunk, company__isnull=False).values_list(
                "company_id", flat=True
            )
        )
    sale_days = set(days)
    for chunk in _chunks(deals):
        cursor.execute(
            f"DELETE FROM analytics_salefact WHERE deal_id IN ({_marks(chunk)})",  # noqa: S608
            chunk,
        )
        sql, params = _facts_sql(f"d.company_id IS NULL AND d.id IN ({_marks(chunk)})")
        cursor.execute(sql, [DealStatus.WON, *chunk, *params])
    for chunk in _chunks(companies):
        of_clients = SaleFact.objects.filter(company_id__in=chunk).values_list("day", flat=True)
        sale_days |= set(of_clients)
        cursor.execute(
            f"DELETE FROM analytics_salefact WHERE company_id IN ({_marks(chunk)})",  # noqa: S608
            chunk,
        )
        sql, params = _facts_sql(f"d.company_id IN ({_marks(chunk)})")
        cursor.execute(sql, [DealStatus.WON, *chunk, *params])
        sale_days |= set(of_clients)  # evaluated again: the rewritten facts' days
    for chunk in _chunks(deals):
        days |= set(SaleFact.objects.filter(deal_id__in=chunk).values_list("day", flat=True))
    return days, sale_days | days


def _recompute_leads(cursor: Any, lead_days: set[date]) -> None:
    """Rewrite the lead rows of these days of creation."""
    tz = timezone.get_current_timezone()
    for chunk in _chunks(lead_days):
        LeadDay.objects.filter(day__in=chunk).delete()
        bounds: list[Any] = []
        for day in chunk:
            bounds += [
                connection.ops.adapt_datetimefield_value(
                    datetime.combine(moment, time.min, tzinfo=tz)
                )
                for moment in (day, day + timedelta(days=1))
            ]
        where = " OR ".join(["(l.created_at >= %s AND l.created_at < %s)"] * len(chunk))
        sql, params = _leads_sql(f"({where})", bounds)
        cursor.execute(sql, params)


def _lead_days(leads: set[int], deals: set[int]) -> set[date]:
    found: set[datetime] = set()
    for chunk in _chunks(leads):
        found |= set(Lead.objects.filter(pk__in=chunk).values_list("created_at", flat=True))
    for chunk in _chunks(deals):
        found |= set(Lead.objects.filter(deal_id__in=chunk).values_list("created_at", flat=True))
    return {timezone.localtime(moment).date() for moment in found}


def built() -> bool:
    return RollupCursor.objects.filter(name="deals", rebuilt_at__isnull=False).exists()


# --- readers (a reader of every deal) --------------------------------------------------------


Teams = set[int] | None  # `visible_team_ids`: None for a reader of every deal


def _scope_sql(teams: Teams, actor_id: int, alias: str = "f") -> tuple[str, list[Any]]:
    """SQL: the rows of the records the actor sees (the rule of `scope_records`)."""
    if teams is None:
        return "1 = 1", []
    if not teams:
        return f"{alias}.responsible_id = %s", [actor_id]
    ordered = sorted(teams)
    return f"({alias}.responsible_id = %s OR {alias}.team_id IN ({_marks(ordered)}))", [
        actor_id,
        *ordered,
    ]


def sees_every_sale(teams: Teams, actor_id: int) -> bool:
    """Does a reader with these teams see every sale fact and every lead row? Then the
    readers below answer for them with `teams=None` exactly (the same rows are summed: the
    product lines and leads of a team are the rows of that team) — a director heading every
    selling team reads as the admin does. An index walk over the teams of the facts and of
    the lead rows (a handful of probes), and a probe per team outside; a lead row of no team
    (0) counts as outside, since the rows do not say whose leads they hold."""
    if teams is None:
        return True
    outside = teams_in("analytics_salefact") - teams
    if (
        outside
        and (
            SaleFact.objects.filter(team_id__in=sorted(outside)).exclude(responsible_id=actor_id)
        ).exists()
    ):
        return False
    return not (teams_in("analytics_leadday") - teams)


def teams_in(table: str) -> set[int]:
    """The distinct `team_id` of a rollup table by its team index (a loose index scan: one
    probe per team, whatever the number of rows)."""
    sql = (
        "WITH RECURSIVE t(team) AS ("  # noqa: S608 - constant table names
        f"SELECT MIN(team_id) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN(r.team_id) FROM {table} r WHERE r.team_id > t.team) "
        "FROM t WHERE t.team IS NOT NULL) SELECT team FROM t WHERE team IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {int(row[0]) for row in cursor.fetchall()}


# The additive measures of the sale days (and their expressions over the sale facts).
_DAY_MEASURES = {
    "orders": "COUNT(*)",
    "cents": "SUM(f.cents)",
    "repeat_orders": "SUM(CASE WHEN f.repeat THEN 1 ELSE 0 END)",
    "no_lines_orders": "SUM(CASE WHEN f.has_lines THEN 0 ELSE 1 END)",
    "no_lines_cents": "SUM(CASE WHEN f.has_lines THEN 0 ELSE f.cents END)",
    "costed_orders": "SUM(CASE WHEN f.profit_cents IS NULL THEN 0 ELSE 1 END)",
    "profit_cents": "SUM(COALESCE(f.profit_cents, 0))",
}
_TOTALS = (
    *_DAY_MEASURES,
    "new_cents",
    "old_cents",
    "other_currency_orders",
    "clients",
    "new_clients",
)


def _windows(periods: list[tuple[str, date, date]], silence: timedelta) -> tuple[str, list[Any]]:
    """SQL: the periods as rows (k, a, b, lo, hi): their days and those shifted by the
    silence after which a client is lost."""
    sql = " UNION ALL ".join(
        ["SELECT %s AS k, %s AS a, %s AS b, %s AS lo, %s AS hi"] * len(periods)
    )
    params: list[Any] = []
    for n, (_key, a, b) in enumerate(periods):
        params += [
            n,
            *(connection.ops.adapt_datefield_value(d) for d in (a, b, a - silence, b - silence)),
        ]
    return sql, params


def period_totals(
    periods: list[tuple[str, date, date]],
    currency: str,
    lost_after_days: int,
    *,
    teams: Teams = None,
    actor_id: int = 0,
) -> dict[str, dict[str, int]]:
    """Per period key: the counts and sums of the visible facts the figures need (three
    statements): the additive ones from the sale days, the client ones from the facts. Lost
    clients are those whose last purchase (whoever sold it) is the fact with no next one
    before the period's end, among the clients with a visible sale."""
    silence = timedelta(days=lost_after_days)
    found = {key: dict.fromkeys([*_TOTALS, "lost", "alive"], 0) for key, _a, _b in periods}
    with connection.cursor() as cursor:
        read = _PeriodRead(
            cursor, found, periods, _windows(periods, silence), silence, currency, actor_id
        )
        _day_totals(read, teams)
        if teams is None:
            _clients_of_all(read)
            _lost_of_all(read)
        else:
            _scoped_clients(read, teams)
            _lost(read, teams)
    return found


@dataclass
class _PeriodRead:
    """What the readers of `period_totals` share: the cursor, the totals they fill per period
    key, the periods, `_windows`' SQL of the period rows and its parameters, the silence after
    which a client is lost, the currency and the reader."""

    cursor: Any
    found: dict[str, dict[str, int]]
    periods: list[tuple[str, date, date]]
    windows: tuple[str, list[Any]]
    silence: timedelta
    currency: str
    actor_id: int

    def row(self, k: Any) -> dict[str, int]:
        """The totals of the period numbered `k` in the SQL rows."""
        return self.found[self.periods[int(k)][0]]


def _day_totals(read: _PeriodRead, teams: Teams) -> None:
    """The additive totals: the sale days of the visible teams (every row for a reader of
    every sale) and the actor's own facts outside them."""
    cursor, windows, currency, actor_id = read.cursor, read.windows, read.currency, read.actor_id
    names = list(_DAY_MEASURES)
    day_sums = ", ".join(f"SUM(d.{name})" for name in names)
    sql = (
        f"SELECT p.k, d.currency = %s, {day_sums} FROM analytics_saleday d "  # noqa: S608
        f"JOIN ({windows[0]}) p ON d.day >= p.a AND d.day <= p.b"
    )
    args: list[Any] = [currency, *windows[1]]
    if teams is not None:  # no team seen: the actor's own facts alone
        ordered = sorted(teams)
        sql += f" WHERE d.team_id IN ({_marks(ordered)})" if ordered else " WHERE 1 = 0"
        args += ordered
    sql += " GROUP BY p.k, d.currency = %s"
    args.append(currency)
    if teams is not None:
        outside = f"NOT (f.team_id IN ({_marks(sorted(teams))}))" if teams else "1 = 1"
        sql += (
            f" UNION ALL SELECT p.k, f.currency = %s, {', '.join(_DAY_MEASURES.values())} "  # noqa: S608
            f"FROM analytics_salefact f JOIN ({windows[0]}) p ON f.day >= p.a AND f.day <= p.b "
            f"WHERE f.responsible_id = %s AND {outside} GROUP BY p.k, f.currency = %s"
        )
        args += [currency, *windows[1], actor_id, *sorted(teams), currency]
    cursor.execute(sql, args)
    for k, rub, *values in cursor.fetchall():
        row = read.row(k)
        if not rub:
            row["other_currency_orders"] += int(values[0] or 0)
            continue
        for name, value in zip(names, values, strict=True):
            row[name] += int(value or 0)


def _clients_of_all(read: _PeriodRead) -> None:
    """Clients, new clients and the sales to new and old clients for a reader of every sale:
    the facts with a client in the currency grouped by two flags. A client's first sale in the
    currency in the period is the one whose previous sale in it is before the period or none,
    so distinct clients are counts of rows."""
    read.cursor.execute(
        "SELECT p.k, f.first_day >= p.a, "  # noqa: S608
        "f.prev_day IS NULL OR f.prev_day < p.a, COUNT(*), SUM(f.cents) "
        f"FROM analytics_salefact f JOIN ({read.windows[0]}) p ON f.day >= p.a AND f.day <= p.b "
        "WHERE f.currency = %s AND f.company_id IS NOT NULL GROUP BY 1, 2, 3",
        [*read.windows[1], read.currency],
    )
    for k, new, first, n, cents in read.cursor.fetchall():
        row = read.row(k)
        row["new_cents" if new else "old_cents"] += int(cents or 0)
        if first:
            row["clients"] += n
            row["new_clients"] += n if new else 0


def _scoped_clients(read: _PeriodRead, teams: set[int]) -> None:
    """Clients, new clients and the sales to new and old clients of a scoped reader: distinct
    clients of the visible facts in the currency (new in the period if their first purchase
    is in it)."""
    scope, scope_params = _scope_sql(teams, read.actor_id)
    read.cursor.execute(
        "SELECT p.k, COUNT(DISTINCT f.company_id), "  # noqa: S608
        "COUNT(DISTINCT CASE WHEN f.first_day >= p.a THEN f.company_id END), "
        "SUM(CASE WHEN f.first_day >= p.a THEN f.cents ELSE 0 END), "
        "SUM(CASE WHEN f.first_day >= p.a THEN 0 ELSE f.cents END) "
        f"FROM analytics_salefact f JOIN ({read.windows[0]}) p ON f.day >= p.a AND f.day <= p.b "
        f"WHERE f.currency = %s AND f.company_id IS NOT NULL AND {scope} GROUP BY p.k",
        [*read.windows[1], read.currency, *scope_params],
    )
    for k, clients, new, new_cents, old_cents in read.cursor.fetchall():
        read.row(k).update(
            {
                "clients": int(clients or 0),
                "new_clients": int(new or 0),
                "new_cents": int(new_cents or 0),
                "old_cents": int(old_cents or 0),
            }
        )


def _lost_parts(
    periods: list[tuple[str, date, date]], silence: timedelta, select: str
) -> tuple[str, list[Any]]:
    """SQL: per period, the facts with no next purchase by its end (a client's last so far,
    `next_day` NULL, or one followed by a purchase after the end) in the window from the
    silence before the period to its end — two partial-index ranges each — selecting
    `select` (over `f`, with `%s` the last day of the silence window `hi`)."""
    parts, params = [], []
    for n, (_key, a, b) in enumerate(periods):
        lo, hi, end = (
            connection.ops.adapt_datefield_value(d) for d in (a - silence, b - silence, b)
        )
        for condition, extra in (("f.next_day IS NULL", []), ("f.next_day > %s", [end])):
            parts.append(
                f"SELECT %s AS k, {select} FROM analytics_salefact f "  # noqa: S608
                f"WHERE f.company_id IS NOT NULL AND {condition} AND f.day >= %s AND f.day <= %s"
            )
            params += [n, hi, *extra, lo, end]
    return " UNION ALL ".join(parts), params


def _lost_of_all(read: _PeriodRead) -> None:
    """Lost and alive clients for a reader of every sale: counted in the index ranges."""
    parts, params = _lost_parts(
        read.periods,
        read.silence,
        "SUM(CASE WHEN f.day <= %s THEN 1 ELSE 0 END) AS lost, COUNT(*) AS alive",
    )
    sql = f"SELECT u.k, SUM(u.lost), SUM(u.alive) FROM ({parts}) u GROUP BY u.k"  # noqa: S608
    _lost_rows(read, sql, params)


def _lost(read: _PeriodRead, teams: set[int]) -> None:
    """Lost and alive clients for a scoped reader: those of the index ranges among the
    clients with a visible sale."""
    parts, params = _lost_parts(
        read.periods,
        read.silence,
        "f.company_id, CASE WHEN f.day <= %s THEN 1 ELSE 0 END AS lost",
    )
    inside, visible_params = _scope_sql(teams, read.actor_id, "v")
    _lost_rows(
        read,
        f"SELECT u.k, SUM(u.lost), COUNT(*) FROM ({parts}) u "  # noqa: S608
        "WHERE u.company_id IN (SELECT v.company_id FROM analytics_salefact v "
        f"WHERE {inside}) GROUP BY u.k",
        [*params, *visible_params],
    )


def _lost_rows(read: _PeriodRead, sql: str, params: list[Any]) -> None:
    """Run `sql` giving (period k, lost, alive) rows into the totals."""
    read.cursor.execute(sql, params)
    for k, lost, alive in read.cursor.fetchall():
        read.row(k).update({"lost": int(lost or 0), "alive": int(alive or 0)})


def _scoped(qs: QuerySet[Any], teams: Teams, actor_id: int) -> QuerySet[Any]:
    if teams is None:
        return qs
    condition = Q(responsible_id=actor_id)
    if teams:
        condition |= Q(team_id__in=teams)
    return qs.filter(condition)


def daily_sales(
    date_from: date, date_to: date, currency: str, *, teams: Teams = None, actor_id: int = 0
) -> list[tuple[date, int, int]]:
    """(day, orders, cents) of the visible won deals in the currency per day of the period:
    the sale days of the visible teams (all for a reader of every sale), and the actor's own
    facts outside them."""
    days = SaleDay.objects.filter(day__gte=date_from, day__lte=date_to, currency=currency)
    if teams is not None:
        days = days.filter(team_id__in=teams)
    sums: dict[date, list[int]] = {}
    parts: list[Any] = [
        days.order_by().values_list("day").annotate(n=Sum("orders"), c=Sum("cents"))
    ]
    if teams is not None:
        own = _own_facts(teams, actor_id, date_from, date_to, currency)
        parts.append(own.order_by().values_list("day").annotate(n=Count("pk"), c=Sum("cents")))
    for part in parts:
        for day, n, c in part:
            row = sums.setdefault(day, [0, 0])
            row[0] += int(n or 0)
            row[1] += int(c or 0)
    return [(day, n, c) for day, (n, c) in sorted(sums.items())]


def _outside(teams: Teams) -> Q:
    """The actor's own records outside the teams they see (`team_id` 0 or not among them)."""
    return ~Q(team_id__in=teams) if teams else Q()


def _own_facts(
    teams: Teams, actor_id: int, date_from: date, date_to: date, currency: str
) -> QuerySet[SaleFact]:
    """The sale facts of the actor's own deals outside the teams they see, in the period and
    the currency (what a scoped reader adds to the rows of their teams)."""
    return SaleFact.objects.filter(
        _outside(teams),
        responsible_id=actor_id,
        day__gte=date_from,
        day__lte=date_to,
        currency=currency,
    )


def product_lines(
    date_from: date, date_to: date, currency: str, *, teams: Teams = None, actor_id: int = 0
) -> list[tuple[int, Any, Any, int]]:
    """(product id, line totals, quantity, lines) of the visible won deals of the period: the
    rows of the visible teams, and the lines of the actor's own deals outside them."""
    rows = ProductDay.objects.filter(day__gte=date_from, day__lte=date_to, currency=currency)
    if teams is not None:
        rows = rows.filter(team_id__in=teams)
    sums: dict[int, list[Any]] = {}
    found = (
        rows.order_by()
        .values_list("product_id")
        .annotate(r=Sum("revenue"), q=Sum("quantity"), n=Sum("lines"))
    )
    parts = [list(found)]
    if teams is not None:
        own = _own_facts(teams, actor_id, date_from, date_to, currency).values("deal_id")
        parts.append(
            list(
                DealItem.objects.filter(deal_id__in=own)
                .order_by()
                .values_list("product_id")
                .annotate(
                    r=Sum(F("quantity") * F("price"), output_field=_MONEY),
                    q=Sum("quantity"),
                    n=Count("pk"),
                )
            )
        )
    for part in parts:
        for product, revenue, quantity, n in part:
            row = sums.setdefault(product, [Decimal(0), Decimal(0), 0])
            row[0] += Decimal(revenue or 0)
            row[1] += Decimal(quantity or 0)
            row[2] += int(n or 0)
    return [(product, r, q, n) for product, (r, q, n) in sums.items()]


def lead_channels(
    date_from: date, date_to: date, *, teams: Teams = None, actor_id: int = 0
) -> list[tuple[str, str, int, int, int]]:
    """(source, utm_source, leads, with a deal, won) of the visible leads created in the
    period: the rows of the visible teams, and the actor's own leads outside them."""
    rows = LeadDay.objects.filter(day__gte=date_from, day__lte=date_to)
    if teams is not None:
        rows = rows.filter(team_id__in=teams)
    found = list(
        rows.order_by()
        .values_list("source", "utm_source")
        .annotate(n=Sum("leads"), d=Sum("deals"), w=Sum("won"))
    )
    if teams is not None:
        tz = timezone.get_current_timezone()
        own = Lead.objects.filter(
            _outside(teams),
            responsible_id=actor_id,
            created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz),
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz),
        )
        found += list(
            own.order_by()
            .values_list("source", "utm_source")
            .annotate(
                n=Count("pk"),
                d=Count("pk", filter=Q(deal__isnull=False)),
                w=Count("pk", filter=Q(deal__status=DealStatus.WON)),
            )
        )
    return [(s, u, int(n or 0), int(d or 0), int(w or 0)) for s, u, n, d, w in found]
