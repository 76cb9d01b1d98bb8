"""Per client × month rollup of the won deals, and the segments computed from it in SQL
(issue 19, «fast at scale»: ABC / XYZ / RFM of every client at 1M deals under 1 s).

`ClientMonth` holds per client × local month × currency the won deals' count, their summed
amount in kopecks and the last purchase. It is recomputed with the client rollups
(`rollups._recompute_clients` calls `recompute_client_months` for the touched clients, and for
every client on a rebuild), so it is as current as `ClientTotal`.

A reader who sees every won deal with a client (`sees_every_client`: the admin, and a
director whose teams hold every such deal) gets the segments from one statement over the
window's whole months of `ClientMonth` plus the raw won deals of the window's last (possibly
partial) month: ABC by a running sum, XYZ by the variance of the monthly series, RFM by
ranks; only the summary and one page of clients leave the database. The page's clients get
their exact figures (cumulative share, coefficient of variation) from the same Python as the
raw path (`segments`). Anyone else keeps the raw path. For the standard windows ending today
(`client_windows.WINDOW_MONTHS`) the same reader reads the per-client window rows instead
(`client_windows`: no grouping of the months, names only for the page shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from greenwave.accounts.models import User
from greenwave.accounts.scoping import visible_team_ids
from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.core.values import EMPTY
from greenwave.sales.models import Deal, DealStatus

from .client_windows import window_clients, window_stats, window_summary
from .models import ClientMonth, ClientRollup
from .segments import ClientSegment, SegmentParams, _months, _xyz

# --- keeping the rollup ----------------------------------------------------------------------


def _month_sql(column: str) -> tuple[str, list[Any]]:
    """The first day of the local month of a timestamp column, as a date, in SQL."""
    truncated: Any = connection.ops.datetime_trunc_sql(
        "month", column, [], timezone.get_current_timezone_name()
    )
    sql, params = truncated
    if connection.vendor == "postgresql":
        return f"CAST({sql} AS date)", list(params)
    return f"substr({sql}, 1, 10)", list(params)


def recompute_client_months(company_ids: set[int] | list[int] | None) -> None:
    """Recompute the monthly rows of these clients (None: of every client) from their won
    deals, in the database."""
    if company_ids is not None and not company_ids:
        return
    ordered = sorted(company_ids) if company_ids is not None else None
    chunks: list[list[int] | None] = (
        [ordered[n : n + 500] for n in range(0, len(ordered), 500)] if ordered else [None]
    )
    month, month_params = _month_sql("closed_at")
    table = ClientMonth._meta.db_table
    with connection.cursor() as cursor:
        for chunk in chunks:
            where, params = "", [*month_params, DealStatus.WON]
            if chunk is None:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a model's table
            else:
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {table} WHERE company_id IN ({marks})",  # noqa: S608
                    chunk,
                )
                where = f" AND company_id IN ({marks})"
                params += chunk
            cursor.execute(
                f"INSERT INTO {table} (company_id, month, currency, orders, cents, last_won) "  # noqa: S608
                f"SELECT company_id, {month}, currency, COUNT(*), "
                "CAST(ROUND(COALESCE(SUM(amount), 0) * 100) AS BIGINT), MAX(closed_at) "
                "FROM sales_deal WHERE company_id IS NOT NULL AND status = %s "
                f"AND closed_at IS NOT NULL{where} GROUP BY company_id, {month}, currency",
                params + month_params,
            )
        if ordered is None and connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")


# --- who reads it ----------------------------------------------------------------------------


def sees_every_client(actor: User) -> bool:
    """Does the actor see every won deal with a client? Then the rollups without the owner
    split answer for them exactly (a director heading every team that sells, the admin).
    Remembered on the actor for the request."""
    known: bool | None = getattr(actor, "_sees_every_client", None)
    if known is not None:
        return known
    teams = visible_team_ids(actor)
    if teams is None:
        answer = True
    else:
        outside = ClientRollup.objects.exclude(responsible_id=actor.pk)
        if teams:
            outside = outside.exclude(team_id__in=teams)
        answer = not outside.exists()
    actor._sees_every_client = answer  # type: ignore[attr-defined]
    return answer


# --- the segments in SQL ---------------------------------------------------------------------


def _moment(value: Any) -> datetime:
    if isinstance(value, str):
        parsed = parse_datetime(value)
        assert parsed is not None
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value  # type: ignore[no-any-return]


def _xyz_bound(limit: Decimal) -> float:
    """round(cv, 4) ≤ limit ⇔ cv < (limit floored to 4 places) + 0.00005."""
    return float(limit.quantize(Decimal("0.0001"), rounding=ROUND_FLOOR) + Decimal("0.00005"))


def _classified_sql(params: SegmentParams) -> tuple[str, list[Any]]:
    """One row per client of the window: revenue (kopecks), orders, last purchase, the days
    since it, the ABC letter, the XYZ letter ('' without revenue) and the R, F, M scores."""
    as_of = params.as_of or timezone.localdate()
    months = _months(as_of, params.months)
    tz = timezone.get_current_timezone()
    month_start = datetime.combine(months[-1], time.min, tzinfo=tz)
    end = datetime.combine(as_of, time.max, tzinfo=tz)
    adapt = connection.ops.adapt_datetimefield_value
    x_bound, y_bound = _xyz_bound(params.x_max), _xyz_bound(params.y_max)
    sql = f"WITH {_client_window_ctes(params.months)}, {_client_class_ctes(params)}"
    args: list[Any] = [
        DEFAULT_CURRENCY,
        months[0],
        months[-1],
        months[-1],
        DealStatus.WON,
        DEFAULT_CURRENCY,
        adapt(month_start),
        adapt(end),
        adapt(end),
        x_bound,
        x_bound,
        y_bound,
        y_bound,
    ]
    return sql, args


def _client_window_ctes(count: int) -> str:
    """SQL: `m` the window's monthly rows per client (the whole months from the client months,
    the last, partial month from the won deals), `c` their sums and mean per client, `v` with
    the variance of the monthly series (months without purchases count as 0)."""
    return f"""
        m AS (
            SELECT company_id, month, orders, cents, last_won FROM analytics_clientmonth
            WHERE currency = %s AND month >= %s AND month < %s
            UNION ALL
            SELECT company_id, %s, COUNT(*), CAST(ROUND(COALESCE(SUM(amount), 0) * 100) AS BIGINT),
                MAX(closed_at)
            FROM sales_deal
            WHERE status = %s AND currency = %s AND company_id IS NOT NULL
                AND closed_at >= %s AND closed_at <= %s
            GROUP BY company_id
        ),
        c AS (
            SELECT company_id, SUM(orders) AS orders, SUM(cents) AS cents,
                MAX(last_won) AS last_won, COUNT(*) AS filled,
                SUM(CAST(cents AS DOUBLE PRECISION) / 100) / {count} AS mean
            FROM m GROUP BY company_id
        ),
        v AS (
            SELECT c.company_id, c.orders, c.cents, c.last_won, c.mean,
                (SUM((CAST(m.cents AS DOUBLE PRECISION) / 100 - c.mean)
                     * (CAST(m.cents AS DOUBLE PRECISION) / 100 - c.mean))
                 + ({count} - c.filled) * c.mean * c.mean) / {count} AS variance
            FROM c JOIN m ON m.company_id = c.company_id
            GROUP BY c.company_id, c.orders, c.cents, c.last_won, c.mean, c.filled
        )"""  # noqa: S608 - numbers and constant names only; values are parameters


def _recency_sql() -> str:
    """SQL: whole days from a parameter moment back to the client's last purchase."""
    if connection.vendor == "postgresql":
        return "FLOOR(EXTRACT(EPOCH FROM (CAST(%s AS timestamptz) - v.last_won)) / 86400)"
    return (
        "(CAST(strftime('%%s', %s) AS INTEGER) - CAST(strftime('%%s', v.last_won) "
        "AS INTEGER)) / 86400"
    )


