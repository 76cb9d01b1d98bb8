"""The sales funnel, computed in SQL from the event log (DESIGN.md "the event spine").

Per stage of a pipeline, over events in a period: how many deals entered the stage, left it
forward, were lost or won in it, the conversion to the next stage, the average and median time
spent in it (from `seconds_in_stage`, written when the deal leaves the stage), and how many open
deals sit in it longer than the stage's expected duration (seed 000: where leads pile up).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.records import field_values

from . import events
from .models import Deal, DealItem, DealStatus, Pipeline, stuck_in_stage
from .periods import check_period_dates

# Slices of seed 000: by employee, team, new/current client, region, lead channel, product and
# target audience (the client's industry, «сфера деятельности»).
GROUPS = {
    "responsible": "responsible_id",
    "team": "team_id",
    "segment": "company__segment",
    "region": "company__region",
    "channel": "origin_lead__source",
    "product": "items__product_id",  # a deal with several lines counts under its first one
    "audience": "company__industry",
}


def stage_conversion(*, forward: int, won: int, lost: int) -> float | None:
    """A stage's conversion: of the deals that left it in the period for good or bad (moved
    on, won or lost — a move back for rework decides nothing), the share that moved on or
    was won. Exits over *entries* passed 100 % (113 % for «Договор»): a deal that entered
    before the period and left within it was counted out but never in."""
    decided = forward + won + lost
    return round((forward + won) / decided, 4) if decided else None


@dataclass
class FunnelRow:
    stage_id: int
    stage: str
    group: str | None
    entered: int = 0
    forward: int = 0
    lost: int = 0
    won: int = 0
    avg_days: float | None = None
    median_days: float | None = None
    stuck: int = 0
    expected_days: int = 0
    target_conversion: int | None = None

    @property
    def conversion(self) -> float | None:
        return stage_conversion(forward=self.forward, won=self.won, lost=self.lost)

    @property
    def below_target(self) -> bool | None:
        """Whether the conversion misses the stage's target (None: no target or no decided
        deal to measure it on)."""
        conversion = self.conversion
        if conversion is None or self.target_conversion is None:
            return None
        return round(conversion * 100, 2) < self.target_conversion

    def as_dict(self) -> dict[str, Any]:
        return {
            **field_values(self),
            "conversion": self.conversion,
            "below_target": self.below_target,
        }


def _deals_sql(actor: User, pipeline: Pipeline, group_by: str | None) -> tuple[str, list[Any]]:
    """The visible deals of the pipeline as (key, grp): the id as text, to meet `case_id`."""
    visible = scope_records(Deal.objects.filter(pipeline=pipeline), actor=actor)
    if group_by is None:
        grp: Any = Value(None, output_field=CharField())
    elif GROUPS[group_by].startswith("items__"):
        first_line = DealItem.objects.filter(deal=OuterRef("pk")).order_by("pk")
        grp = Cast(Subquery(first_line.values("product_id")[:1]), CharField())
    else:
        grp = Cast(F(GROUPS[group_by]), CharField())
    rows = visible.order_by().values(key=Cast("pk", CharField()), grp=grp)
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _json(key: str) -> str:
    """A text field of the event payload in this database's dialect (keys are constants)."""
    if connection.vendor == "postgresql":
        return f"e.payload->>'{key}'"
    return f"json_extract(e.payload, '$.{key}')"


def _bound(moment: datetime) -> Any:
    """A period bound as this database compares it in raw SQL: SQLite stores UTC text, and
    sqlite3's own adapter would write the local time with its offset (a period would start
    and end hours off)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _events_sql(
    actor: User,
    pipeline: Pipeline,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
    activities: tuple[str, ...],
) -> tuple[str, str, list[Any]]:
    """FROM and WHERE of the pipeline's visible deal events in a period (alias e, deal d)."""
    deals, params = _deals_sql(actor, pipeline, group_by)
    tz = timezone.get_current_timezone()
    where = "WHERE e.case_type = %s AND e.activity IN ({})".format(
        ", ".join(["%s"] * len(activities))
    )
    params += [Deal.EVENT_CASE_TYPE, *activities]
    if date_from:
        where += " AND e.timestamp >= %s"
        params.append(_bound(datetime.combine(date_from, time.min, tzinfo=tz)))
    if date_to:
        where += " AND e.timestamp < %s"
        params.append(_bound(datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)))
    return f"FROM core_event e JOIN ({deals}) d ON d.key = e.case_id", where, params


_EXITS = (events.DEAL_STAGE_CHANGED, events.DEAL_WON, events.DEAL_LOST)
_STAGE_EVENTS = (events.DEAL_CREATED, *_EXITS)
_PERCENTILE = "percentile_cont(0.5) WITHIN GROUP (ORDER BY {})"

