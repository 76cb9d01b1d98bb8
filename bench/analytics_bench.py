"""`funnel`, `stage_durations`, `period_over_period`: Greenwave's analytics code vs the best
hand-written SQL for the same answer on the same PostgreSQL database; answers must be equal.

The hand-written SQL reads the event log once (one scan, every event unfolded into the stage
rows it counts for with a LATERAL VALUES list) and takes medians with `percentile_cont`.
"""

from __future__ import annotations

import time
from typing import Any

from greenwave.datagen.benchreport import BenchResult, median_time, verdict_from_times

TARGET = 0.5
EXIT_ACTIVITIES = ("deal_stage_changed", "deal_won", "deal_lost")

# The stage rows of every B2B deal event, unfolded once (both funnel queries read them).
_STAGE_ROWS_SQL = """
FROM core_event e
CROSS JOIN LATERAL (
    VALUES
      (CASE WHEN e.activity = 'deal_stage_changed' THEN e.payload->>'from_stage'
            ELSE e.payload->>'stage' END,
       CASE e.activity WHEN 'deal_created' THEN 'enter' WHEN 'deal_won' THEN 'won'
            WHEN 'deal_lost' THEN 'lost'
            ELSE CASE WHEN e.payload->>'direction' = 'forward' THEN 'forward' ELSE 'back' END
       END,
       (e.payload->>'seconds_in_stage')::int),
      (CASE WHEN e.activity = 'deal_stage_changed'
            THEN e.payload->>'to_stage' END, 'enter', NULL::int)
) AS k(stage, kind, secs)
WHERE e.case_type = 'deal'
  AND e.activity IN ('deal_created', 'deal_stage_changed', 'deal_won', 'deal_lost')
  AND e.case_id IN (SELECT id::text FROM sales_deal WHERE pipeline_id = %(pipeline)s)
  AND k.stage IS NOT NULL
GROUP BY 1
"""

FUNNEL_SQL = (
    """
SELECT k.stage::bigint,
       count(*) FILTER (WHERE k.kind = 'enter') AS entered,
       count(*) FILTER (WHERE k.kind = 'forward') AS forward,
       count(*) FILTER (WHERE k.kind = 'lost') AS lost,
       count(*) FILTER (WHERE k.kind = 'won') AS won,
       avg(k.secs) AS avg_s,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY k.secs) AS median_s
"""
    + _STAGE_ROWS_SQL
)

STUCK_SQL = """
SELECT d.stage_id, count(*)
FROM sales_deal d JOIN sales_stage s ON s.id = d.stage_id
WHERE d.pipeline_id = %(pipeline)s AND d.status = 'open'
  AND d.stage_entered_at < %(now)s - make_interval(days => s.expected_days)
GROUP BY 1
"""

DURATIONS_SQL = """
SELECT coalesce(payload->>'from_stage', payload->>'stage') AS stage,
       avg(secs), percentile_cont(0.5) WITHIN GROUP (ORDER BY secs)
FROM (
    SELECT payload, (payload->>'seconds_in_stage')::int AS secs
    FROM core_event
    WHERE case_type = 'deal' AND activity IN ('deal_stage_changed', 'deal_won', 'deal_lost')
      AND case_id IN (SELECT id::text FROM sales_deal WHERE pipeline_id = %(pipeline)s)
) x
WHERE secs IS NOT NULL
GROUP BY 1
"""


def _context() -> tuple[Any, Any]:
    from greenwave.accounts.models import User
    from greenwave.sales.models import Pipeline

    return User.objects.get(username="gen_admin_01"), Pipeline.objects.get(code="b2b")


def _funnel_greenwave(actor: Any, pipeline: Any) -> dict[int, tuple[Any, ...]]:
    from greenwave.sales.funnel import funnel

    return {
        r.stage_id: (r.entered, r.forward, r.lost, r.won, r.avg_days, r.median_days, r.stuck)
        for r in funnel(actor=actor, pipeline=pipeline)
    }


