"""The segments' inputs per client over the standard windows (issue 19: the segments of a
reader of every client under 1 s at 1M deals).

`ClientWindow` holds, per client and standard window (`WINDOW_MONTHS` whole months ending with
the current local month), the won deals' count, kopecks, the last purchase and its local day,
and the coefficient of variation of the monthly revenue (× 10 000, computed by the segments'
own `variation`). The rows are derived from `ClientMonth` whenever it is recomputed (the
touched clients on a refresh, every client on a rebuild) and for every client once a month
has begun (`roll_windows`, from the refresh job); until then the readers take the slower path.

A reader of every client then gets the segments without grouping the months: the summary from
small aggregates (ABC by one running sum over the revenue, XYZ by the stored variation, RFM by
the histogram of last-purchase days), and the page of clients from the revenue index, names
joined for the shown rows only. The class of a row depends only on its place in the revenue
order (the running sum before it), so ties need the names only inside the page's revenue range.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_FLOOR, Decimal
from itertools import groupby
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.core.values import EMPTY

from .models import ClientMonth, ClientWindow
from .segments import ClientSegment, SegmentParams, _months, variation

WINDOW_MONTHS = (3, 6, 12, 24)
_BATCH = 5000
_ROWS = 1000  # per INSERT: 8 000 parameters (SQLite allows 32 766)
_CHUNK = 500

# --- keeping the rows --------------------------------------------------------------------------


def _built(
    company_id: int, rows: list[Any], today: date, indexes: dict[int, dict[date, int]]
) -> Iterator[list[Any]]:
    """The window rows of one client from its monthly rows (month, orders, cents, last), as
    the values of an INSERT."""
    adapt_date = connection.ops.adapt_datefield_value
    adapt_moment = connection.ops.adapt_datetimefield_value
    end_month = adapt_date(today.replace(day=1))
    for count, index in indexes.items():
        inside = [row for row in rows if row[0] in index]
        if not inside:
            continue
        monthly = [Decimal(0)] * count
        for month, _orders, cents, _last in inside:
            monthly[index[month]] += (Decimal(cents) / 100).quantize(CENTS)
        last = max(row[3] for row in inside)
        cv = variation(monthly)
        yield [
            company_id,
            count,
            end_month,
            sum(row[1] for row in inside),
            sum(row[2] for row in inside),
            adapt_moment(last),
            adapt_date(timezone.localtime(last).date()),
            None if cv is None else int(cv * 10000),
        ]


def _write(company_ids: list[int] | None, today: date) -> None:
    first = _months(today, max(WINDOW_MONTHS))[0]
    indexes = {
        count: {month: n for n, month in enumerate(_months(today, count))}
        for count in WINDOW_MONTHS
    }
    rows = ClientMonth.objects.filter(
        currency=DEFAULT_CURRENCY, month__gte=first, month__lte=today.replace(day=1)
    )
    if company_ids is None:
        ClientWindow.objects.all().delete()
    else:
        rows = rows.filter(company_id__in=company_ids)
        ClientWindow.objects.filter(company_id__in=company_ids).delete()
    ordered = (
        rows.order_by("company_id")
        .values_list("company_id", "month", "orders", "cents", "last_won")
        .iterator(chunk_size=_BATCH)
    )
    batch: list[list[Any]] = []
    for company_id, client_rows in groupby(ordered, key=lambda row: row[0]):
        batch.extend(_built(company_id, [row[1:] for row in client_rows], today, indexes))
        if len(batch) >= _ROWS:
            _insert(batch)
            batch = []
    _insert(batch)


def _insert(rows: list[list[Any]]) -> None:
    """One multi-row INSERT of window rows."""
    if not rows:
        return
    marks = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ClientWindow._meta.db_table} (company_id, months, end_month, orders, "  # noqa: S608 - a model's table
            f"cents, last_won, last_day, variation) VALUES {marks}",
            [value for row in rows for value in row],
        )


def recompute_client_windows(company_ids: Iterable[int] | None) -> None:
    """Recompute the window rows of these clients (None: of every client) from `ClientMonth`;
    every client's once the current month is not the one the rows were built for."""
    today = timezone.localdate()
    if company_ids is not None:
        ids = sorted(set(company_ids))
        if not ids:
            return
        if not windows_current(max(WINDOW_MONTHS), today):
            company_ids = None  # a month began (or never built): every window moves
    if company_ids is None:
        _write(None, today)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {ClientWindow._meta.db_table}")
        return
    for n in range(0, len(ids), _CHUNK):
        _write(ids[n : n + _CHUNK], today)


