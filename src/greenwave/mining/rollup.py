"""Directly-follows contributions of deal cases, summable: the arithmetic of the rollup.

A contribution is {(source, target): Tally}; the rollup (`models.DfgEdge`) holds the sum of
the contributions of every deal of a pipeline. When new events arrive for some cases, their
contribution as of the last applied event id is subtracted and their contribution now added
(`services.rollup_update`), so late events (a timestamp before the case's last one) and
anything that changes a case's path are exact: the cases are recomputed, not appended to.
"""

from __future__ import annotations

import itertools
import json
import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection

from greenwave.sales.models import Deal, Pipeline

from .log import DEAL, END, START, CaseLog, case_log, seconds_between
from .models import DfgEdge, RollupCursor

BUCKET_BASE = 1.01  # a duration's bucket: 0 below a second, else 1 + floor(log_1.01(seconds))
CASE_CHUNK = 500
CURSOR = "dfg"  # the name of the rollup's `RollupCursor`


@dataclass
class Tally:
    count: int = 0
    timed: int = 0
    total_seconds: float = 0.0
    buckets: Counter[int] = field(default_factory=Counter)

    def add(self, other: Tally, sign: int = 1) -> None:
        self.count += sign * other.count
        self.timed += sign * other.timed
        self.total_seconds += sign * other.total_seconds
        for bucket, n in other.buckets.items():
            self.buckets[bucket] += sign * n
            if not self.buckets[bucket]:
                del self.buckets[bucket]

    def add_row(self, n: int, bucket: int, total: float | None) -> None:
        """Count `n` transitions of one duration bucket read back from SQL (bucket < 0: the
        ones without a duration), `total` their summed seconds."""
        self.count += n
        if bucket >= 0:
            self.timed += n
            self.total_seconds += float(total or 0)
            self.buckets[int(bucket)] += n

    def median(self) -> float | None:
        """percentile_cont(0.5) of the durations, each read as its bucket's middle."""
        if self.timed <= 0:
            return None
        low, high = (self.timed + 1) // 2, self.timed // 2 + 1  # equal when the count is odd
        seen = 0
        first: float | None = None
        for bucket in sorted(self.buckets):
            seen += self.buckets[bucket]
            if first is None and seen >= low:
                first = bucket_value(bucket)
            if seen >= high:
                return (first + bucket_value(bucket)) / 2 if first is not None else None
        return first

    def mean(self) -> float | None:
        return self.total_seconds / self.timed if self.timed > 0 else None


Contribution = dict[tuple[str, str], Tally]
_K = TypeVar("_K")  # the key of a tally map: an edge, a cell


def bucket_value(bucket: int) -> float:
    return 0.0 if bucket <= 0 else BUCKET_BASE ** (bucket - 0.5)


def _bucket_sql() -> str:
    return (
        "CASE WHEN t.secs IS NULL THEN -1 WHEN t.secs < 1 THEN 0 "
        f"ELSE CAST(floor(ln(t.secs) / ln({BUCKET_BASE})) AS INTEGER) + 1 END"
    )


def contribution(
    log: CaseLog, *, case_ids: list[str] | None = None, max_id: int | None = None
) -> Contribution:
    """The directly-follows tally of the log's deals (all, or these), from events up to an id.

    The same labelled transitions as the process map (`selectors._transitions_sql`), every
    case of the pipeline (no reader: the rollup is read only by readers of every deal)."""
    from .selectors import _transitions_sql

    sql, params = _transitions_sql(None, log, case_ids=case_ids, max_id=max_id)
    query = (
        f"SELECT t.src, t.tgt, {_bucket_sql()} AS b, count(*), sum(t.secs) "  # noqa: S608
        f"FROM ({sql}) t GROUP BY t.src, t.tgt, b"
    )
    tallies: Contribution = {}
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for src, tgt, bucket, n, total in cursor.fetchall():
            tallies.setdefault((src, tgt), Tally()).add_row(n, bucket, total)
    return tallies