def _client_class_ctes(params: SegmentParams) -> str:
    """SQL: `r` each client with the days since the last purchase and the revenue of the
    clients above it, `s` with the ABC and XYZ letters and the R, F, M scores."""
    a_num, a_den = params.a_share.as_integer_ratio()
    b_num, b_den = params.b_share.as_integer_ratio()
    return f"""
        r AS (
            SELECT v.company_id, co.name, v.orders, v.cents, v.last_won, v.mean, v.variance,
                {_recency_sql()} AS recency,
                SUM(v.cents) OVER (ORDER BY v.cents DESC, co.name, v.company_id
                                   ROWS UNBOUNDED PRECEDING) - v.cents AS above,
                SUM(v.cents) OVER () AS total,
                COUNT(*) OVER () AS clients
            FROM v JOIN crm_company co ON co.id = v.company_id
        ),
        s AS (
            SELECT r.*,
                CASE WHEN total = 0
                       OR CAST(above AS NUMERIC) * {a_den} < CAST(total AS NUMERIC) * {a_num}
                     THEN 'A'
                     WHEN CAST(above AS NUMERIC) * {b_den} < CAST(total AS NUMERIC) * {b_num}
                     THEN 'B' ELSE 'C' END AS abc,
                CASE WHEN mean = 0 THEN ''
                     WHEN variance < %s * %s * mean * mean THEN 'X'
                     WHEN variance < %s * %s * mean * mean THEN 'Y' ELSE 'Z' END AS xyz,
                1 + ((RANK() OVER (ORDER BY recency DESC) - 1) * 5) / clients AS r,
                1 + ((RANK() OVER (ORDER BY orders) - 1) * 5) / clients AS f,
                1 + ((RANK() OVER (ORDER BY cents) - 1) * 5) / clients AS m
            FROM r
        )
    """  # noqa: S608 - numbers and constant names only; values are parameters