def windows_current(months: int, today: date | None = None) -> bool:
    """Are the rows of this window those of the current month (built, none left over)?"""
    today = today or timezone.localdate()
    end_month = today.replace(day=1)
    rows = ClientWindow.objects.filter(months=months)
    if rows.filter(Q(end_month__lt=end_month) | Q(end_month__gt=end_month)).exists():
        return False
    if rows.filter(end_month=end_month).exists():
        return True
    first = _months(today, months)[0]
    return not ClientMonth.objects.filter(
        currency=DEFAULT_CURRENCY, month__gte=first, month__lte=end_month
    ).exists()


def roll_windows() -> bool:
    """Rebuild every window once a new month has begun (the refresh job calls it); True if
    it did."""
    if all(windows_current(months) for months in WINDOW_MONTHS):
        return False
    recompute_client_windows(None)
    return True


# --- reading them ------------------------------------------------------------------------------


@dataclass
class WindowStats:
    """What every page of one window needs, from one grouped scan of its rows (per day of the
    last purchase × number of purchases): the number of clients, their kopecks and the
    histograms of last-purchase days and of purchase counts (the R and F scores)."""

    params: SegmentParams
    rows: QuerySet[ClientWindow]
    end: datetime
    count: int = 0
    total: int = 0
    days: list[tuple[date, int, int]] = field(default_factory=list)
    day_keys: list[date] = field(default_factory=list)
    days_before: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    orders_before: list[int] = field(default_factory=list)

    def score(self, below: int) -> int:
        """1–5 from the number of clients with a worse value (the segments' quintiles)."""
        return 1 + (below * 5) // self.count

    def r(self, day: date) -> int:
        return self.score(self.days_before[bisect_left(self.day_keys, day)])

    def f(self, orders: int) -> int:
        return self.score(self.orders_before[bisect_left(self.orders, orders)])


def _before(counts: list[int]) -> list[int]:
    out, running = [], 0
    for n in counts:
        out.append(running)
        running += n
    return out


def _fill(stats: WindowStats, grouped: Iterable[dict[str, Any]]) -> None:
    days: dict[date, list[int]] = {}
    orders: dict[int, int] = {}
    for row in grouped:
        n, cents = int(row["n"]), int(row["c"] or 0)
        day = days.setdefault(row["last_day"], [0, 0])
        day[0] += n
        day[1] += cents
        orders[row["orders"]] = orders.get(row["orders"], 0) + n
    stats.days = sorted((day, n, cents) for day, (n, cents) in days.items())
    stats.count = sum(n for _day, n, _c in stats.days)
    stats.total = sum(c for _day, _n, c in stats.days)
    stats.day_keys = [day for day, _n, _c in stats.days]
    stats.days_before = _before([n for _day, n, _c in stats.days])
    stats.orders = sorted(orders)
    stats.orders_before = _before([orders[value] for value in stats.orders])


def window_stats(params: SegmentParams) -> WindowStats | None:
    """The stats of the window asked for, if it is a standard window ending today and its rows
    are current; None otherwise (the caller takes the slower path)."""
    today = timezone.localdate()
    if params.months not in WINDOW_MONTHS or params.as_of not in (None, today):
        return None
    if not windows_current(params.months, today):
        return None
    rows = ClientWindow.objects.filter(months=params.months, end_month=today.replace(day=1))
    end = datetime.combine(today, time.max, tzinfo=timezone.get_current_timezone())
    stats = WindowStats(params=params, rows=rows, end=end)
    _fill(
        stats,
        rows.order_by().values("last_day", "orders").annotate(n=Count("pk"), c=Sum("cents")),
    )
    if stats.days and stats.days[-1][0] > today:
        return None  # a purchase dated after today: the raw path leaves it out
    return stats


def _limit(stats: WindowStats, share: Decimal) -> int:
    """above × den < total × num ⇔ above < ⌈total × num ÷ den⌉ (integers)."""
    num, den = share.as_integer_ratio()
    return -((-stats.total * num) // den)


def _abc_groups(stats: WindowStats) -> list[tuple[str, int, int]]:
    """A: the rows whose running sum before them is under the A share of the total, B under
    the B share, C the rest; one running sum over the revenue index (ties need no order: the
    sum before a place does not depend on which of equal rows comes first)."""
    if not stats.total:
        return [("A", stats.count, 0)]
    a, b = _limit(stats, stats.params.a_share), _limit(stats, stats.params.b_share)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT SUM(CASE WHEN above < {a} THEN 1 ELSE 0 END), "  # noqa: S608 - numbers
            f"SUM(CASE WHEN above < {a} THEN cents ELSE 0 END), "
            f"SUM(CASE WHEN above < {b} THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN above < {b} THEN cents ELSE 0 END) "
            "FROM (SELECT cents, SUM(cents) OVER (ORDER BY cents DESC ROWS UNBOUNDED PRECEDING) "
            f"- cents AS above FROM {ClientWindow._meta.db_table} "
            "WHERE months = %s AND end_month = %s) w",
            [
                stats.params.months,
                connection.ops.adapt_datefield_value(stats.end.date().replace(day=1)),
            ],
        )
        a_n, a_c, b_n, b_c = (int(v or 0) for v in cursor.fetchone())
    return [
        ("A", a_n, a_c),
        ("B", b_n - a_n, b_c - a_c),
        ("C", stats.count - b_n, stats.total - b_c),
    ]