def cases_contribution(
    log: CaseLog, case_ids: Iterable[str], *, max_id: int | None = None
) -> Contribution:
    """`contribution` of many cases, a chunk of ids per statement."""
    ids = sorted(set(case_ids))
    total: Contribution = {}
    for start in range(0, len(ids), CASE_CHUNK):
        part = contribution(log, case_ids=ids[start : start + CASE_CHUNK], max_id=max_id)
        merge(total, part)
    return total


def merge(into: dict[_K, Tally], other: dict[_K, Tally], sign: int = 1) -> dict[_K, Tally]:
    """Add (`sign` -1: take away) the tallies of `other` into `into`, key by key: the edges of
    a `Contribution` or the cells of `Cells`."""
    for key, tally in other.items():
        into.setdefault(key, Tally()).add(tally, sign)
    return into


def pipeline_log(pipeline_id: int) -> CaseLog:
    return case_log(case_type=DEAL, pipeline_id=pipeline_id)


def pipelines_of(case_ids: Iterable[str]) -> dict[int, list[str]]:
    """The deals among the cases, grouped by their pipeline."""
    ids = [int(c) for c in set(case_ids) if c.isdigit() and len(c) < 19]
    grouped: dict[int, list[str]] = {}
    for start in range(0, len(ids), 5000):
        rows = Deal.objects.filter(pk__in=ids[start : start + 5000]).values_list(
            "pk", "pipeline_id"
        )
        for pk, pipeline_id in rows:
            grouped.setdefault(pipeline_id, []).append(str(pk))
    return grouped


def stored_tally(row: Any) -> Tally:
    """A stored row's tally (a `DfgEdge` or a `DfgCell`)."""
    buckets = Counter({int(k): int(v) for k, v in row.buckets.items()})
    return Tally(row.count, row.timed, row.total_seconds, buckets)


def stored(pipeline_id: int) -> Contribution:
    """The rollup's rows of a pipeline as tallies (plain rows: no model instances)."""
    rows = DfgEdge.objects.filter(pipeline_id=pipeline_id).values_list(
        "source", "target", "count", "timed", "total_seconds", "buckets"
    )
    return {
        (src, tgt): Tally(n, timed, total, Counter(dict(zip(map(int, b), b.values(), strict=True))))
        for src, tgt, n, timed, total, b in rows
    }


# A stored edge row read by hand: source, target, count, timed, summed seconds, histogram.
EdgeRow = tuple[str, str, int, int, float, Any]