def _funnel_sql(pipeline: Any) -> dict[int, tuple[Any, ...]]:
    from django.db import connection
    from django.utils import timezone

    params = {"pipeline": pipeline.pk, "now": timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(FUNNEL_SQL, params)
        rows = {r[0]: r[1:] for r in cursor.fetchall()}
        cursor.execute(STUCK_SQL, params)
        stuck = dict(cursor.fetchall())
    out = {}
    for stage in pipeline.stages.all():
        entered, forward, lost, won, avg_s, median_s = rows.get(stage.pk, (0, 0, 0, 0, None, None))
        out[stage.pk] = (
            entered,
            forward,
            lost,
            won,
            round(float(avg_s) / 86400, 2) if avg_s is not None else None,
            round(float(median_s) / 86400, 2) if median_s is not None else None,
            stuck.get(stage.pk, 0),
        )
    return out


def _same_funnel(a: dict[int, tuple[Any, ...]], b: dict[int, tuple[Any, ...]]) -> list[str]:
    diffs = []
    for stage in sorted(set(a) | set(b)):
        x, y = a.get(stage), b.get(stage)
        if x is None or y is None:
            diffs.append(f"stage {stage}: {x} vs {y}")
            continue
        counts_equal = x[:4] == y[:4] and x[6] == y[6]
        days_equal = all(
            (p is None and q is None) or (p is not None and q is not None and abs(p - q) <= 0.011)
            for p, q in zip(x[4:6], y[4:6], strict=True)
        )
        if not (counts_equal and days_equal):
            diffs.append(f"stage {stage}: {x} vs {y}")
    return diffs


def check_funnel(actor: Any, pipeline: Any) -> dict[int, tuple[Any, ...]]:
    """The funnel's answer, asserted equal to the ceiling's (the bench's check, untimed)."""
    ours = _funnel_greenwave(actor, pipeline)
    ceiling = _funnel_sql(pipeline)
    diffs = _same_funnel(ours, ceiling)
    if diffs:
        raise AssertionError("funnel answers differ: " + "; ".join(diffs[:3]))
    return ours


def bench_funnel(*, runs: int, dataset: str) -> BenchResult:
    actor, pipeline = _context()
    check_funnel(actor, pipeline)
    t_ours = median_time(
        lambda: _funnel_greenwave(actor, pipeline), runs=runs, clock=time.perf_counter
    )
    t_sql = median_time(lambda: _funnel_sql(pipeline), runs=runs, clock=time.perf_counter)
    return verdict_from_times(
        "funnel",
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=TARGET,
        details=(
            f"greenwave.sales.funnel.funnel {t_ours * 1000:.0f} ms vs one-scan SQL "
            f"{t_sql * 1000:.0f} ms, median of {runs}, {dataset}, answers equal"
        ),
    )


def _durations_greenwave(actor: Any, pipeline: Any) -> dict[str, tuple[float, float]]:
    from greenwave.sales.funnel import stage_durations

    found = stage_durations(actor=actor, pipeline=pipeline)
    return {stage: values for (stage, _group), values in found.items()}


def _durations_sql(pipeline: Any) -> dict[str, tuple[float, float]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DURATIONS_SQL, {"pipeline": pipeline.pk})
        return {str(s): (float(a), float(m)) for s, a, m in cursor.fetchall()}


def check_stage_durations(actor: Any, pipeline: Any) -> dict[str, tuple[float, float]]:
    """The stage durations, asserted equal to the ceiling's (the bench's check, untimed)."""
    ours, ceiling = _durations_greenwave(actor, pipeline), _durations_sql(pipeline)
    if set(ours) != set(ceiling) or any(
        abs(ours[k][0] - ceiling[k][0]) > 1e-6 * max(1.0, ceiling[k][0])
        or abs(ours[k][1] - ceiling[k][1]) > 1e-6 * max(1.0, ceiling[k][1])
        for k in ours
    ):
        raise AssertionError(f"stage durations differ: {ours} vs {ceiling}")
    return ours


def bench_stage_durations(*, runs: int, dataset: str) -> BenchResult:
    actor, pipeline = _context()
    check_stage_durations(actor, pipeline)
    t_ours = median_time(
        lambda: _durations_greenwave(actor, pipeline), runs=runs, clock=time.perf_counter
    )
    t_sql = median_time(lambda: _durations_sql(pipeline), runs=runs, clock=time.perf_counter)
    return verdict_from_times(
        "stage_durations",
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=TARGET,
        details=(
            f"avg+median seconds per stage: sales.funnel.stage_durations "
            f"{t_ours * 1000:.0f} ms vs percentile_cont SQL {t_sql * 1000:.0f} ms, "
            f"median of {runs}, {dataset}, answers equal"
        ),
    )


POP_SQL = """
SELECT currency,
       {measures}
FROM sales_deal
WHERE pipeline_id = %(pipeline)s AND ({touched})
GROUP BY currency
"""


def _pop_periods() -> list[tuple[str, Any, Any]]:
    from datetime import timedelta

    from django.utils import timezone

    from greenwave.sales.periods import comparison_periods

    # The dataset's history ends at today's midnight: the last full quarter of it.
    end = timezone.localdate() - timedelta(days=1)
    return comparison_periods(end - timedelta(days=89), end)


def _pop_greenwave(actor: Any, pipeline: Any) -> dict[str, tuple[Any, ...]]:
    from greenwave.sales.periods import period_over_period

    (_key, start, end), *_rest = _pop_periods()
    figures = period_over_period(actor=actor, date_from=start, date_to=end, pipeline=pipeline)
    return {f.key: (f.created, f.won, f.lost, f.won_amount) for f in figures}


def _window(params: dict[str, Any], key: str, first: Any, last: Any) -> tuple[str, str]:
    """The conditions "created in" and "closed in" the days `first`..`last` (in the current
    time zone), their bounds put in `params` under `key`."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    tz = timezone.get_current_timezone()
    params[f"{key}_a"] = datetime.combine(first, time.min, tzinfo=tz)
    params[f"{key}_b"] = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    return (
        f"created_at >= %({key}_a)s AND created_at < %({key}_b)s",
        f"closed_at >= %({key}_a)s AND closed_at < %({key}_b)s",
    )


def _pop_sql(pipeline: Any) -> dict[str, tuple[Any, ...]]:
    from decimal import Decimal

    from django.db import connection

    params: dict[str, Any] = {"pipeline": pipeline.pk}
    measures, touched = [], []
    periods = _pop_periods()
    for key, start, end in periods:
        created, closed = _window(params, key, start, end)
        touched += [f"({created})", f"({closed})"]
        measures += [
            f"count(*) FILTER (WHERE {created})",
            f"count(*) FILTER (WHERE {closed} AND status = 'won')",
            f"count(*) FILTER (WHERE {closed} AND status = 'lost')",
            f"sum(amount) FILTER (WHERE {closed} AND status = 'won')",
        ]
    sql = POP_SQL.format(measures=",\n       ".join(measures), touched=" OR ".join(touched))
    out: dict[str, list[Any]] = {key: [0, 0, 0, {}] for key, _a, _b in periods}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for currency, *values in cursor.fetchall():
            for n, (key, _a, _b) in enumerate(periods):
                created, won, lost, amount = values[4 * n : 4 * n + 4]
                out[key][0] += created
                out[key][1] += won
                out[key][2] += lost
                if won and amount is not None:
                    out[key][3][currency] = Decimal(amount).quantize(Decimal("0.01"))
    return {key: tuple(v) for key, v in out.items()}


def check_period_over_period(actor: Any, pipeline: Any) -> dict[str, tuple[Any, ...]]:
    """The comparison, asserted equal to the ceiling's (the bench's check, untimed)."""
    ours, ceiling = _pop_greenwave(actor, pipeline), _pop_sql(pipeline)
    if ours != ceiling:
        raise AssertionError(f"period over period differs: {ours} vs {ceiling}")
    if not ours["current"][0]:
        raise AssertionError("no deals in the compared period: the dataset is too old")
    return ours


def bench_period_over_period(*, runs: int, dataset: str) -> BenchResult:
    actor, pipeline = _context()
    check_period_over_period(actor, pipeline)
    t_ours = median_time(
        lambda: _pop_greenwave(actor, pipeline), runs=runs, clock=time.perf_counter
    )
    t_sql = median_time(lambda: _pop_sql(pipeline), runs=runs, clock=time.perf_counter)
    return verdict_from_times(
        "period_over_period",
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=TARGET,
        details=(
            f"last 90 days vs the 90 before and a year ago (created, won, lost, won amount): "
            f"sales.periods.period_over_period {t_ours * 1000:.0f} ms vs one FILTER-aggregate "
            f"SQL {t_sql * 1000:.0f} ms, median of {runs}, {dataset}, answers equal"
        ),
    )


# --- the rollups (issue 19): `funnel_all_time`, `sales_overview`, `portfolio` ---------------
#
# Greenwave answers from `analytics.rollups` (kept by the worker / `rollups_rebuild`); the
# ceiling is hand-written SQL over the raw tables for the same answer. The rollups are brought
# up to date (rebuilt when the cursor is behind) before timing; the rebuild time is reported.

ROLLUP_TARGET = 1.0

FUNNEL_RAW_SQL = (
    """
