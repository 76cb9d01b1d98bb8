"""Process mining: the directly-follows graph (process map) of the B2B pipeline's deals.

* `mining_dfg` — what the map page and `GET /api/v1/mining/dfg` do for a reader of every deal:
  `greenwave.mining.selectors.dfg(actor=admin, log=case_log(pipeline=B2B))`, answered from
  the directly-follows rollup (`mining_dfgedge`, rebuilt first by `services.rollup_rebuild`)
  plus the deals with events the rollup has not applied. Ceiling: a hand-written check that no
  deal event is past the rollup's cursor, the rollup rows read by hand and the same median
  from their buckets. The raw hand-written SQL over
  the event log is timed too (details): that is the speed-up the rollup buys.
* `mining_dfg_raw` — the same map without the rollup (`use_rollup=False`: labelled events of
  the visible deals, `lag` over each case, count, mean and `percentile_cont` per edge) against
  one hand-written statement over `core_event` and `sales_deal`; answers asserted equal.
* `mining_vs_pm4py` — the peer: pm4py's `discover_dfg` + `discover_performance_dfg` (counts,
  mean and median per edge: what the map shows) on the same labelled events in a pandas
  frame (loading not timed: pm4py gets the frame for free); ratio = pm4py time / Greenwave
  time of the map (rollup path); counts asserted equal.
"""

from __future__ import annotations

import json
import time
from typing import Any

from greenwave.datagen.benchreport import (
    BenchResult,
    median_time,
    skipped,
    verdict_from_times,
)

TARGET = 0.5
PM4PY_TARGET = 5.0

DFG_SQL = """
WITH ev AS (
    SELECT e.case_id, e.timestamp AS ts, e.id,
           CASE e.activity
               WHEN 'deal_created' THEN 'stage:' || (e.payload->>'stage')
               WHEN 'deal_stage_changed' THEN 'stage:' || (e.payload->>'to_stage')
               WHEN 'deal_approved' THEN 'approved:' || (e.payload->>'approval')
               WHEN 'deal_document_attached' THEN 'document:' || (e.payload->>'document')
               ELSE e.activity END AS label
    FROM core_event e
    WHERE e.case_type = 'deal'
      AND e.activity IN ('deal_created', 'deal_stage_changed', 'deal_won', 'deal_lost',
                         'deal_reopened', 'deal_approved', 'deal_document_attached')
      AND e.case_id IN (SELECT id::text FROM sales_deal WHERE pipeline_id = %(pipeline)s)
), seq AS (
    SELECT label, ts,
           lag(label) OVER w AS prev, lag(ts) OVER w AS prev_ts, lead(label) OVER w AS nxt
    FROM ev WINDOW w AS (PARTITION BY case_id ORDER BY ts, id)
), t AS (
    SELECT coalesce(prev, '▶') AS src, label AS tgt,
           EXTRACT(EPOCH FROM (ts - prev_ts)) AS secs FROM seq
    UNION ALL SELECT label, '■', NULL FROM seq WHERE nxt IS NULL
)
SELECT src, tgt, count(*), avg(secs), percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)
FROM t GROUP BY src, tgt
"""


EVENTS_SQL = DFG_SQL.split("), seq AS")[0].replace("WITH ev AS (", "", 1)

ROLLUP_SQL = """
SELECT source, target, count, timed, total_seconds, buckets
FROM mining_dfgedge WHERE pipeline_id = %(pipeline)s
"""
# The same answer must be fresh: are there deal events the rollup has not applied?
CURSOR_SQL = "SELECT applied_id FROM mining_rollupcursor WHERE name = 'dfg'"
UNAPPLIED_SQL = "SELECT 1 FROM core_event WHERE id > %s AND case_type = 'deal' LIMIT 1"


def _context() -> tuple[Any, Any]:
    from greenwave.accounts.models import User
    from greenwave.sales.models import Pipeline

    return User.objects.get(username="gen_admin_01"), Pipeline.objects.get(code="b2b")


Answer = dict[tuple[str, str], tuple[int, Any]]


def _dfg_greenwave(actor: Any, pipeline: Any, *, use_rollup: bool = True) -> Answer:
    from greenwave.mining.log import case_log
    from greenwave.mining.selectors import dfg

    data = dfg(actor=actor, log=case_log(pipeline_id=pipeline.pk), use_rollup=use_rollup)
    return {(e["source"], e["target"]): (e["count"], e["median_seconds"]) for e in data["edges"]}


def _dfg_sql(pipeline: Any) -> Answer:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DFG_SQL, {"pipeline": pipeline.pk})
        return {
            (src, tgt): (n, round(float(med), 3) if med is not None else None)
            for src, tgt, n, _mean, med in cursor.fetchall()
        }


def _dfg_rollup_sql(pipeline: Any) -> Answer:
    """The ceiling of the rollup path: its rows read by hand, the median from the buckets."""
    from django.db import connection

    answer: Answer = {}
    with connection.cursor() as cursor:
        cursor.execute(CURSOR_SQL)
        cursor.execute(UNAPPLIED_SQL, [cursor.fetchone()[0]])
        if cursor.fetchone() is not None:
            raise AssertionError("the rollup is behind the log: the ceiling reads it alone")
        cursor.execute(ROLLUP_SQL, {"pipeline": pipeline.pk})
        for src, tgt, n, timed, _total, buckets in cursor.fetchall():
            answer[(src, tgt)] = (n, _bucket_median(timed, buckets))
    return answer