def applied_id() -> int | None:
    """How far the rollup has read the log: the last applied event id (None: never built)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT applied_id FROM {RollupCursor._meta.db_table} WHERE name = %s",  # noqa: S608
            [CURSOR],
        )
        found = cursor.fetchone()
    return None if found is None or found[0] is None else int(found[0])


def applied_with_edges(pipeline_id: int) -> tuple[int | None, list[EdgeRow]]:
    """`applied_id()` and the pipeline's edge rows in one statement: one snapshot of both (the
    worker moves them in one transaction), so no update lands between the two reads."""
    sql = (
        "SELECT c.applied_id, e.source, e.target, e.count, e.timed, e.total_seconds, "  # noqa: S608
        f"e.buckets FROM {RollupCursor._meta.db_table} c LEFT JOIN {DfgEdge._meta.db_table} e "
        "ON e.pipeline_id = %s WHERE c.name = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pipeline_id, CURSOR])
        rows = cursor.fetchall()
    if not rows or rows[0][0] is None:
        return None, []
    return int(rows[0][0]), [row[1:] for row in rows if row[1] is not None]


def row_tallies(rows: Iterable[EdgeRow]) -> Contribution:
    """`stored` of rows read by hand."""
    return {
        (src, tgt): Tally(n, timed, total, Counter({int(k): v for k, v in _json(b).items()}))
        for src, tgt, n, timed, total, b in rows
    }


def row_edges(rows: Iterable[EdgeRow]) -> list[dict[str, Any]]:
    """`as_edges(row_tallies(rows))` without the tallies: each median found straight in its
    row's histogram (`histogram_median`) — the whole map of a pipeline whose every deal event
    the rollup has applied, the map a reader of every deal opens."""
    return [
        {
            "source": src,
            "target": tgt,
            "count": n,
            "median_seconds": _round(histogram_median(n, timed, total, buckets)),
            "mean_seconds": _round(total / timed if timed > 0 else None),
        }
        for src, tgt, n, timed, total, buckets in rows
        if n > 0
    ]


def _json(value: Any) -> Any:
    """A JSON column as a raw cursor gives it: text (jsonb on psycopg, SQLite), or parsed."""
    return json.loads(value) if isinstance(value, str) else value


def histogram_median(n: int, timed: int, total: float, buckets: Any) -> float | None:
    """`Tally.median` of a stored row's histogram (a JSON object, or its text from a raw
    cursor), with the walk done by `accumulate` and `bisect` over the counts in bucket order."""
    if timed <= 0:
        return None
    buckets = _json(buckets)
    keys, counts = list(map(int, buckets)), list(buckets.values())
    if counts and min(counts) <= 0:  # not a stored histogram: walk it as a tally does
        return Tally(n, timed, total, Counter(dict(zip(keys, counts, strict=True)))).median()
    if keys != sorted(keys):
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys, counts = [keys[i] for i in order], [counts[i] for i in order]
    return _sorted_median(timed, keys, counts)


def _sorted_median(timed: int, keys: Sequence[int], counts: Iterable[int]) -> float | None:
    """`Tally.median` over positive counts in ascending bucket order: the buckets where the
    running count first reaches the lower and the upper middle rank (one rank when odd)."""
    seen = list(itertools.accumulate(counts))
    low = bisect_left(seen, (timed + 1) // 2)
    if low == len(seen):
        return None
    first = bucket_value(keys[low])
    high = bisect_left(seen, timed // 2 + 1, low)
    return first if high == len(seen) else (first + bucket_value(keys[high])) / 2


def every_pipeline() -> list[int]:
    return list(Pipeline.objects.order_by("pk").values_list("pk", flat=True))


def as_edges(tallies: Contribution) -> list[dict[str, Any]]:
    """Edges in the shape of `selectors.dfg` (rounded like it); empty tallies dropped."""
    return [
        {
            "source": src,
            "target": tgt,
            "count": t.count,
            "median_seconds": _round(t.median()),
            "mean_seconds": _round(t.mean()),
        }
        for (src, tgt), t in tallies.items()
        if t.count > 0
    ]


def _round(value: float | None) -> float | None:
    return round(value, 3) if value is not None and math.isfinite(value) else None


# --- The rollup by team, owner and month (`models.DfgCell`) --------------------------------

# (pipeline, team, owner, source month, target month, source, target)
CellKey = tuple[int, int, int, int, int, str, str]
Cells = dict[CellKey, Tally]
NO_MONTH_LOW, NO_MONTH_HIGH = -(10**6), 10**6


def month_key(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month_sql(column: str) -> tuple[str, list[Any]]:
    """The month key of a timestamp in the rollup's time zone (`settings.TIME_ZONE`)."""
    from django.conf import settings

    year, year_params = connection.ops.datetime_extract_sql("year", column, [], settings.TIME_ZONE)
    month, month_params = connection.ops.datetime_extract_sql(
        "month", column, [], settings.TIME_ZONE
    )
    return (
        f"(CAST({year} AS INTEGER) * 12 + CAST({month} AS INTEGER) - 1)",
        [*year_params, *month_params],
    )


# The deals' pipeline, team and owner as the rollup sums them: now, or as applied.
CURRENT_DIMS = (
    "SELECT CAST(id AS TEXT) AS case_id, pipeline_id, COALESCE(team_id, 0) AS team_id, "
    "COALESCE(responsible_id, 0) AS owner_id FROM sales_deal"
)
STORED_DIMS = "SELECT case_id, pipeline_id, team_id, owner_id FROM mining_rollupcase"
CURRENT, STORED = "current", "stored"


