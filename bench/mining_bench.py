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

import bisect
import functools
import itertools
import json
import statistics
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
PAIRED_RUNS = 15  # the map and its ceiling take milliseconds: 15 alternated pairs cost ~0.5 s

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
    """The median from a row's histogram: the running counts in bucket order, and the
    buckets where they first reach the middle rank(s), found by bisection."""
    if not timed:
        return None
    if isinstance(buckets, str):  # jsonb reaches a raw cursor as text
        buckets = json.loads(buckets)
    pairs = sorted((int(k), v) for k, v in buckets.items())
    seen = list(itertools.accumulate(n for _, n in pairs))
    ranks = [(timed + 1) // 2] if timed % 2 else [timed // 2, timed // 2 + 1]
    values = [pairs[bisect.bisect_left(seen, rank)][0] for rank in ranks]
    return round(sum(0.0 if b <= 0 else 1.01 ** (b - 0.5) for b in values) / len(values), 3)


def _same(ours: Answer, theirs: Answer, *, rel: float, what: str) -> None:
    if {k: v[0] for k, v in ours.items()} != {k: v[0] for k, v in theirs.items()}:
        raise AssertionError(f"the DFG counts differ from {what}")
    for key, (_n, med) in theirs.items():
        mine = ours[key][1]
        if (mine is None) != (med is None):
            raise AssertionError(f"the DFG medians differ from {what} at {key}")
        if med is not None and abs(mine - med) > max(0.01, rel * abs(med)):
            raise AssertionError(f"the DFG median of {key} differs from {what}: {mine} {med}")


def _paired_medians(ours: Any, ceiling: Any, *, runs: int) -> tuple[float, float]:
    """Median durations of `runs` calls of each, alternated (the two in turn, who goes first
    swapped each round) after one warm-up call each: a map of milliseconds timed in a block of
    its own and its ceiling in the next drifted with the machine's load between the blocks
    (three quick runs of the same code gave 0.43, 0.89 and 0.99 at load 10 on two cores)."""
    clock = time.perf_counter
    ours()
    ceiling()
    times: tuple[list[float], list[float]] = ([], [])
    for n in range(runs):
        order = ((0, ours), (1, ceiling)) if n % 2 == 0 else ((1, ceiling), (0, ours))
        for side, func in order:
            started = clock()
            func()
            times[side].append(clock() - started)
    return statistics.median(times[0]), statistics.median(times[1])


def _rebuild() -> dict[str, Any]:
    from greenwave.mining import services

    return services.rollup_rebuild()


def check_dfg(actor: Any, pipeline: Any) -> Answer:
    """`mining_dfg` and `mining_dfg_raw`'s checks (untimed, after a rebuild of the rollup):
    the raw map equals the hand-written SQL, the rollup's map the hand-written rollup read and
    the raw SQL (medians within 1 %); returns the rollup's map."""
    raw, sql = _dfg_greenwave(actor, pipeline, use_rollup=False), _dfg_sql(pipeline)
    _same(raw, sql, rel=0.0, what="the hand-written SQL")
    rolled, ceiling = _dfg_greenwave(actor, pipeline), _dfg_rollup_sql(pipeline)
    _same(rolled, ceiling, rel=0.0, what="the hand-written rollup read")
    _same(rolled, sql, rel=0.01, what="the raw SQL (rollup medians are 1 % buckets)")
    return rolled


def bench_mining_dfg(
    *, runs: int, dataset: str, wanted: set[str] | None = None
) -> list[BenchResult]:
    """The four map benchmarks after one rebuild of the rollup; `wanted`: only the narrowed
    maps when the others are not asked for (each of those reads the whole log, minutes at
    1M)."""
    actor, pipeline = _context()
    rebuilt = _rebuild()
    if wanted is not None and not wanted & {"mining_dfg", "mining_dfg_raw", "mining_vs_pm4py"}:
        narrowed = _narrowed(pipeline, runs=runs, dataset=dataset)
        narrowed.details += f"; rollup rebuilt in {rebuilt['seconds']:.1f} s"
        return [narrowed]
    rolled = check_dfg(actor, pipeline)
    clock = time.perf_counter
    pairs = max(runs, PAIRED_RUNS)
    t_rolled, t_ceiling = _paired_medians(
        lambda: _dfg_greenwave(actor, pipeline), lambda: _dfg_rollup_sql(pipeline), runs=pairs
    )
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
                f"rollup rebuilt in {rebuilt['seconds']:.1f} s; medians of {pairs} alternated "
                f"pairs, {dataset}; counts equal, medians within 1 %"
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
    results.append(_narrowed(pipeline, runs=runs, dataset=dataset))
    results.append(_vs_pm4py(actor, pipeline, runs=runs, dataset=dataset, t_map=t_rolled))
    return results


def _narrowed_logs(pipeline: Any) -> list[tuple[str, Any, Any]]:
    """(what, reader, log) of the common narrowed maps: the head of one sales team (scoped),
    the last whole month of the log for the admin, one team chosen by the admin."""
    import calendar
    import zoneinfo
    from datetime import date

    from django.conf import settings
    from django.db.models import Count, Max

    from greenwave.accounts.models import User
    from greenwave.core.models import Event
    from greenwave.mining.log import case_log
    from greenwave.sales.models import Deal

    admin = User.objects.get(username="gen_admin_01")
    team_id = (
        Deal.objects.filter(pipeline=pipeline)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("team_id", flat=True)
        .first()
    )
    if team_id is None:
        raise RuntimeError("no deal of the pipeline belongs to a team")
    head = User.objects.filter(team_id=team_id, roles__code="head_of_sales").first()
    last = Event.objects.filter(case_type="deal").aggregate(m=Max("timestamp"))["m"]
    local = last.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    first, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    logs = [
        (
            f"one month ({first:%Y-%m})",
            admin,
            case_log(pipeline_id=pipeline.pk, date_from=first, date_to=end),
        ),
        ("one team (admin)", admin, case_log(pipeline_id=pipeline.pk, team_id=team_id)),
    ]
    if head is not None:
        logs.insert(
            0, (f"head of one team ({head.username})", head, case_log(pipeline_id=pipeline.pk))
        )
    return logs


def check_narrowed(pipeline: Any) -> list[tuple[str, Any, Any, Any, dict[str, Any], float]]:
    """`mining_dfg_narrowed`'s check (after a rebuild of the rollup): each narrowed map is
    answered from the rollup's cells and equals the raw map of the same log (counts; medians
    within 1 %). Returns (what, reader, log, cells, map, seconds of the raw map) of each."""
    from greenwave.mining.selectors import dfg, rollup_slice

    clock = time.perf_counter
    checked = []
    for what, reader, log in _narrowed_logs(pipeline):
        part = rollup_slice(reader, log)
        if part is None or part == "all":
            raise AssertionError(f"the rollup does not answer the map of {what}")
        ours = dfg(actor=reader, log=log)
        started = clock()
        raw = dfg(actor=reader, log=log, use_rollup=False)
        t_raw = clock() - started
        as_answer = {
            (e["source"], e["target"]): (e["count"], e["median_seconds"]) for e in ours["edges"]
        }
        _same(
            as_answer,
            {(e["source"], e["target"]): (e["count"], e["median_seconds"]) for e in raw["edges"]},
            rel=0.01,
            what=f"the raw map of {what}",
        )
        checked.append((what, reader, log, part, ours, t_raw))
    return checked


def _narrowed(pipeline: Any, *, runs: int, dataset: str) -> BenchResult:
    """`mining_dfg_narrowed`: the narrowed maps from the rollup's cells against the same
    cells read by hand (the ceiling: `rollup.stored_slice`'s two statements, no Python
    around them); each answer checked against the raw map of the same log (timed once)."""
    from greenwave.mining import rollup
    from greenwave.mining.selectors import dfg

    clock = time.perf_counter
    parts, t_ours, t_ceiling = [], 0.0, 0.0
    for what, reader, log, part, ours, t_raw in check_narrowed(pipeline):
        mine = median_time(functools.partial(dfg, actor=reader, log=log), runs=runs, clock=clock)
        hand = median_time(functools.partial(rollup.stored_slice, part), runs=runs, clock=clock)
        t_ours += mine
        t_ceiling += hand
        parts.append(
            f"{what}: {mine * 1000:.1f} ms vs {hand * 1000:.1f} ms by hand, raw map "
            f"{t_raw * 1000:.0f} ms, {ours['cases']} cases"
        )
    return verdict_from_times(
        "mining_dfg_narrowed",
        ours_s=t_ours,
        ceiling_s=t_ceiling,
        target=TARGET,
        details=(
            "narrowed maps from the rollup's cells (summed) vs the cells' two statements by "
            f"hand; {'; '.join(parts)}; median of {runs}, {dataset}; counts equal to the raw "
            "map, medians within 1 %"
        ),
    )


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


EXPORT_TARGET = 0.5


def _xes_by_hand(pipeline: Any, name_of: Any, first: Any, end: Any) -> Any:
    """The ceiling of the XES export: the labelled events of the pipeline's deals streamed by
    one hand-written statement (a server-side cursor) and the same markup written inline."""
    from xml.sax.saxutils import quoteattr

    from django.db import connection

    from greenwave.mining.export import XES_HEAD

    yield XES_HEAD + '<string key="concept:name" value="deal"/>\n'
    sql = (
        "SELECT case_id, label, ts, e2.actor_id FROM ("  # noqa: S608
        + EVENTS_SQL.replace("SELECT e.case_id,", "SELECT e.actor_id, e.case_id,", 1).replace(
            "AND e.case_id IN",
            "AND e.timestamp >= %(first)s AND e.timestamp < %(end)s AND e.case_id IN",
            1,
        )
        + ") e2 ORDER BY case_id, ts, id"
    )
    quoted: dict[str, str] = {}
    current, parts = None, []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, {"pipeline": pipeline.pk, "first": first, "end": end})
        while rows := cursor.fetchmany(2000):
            for case_id, label, ts, actor_id in rows:
                if case_id != current:
                    if current is not None:
                        parts.append("</trace>\n")
                        yield "".join(parts)
                    current = case_id
                    parts = [f'<trace><string key="concept:name" value={quoteattr(case_id)}/>']
                if label not in quoted:
                    quoted[label] = quoteattr(name_of(label))
                resource = f'<string key="org:resource" value="{actor_id}"/>' if actor_id else ""
                parts.append(
                    f'<event><string key="concept:name" value={quoted[label]}/>'
                    f'<string key="activity" value={quoteattr(label)}/>'
                    f'<date key="time:timestamp" value="{ts.isoformat()}"/>{resource}</event>'
                )
    if current is not None:
        parts.append("</trace>\n")
        yield "".join(parts)
    yield "</log>\n"