def _bucket_median(timed: int, buckets: Any) -> float | None:
    if not timed:
        return None
    if isinstance(buckets, str):  # jsonb reaches a raw cursor as text
        buckets = json.loads(buckets)
    want = [(timed + 1) // 2] if timed % 2 else [timed // 2, timed // 2 + 1]
    seen, values = 0, []
    for bucket, n in sorted((int(k), v) for k, v in buckets.items()):
        seen += n
        while want and want[0] <= seen:
            want.pop(0)
            values.append(0.0 if bucket <= 0 else 1.01 ** (bucket - 0.5))
    return round(sum(values) / len(values), 3)


def _same(ours: Answer, theirs: Answer, *, rel: float, what: str) -> None:
    if {k: v[0] for k, v in ours.items()} != {k: v[0] for k, v in theirs.items()}:
        raise AssertionError(f"the DFG counts differ from {what}")
    for key, (_n, med) in theirs.items():
        mine = ours[key][1]
        if (mine is None) != (med is None):
            raise AssertionError(f"the DFG medians differ from {what} at {key}")
        if med is not None and abs(mine - med) > max(0.01, rel * abs(med)):
            raise AssertionError(f"the DFG median of {key} differs from {what}: {mine} {med}")


def _rebuild() -> dict[str, Any]:
    from greenwave.mining import services

    return services.rollup_rebuild()


def bench_mining_dfg(*, runs: int, dataset: str) -> list[BenchResult]:
    actor, pipeline = _context()
    rebuilt = _rebuild()
    raw, sql = _dfg_greenwave(actor, pipeline, use_rollup=False), _dfg_sql(pipeline)
    _same(raw, sql, rel=0.0, what="the hand-written SQL")
    rolled, ceiling = _dfg_greenwave(actor, pipeline), _dfg_rollup_sql(pipeline)
    _same(rolled, ceiling, rel=0.0, what="the hand-written rollup read")
    _same(rolled, sql, rel=0.01, what="the raw SQL (rollup medians are 1 % buckets)")
    clock = time.perf_counter
    t_rolled = median_time(lambda: _dfg_greenwave(actor, pipeline), runs=runs, clock=clock)
    t_ceiling = median_time(lambda: _dfg_rollup_sql(pipeline), runs=runs, clock=clock)
    t_raw = median_time(
        lambda: _dfg_greenwave(actor, pipeline, use_rollup=False), runs=runs, clock=clock
    )
    t_sql = median_time(lambda: _dfg_sql(pipeline), runs=runs, clock=clock)
    results = [
        verdict_from_times(
            "mining_dfg",
            ours_s=t_rolled,
            ceiling_s=t_ceiling,
            target=TARGET,
            details=(
                f"map of the B2B deals ({len(rolled)} edges) from the rollup: "
                f"mining.selectors.dfg {t_rolled * 1000:.1f} ms vs hand-written rollup read "
                f"{t_ceiling * 1000:.1f} ms; raw hand-written SQL over the log "
                f"{t_sql * 1000:.0f} ms ({t_sql / t_rolled:.0f}× slower than the map); "
                f"rollup rebuilt in {rebuilt['seconds']:.1f} s; median of {runs}, {dataset}; "
                "counts equal, medians within 1 %"
            ),
            raw_sql_s=t_sql,
            rebuild_s=rebuilt["seconds"],
        ),
        verdict_from_times(
            "mining_dfg_raw",
            ours_s=t_raw,
            ceiling_s=t_sql,
            target=TARGET,
            details=(
                f"map without the rollup: mining.selectors.dfg(use_rollup=False) "
                f"{t_raw * 1000:.0f} ms vs hand-written SQL {t_sql * 1000:.0f} ms, "
                f"median of {runs}, {dataset}, answers equal"
            ),
        ),
    ]
    results.append(_vs_pm4py(actor, pipeline, runs=runs, dataset=dataset, t_map=t_rolled))
    return results


def _vs_pm4py(actor: Any, pipeline: Any, *, runs: int, dataset: str, t_map: float) -> BenchResult:
    try:
        import pandas as pd
        import pm4py
    except ImportError:
        return skipped("mining_vs_pm4py", PM4PY_TARGET, "pm4py (a test dependency) missing")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT case_id, label, ts FROM ({EVENTS_SQL}) ev ORDER BY case_id, ts, id",  # noqa: S608
            {"pipeline": pipeline.pk},
        )
        frame = pd.DataFrame(cursor.fetchall(), columns=["case_id", "activity", "ts"])
    frame = pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="ts"
    )

    def discover() -> Any:
        counts, _start, _end = pm4py.discover_dfg(frame)
        pm4py.discover_performance_dfg(frame)
        return counts

    # One timed call (the one checked): pm4py takes seconds where the map takes milliseconds,
    # and repeating it would only make the quick run slow.
    started = time.perf_counter()
    counts = discover()
    t_pm4py = time.perf_counter() - started
    ours = _dfg_greenwave(actor, pipeline)
    inner = {k: v[0] for k, v in ours.items() if "▶" not in k and "■" not in k}
    if dict(counts) != inner:
        raise AssertionError("pm4py's DFG counts differ from the map")
    return verdict_from_times(
        "mining_vs_pm4py",
        ours_s=t_map,
        ceiling_s=t_pm4py,
        target=PM4PY_TARGET,
        details=(
            f"pm4py {pm4py.__version__} discover_dfg + discover_performance_dfg on the same "
            f"{len(frame)} labelled events in memory {t_pm4py * 1000:.0f} ms (one call; frame "
            f"load not timed) vs the map {t_map * 1000:.1f} ms (median of {runs}); counts "
            f"equal; {dataset}"
        ),
    )