# The SQL below is assembled from constant fragments, the ORM's own compilation of the
# visible-deals query and placeholders; every value travels as a parameter.


def _stage_rows(
    actor: User,
    pipeline: Pipeline,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
) -> dict[tuple[str, str | None], list[Any]]:
    """(stage, group) → [entered, forward, lost, won, avg s, median s]: one scan of the log.

    Every deal event unfolds into the stage rows it counts for: a creation enters its stage;
    a move leaves its from-stage (forward or back, with the seconds spent there) and enters
    its to-stage (a return for rework is an entry too); a win or a loss closes its stage
    (with the seconds). PostgreSQL unfolds with LATERAL VALUES and takes the median with
    percentile_cont in the same statement; SQLite unfolds with UNION ALL and gets its
    medians from `_medians`.
    """
    joined, where, params = _events_sql(
        actor, pipeline, group_by, date_from, date_to, _STAGE_EVENTS
    )
    direction = _json("direction")
    moved = f"e.activity = '{events.DEAL_STAGE_CHANGED}'"
    left = f"CASE WHEN {moved} THEN {_json('from_stage')} ELSE {_json('stage')} END"
    kind = (
        f"CASE WHEN e.activity = '{events.DEAL_CREATED}' THEN 'enter' "
        f"WHEN e.activity = '{events.DEAL_WON}' THEN 'won' "
        f"WHEN e.activity = '{events.DEAL_LOST}' THEN 'lost' "
        f"WHEN {direction} = 'forward' THEN 'forward' ELSE 'back' END"
    )
    seconds = f"CAST({_json('seconds_in_stage')} AS INTEGER)"
    # A move back (rework) enters its to-stage too: every stay starts with an entry and ends
    # with one exit (a period still cuts stays: see `stage_conversion`).
    entered = f"CASE WHEN {moved} THEN {_json('to_stage')} END"
    postgres = connection.vendor == "postgresql"
    if postgres:
        unfolded = (
            f"SELECT d.grp, k.stage, k.kind, k.secs {joined} CROSS JOIN LATERAL (VALUES "
            f"({left}, {kind}, {seconds}), ({entered}, 'enter', NULL)) AS k(stage, kind, secs) "
            f"{where}"
        )
        median = _PERCENTILE.format("u.secs")
    else:
        unfolded = (
            f"SELECT d.grp, {left} AS stage, {kind} AS kind, {seconds} AS secs {joined} {where} "
            f"UNION ALL SELECT d.grp, {entered}, 'enter', NULL {joined} {where}"
        )
        params *= 2
        median = "NULL"
    sql = (
        "SELECT u.grp, u.stage, "  # noqa: S608
        "count(*) FILTER (WHERE u.kind = 'enter'), count(*) FILTER (WHERE u.kind = 'forward'), "
        "count(*) FILTER (WHERE u.kind = 'lost'), count(*) FILTER (WHERE u.kind = 'won'), "
        f"avg(u.secs), {median} "
        f"FROM ({unfolded}) u WHERE u.stage IS NOT NULL GROUP BY u.grp, u.stage"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {(str(r[1]), r[0]): list(r[2:]) for r in cursor.fetchall()}
    if not postgres:
        medians = _medians(actor, pipeline, group_by, date_from, date_to)
        for key, row in found.items():
            row[5] = medians.get(key)
    return found


def _exits_sql(
    actor: User,
    pipeline: Pipeline,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
) -> tuple[str, list[Any]]:
    """(grp, stage, secs) of every stay that ended: moves either way, wins and losses."""
    joined, where, params = _events_sql(actor, pipeline, group_by, date_from, date_to, _EXITS)
    stage = f"coalesce({_json('from_stage')}, {_json('stage')})"
    seconds = f"CAST({_json('seconds_in_stage')} AS INTEGER)"
    return f"SELECT d.grp AS grp, {stage} AS stage, {seconds} AS secs {joined} {where}", params


def _medians(
    actor: User,
    pipeline: Pipeline,
    group_by: str | None,
    date_from: date | None,
    date_to: date | None,
) -> dict[tuple[str, str | None], float]:
    """Median seconds in stage with window functions (databases without percentile_cont).

    Exits are numbered within their (stage, group); the one or two middle rows are kept (at
    most two per group reach Python, to average the pair of an even count).
    """
    exits, params = _exits_sql(actor, pipeline, group_by, date_from, date_to)
    sql = (
        "SELECT grp, stage, secs FROM (SELECT grp, stage, secs, "  # noqa: S608
        "row_number() OVER (PARTITION BY stage, grp ORDER BY secs) AS rn, "
        "count(*) OVER (PARTITION BY stage, grp) AS cnt "
        f"FROM ({exits}) x WHERE secs IS NOT NULL) y "
        "WHERE rn >= (cnt + 1) / 2 AND rn <= (cnt + 2) / 2"
    )
    pairs: dict[tuple[str, str | None], list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for group, stage_id, secs in cursor.fetchall():
            pairs.setdefault((str(stage_id), group), []).append(secs)
    return {key: sum(values) / len(values) for key, values in pairs.items()}


def stage_durations(
    *,
    actor: User,
    pipeline: Pipeline,
    date_from: date | None = None,
    date_to: date | None = None,
    group_by: str | None = None,
) -> dict[tuple[str, str | None], tuple[float, float]]:
    """Average and median seconds spent in each stage per (stage id, group), from the log.

    A stay is measured when the deal leaves the stage (a move either way, a win or a loss).
    """
    if connection.vendor != "postgresql":
        rows = _stage_rows(actor, pipeline, group_by, date_from, date_to)
        return {k: (float(r[4]), float(r[5])) for k, r in rows.items() if r[4] is not None}
    exits, params = _exits_sql(actor, pipeline, group_by, date_from, date_to)
    sql = (
        f"SELECT x.grp, x.stage, avg(x.secs), {_PERCENTILE.format('x.secs')} "  # noqa: S608
        f"FROM ({exits}) x WHERE x.secs IS NOT NULL GROUP BY x.grp, x.stage"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(str(s), g): (float(a), float(m)) for g, s, a, m in cursor.fetchall()}


# Sources of the all-time stage counts kept outside the log (the analytics app's daily
# rollups): (actor, pipeline) → {stage id: (entered, forward, lost, won, avg seconds)}, or None
# when they cannot answer. They hold no medians.
StageCounts = dict[str, tuple[int, int, int, int, float | None]]
_STAGE_COUNT_SOURCES: list[Callable[[User, Pipeline], StageCounts | None]] = []


def register_stage_counts(source: Callable[[User, Pipeline], StageCounts | None]) -> None:
    if source not in _STAGE_COUNT_SOURCES:
        _STAGE_COUNT_SOURCES.append(source)


def _counted_elsewhere(actor: User, pipeline: Pipeline) -> dict[tuple[str, str | None], list[Any]]:
    for source in _STAGE_COUNT_SOURCES:
        counts = source(actor, pipeline)
        if counts is not None:
            return {(stage, None): [*row, None] for stage, row in counts.items()}
    return {}


def funnel(
    *,
    actor: User,
    pipeline: Pipeline,
    date_from: date | None = None,
    date_to: date | None = None,
    group_by: str | None = None,
    medians: bool = True,
) -> list[FunnelRow]:
    """The funnel of the visible deals. Without medians, over all time and without a slice
    the counts and averages come from a registered source (the daily rollups: the same
    numbers without reading the log) when one can answer; the log otherwise."""
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(group_by)
    check_period_dates(date_from, date_to)
    found: dict[tuple[str, str | None], list[Any]] = {}
    if not medians and group_by is None and date_from is None and date_to is None:
        found = _counted_elsewhere(actor, pipeline)
    if not found:
        found = _stage_rows(actor, pipeline, group_by, date_from, date_to)
    stuck = _stuck(actor, pipeline, group_by)
    groups = sorted(
        {g for d in (found, stuck) for (_s, g) in d}, key=lambda g: (g is None, str(g))
    ) or [None]
    stages = list(pipeline.stages.all())
    rows: list[FunnelRow] = []
    for group in groups:
        for stage in stages:
            key = (str(stage.pk), group)
            entered, forward, lost, won, avg, median = found.get(key, (0, 0, 0, 0, None, None))
            rows.append(
                FunnelRow(
                    stage_id=stage.pk,
                    stage=stage.label,
                    group=group,
                    entered=entered,
                    forward=forward,
                    lost=lost,
                    won=won,
                    avg_days=_days(avg),
                    median_days=_days(median),
                    stuck=stuck.get(key, 0),
                    expected_days=stage.expected_days,
                    target_conversion=stage.target_conversion,
                )
            )
    return rows


def _days(seconds: Any) -> float | None:
    return round(float(seconds) / 86400, 2) if seconds is not None else None


def _stuck(actor: User, pipeline: Pipeline, group_by: str | None) -> dict[Any, int]:
    """Open deals in each stage for longer than the stage's expected duration (one query)."""
    now = timezone.now()
    qs = scope_records(Deal.objects.filter(pipeline=pipeline, status=DealStatus.OPEN), actor=actor)
    late = stuck_in_stage(now, pipeline.stages.values_list("pk", "expected_days"))
    field = GROUPS[group_by] if group_by is not None else None
    columns = ["stage_id", *([field] if field else [])]
    result: dict[Any, int] = {}
    for row in qs.filter(late).values(*columns).annotate(n=Count("pk")).order_by():
        grp = row[field] if field else None
        result[(str(row["stage_id"]), str(grp) if grp is not None else None)] = row["n"]
    return result