def _ocel_by_hand(pipeline: Any, first: Any, end: Any) -> Any:
    """The ceiling of the OCEL 2.0 JSON export of the deals in a period: the object and event
    types, the objects with their relations and the events with theirs, each one
    hand-written statement streamed, the same JSON written per item."""
    from django.db import connection

    from greenwave.mining.export import OBJECT_ROWS_SQL

    period = (
        "e.case_type = 'deal' AND e.timestamp >= %(first)s AND e.timestamp < %(end)s "
        "AND e.case_id IN (SELECT id::text FROM sales_deal WHERE pipeline_id = %(pipeline)s)"
    )
    args = {"first": first, "end": end, "pipeline": pipeline.pk}
    ev = f"SELECT e.id, e.case_type, e.case_id FROM core_event e WHERE {period}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH ev AS ({ev}) SELECT case_type FROM ev UNION "  # noqa: S608
            "SELECT l.object_type FROM core_eventobject l JOIN ev ON ev.id = l.event_id",
            args,
        )
        types = sorted(r[0] for r in cursor.fetchall())
        cursor.execute(f"SELECT DISTINCT e.activity FROM core_event e WHERE {period}", args)  # noqa: S608
        activities = sorted(r[0] for r in cursor.fetchall())
    head = {
        "objectTypes": [{"name": t, "attributes": []} for t in types],
        "eventTypes": [{"name": a, "attributes": []} for a in activities],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "objects": ['
    objects = (
        f"WITH ev AS ({ev}) SELECT ot, oid, rt, rid, q FROM ("  # noqa: S608
        f"{OBJECT_ROWS_SQL}) x ORDER BY ot, oid, rt, rid, q"
    )
    sep, current, related = "", None, list[Any]()
    with connection.chunked_cursor() as cursor:
        cursor.execute(objects, args)
        while rows := cursor.fetchmany(2000):
            for ot, oid, rt, rid, q in rows:
                if (ot, oid) != current:
                    if current is not None:
                        yield sep + _ocel_object(current, related)
                        sep = ","
                    current, related = (ot, oid), []
                if rt is not None:
                    related.append((f"{rt}:{rid}", q))
    if current is not None:
        yield sep + _ocel_object(current, related)
    yield '], "events": ['
    events = (
        "SELECT e.id, e.activity, e.timestamp, e.case_type, e.case_id, l.object_type, "  # noqa: S608
        f"l.object_id, l.qualifier FROM core_event e LEFT JOIN core_eventobject l "
        f"ON l.event_id = e.id WHERE {period} ORDER BY e.id, l.id"
    )
    sep, item = "", None
    with connection.chunked_cursor() as cursor:
        cursor.execute(events, args)
        while rows := cursor.fetchmany(2000):
            for pk, activity, ts, ct, cid, ot, oid, q in rows:
                if item is None or item["id"] != f"e{pk}":
                    if item is not None:
                        yield sep + _ocel_event(item)
                        sep = ","
                    item = {
                        "id": f"e{pk}",
                        "type": activity,
                        "time": ts.isoformat(),
                        "attributes": [],
                        "rel": {(f"{ct}:{cid}", "case"): None},
                    }
                if ot is not None:
                    item["rel"][(f"{ot}:{oid}", q or "involved")] = None
    if item is not None:
        yield sep + _ocel_event(item)
    yield "]}\n"


def _ocel_object(current: tuple[str, str], related: list[tuple[str, str]]) -> str:
    item: dict[str, Any] = {"id": f"{current[0]}:{current[1]}", "type": current[0]}
    item["attributes"] = []
    if related:
        item["relationships"] = [{"objectId": o, "qualifier": q} for o, q in related]
    return json.dumps(item, ensure_ascii=False)


def _ocel_event(item: dict[str, Any]) -> str:
    rel = item.pop("rel")
    item["relationships"] = [{"objectId": o, "qualifier": q} for o, q in rel]
    return json.dumps(item, ensure_ascii=False)


def _drain(chunks: Any) -> tuple[str, int]:
    """Consume an export as a writer would (hash and size, nothing kept)."""
    import hashlib

    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        data = chunk.encode()
        digest.update(data)
        size += len(data)
    return digest.hexdigest(), size


def bench_mining_export(*, runs: int, dataset: str) -> list[BenchResult]:
    """`mining_export`: XES and OCEL 2.0 JSON of the B2B pipeline's deals' events of the last
    whole month (a bounded slice: the whole 1M log would take many minutes per export), as
    `mining.export` streams them (what the API endpoint and `manage.py mining_export` write)
    against the hand-written ceilings above; the outputs asserted byte-identical (SHA-256).
    One timed call each, none warm: ours first, so the ceiling runs on the warmer cache."""
    actor, pipeline = _context()
    clock = time.perf_counter
    results = []
    for name, ours_fn, hand_fn, what in _exports(actor, pipeline):
        started = clock()
        ours = _drain(ours_fn())
        t_ours = clock() - started
        started = clock()
        hand = _drain(hand_fn())
        t_hand = clock() - started
        if ours != hand:
            raise AssertionError(f"the {name} export differs from the hand-written one")
        results.append((what, t_ours, t_hand, ours[1]))
    t_ours = sum(r[1] for r in results)
    t_hand = sum(r[2] for r in results)
    parts = "; ".join(
        f"{what}: {mine:.1f} s vs {hand:.1f} s by hand, {size / 1e6:.0f} MB"
        for what, mine, hand, size in results
    )
    return [
        verdict_from_times(
            "mining_export",
            ours_s=t_ours,
            ceiling_s=t_hand,
            target=EXPORT_TARGET,
            details=f"{parts}; outputs byte-identical; one call each, {dataset}",
        )
    ]


def _exports(actor: Any, pipeline: Any) -> list[tuple[str, Any, Any, str]]:
    """(name, ours, by hand, what) of the two exports of the last whole month: calls that
    return the chunks of Greenwave's export and of its hand-written ceiling."""
    import zoneinfo
    from datetime import datetime, timedelta
    from datetime import time as dtime

    from django.conf import settings

    from greenwave.mining import export
    from greenwave.mining.log import case_log, label_name

    log = case_log(pipeline_id=pipeline.pk)
    _what, _reader, month_log = _narrowed_logs_month(pipeline)
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = datetime.combine(month_log.date_from, dtime.min, tzinfo=tz)
    end = datetime.combine(month_log.date_to + timedelta(days=1), dtime.min, tzinfo=tz)
    return [
        (
            "xes",
            lambda: export.export(actor, month_log, "xes"),
            lambda: _xes_by_hand(pipeline, lambda label: label_name(log, label), first, end),
            f"XES of the B2B deals' events of {month_log.date_from:%Y-%m}",
        ),
        (
            "ocel2-json",
            lambda: export.export(actor, month_log, "ocel2-json"),
            lambda: _ocel_by_hand(pipeline, first, end),
            f"OCEL 2.0 JSON of the B2B deals' events of {month_log.date_from:%Y-%m}",
        ),
    ]


def check_export(actor: Any, pipeline: Any) -> dict[str, int]:
    """`mining_export`'s check (untimed): each export byte-identical to the hand-written one;
    returns the size in bytes of each."""
    sizes = {}
    for name, ours_fn, hand_fn, _what in _exports(actor, pipeline):
        ours, hand = _drain(ours_fn()), _drain(hand_fn())
        if ours != hand:
            raise AssertionError(f"the {name} export differs from the hand-written one")
        sizes[name] = ours[1]
    return sizes


def _narrowed_logs_month(pipeline: Any) -> tuple[str, Any, Any]:
    return next(x for x in _narrowed_logs(pipeline) if x[0].startswith("one month"))