def _e4(limit: Decimal) -> int:
    """round(cv, 4) ≤ limit ⇔ cv × 10 000 ≤ ⌊limit × 10 000⌋."""
    return int((limit * 10000).to_integral_value(rounding=ROUND_FLOOR))


def _xyz_groups(stats: WindowStats) -> list[tuple[str, int, int]]:
    letter = Case(
        When(variation__isnull=True, then=Value("")),
        When(variation__lte=_e4(stats.params.x_max), then=Value("X")),
        When(variation__lte=_e4(stats.params.y_max), then=Value("Y")),
        default=Value("Z"),
        output_field=CharField(),
    )
    grouped = (
        stats.rows.order_by()
        .annotate(letter=letter)
        .values("letter")
        .annotate(n=Count("pk"), c=Sum("cents"))
    )
    return [(row["letter"], int(row["n"]), int(row["c"] or 0)) for row in grouped]


def _rfm_groups(stats: WindowStats) -> list[tuple[str, int, int]]:
    """Per R score (the page's classes of RFM): from the histogram of last-purchase days."""
    scores: dict[str, list[int]] = {}
    for (_day, n, cents), before in zip(stats.days, stats.days_before, strict=True):
        key = f"R{stats.score(before)}"
        scores.setdefault(key, [0, 0])
        scores[key][0] += n
        scores[key][1] += cents
    return [(key, n, cents) for key, (n, cents) in scores.items()]


def window_summary(stats: WindowStats, kind: str) -> list[dict[str, Any]]:
    """Per class: clients, revenue and its share, as `segments.summary` answers."""
    groups = {"abc": _abc_groups, "xyz": _xyz_groups, "rfm": _rfm_groups}[kind](stats)
    total = Decimal(stats.total) / 100
    out = []
    for segment, clients, cents in groups:
        if not clients:
            continue
        revenue = (Decimal(cents) / 100).quantize(CENTS)
        share = (revenue / total).quantize(Decimal("0.0001")) if stats.total else None
        out.append(
            {"segment": segment or EMPTY, "clients": clients, "revenue": revenue, "share": share}
        )
    return sorted(out, key=lambda r: r["segment"])


def _abc(stats: WindowStats, above: int) -> str:
    if not stats.total:
        return "A"
    a_num, a_den = stats.params.a_share.as_integer_ratio()
    b_num, b_den = stats.params.b_share.as_integer_ratio()
    if above * a_den < stats.total * a_num:
        return "A"
    return "B" if above * b_den < stats.total * b_num else "C"


def window_clients(stats: WindowStats, offset: int, limit: int) -> list[ClientSegment]:
    """The clients of the page [offset, offset + limit) in the segments' order (revenue, then
    name): their revenue range from the index, the rows of that range with their names."""
    edge = list(
        stats.rows.order_by("-cents", "company_id").values_list("cents", flat=True)[
            offset : offset + limit
        ]
    )
    if limit <= 0 or not edge:
        return []
    high, low = edge[0], edge[-1]
    above = stats.rows.filter(cents__gt=high).aggregate(n=Count("pk"), c=Sum("cents"))
    rows = sorted(
        stats.rows.filter(cents__gte=low, cents__lte=high).values_list(
            "company_id", "company__name", "orders", "cents", "last_won", "last_day"
        ),
        key=lambda row: (-row[3], row[1], row[0]),
    )
    higher = [-row[3] for row in rows]  # ascending
    place, running = int(above["n"] or 0), int(above["c"] or 0)
    clients = []
    for company_id, name, orders, cents, last_won, last_day in rows:
        if offset <= place < offset + limit:
            at_least = int(above["n"] or 0) + bisect_right(higher, -cents)
            clients.append(
                ClientSegment(
                    company_id=company_id,
                    name=name,
                    revenue=(Decimal(cents) / 100).quantize(CENTS),
                    orders=orders,
                    last_purchase=last_won,
                    monthly=[Decimal(0)] * stats.params.months,
                    abc=_abc(stats, running),
                    cumulative_share=(
                        (Decimal(running + cents) / Decimal(stats.total)).quantize(
                            Decimal("0.0001")
                        )
                        if stats.total
                        else Decimal(0)
                    ),
                    recency_days=max(0, (stats.end - last_won).days),
                    r=stats.r(last_day),
                    f=stats.f(orders),
                    m=stats.score(stats.count - at_least),
                )
            )
        place += 1
        running += cents
    return clients
