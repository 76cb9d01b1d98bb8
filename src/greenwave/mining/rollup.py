"""Directly-follows contributions of deal cases, summable: the arithmetic of the rollup.

A contribution is {(source, target): Tally}; the rollup (`models.DfgEdge`) holds the sum of
the contributions of every deal of a pipeline. When new events arrive for some cases, their
contribution as of the last applied event id is subtracted and their contribution now added
(`services.rollup_update`), so late events (a timestamp before the case's last one) and
anything that changes a case's path are exact: the cases are recomputed, not appended to.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from greenwave.sales.models import Deal, Pipeline

from .log import DEAL, CaseLog, case_log
from .models import DfgEdge

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
            tally = tallies.setdefault((src, tgt), Tally())
            tally.count += n
            if bucket >= 0:
                tally.timed += n
                tally.total_seconds += float(total or 0)
                tally.buckets[int(bucket)] += n
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


def merge(into: Contribution, other: Contribution, sign: int = 1) -> Contribution:
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


def stored_tally(row: DfgEdge) -> Tally:
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