SELECT k.stage::bigint,
       count(*) FILTER (WHERE k.kind = 'enter'), count(*) FILTER (WHERE k.kind = 'forward'),
       count(*) FILTER (WHERE k.kind = 'lost'), count(*) FILTER (WHERE k.kind = 'won'),
       avg(k.secs)
"""
    + _STAGE_ROWS_SQL
)

OVERVIEW_RAW_SQL = """
SELECT {measures} FROM sales_deal
WHERE {touched}
"""

PORTFOLIO_RAW_SQL = """
SELECT company_id, count(*), sum(amount), min(closed_at), max(closed_at)
FROM sales_deal
WHERE status = 'won' AND currency = %(currency)s AND company_id IS NOT NULL
  AND closed_at IS NOT NULL
GROUP BY company_id
"""


def _rollups_current() -> str:
    from greenwave.analytics import rollups

    started = time.perf_counter()
    state = rollups.cursor_state()
    if state["rebuilt_at"] is None:
        done = rollups.rebuild()
        return f"rollups rebuilt in this run: {done} deals in {time.perf_counter() - started:.0f} s"
    rollups.refresh(limit=10_000_000)
    return f"rollups refreshed in {time.perf_counter() - started:.1f} s"


def _rollup_funnel(actor: Any, pipeline: Any) -> dict[int, tuple[Any, ...]]:
    from greenwave.analytics.rollups import rollup_funnel

    found = rollup_funnel(actor=actor, pipeline=pipeline)
    return {s.stage_id: (s.entered, s.forward, s.lost, s.won, s.avg_days) for s in found.stages}


def _raw_funnel(pipeline: Any) -> dict[int, tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(FUNNEL_RAW_SQL, {"pipeline": pipeline.pk})
        rows = {r[0]: r[1:] for r in cursor.fetchall()}
    out = {}
    for stage in pipeline.stages.all():
        entered, forward, lost, won, avg_s = rows.get(stage.pk, (0, 0, 0, 0, None))
        avg = round(float(avg_s) / 86400, 2) if avg_s is not None else None
        out[stage.pk] = (entered, forward, lost, won, avg)
    return out


def _timed(name: str, ours: Any, ceiling: Any, runs: int, what: str, note: str) -> BenchResult:
    t_ours = median_time(ours, runs=runs, clock=time.perf_counter)
    t_sql = median_time(ceiling, runs=runs, clock=time.perf_counter)
    return verdict_from_times(
        name,
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=ROLLUP_TARGET,
        details=(
            f"{what}: rollups {t_ours * 1000:.1f} ms vs raw SQL {t_sql * 1000:.0f} ms, "
            f"median of {runs}, answers equal; {note}"
        ),
    )


def check_funnel_all_time(actor: Any, pipeline: Any) -> dict[int, tuple[Any, ...]]:
    """The all-time funnel from the rollups (current), asserted equal to the raw ceiling's."""
    ours, ceiling = _rollup_funnel(actor, pipeline), _raw_funnel(pipeline)
    if ours != ceiling:
        raise AssertionError(f"all-time funnel differs: {ours} vs {ceiling}")
    return ours