_CLASS = {"abc": "abc", "xyz": "xyz", "rfm": "'R' || CAST(r AS VARCHAR(1))"}
_PAGE_COLUMNS = "company_id, name, orders, cents, last_won, above, total, abc, r, f, m"


@dataclass
class SegmentPage:
    """The segments of every client as the page and the API show them: the summary per class,
    the number of clients and the clients of one page (sorted by revenue, then name). The
    page asked for up front comes with the summary; another slice is read when asked."""

    params: SegmentParams
    summary: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    prefetched: dict[tuple[int, int], list[ClientSegment]] = field(default_factory=dict)
    fetch: Callable[[int, int], list[ClientSegment]] | None = None

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index: slice) -> list[ClientSegment]:
        if not isinstance(index, slice):
            raise TypeError("SegmentPage is sliced only")
        start = index.start or 0
        stop = self.total if index.stop is None else min(index.stop, self.total)
        limit = max(0, stop - start)
        for (offset, size), clients in self.prefetched.items():
            if offset == start and offset + size >= stop:
                return clients[:limit]
        if self.fetch is not None:
            return self.fetch(start, limit)
        return page_clients(self.params, start, limit)


def segment_page(
    *, actor: User, params: SegmentParams, kind: str, offset: int = 0, limit: int = 50
) -> SegmentPage | None:
    """The segments from the rollup for a reader of every client, with the clients of the
    page [offset, offset + limit) read by the same statement; None for anyone else (the raw
    path answers them)."""
    if not sees_every_client(actor):
        return None
    stats = window_stats(params)
    if stats is not None:  # a standard window ending today: its per-client rows
        page = SegmentPage(params=params, summary=window_summary(stats, kind), total=stats.count)

        def fetch(start: int, size: int) -> list[ClientSegment]:
            return _exact(params, window_clients(stats, start, size))

        page.fetch = fetch
        page.prefetched[(offset, limit)] = fetch(offset, limit)
        return page
    return _statement_page(params=params, kind=kind, offset=offset, limit=limit)