def cells_sql(
    *, dims: str, case_ids: list[str] | None = None, max_id: int | None = None
) -> tuple[str, list[Any]]:
    """SELECT pipeline, team, owner, source month, target month, src, tgt, bucket, count,
    summed seconds: the labelled transitions of every deal (or these), grouped by cell and
    bucket. The same labels and order as the map (`log._label_sql`, `lag` by ts, id)."""
    from .log import _label_sql

    label, where, params = _label_sql(CaseLog(DEAL))
    month, month_params = _month_sql("e.timestamp")
    extra, tail = "", list[Any]()
    if case_ids is not None:
        extra = " AND e.case_id IN ({})".format(", ".join(["%s"] * len(case_ids)) or "NULL")
        tail += case_ids
    if max_id is not None:
        extra += " AND e.id <= %s"
        tail.append(max_id)
    window = "OVER (PARTITION BY case_id ORDER BY ts, id)"
    secs = seconds_between("ts", "prev_ts")
    sql = (
        f"WITH ev AS (SELECT e.case_id AS case_id, {label} AS label, e.timestamp AS ts, "  # noqa: S608
        f"e.id AS id, {month} AS mon FROM core_event e WHERE e.case_type = %s {where}{extra}), "
        f"seq AS (SELECT case_id, label, ts, mon, lag(label) {window} AS prev, "
        f"lag(ts) {window} AS prev_ts, lag(mon) {window} AS prev_mon, "
        f"lead(label) {window} AS nxt FROM ev), "
        f"t AS (SELECT case_id, coalesce(prev, '{START}') AS src, label AS tgt, "
        f"coalesce(prev_mon, mon) AS smon, mon AS tmon, "
        f"CASE WHEN prev IS NULL THEN NULL ELSE {secs} END AS secs FROM seq "
        f"UNION ALL SELECT case_id, label, '{END}', mon, mon, NULL FROM seq WHERE nxt IS NULL), "
        f"b AS (SELECT d.pipeline_id AS pipeline_id, d.team_id AS team_id, "
        f"d.owner_id AS owner_id, t.smon AS smon, t.tmon AS tmon, t.src AS src, "
        f"t.tgt AS tgt, {_bucket_sql()} AS b, t.secs AS secs "
        f"FROM t JOIN ({dims}) d ON d.case_id = t.case_id) "
        "SELECT pipeline_id, team_id, owner_id, smon, tmon, src, tgt, b, count(*), sum(secs) "
        "FROM b GROUP BY pipeline_id, team_id, owner_id, smon, tmon, src, tgt, b"
    )
    return sql, [*month_params, DEAL, *params, *tail]


def deal_ids(case_ids: Iterable[str]) -> list[str]:
    """The case ids that can name a deal (its primary key as text), sorted."""
    return sorted({c for c in case_ids if c.isdigit() and len(c) < 19})


def dims_of(kind: str, chunk: list[str]) -> tuple[str, list[Any]]:
    """The dims (`CURRENT` or `STORED`) of these deals only (an index probe per id)."""
    marks = ", ".join(["%s"] * len(chunk)) or "NULL"
    if kind == CURRENT:
        return f"{CURRENT_DIMS} WHERE id IN ({marks})", [int(c) for c in chunk]
    return f"{STORED_DIMS} WHERE case_id IN ({marks})", list(chunk)


