"""Process mining: the directly-follows graph of the B2B pipeline's deals.

Greenwave: `greenwave.mining.selectors.dfg(actor=admin, log=case_log(pipeline=B2B))` — the
labelled deal events of the visible deals (stages, approvals, documents, win/loss), `lag`
over each case, counts, mean and `percentile_cont` median per edge, start and end edges.
Ceiling: the same answer by one hand-written statement over `core_event` and `sales_deal`.
"""

from __future__ import annotations

import time
from typing import Any

from greenwave.datagen.benchreport import BenchResult, median_time, verdict_from_times

TARGET = 0.5

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


def _context() -> tuple[Any, Any]:
    from greenwave.accounts.models import User
    from greenwave.sales.models import Pipeline

    return User.objects.get(username="gen_admin_01"), Pipeline.objects.get(code="b2b")


def _dfg_greenwave(actor: Any, pipeline: Any) -> dict[tuple[str, str], tuple[int, Any]]:
    from greenwave.mining.log import case_log
    from greenwave.mining.selectors import dfg

    data = dfg(actor=actor, log=case_log(pipeline_id=pipeline.pk))
    return {(e["source"], e["target"]): (e["count"], e["median_seconds"]) for e in data["edges"]}


def _dfg_sql(pipeline: Any) -> dict[tuple[str, str], tuple[int, Any]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DFG_SQL, {"pipeline": pipeline.pk})
        return {
            (src, tgt): (n, round(float(med), 3) if med is not None else None)
            for src, tgt, n, _mean, med in cursor.fetchall()
        }


def bench_mining_dfg(*, runs: int, dataset: str) -> BenchResult:
    actor, pipeline = _context()
    ours, ceiling = _dfg_greenwave(actor, pipeline), _dfg_sql(pipeline)
    if {k: v[0] for k, v in ours.items()} != {k: v[0] for k, v in ceiling.items()} or any(
        (ours[k][1] is None) != (ceiling[k][1] is None)
        or (ours[k][1] is not None and abs(ours[k][1] - ceiling[k][1]) > 0.01)
        for k in ours
    ):
        raise AssertionError("the DFG differs from the hand-written SQL")
    t_ours = median_time(
        lambda: _dfg_greenwave(actor, pipeline), runs=runs, clock=time.perf_counter
    )
    t_sql = median_time(lambda: _dfg_sql(pipeline), runs=runs, clock=time.perf_counter)
    return verdict_from_times(
        "mining_dfg",
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=TARGET,
        details=(
            f"DFG of the B2B deals ({len(ours)} edges): mining.selectors.dfg "
            f"{t_ours * 1000:.0f} ms vs hand-written SQL {t_sql * 1000:.0f} ms, "
            f"median of {runs}, {dataset}, answers equal"
        ),
    )