def _statement_page(*, params: SegmentParams, kind: str, offset: int, limit: int) -> SegmentPage:
    """The segments of any other window: one statement over the window's months."""
    sql, args = _classified_sql(params)
    key = _CLASS[kind]
    nulls = ", ".join(["NULL"] * 11)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} SELECT 'S', {key}, COUNT(*), SUM(cents), {nulls} FROM s GROUP BY {key} "  # noqa: S608
            "UNION ALL SELECT * FROM (SELECT 'P', NULL, ROW_NUMBER() OVER (ORDER BY cents DESC, "
            f"name, company_id), CAST(NULL AS NUMERIC), {_PAGE_COLUMNS} FROM s "
            "ORDER BY cents DESC, name, company_id LIMIT %s OFFSET %s) p",
            [*args, limit, offset],
        )
        rows = cursor.fetchall()
    grouped = [row[1:4] for row in rows if row[0] == "S"]
    listed = sorted((row for row in rows if row[0] == "P"), key=lambda row: int(row[2]))
    total = sum(int(cents) for _key, _n, cents in grouped)
    summary: list[dict[str, Any]] = []
    for segment, clients, cents in grouped:
        revenue = (Decimal(int(cents)) / 100).quantize(CENTS)
        summary.append(
            {
                "segment": segment or EMPTY,
                "clients": int(clients),
                "revenue": revenue,
                "share": (revenue / (Decimal(total) / 100)).quantize(Decimal("0.0001"))
                if total
                else None,
            }
        )
    summary.sort(key=lambda r: r["segment"])
    page = SegmentPage(params=params, summary=summary)
    page.total = sum(int(n) for _key, n, _cents in grouped)
    page.prefetched[(offset, limit)] = _clients(params, [row[4:] for row in listed])
    return page


def page_clients(params: SegmentParams, offset: int, limit: int) -> list[ClientSegment]:
    """The clients of one page, in the raw path's order, with its exact figures."""
    if limit <= 0:
        return []
    sql, args = _classified_sql(params)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} SELECT {_PAGE_COLUMNS} FROM s "  # noqa: S608
            "ORDER BY cents DESC, name, company_id LIMIT %s OFFSET %s",
            [*args, limit, offset],
        )
        return _clients(params, cursor.fetchall())


def _clients(params: SegmentParams, rows: list[Any]) -> list[ClientSegment]:
    as_of = params.as_of or timezone.localdate()
    months = _months(as_of, params.months)
    end = datetime.combine(as_of, time.max, tzinfo=timezone.get_current_timezone())
    clients = []
    for company_id, name, orders, cents, last, above, total, abc, r, f, m in rows:
        last_purchase = _moment(last)
        client = ClientSegment(
            company_id=company_id,
            name=name,
            revenue=(Decimal(int(cents)) / 100).quantize(CENTS),
            orders=int(orders),
            last_purchase=last_purchase,
            monthly=[Decimal(0)] * len(months),
            abc=abc,
            cumulative_share=(Decimal(int(above) + int(cents)) / Decimal(int(total))).quantize(
                Decimal("0.0001")
            )
            if int(total)
            else Decimal(0),
            recency_days=max(0, (end - last_purchase).days),
            r=int(r),
            f=int(f),
            m=int(m),
        )
        clients.append(client)
    return _exact(params, clients)


def _exact(params: SegmentParams, clients: list[ClientSegment]) -> list[ClientSegment]:
    """The page's monthly series and exact coefficient of variation, as the raw path has them."""
    as_of = params.as_of or timezone.localdate()
    months = _months(as_of, params.months)
    end = datetime.combine(as_of, time.max, tzinfo=timezone.get_current_timezone())
    _fill_monthly(clients, months, end)
    _xyz(clients, params)
    return clients


def _fill_monthly(clients: list[ClientSegment], months: list[date], end: datetime) -> None:
    """The monthly revenue of these clients over the window (the rollup's whole months, the
    raw deals of the last one)."""
    if not clients:
        return
    by_id = {c.company_id: c for c in clients}
    index = {month: n for n, month in enumerate(months)}
    ids = list(by_id)
    for company_id, month, cents in ClientMonth.objects.filter(
        company_id__in=ids,
        currency=DEFAULT_CURRENCY,
        month__gte=months[0],
        month__lt=months[-1],
    ).values_list("company_id", "month", "cents"):
        by_id[company_id].monthly[index[month]] += (Decimal(cents) / 100).quantize(CENTS)
    start = datetime.combine(months[-1], time.min, tzinfo=timezone.get_current_timezone())
    last = (
        Deal.objects.filter(
            status=DealStatus.WON,
            currency=DEFAULT_CURRENCY,
            company_id__in=ids,
            closed_at__gte=start,
            closed_at__lte=end,
        )
        .order_by()
        .values("company_id")
        .annotate(revenue=Sum("amount"))
    )
    for found in last:
        by_id[found["company_id"]].monthly[-1] += Decimal(found["revenue"] or 0).quantize(CENTS)