def bench_funnel_all_time(*, runs: int, dataset: str) -> BenchResult:
    note = _rollups_current()
    actor, pipeline = _context()
    check_funnel_all_time(actor, pipeline)
    return _timed(
        "funnel_all_time",
        lambda: _rollup_funnel(actor, pipeline),
        lambda: _raw_funnel(pipeline),
        runs,
        "all-time B2B funnel as the director (entered, forward, lost, won, avg days per stage)",
        f"{dataset}; {note}",
    )


def _overview_ours(actor: Any) -> dict[str, tuple[Any, ...]]:
    from greenwave.analytics.rollups import sales_overview

    (_key, start, end), *_rest = _pop_periods()
    return {
        o.key: (o.created, o.won, o.lost, o.orders, o.volume.quantize(_cents()))
        for o in sales_overview(actor=actor, date_from=start, date_to=end)
    }


def _cents() -> Any:
    from decimal import Decimal

    return Decimal("0.01")


def _overview_sql() -> dict[str, tuple[Any, ...]]:
    from decimal import Decimal

    from django.db import connection

    from greenwave.core.money import DEFAULT_CURRENCY
    from greenwave.sales.periods import comparison_periods

    (_key, start, end), *_rest = _pop_periods()
    periods = comparison_periods(start, end)
    params: dict[str, Any] = {"rub": DEFAULT_CURRENCY}
    measures, touched = [], []
    for key, a, b in periods:
        created, closed = _window(params, key, a, b)
        touched += [f"({created})", f"({closed})"]
        measures += [
            f"count(*) FILTER (WHERE {created})",
            f"count(*) FILTER (WHERE {closed} AND status = 'won')",
            f"count(*) FILTER (WHERE {closed} AND status = 'lost')",
            f"count(*) FILTER (WHERE {closed} AND status = 'won' AND currency = %(rub)s)",
            f"coalesce(sum(amount) FILTER (WHERE {closed} AND status = 'won' "
            "AND currency = %(rub)s), 0)",
        ]
    sql = OVERVIEW_RAW_SQL.format(measures=", ".join(measures), touched=" OR ".join(touched))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {
        key: (*row[5 * n : 5 * n + 4], Decimal(row[5 * n + 4]).quantize(Decimal("0.01")))
        for n, (key, _a, _b) in enumerate(periods)
    }


