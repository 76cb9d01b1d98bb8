"""Readers of the mining app: the process map, variants, rework, bottlenecks, waiting times.

All take the acting user: a log is made of the cases the actor may read (`log.visible_cases`).
The directly-follows graph is one SQL aggregate over the labelled events with the previous
label of each case (`lag`); its medians come from percentile_cont on PostgreSQL and from the
middle rows of a window numbering elsewhere (only those rows reach Python).
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import visible_team_ids
from greenwave.bpm import events as bpm_events
from greenwave.bpm.library.texts import library_text
from greenwave.bpm.models import ProcessDefinition, ProcessInstance
from greenwave.bpm.scope import visible_instances_q
from greenwave.core.case_access import case_links
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.values import EMPTY
from greenwave.sales import events as sales_events
from greenwave.sales.periods import check_period_dates

from .errors import MiningError
from .log import (
    END,
    PROCESS,
    START,
    CaseLog,
    events_sql,
    json_text,
    label_name,
    period_q,
    seconds_between,
    traces,
    variant_id,
)
from .petri import ModelError, PetriNet, net_from_bpmn, net_from_sequence, replay


@dataclass
class Edge:
    source: str
    target: str
    count: int
    mean_seconds: float | None
    median_seconds: float | None


def _transitions_sql(
    actor: User | None,
    log: CaseLog,
    *,
    case_ids: list[str] | None = None,
    max_id: int | None = None,
) -> tuple[str, list[Any]]:
    """(src, tgt, secs) of every directly-follows pair, with the start and end of each case.

    One window pass (a CTE read twice: both databases materialise it once)."""
    events, params = events_sql(actor, log, case_ids=case_ids, max_id=max_id)
    secs = seconds_between("ts", "prev_ts")
    seq = (
        "SELECT label, ts, "  # noqa: S608
        "lag(label) OVER (PARTITION BY case_id ORDER BY ts, id) AS prev, "
        "lag(ts) OVER (PARTITION BY case_id ORDER BY ts, id) AS prev_ts, "
        "lead(label) OVER (PARTITION BY case_id ORDER BY ts, id) AS nxt "
        f"FROM ({events}) ev"
    )
    sql = (
        f"WITH seq AS ({seq}) SELECT coalesce(prev, '{START}') AS src, label AS tgt, "  # noqa: S608
        f"CASE WHEN prev IS NULL THEN NULL ELSE {secs} END AS secs FROM seq "
        f"UNION ALL SELECT label, '{END}', NULL FROM seq WHERE nxt IS NULL"
    )
    return sql, params


def dfg(*, actor: User, log: CaseLog, use_rollup: bool = True) -> dict[str, Any]:
    """Nodes `{activity, label, count}` and edges `{source, target, count, median, mean}`.

    Three ways to the same answer: chosen variants need each case's path (the traces); a
    deal pipeline's map — whole, or narrowed by team, person, the reader's scope and whole
    months (`rollup_slice`) — comes from the rollup plus the cases with events the rollup
    has not applied yet; anything else is one SQL aggregate over the log."""
    edges: list[dict[str, Any]] | None = None
    if log.variants:
        edges = _edges_from_traces(actor, log)
    elif use_rollup:
        edges = rollup_edges(actor, log)
    if edges is None:
        edges = _edges_from_sql(actor, log)
    return _graph(log, edges)


def rollup_slice(actor: User, log: CaseLog) -> Any:
    """The part of the rollup that answers this log for this reader, or None.

    The rollup answers a deal pipeline narrowed by team, person, the reader's scope and a
    period of whole months (in `settings.TIME_ZONE`, the rollup's months, when that is the
    reader's time zone); None (the raw path) for amount, source, product group, variants, or
    a period that starts or ends inside a month. Returns `rollup.Slice`, or "all" for the
    whole pipeline read by a reader of every deal (the per-edge rows)."""
    from . import rollup

    if log.case_type != "deal" or log.pipeline is None or log.variants:
        return None
    if log.amount_min is not None or log.amount_max is not None:
        return None
    if log.source or log.product_group_id:
        return None
    months = _rollup_months(log)
    if months is None:
        return None
    low, high = months
    teams = visible_team_ids(actor)
    part = rollup.Slice(
        log.pipeline.pk,
        team_id=log.team_id or None,
        owner_id=log.user_id or None,
        reader_id=actor.pk if teams is not None else None,
        reader_teams=frozenset(teams) if teams is not None else None,
        month_from=low,
        month_to=high,
    )
    if not part.by_owner and (low, high) == (rollup.NO_MONTH_LOW, rollup.NO_MONTH_HIGH):
        return "all"
    return part


def _rollup_months(log: CaseLog) -> tuple[int, int] | None:
    """The log's period as the rollup's month keys (open ends: the sentinels), or None when
    the period starts or ends inside a month or is read in another time zone."""
    from django.conf import settings
    from django.utils import timezone

    from . import rollup

    low, high = rollup.NO_MONTH_LOW, rollup.NO_MONTH_HIGH
    if not (log.date_from or log.date_to):
        return low, high
    if timezone.get_current_timezone_name() != settings.TIME_ZONE:
        return None
    if log.date_from:
        if log.date_from.day != 1:
            return None
        low = rollup.month_key(log.date_from.year, log.date_from.month)
    if log.date_to:
        if (log.date_to + timedelta(days=1)).day != 1:
            return None
        high = rollup.month_key(log.date_to.year, log.date_to.month)
    return low, high


def rollup_edges(actor: User, log: CaseLog) -> list[dict[str, Any]] | None:
    """The map's edges from the rollup when it answers this log for this reader (else None):
    the stored rows of the slice (`rollup_slice`), with every deal that has events the
    rollup has not applied yet taken out as applied and put back as it is now."""
    from . import rollup

    part = rollup_slice(actor, log)
    if part is None or log.pipeline is None:
        return None
    # How far the rollup has read (with the whole pipeline's rows: one snapshot), then the
    # deals with events past that (the primary key's range: few rows when the worker keeps
    # up). Two statements: with the bound as a value the planner sees the range is small
    # (joined to the cursor it costed the whole log, and PostgreSQL spent ~180 ms compiling
    # it with JIT at 1M events).
    rows: list[rollup.EdgeRow] = []
    if part == "all":
        applied_id, rows = rollup.applied_with_edges(log.pipeline.pk)
    else:
        applied_id = rollup.applied_id()
    if applied_id is None:
        return None
    with connection.cursor() as db:
        db.execute(
            "SELECT case_id FROM core_event WHERE id > %s AND case_type = %s",
            [applied_id, "deal"],
        )
        recent = {case_id for (case_id,) in db.fetchall()}
    if part == "all" and not recent:
        return rollup.row_edges(rows)
    if part == "all":
        tallies = rollup.row_tallies(rows)
        part = rollup.Slice(log.pipeline.pk)
    else:
        tallies = rollup.stored_slice(part)
    if recent:
        now = rollup.cells(dims=rollup.CURRENT, case_ids=recent)
        before = rollup.cells(dims=rollup.STORED, case_ids=recent, max_id=applied_id)
        rollup.merge(tallies, rollup.slice_edges(part, rollup.merge(now, before, -1)))
    return rollup.as_edges(tallies)


def _edges_from_sql(actor: User, log: CaseLog) -> list[dict[str, Any]]:
    sql, params = _transitions_sql(actor, log)
    postgres = connection.vendor == "postgresql"
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY t.secs)" if postgres else "NULL"
    query = (
        f"SELECT t.src, t.tgt, count(*), avg(t.secs), {median} FROM ({sql}) t "  # noqa: S608
        "GROUP BY t.src, t.tgt"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    medians = {} if postgres else _medians(sql, params)
    return [
        {
            "source": src,
            "target": tgt,
            "count": n,
            "median_seconds": _round(med if postgres else medians.get((src, tgt))),
            "mean_seconds": _round(mean),
        }
        for src, tgt, n, mean, med in rows
    ]


def _edges_from_traces(actor: User, log: CaseLog) -> list[dict[str, Any]]:
    """The map's edges computed case by case (the chosen variants' cases only)."""
    counts: Counter[tuple[str, str]] = Counter()
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _case, steps in traces(actor, log):
        counts[(START, steps[0][0])] += 1
        for (a, ts_a, _x), (b, ts_b, _y) in itertools.pairwise(steps):
            counts[(a, b)] += 1
            durations[(a, b)].append((ts_b - ts_a).total_seconds())
        counts[(steps[-1][0], END)] += 1
    rows = []
    for (src, tgt), n in counts.items():
        d = durations.get((src, tgt), [])
        rows.append(
            {
                "source": src,
                "target": tgt,
                "count": n,
                "median_seconds": _round(statistics.median(d)) if d else None,
                "mean_seconds": _round(sum(d) / len(d)) if d else None,
            }
        )
    return rows


def _graph(log: CaseLog, edge_rows: list[dict[str, Any]]) -> dict[str, Any]:
    edges = [
        Edge(e["source"], e["target"], e["count"], e["mean_seconds"], e["median_seconds"])
        for e in edge_rows
    ]
    edges.sort(key=lambda e: (-e.count, e.source, e.target))
    nodes: Counter[str] = Counter()
    for e in edges:
        if e.target != END:
            nodes[e.target] += e.count
    cases = sum(e.count for e in edges if e.source == START)
    node_list = [{"activity": START, "label": label_name(log, START), "count": cases}]
    node_list += [
        {"activity": a, "label": label_name(log, a), "count": n}
        for a, n in sorted(nodes.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    node_list.append({"activity": END, "label": label_name(log, END), "count": cases})
    return {
        "cases": cases,
        "nodes": node_list if cases else [],
        "edges": [
            {
                "source": e.source,
                "target": e.target,
                "count": e.count,
                "median_seconds": e.median_seconds,
                "mean_seconds": e.mean_seconds,
            }
            for e in edges
        ],
    }


def _round(value: Any) -> float | None:
    return round(float(value), 3) if value is not None else None


def _medians(sql: str, params: list[Any]) -> dict[tuple[str, str], float]:
    """Median seconds per edge without percentile_cont: the one or two middle rows only."""
    query = (
        "SELECT src, tgt, secs FROM (SELECT src, tgt, secs, "  # noqa: S608
        "row_number() OVER (PARTITION BY src, tgt ORDER BY secs) AS rn, "
        "count(*) OVER (PARTITION BY src, tgt) AS cnt "
        f"FROM ({sql}) x WHERE secs IS NOT NULL) y "
        "WHERE rn >= (cnt + 1) / 2 AND rn <= (cnt + 2) / 2"
    )
    pairs: dict[tuple[str, str], list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for src, tgt, secs in cursor.fetchall():
            pairs[(src, tgt)].append(float(secs))
    return {key: sum(v) / len(v) for key, v in pairs.items()}


def edge_cases(
    *, actor: User, log: CaseLog, source: str, target: str, limit: int = 50
) -> list[dict[str, Any]]:
    """The cases that take the edge source → target (the first `limit`), with links."""
    found: list[str] = []
    for case_id, steps in traces(actor, log):
        labels = [START, *(s[0] for s in steps), END]
        if any(a == source and b == target for a, b in itertools.pairwise(labels)):
            found.append(case_id)
            if len(found) >= limit:
                break
    links = case_refs(actor=actor, log=log, case_ids=found)
    return [{"case_id": c, "title": links[c][0], "url": links[c][1]} for c in found]


def case_refs(*, actor: User, log: CaseLog, case_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Title and URL of each mined case (one query): records through `core.case_access`,
    process instances (which register no link there) to their own page."""
    if log.case_type == PROCESS:
        ids = [int(c) for c in case_ids if c.isdigit()]
        rows = ProcessInstance.objects.filter(pk__in=ids).filter(visible_instances_q(actor))
        found = {
            str(pk): (f"{name} #{pk}", reverse("bpm:instance_detail", args=[pk]))
            for pk, name in rows.values_list("pk", "definition__name")
        }
    else:
        links = case_links([(log.event_case_type, c) for c in case_ids], actor=actor)
        found = {
            c: (links[(log.event_case_type, c)].title, links[(log.event_case_type, c)].url)
            for c in case_ids
            if (log.event_case_type, c) in links
        }
    return {c: found.get(c, (f"#{c}", "")) for c in case_ids}