def cells(*, dims: str, case_ids: Iterable[str], max_id: int | None = None) -> Cells:
    """The cells of these deals under their `CURRENT` or `STORED` dims (a chunk of ids per
    statement), up to an event id."""
    found: Cells = {}
    ids = deal_ids(case_ids)
    for start in range(0, len(ids), CASE_CHUNK):
        chunk = ids[start : start + CASE_CHUNK]
        dims_sql, dims_params = dims_of(dims, chunk)
        sql, params = cells_sql(dims=dims_sql, case_ids=chunk, max_id=max_id)
        params = [*params, *dims_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pipeline_id, team, owner, smon, tmon, src, tgt, bucket, n, total in cursor:
                key = (int(pipeline_id), int(team), int(owner), int(smon), int(tmon), src, tgt)
                found.setdefault(key, Tally()).add_row(n, bucket, total)
    return found


def month_cells(owner_cells: Cells) -> Cells:
    """The `MONTH` grain of owner cells: team and owner summed away (0)."""
    out: Cells = {}
    for (pipeline_id, _team, _owner, smon, tmon, src, tgt), tally in owner_cells.items():
        out.setdefault((pipeline_id, 0, 0, smon, tmon, src, tgt), Tally()).add(tally)
    return out


def team_cells(owner_cells: Cells) -> Cells:
    """The `TEAM` grain of owner cells: owners and months summed away (0)."""
    out: Cells = {}
    for (pipeline_id, team, _owner, _smon, _tmon, src, tgt), tally in owner_cells.items():
        out.setdefault((pipeline_id, team, 0, 0, 0, src, tgt), Tally()).add(tally)
    return out


def edge_tallies(owner_cells: Cells) -> dict[int, Contribution]:
    """The per-pipeline edges (`DfgEdge`) of cells: months summed away."""
    out: dict[int, Contribution] = {}
    for (pipeline_id, _team, _owner, _s, _t, src, tgt), tally in owner_cells.items():
        out.setdefault(pipeline_id, {}).setdefault((src, tgt), Tally()).add(tally)
    return out


@dataclass(frozen=True)
class Slice:
    """Which cells a narrowed map sums: the team and owner conditions and whole months."""

    pipeline_id: int
    team_id: int | None = None
    owner_id: int | None = None
    reader_id: int | None = None  # a scoped reader: their own deals or their teams'
    reader_teams: frozenset[int] | None = None
    month_from: int = NO_MONTH_LOW
    month_to: int = NO_MONTH_HIGH

    @property
    def by_owner(self) -> bool:
        return self.team_id is not None or self.owner_id is not None or self.reader_id is not None

    def holds(self, key: CellKey) -> bool:
        pipeline_id, team, owner, smon, tmon, _src, _tgt = key
        if pipeline_id != self.pipeline_id or smon > self.month_to or tmon < self.month_from:
            return False
        if smon < self.month_from and tmon > self.month_to:
            return False  # leaves before the period, arrives after it: no event in it
        if self.team_id is not None and team != self.team_id:
            return False
        if self.owner_id is not None and owner != self.owner_id:
            return False
        if self.reader_id is not None:
            return owner == self.reader_id or team in (self.reader_teams or ())
        return True

    def edge(self, key: CellKey, tally: Tally) -> tuple[tuple[str, str], Tally]:
        """The edge a cell adds to the narrowed map: a transition from before the period
        starts the case there, one past it ends the case there (untimed, as the raw map)."""
        _p, _t, _o, smon, tmon, src, tgt = key
        cut = False
        if smon < self.month_from:
            src, cut = START, True
        if tmon > self.month_to:
            tgt, cut = END, True
        return (src, tgt), (Tally(tally.count) if cut else tally)

    @property
    def by_team(self) -> bool:
        """The whole span narrowed by team or a scoped reader (no person): the `TEAM` rows
        answer the teams whose every deal is in the slice."""
        whole = (self.month_from, self.month_to) == (NO_MONTH_LOW, NO_MONTH_HIGH)
        return whole and self.owner_id is None and self.by_owner

    def _team_where(self) -> tuple[str, list[Any]]:
        """The `TEAM` rows of the teams read whole, and the `OWNER` rows of the reader's own
        deals in the other teams (each deal counted once)."""
        from .models import DfgCell

        teams: set[int] = set() if self.team_id is None else {self.team_id}
        if self.reader_id is not None:
            readable = set(self.reader_teams or ())
            teams = teams & readable if self.team_id is not None else readable
        parts, params = [], list[Any]()
        listed = sorted(teams)
        marks = ", ".join(["%s"] * len(listed))
        if listed:
            parts.append(f"(c.grain = %s AND c.team_id IN ({marks}))")
            params += [DfgCell.TEAM, *listed]
        if self.reader_id is not None:
            own = "c.grain = %s AND c.owner_id = %s"
            params += [DfgCell.OWNER, self.reader_id]
            if listed:
                own += f" AND c.team_id NOT IN ({marks})"
                params += listed
            if self.team_id is not None:
                own += " AND c.team_id = %s"
                params.append(self.team_id)
            parts.append(f"({own})")
        return f"c.pipeline_id = %s AND ({' OR '.join(parts)})", [self.pipeline_id, *params]

    def where(self) -> tuple[str, list[Any]]:
        from .models import DfgCell

        if self.by_team:
            return self._team_where()
        grain = DfgCell.OWNER if self.by_owner else DfgCell.MONTH
        sql, params = "c.pipeline_id = %s AND c.grain = %s", [self.pipeline_id, grain]
        if self.team_id is not None:
            sql += " AND c.team_id = %s"
            params.append(self.team_id)
        if self.owner_id is not None:
            sql += " AND c.owner_id = %s"
            params.append(self.owner_id)
        if self.reader_id is not None:
            teams = sorted(self.reader_teams or ())
            if teams:
                marks = ", ".join(["%s"] * len(teams))
                sql += f" AND (c.owner_id = %s OR c.team_id IN ({marks}))"
                params += [self.reader_id, *teams]
            else:
                sql += " AND c.owner_id = %s"
                params.append(self.reader_id)
        if self.month_from != NO_MONTH_LOW:
            sql += " AND c.target_month >= %s"
            params.append(self.month_from)
        if self.month_to != NO_MONTH_HIGH:
            sql += " AND c.source_month <= %s"
            params.append(self.month_to)
        if self.month_from != NO_MONTH_LOW and self.month_to != NO_MONTH_HIGH:
            # Not a transition that leaves before the period and arrives after it.
            sql += " AND (c.source_month >= %s OR c.target_month <= %s)"
            params += [self.month_from, self.month_to]
        return sql, params


def stored_slice(part: Slice) -> Contribution:
    """The edges of the cells in the slice, summed by the database (counts, then buckets)."""
    where, params = part.where()
    low, high = part.month_from, part.month_to
    src = f"CASE WHEN c.source_month < {low:d} THEN '{START}' ELSE c.source END"
    tgt = f"CASE WHEN c.target_month > {high:d} THEN '{END}' ELSE c.target END"
    whole = f"(c.source_month >= {low:d} AND c.target_month <= {high:d})"
    totals = (
        f"SELECT {src}, {tgt}, sum(c.count), "  # noqa: S608
        f"sum(CASE WHEN {whole} THEN c.timed ELSE 0 END), "
        f"sum(CASE WHEN {whole} THEN c.total_seconds ELSE 0 END) "
        f"FROM mining_dfgcell c WHERE {where} GROUP BY 1, 2"
    )
    if connection.vendor == "postgresql":
        each, value = "jsonb_each_text(c.buckets)", "CAST(j.value AS BIGINT)"
    else:
        each, value = "json_each(c.buckets)", "CAST(j.value AS INTEGER)"
    spread = (
        f"SELECT c.source, c.target, j.key, sum({value}) "  # noqa: S608
        f"FROM mining_dfgcell c, {each} j WHERE {where} AND {whole} "
        "GROUP BY c.source, c.target, j.key"
    )
    tallies: Contribution = {}
    with connection.cursor() as cursor:
        cursor.execute(totals, params)
        for s, t, n, timed, total in cursor.fetchall():
            tallies[(s, t)] = Tally(int(n), int(timed or 0), float(total or 0))
        cursor.execute(spread, params)
        for s, t, bucket, n in cursor.fetchall():
            tallies[(s, t)].buckets[int(bucket)] += int(n)
    return tallies


def slice_edges(part: Slice, cells_in: Cells) -> Contribution:
    """The edges of in-memory cells (the corrections for unapplied deals) in the slice."""
    out: Contribution = {}
    for key, tally in cells_in.items():
        if part.holds(key):
            edge, value = part.edge(key, tally)
            out.setdefault(edge, Tally()).add(value)
    return out


def _json_agg(key: str, value: str) -> str:
    if connection.vendor == "postgresql":
        return f"jsonb_object_agg({key}, {value})"
    return f"json_group_object({key}, {value})"


def _each_sql() -> tuple[str, str]:
    if connection.vendor == "postgresql":
        return "jsonb_each_text(c.buckets)", "CAST(j.value AS BIGINT)"
    return "json_each(c.buckets)", "CAST(j.value AS INTEGER)"


def rebuild_sql(max_id: int) -> None:
    """Rebuild every grain in the database, reading the log once: the deals' dims, the owner
    cells from the log (up to `max_id`), the month cells and the edges summed from them."""
    from .models import DfgCell

    with connection.cursor() as cursor:
        for table in ("mining_dfgcell", "mining_dfgedge", "mining_rollupcase"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        columns = "case_id, pipeline_id, team_id, owner_id"
        cursor.execute(f"INSERT INTO mining_rollupcase ({columns}) {CURRENT_DIMS}")
        sql, params = cells_sql(dims=STORED_DIMS, max_id=max_id)
        body, _sep, _tail = sql.rpartition("SELECT pipeline_id, team_id, owner_id, smon")
        cursor.execute(
            f"{body}, g AS (SELECT pipeline_id, team_id, owner_id, smon, tmon, src, tgt, b, "  # noqa: S608
            "count(*) AS n, sum(secs) AS total FROM b "
            "GROUP BY pipeline_id, team_id, owner_id, smon, tmon, src, tgt, b) "
            "INSERT INTO mining_dfgcell (grain, pipeline_id, team_id, owner_id, source_month, "
            "target_month, source, target, count, timed, total_seconds, buckets) "
            f"SELECT {DfgCell.OWNER:d}, pipeline_id, team_id, owner_id, smon, tmon, src, tgt, "
            "sum(n), sum(CASE WHEN b >= 0 THEN n ELSE 0 END), "
            "coalesce(sum(CASE WHEN b >= 0 THEN total END), 0), "
            f"coalesce({_json_agg('CAST(b AS TEXT)', 'n')} FILTER (WHERE b >= 0), '{{}}') "
            "FROM g GROUP BY pipeline_id, team_id, owner_id, smon, tmon, src, tgt",
            params,
        )
        each, value = _each_sql()
        cell_columns = (
            "grain, pipeline_id, team_id, owner_id, source_month, target_month, source, target"
        )
        sums = (
            (
                "mining_dfgcell",
                f"WHERE c.grain = {DfgCell.OWNER:d}",
                "pipeline_id, source_month, target_month, source, target",
                cell_columns,
                f"{DfgCell.MONTH:d}, tot.pipeline_id, 0, 0, tot.source_month, "
                "tot.target_month, tot.source, tot.target",
            ),
            (
                "mining_dfgcell",
                f"WHERE c.grain = {DfgCell.OWNER:d}",
                "pipeline_id, team_id, source, target",
                cell_columns,
                f"{DfgCell.TEAM:d}, tot.pipeline_id, tot.team_id, 0, 0, 0, tot.source, tot.target",
            ),
            (
                "mining_dfgedge",
                f"WHERE c.grain = {DfgCell.MONTH:d}",
                "pipeline_id, source, target",
                "pipeline_id, source, target",
                "tot.pipeline_id, tot.source, tot.target",
            ),
        )
        for table, where, keys, columns, values in sums:
            using = " AND ".join(f"a.{k} = tot.{k}" for k in keys.split(", "))
            cursor.execute(
                f"WITH tot AS (SELECT {keys}, sum(count) AS n, sum(timed) AS timed, "  # noqa: S608
                f"sum(total_seconds) AS total FROM mining_dfgcell c {where} GROUP BY {keys}), "
                f"k AS (SELECT {keys}, j.key AS bk, sum({value}) AS v "
                f"FROM mining_dfgcell c, {each} j {where} GROUP BY {keys}, j.key), "
                f"a AS (SELECT {keys}, {_json_agg('bk', 'v')} AS buckets FROM k GROUP BY {keys}) "
                f"INSERT INTO {table} ({columns}, count, timed, total_seconds, buckets) "
                f"SELECT {values}, tot.n, tot.timed, tot.total, coalesce(a.buckets, '{{}}') "
                f"FROM tot LEFT JOIN a ON {using}",
            )