def check_sales_overview(actor: Any) -> dict[str, tuple[Any, ...]]:
    """The overview from the rollups (current), asserted equal to the raw ceiling's."""
    ours, ceiling = _overview_ours(actor), _overview_sql()
    if ours != ceiling:
        raise AssertionError(f"sales overview differs: {ours} vs {ceiling}")
    return ours


def bench_sales_overview(*, runs: int, dataset: str) -> BenchResult:
    note = _rollups_current()
    actor, _pipeline = _context()
    check_sales_overview(actor)
    return _timed(
        "sales_overview",
        lambda: _overview_ours(actor),
        _overview_sql,
        runs,
        "last 90 days, the 90 before and a year ago as the director (created, won, lost, "
        "orders and volume in roubles)",
        f"{dataset}; {note}",
    )


def _portfolio_ours(actor: Any) -> dict[int, tuple[Any, ...]]:
    from greenwave.analytics.rollups import portfolio_totals

    return {r[0]: r[1:] for r in portfolio_totals(actor=actor)}


def _portfolio_sql() -> dict[int, tuple[Any, ...]]:
    from django.db import connection

    from greenwave.core.money import DEFAULT_CURRENCY

    with connection.cursor() as cursor:
        cursor.execute(PORTFOLIO_RAW_SQL, {"currency": DEFAULT_CURRENCY})
        return {r[0]: tuple(r[1:]) for r in cursor.fetchall()}


def check_portfolio(actor: Any) -> dict[int, tuple[Any, ...]]:
    """The portfolio from the rollups (current), asserted equal to the raw ceiling's."""
    ours, ceiling = _portfolio_ours(actor), _portfolio_sql()
    if ours != ceiling:
        diff = [k for k in set(ours) | set(ceiling) if ours.get(k) != ceiling.get(k)][:3]
        raise AssertionError(f"portfolio differs for clients {diff}")
    return ours


def bench_portfolio(*, runs: int, dataset: str) -> BenchResult:
    note = _rollups_current()
    actor, _pipeline = _context()
    ours = check_portfolio(actor)
    return _timed(
        "portfolio",
        lambda: _portfolio_ours(actor),
        _portfolio_sql,
        runs,
        f"every client's orders, lifetime revenue, first and last purchase ({len(ours)} clients) "
        "as the director",
        f"{dataset}; {note}",
    )