def variants(*, actor: User, log: CaseLog, limit: int = 200) -> dict[str, Any]:
    """Distinct paths with count, share and median duration; rework loops with their cost."""
    paths: dict[tuple[str, ...], list[float]] = defaultdict(list)
    rework: dict[str, list[float]] = defaultdict(list)
    rework_cases: Counter[str] = Counter()
    total = 0
    for _case, steps in traces(actor, log):
        total += 1
        labels = tuple(s[0] for s in steps)
        paths[labels].append((steps[-1][1] - steps[0][1]).total_seconds())
        seen: dict[str, Any] = {}
        repeated: set[str] = set()
        for label, ts, _actor in steps:
            if label in seen:
                # The cost of a loop: the time from the first visit to the repeat.
                rework[label].append((ts - seen[label]).total_seconds())
                repeated.add(label)
            else:
                seen[label] = ts
        for label in repeated:
            rework_cases[label] += 1
    ordered = sorted(paths.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return {
        "cases": total,
        "variants": [
            {
                "id": variant_id(p),
                "activities": list(p),
                "labels": [label_name(log, a) for a in p],
                "count": len(d),
                "share": round(len(d) / total, 4) if total else 0.0,
                "median_seconds": round(statistics.median(d), 3),
            }
            for p, d in ordered
        ],
        "rework": [
            {
                "activity": a,
                "label": label_name(log, a),
                "cases": rework_cases[a],
                "repeats": len(d),
                "total_seconds": round(sum(d), 3),
                "median_seconds": round(statistics.median(d), 3),
            }
            for a, d in sorted(rework.items(), key=lambda kv: -sum(kv[1]))
        ],
    }


def rework(*, actor: User, log: CaseLog) -> list[dict[str, Any]]:
    """Rework loops as `variants(...)["rework"]` gives them, in one SQL aggregate (no case
    walked in Python): per activity repeated in a case, the cases, the repeats, and the time
    from the first visit to each repeat (summed, median). Chosen variants need the paths:
    those walk the traces."""
    if log.variants:
        return list(variants(actor=actor, log=log, limit=0)["rework"])
    events, params = events_sql(actor, log)
    secs = seconds_between("ts", "first_ts")
    repeats = (
        f"SELECT case_id, label, {secs} AS secs FROM (SELECT case_id, label, ts, "  # noqa: S608
        "min(ts) OVER (PARTITION BY case_id, label) AS first_ts, "
        "row_number() OVER (PARTITION BY case_id, label ORDER BY ts, id) AS n "
        f"FROM ({events}) ev) r WHERE n > 1"
    )
    postgres = connection.vendor == "postgresql"
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY x.secs)" if postgres else "NULL"
    query = (
        f"SELECT x.label, count(DISTINCT x.case_id), count(*), sum(x.secs), {median} "  # noqa: S608
        f"FROM ({repeats}) x GROUP BY x.label"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    medians: dict[str, float] = {}
    if not postgres and rows:
        middle = (
            "SELECT label, secs FROM (SELECT label, secs, "  # noqa: S608
            "row_number() OVER (PARTITION BY label ORDER BY secs) AS rn, "
            f"count(*) OVER (PARTITION BY label) AS cnt FROM ({repeats}) x) y "
            "WHERE rn >= (cnt + 1) / 2 AND rn <= (cnt + 2) / 2"
        )
        pairs: dict[str, list[float]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(middle, params)
            for label, value in cursor.fetchall():
                pairs[label].append(float(value))
        medians = {label: sum(v) / len(v) for label, v in pairs.items()}
    found = [
        {
            "activity": label,
            "label": label_name(log, label),
            "cases": cases,
            "repeats": repeats_n,
            "total_seconds": round(float(total), 3),
            "median_seconds": round(float(med if postgres else medians[label]), 3),
        }
        for label, cases, repeats_n, total, med in rows
    ]
    found.sort(key=lambda r: (-r["total_seconds"], r["activity"]))
    return found


def bottlenecks(
    *, actor: User, log: CaseLog, limit: int = 10, data: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The slowest transitions by median time (ties by count), from the map's own edges
    (`data`: the map already read for this log)."""
    data = data or dfg(actor=actor, log=log)
    timed = [e for e in data["edges"] if e["median_seconds"] is not None]
    timed.sort(key=lambda e: (-(e["median_seconds"] or 0), -e["count"]))
    names = {n["activity"]: n["label"] for n in data["nodes"]}
    return [
        {
            **e,
            "source_label": names.get(e["source"], e["source"]),
            "target_label": names.get(e["target"], e["target"]),
        }
        for e in timed[:limit]
    ]


def approver_waits(
    *, actor: User, date_from: Any = None, date_to: Any = None, limit: int = 50
) -> list[dict[str, Any]]:
    """«Кто кого задерживает»: per person and task, the time tasks waited for them to be done,
    across every process the actor may read (from `waited_seconds` of the completion event)."""
    from django.contrib.auth import get_user_model

    visible = (
        ProcessInstance.objects.filter(visible_instances_q(actor))
        .order_by()
        .values(key=Cast("pk", CharField()))
    )
    qs = Event.objects.filter(
        case_type=ProcessInstance.EVENT_CASE_TYPE,
        activity=bpm_events.TASK_COMPLETED,
        case_id__in=visible,
    )
    # The period as a range of timestamps (an index range, not a date computed per row).
    check_period_dates(date_from, date_to)
    qs = qs.filter(period_q(CaseLog("", date_from=date_from, date_to=date_to)))
    try:
        ids_sql, ids_params = qs.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        return []
    # Only the three values leave the database (not every payload): a number of seconds.
    seconds = json_text("waited_seconds")
    if connection.vendor == "postgresql":
        numeric = "jsonb_typeof(e.payload->'waited_seconds') = 'number'"
        secs = f"CAST({seconds} AS DOUBLE PRECISION)"
    else:
        numeric = "json_type(e.payload, '$.waited_seconds') IN ('integer', 'real')"
        secs = seconds
    task = f"coalesce(nullif({json_text('name')}, ''), {json_text('element')}, '')"
    sql = (
        f"SELECT e.actor_id, {task} AS task, CASE WHEN {numeric} THEN {secs} END AS secs "  # noqa: S608
        f"FROM core_event e WHERE e.id IN ({ids_sql})"
    )
    if connection.vendor == "postgresql":
        found = _waits_in_sql(sql, ids_params)
    else:
        found = _waits_in_python(sql, ids_params)
    users = get_user_model().objects.in_bulk([a for a, _t, *_r in found if a])
    task_name = _library_step_names({task for _a, task, *_r in found})
    rows: list[dict[str, Any]] = [
        {
            "user_id": a,
            "user": str(users[a]) if a in users else EMPTY,
            "task": task_name.get(task, task),
            "count": n,
            "median_seconds": round(median, 3),
            "mean_seconds": round(total / n, 3),
            "total_seconds": round(total, 3),
        }
        for a, task, n, median, total in found
    ]
    rows.sort(key=lambda r: -r["median_seconds"])
    return rows[:limit]


Waits = list[tuple[int | None, str, int, float, float]]  # actor, task, count, median, total


def _library_step_names(tasks: set[str]) -> dict[str, str]:
    """The reader's language of the tasks that are steps of a built-in process kept here (the
    completion event names the task, not its process)."""
    keys = ProcessDefinition.objects.order_by().values_list("key", flat=True).distinct()
    names: dict[str, str] = {}
    for key in keys:
        for task in tasks - names.keys():
            shown = library_text(key, task)
            if shown != task:
                names[task] = shown
    return names


def _waits_in_sql(sql: str, params: Sequence[Any]) -> Waits:
    """Per person and task: count, median (percentile_cont) and sum, aggregated by PostgreSQL."""
    query = (
        "SELECT actor_id, task, count(*), "  # noqa: S608
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY secs), sum(secs) "
        f"FROM ({sql}) w WHERE secs IS NOT NULL GROUP BY actor_id, task"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return [(a, str(t), int(n), float(m), float(s)) for a, t, n, m, s in cursor.fetchall()]


def _waits_in_python(sql: str, params: Sequence[Any]) -> Waits:
    """The same figures from the rows streamed (SQLite has no percentile)."""
    waits: dict[tuple[int | None, str], list[float]] = defaultdict(list)
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(2000):
            for actor_id, name, value in chunk:
                if value is not None:
                    waits[(actor_id, str(name))].append(float(value))
    return [(a, task, len(d), statistics.median(d), sum(d)) for (a, task), d in waits.items()]


def model_of(log: CaseLog) -> tuple[PetriNet, str]:
    """The to-be model of the mined case type: the BPMN of the process, or the stage order."""
    if log.definition is not None:
        try:
            return net_from_bpmn(bytes(log.definition.xml), log.definition.process_id), str(
                log.definition
            )
        except ModelError as exc:
            raise DomainError(MiningError.BAD_MODEL, str(exc)) from exc
    if log.pipeline is not None:
        stages = [f"stage:{s.pk}" for s in log.pipeline.stages.order_by("order")]
        return net_from_sequence([*stages, sales_events.DEAL_WON]), str(log.pipeline)
    raise DomainError(
        MiningError.NO_MODEL,
        _("Conformance needs a process definition or a pipeline as the model."),
    )


def conformance(*, actor: User, log: CaseLog, limit: int = 500) -> dict[str, Any]:
    """Token-based replay of every readable case against the model: overall fitness (summed
    tokens, the standard formula), per-case fitness (worst first) and deviations counted."""
    net, model_name = model_of(log)
    visible = net.labels
    totals = Counter[str]()
    deviations: Counter[tuple[str, str]] = Counter()
    per_case: list[dict[str, Any]] = []
    for case_id, steps in traces(actor, log):
        labels = [s[0] for s in steps]
        if log.pipeline is not None:
            labels = [a for a in labels if a in visible or a == sales_events.DEAL_LOST]
        result = replay(net, labels)
        totals.update(m=result.missing, r=result.remaining, p=result.produced, c=result.consumed)
        deviations.update(result.deviations)
        per_case.append(
            {
                "case_id": case_id,
                "fitness": round(result.fitness, 6),
                "missing": result.missing,
                "remaining": result.remaining,
                "produced": result.produced,
                "consumed": result.consumed,
                "deviations": [f"{kind}:{label}" for kind, label in result.deviations],
            }
        )
    per_case.sort(key=lambda c: (c["fitness"], c["case_id"]))
    fitness = (
        0.5 * (1 - totals["m"] / totals["c"]) + 0.5 * (1 - totals["r"] / totals["p"])
        if totals["c"] and totals["p"]
        else None
    )
    return {
        "model": model_name,
        "fitness": round(fitness, 6) if fitness is not None else None,
        "cases": len(per_case),
        "deviations": [
            {"kind": kind, "activity": label, "label": label_name(log, label), "count": n}
            for (kind, label), n in deviations.most_common()
        ],
        "case_fitness": per_case[:limit],
    }
