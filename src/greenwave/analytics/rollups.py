"""Daily rollups of the deals, kept from the event log (issue 19, «fast at scale»).

`DailyRollup` holds, per local day × pipeline × stage × team × person × measure, what the
heavy figures sum: the funnel's stage rows (entered, forward, back, lost, won with the seconds
spent in the stage — the same unfolding of the deal events as `sales.funnel`), and the deal
rows of the sales overview (created; closed won with amount and deal length; closed lost).
`ClientRollup` holds the won deals per client × team × person × currency for the portfolio.

How they stay equal to the raw tables:

- A deal's contribution is a function of its current row (pipeline, responsible, team,
  status, amount, currency, created/closed) and of its stage events. `RollupDeal` remembers
  what each deal last added; when any event of the deal is written the deal is recomputed and
  the difference (new − old) is added, so a backdated event, a reassignment or a changed
  amount moves the sums to the right day and owner. Recomputing is idempotent.
- `refresh()` (the worker's periodic job, and after a rebuild) reads the events written since
  its cursor. It starts `LOOKBACK` ids before the cursor: an event whose transaction committed
  after a later id was seen is still picked up (recomputing its deal again is harmless).
- `rebuild()` (`manage.py rollups_rebuild`, and the first `refresh()` after a migration) empties
  the rollups and recomputes every deal in the database with set-based SQL (`_units_sql`: the
  same unfolding as `deal_rows`, tested equal to it), memos included.
- `DayRollup` and `ClientTotal` are the same sums without the team and person split: what a
  reader of every deal reads.
- Client rows are recomputed from the deals of each touched client (min/max cannot be
  subtracted).

The sales figures' rollups (`sales_rollups`: per won deal, product lines and leads per day ×
team) are rebuilt and refreshed by the same two functions.

Readers (`rollup_funnel`, `sales_overview`, `portfolio_totals`) scope by the rollup's
responsible and team exactly as `accounts.scoping.scope_records` scopes deals.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import BigIntegerField, F, Func, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import visible_team_ids
from greenwave.core.models import Event
from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.sales import events as sales_events
from greenwave.sales.funnel import stage_conversion
from greenwave.sales.models import Deal, DealStatus, Pipeline
from greenwave.sales.periods import comparison_periods

from . import sales_rollups
from .client_rollups import recompute_client_months
from .client_windows import recompute_client_windows, roll_windows
from .models import ClientRollup, ClientTotal, DailyRollup, DayRollup, RollupCursor, RollupDeal
from .periods import ComparedPeriod

logger = logging.getLogger(__name__)

CURSOR = "deals"
LOOKBACK = 200  # ids re-read before the cursor (transactions that committed late)
BATCH = 2000
STAGE_EVENTS = (
    sales_events.DEAL_CREATED,
    sales_events.DEAL_STAGE_CHANGED,
    sales_events.DEAL_WON,
    sales_events.DEAL_LOST,
)
# Measures: stage rows of the funnel, and deal rows (stage 0) of the sales overview.
ENTER, FORWARD, BACK, LOST, WON = "enter", "forward", "back", "lost", "won"
CREATED, SALE, LOST_DEAL = "created", "sale", "lost_deal"

Key = tuple[str, int, str, str]  # day, stage, measure, currency
Sums = list[int]  # count, seconds, timed, cents


# --- what one deal adds ----------------------------------------------------------------------


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _stage(value: Any) -> int | None:
    text = str(value) if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 18 else None


def _seconds(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _cents(amount: Any) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


def deal_rows(deal: dict[str, Any], stage_events: Iterable[dict[str, Any]]) -> dict[Key, Sums]:
    """The rollup rows of one deal: its stage events unfolded as the funnel unfolds them, and
    its created / won / lost rows from the deal itself."""
    rows: dict[Key, Sums] = defaultdict(lambda: [0, 0, 0, 0])

    def add(day: str, stage: int | None, measure: str, secs: int | None, cents: int = 0) -> None:
        if stage is None:
            return
        row = rows[(day, stage, measure, "")]
        row[0] += 1
        if secs is not None:
            row[1] += secs
            row[2] += 1
        row[3] += cents

    for event in stage_events:
        payload = event["payload"] or {}
        day, activity = _day(event["timestamp"]), event["activity"]
        secs = _seconds(payload.get("seconds_in_stage"))
        if activity == sales_events.DEAL_STAGE_CHANGED:
            kind = FORWARD if payload.get("direction") == "forward" else BACK
            add(day, _stage(payload.get("from_stage")), kind, secs)
            add(day, _stage(payload.get("to_stage")), ENTER, None)
        else:
            kind = {
                sales_events.DEAL_CREATED: ENTER,
                sales_events.DEAL_WON: WON,
                sales_events.DEAL_LOST: LOST,
            }[activity]
            add(day, _stage(payload.get("stage")), kind, secs)
    created = deal["created_at"]
    rows[(_day(created), 0, CREATED, deal["currency"])][0] += 1
    closed = deal["closed_at"]
    if closed is not None and deal["status"] in (DealStatus.WON, DealStatus.LOST):
        measure = SALE if deal["status"] == DealStatus.WON else LOST_DEAL
        row = rows[(_day(closed), 0, measure, deal["currency"])]
        row[0] += 1
        row[1] += max(0, int((closed - created).total_seconds()))
        row[2] += 1
        row[3] += _cents(deal["amount"]) if measure == SALE else 0
    return dict(rows)


# --- applying differences --------------------------------------------------------------------

_COLUMNS = ("day", "pipeline_id", "stage_id", "team_id", "responsible_id", "measure", "currency")
_UPSERT = (
    "INSERT INTO analytics_dailyrollup "  # noqa: S608 - constant table and column names
    f"({', '.join(_COLUMNS)}, count, seconds, timed, cents) VALUES {{values}} "
    f"ON CONFLICT ({', '.join(_COLUMNS)}) DO UPDATE SET "
    "count = analytics_dailyrollup.count + excluded.count, "
    "seconds = analytics_dailyrollup.seconds + excluded.seconds, "
    "timed = analytics_dailyrollup.timed + excluded.timed, "
    "cents = analytics_dailyrollup.cents + excluded.cents"
)
_DAY_COLUMNS = ("day", "pipeline_id", "stage_id", "measure", "currency")
_DAY_UPSERT = (
    "INSERT INTO analytics_dayrollup "  # noqa: S608 - constant table and column names
    f"({', '.join(_DAY_COLUMNS)}, count, seconds, timed, cents) VALUES {{values}} "
    "ON CONFLICT (stage_id, day, pipeline_id, measure, currency) DO UPDATE SET "
    "count = analytics_dayrollup.count + excluded.count, "
    "seconds = analytics_dayrollup.seconds + excluded.seconds, "
    "timed = analytics_dayrollup.timed + excluded.timed, "
    "cents = analytics_dayrollup.cents + excluded.cents"
)
FullKey = tuple[str, int, int, int, int, str, str]  # day, pipeline, stage, team, person, m, cur


def _owner(deal: dict[str, Any]) -> tuple[int, int, int]:
    return deal["pipeline_id"], deal["team_id"] or 0, deal["responsible_id"] or 0


def _stored(owner: tuple[int, int, int], rows: dict[Key, Sums]) -> list[list[Any]]:
    return [[*owner, day, stage, m, cur, *sums] for (day, stage, m, cur), sums in rows.items()]


def _add(delta: dict[FullKey, Sums], stored: Iterable[list[Any]], sign: int) -> None:
    for pipeline, team, person, day, stage, measure, currency, *sums in stored:
        key = (day, pipeline, stage, team, person, measure, currency)
        row = delta.setdefault(key, [0, 0, 0, 0])
        for n in range(4):
            row[n] += sign * sums[n]


def _apply(delta: dict[FullKey, Sums]) -> None:
    changed = [(k, v) for k, v in delta.items() if any(v)]
    if not changed:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (day, *rest), sums in chunk:
                params += [date.fromisoformat(day), *rest, *sums]
            cursor.execute(_UPSERT.format(values=values), params)
    # The same differences without the team and person split (readers of every deal).
    coarse: dict[tuple[str, int, int, str, str], Sums] = {}
    for (day, pipeline, stage, _team, _person, measure, currency), sums in changed:
        row = coarse.setdefault((day, pipeline, stage, measure, currency), [0, 0, 0, 0])
        for n in range(4):
            row[n] += sums[n]
    summed = [(k, v) for k, v in coarse.items() if any(v)]
    with connection.cursor() as cursor:
        for start in range(0, len(summed), 500):
            part = summed[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(part))
            params = []
            for (day, *rest), sums in part:
                params += [date.fromisoformat(day), *rest, *sums]
            cursor.execute(_DAY_UPSERT.format(values=values), params)
    days = {date.fromisoformat(key[0]) for key, _sums in changed}
    DailyRollup.objects.filter(day__in=days, count=0).delete()
    DayRollup.objects.filter(day__in=days, count=0).delete()


def _deal_values(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    fields = (
        "id",
        "pipeline_id",
        "team_id",
        "responsible_id",
        "status",
        "amount",
        "currency",
        "created_at",
        "closed_at",
        "company_id",
    )
    return {d["id"]: d for d in Deal.objects.filter(pk__in=list(ids)).values(*fields)}


def _stage_events(ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = Event.objects.filter(
        case_type=Deal.EVENT_CASE_TYPE,
        case_id__in=[str(i) for i in ids],
        activity__in=STAGE_EVENTS,
    ).values_list("case_id", "activity", "timestamp", "payload")
    for case_id, activity, moment, payload in rows.iterator(chunk_size=5000):
        found[int(case_id)].append({"activity": activity, "timestamp": moment, "payload": payload})
    return found


def _client_key(deal: dict[str, Any]) -> list[Any] | None:
    if deal["company_id"] is None or deal["status"] != DealStatus.WON or not deal["closed_at"]:
        return None
    return [deal["company_id"], deal["team_id"] or 0, deal["responsible_id"] or 0]


_CLIENTS_SQL = {
    "analytics_clientrollup": (
        "company_id, team_id, responsible_id, currency",
        "company_id, COALESCE(team_id, 0), COALESCE(responsible_id, 0), currency",
    ),
    "analytics_clienttotal": ("company_id, currency", "company_id, currency"),
}


def _recompute_clients(company_ids: set[int] | None) -> None:
    """Recompute the client rows of these clients (None: of every client) from their won
    deals, in the database: per client × owner (`ClientRollup`) and per client (`ClientTotal`)."""
    if company_ids is None:
        chunks: list[list[int] | None] = [None]
    elif not company_ids:
        return
    else:
        ordered = sorted(company_ids)
        chunks = [ordered[n : n + 500] for n in range(0, len(ordered), 500)]
    with connection.cursor() as cursor:
        for chunk in chunks:
            where, params = "", list[Any]([DealStatus.WON])
            if chunk is not None:
                where = f" AND company_id IN ({', '.join(['%s'] * len(chunk))})"
                params += chunk
            for table, (columns, keys) in _CLIENTS_SQL.items():
                if chunk is None:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant names
                else:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE company_id IN "  # noqa: S608
                        f"({', '.join(['%s'] * len(chunk))})",
                        chunk,
                    )
                cursor.execute(
                    f"INSERT INTO {table} ({columns}, orders, revenue, first_won, last_won) "  # noqa: S608
                    f"SELECT {keys}, COUNT(*), COALESCE(ROUND(SUM(amount), 2), 0), MIN(closed_at), "
                    "MAX(closed_at) FROM sales_deal WHERE company_id IS NOT NULL AND status = %s "
                    f"AND closed_at IS NOT NULL{where} GROUP BY {keys}",
                    params,
                )
    recompute_client_months(company_ids)  # the monthly series (analytics.client_rollups)
    recompute_client_windows(company_ids)  # the segments' standard windows (client_windows)


def recompute_deals(ids: Iterable[int], *, rebuilding: dict[FullKey, Sums] | None = None) -> int:
    """Bring the rollups of these deals up to date (inside the caller's transaction).

    A rebuild passes its own `rebuilding` sums: the rows are written once at its end and the
    client rollups are recomputed in one statement, instead of per batch.
    """
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        deals = _deal_values(chunk)
        stage_events = _stage_events(chunk)
        memos = (
            {}
            if rebuilding is not None
            else {m.deal_id: m for m in RollupDeal.objects.filter(deal_id__in=chunk)}
        )
        delta: dict[FullKey, Sums] = rebuilding if rebuilding is not None else {}
        companies: set[int] = set()
        keep: list[RollupDeal] = []
        for deal_id in chunk:
            memo = memos.get(deal_id)
            if memo is not None:
                _add(delta, memo.rows, -1)
                if memo.client:
                    companies.add(memo.client[0])
            deal = deals.get(deal_id)
            if deal is None:
                continue
            stored = _stored(_owner(deal), deal_rows(deal, stage_events.get(deal_id, [])))
            _add(delta, stored, +1)
            client = _client_key(deal)
            if client:
                companies.add(client[0])
            keep.append(RollupDeal(deal_id=deal_id, rows=stored, client=client))
        if rebuilding is None:
            _apply(delta)
            RollupDeal.objects.filter(deal_id__in=chunk).delete()
            _recompute_clients(companies)
        RollupDeal.objects.bulk_create(keep)
    return len(wanted)


def _cursor() -> RollupCursor:
    cursor, _created = RollupCursor.objects.get_or_create(name=CURSOR)
    return RollupCursor.objects.select_for_update().get(pk=cursor.pk)


def _touched(events: QuerySet[Event]) -> set[int]:
    touched: set[int] = set()
    for case_id in events.filter(case_type=Deal.EVENT_CASE_TYPE).values_list("case_id", flat=True):
        if case_id.isdigit():
            touched.add(int(case_id))
    return touched


@transaction.atomic
def refresh(limit: int = 50_000) -> int:
    """Apply the events written since the cursor (the worker's job); returns deals updated."""
    cursor = _cursor()
    if cursor.rebuilt_at is None:  # never built (or a migration added a table): all at once
        return rebuild()
    roll_windows()  # once a month has begun, every client's standard segment windows move
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    if newest <= cursor.last_event_id:
        return 0
    start = max(0, cursor.last_event_id - LOOKBACK)
    upto = min(newest, cursor.last_event_id + limit)
    events = Event.objects.filter(pk__gt=start, pk__lte=upto)
    touched = _touched(events)
    done = recompute_deals(touched)
    leads, products = sales_rollups.touched(events)
    sales_rollups.recompute(touched, leads, products)
    cursor.last_event_id = upto
    cursor.save(update_fields=["last_event_id", "updated_at"])
    return done


def refresh_job() -> int:
    """The periodic job: up to date in steps of `limit` events."""
    return refresh()


def _deal_ids() -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(
            Deal.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _json_stage(key: str) -> str:
    """SQL: the payload's `key` as a stage id, or NULL (the rule of `_stage`)."""
    if connection.vendor == "postgresql":
        return (
            f"CASE WHEN jsonb_typeof(e.payload->'{key}') IN ('number', 'string') "
            f"AND e.payload->>'{key}' ~ '^[0-9]{{1,17}}$' THEN (e.payload->>'{key}')::bigint END"
        )
    value = f"CAST(json_extract(e.payload, '$.{key}') AS TEXT)"
    return (
        f"CASE WHEN json_type(e.payload, '$.{key}') IN ('integer', 'text') "
        f"AND length({value}) BETWEEN 1 AND 17 AND {value} NOT GLOB '*[^0-9]*' "
        f"THEN CAST({value} AS INTEGER) END"
    )


def _json_seconds() -> str:
    """SQL: the payload's `seconds_in_stage` as whole seconds, or NULL (`_seconds`)."""
    if connection.vendor == "postgresql":
        text = "e.payload->>'seconds_in_stage'"
        return (
            "CASE jsonb_typeof(e.payload->'seconds_in_stage') "
            f"WHEN 'number' THEN trunc(({text})::numeric)::bigint "
            f"WHEN 'string' THEN CASE WHEN {text} ~ '^-?[0-9]{{1,17}}$' THEN ({text})::bigint "
            "END END"
        )
    value = "json_extract(e.payload, '$.seconds_in_stage')"
    text = f"CAST({value} AS TEXT)"
    return (
        "CASE json_type(e.payload, '$.seconds_in_stage') "
        f"WHEN 'integer' THEN {value} WHEN 'real' THEN CAST({value} AS INTEGER) "
        f"WHEN 'text' THEN CASE WHEN length({text}) BETWEEN 1 AND 17 AND ({text} NOT GLOB "
        f"'*[^0-9]*' OR ({text} GLOB '-[0-9]*' AND substr({text}, 2) NOT GLOB '*[^0-9]*')) "
        f"THEN CAST({text} AS INTEGER) END END"
    )


def _deal_seconds() -> str:
    """SQL: whole seconds from the deal's creation to its close, at least 0."""
    if connection.vendor == "postgresql":
        return "GREATEST(0, floor(extract(epoch FROM (d.closed_at - d.created_at))))::bigint"

    def micros(column: str) -> str:  # SQLite keeps UTC text, microseconds when not zero
        return (
            f"(CAST(strftime('%%s', {column}) AS INTEGER) * 1000000 + CASE WHEN "
            f"length({column}) > 19 THEN CAST(substr({column} || '000000', 21, 6) AS INTEGER) "
            "ELSE 0 END)"
        )

    return f"MAX(0, ({micros('d.closed_at')} - {micros('d.created_at')}) / 1000000)"


def _units_sql() -> tuple[str, list[Any]]:
    """SQL: every deal's rollup rows (`deal_rows`, per deal and key) from the event log and
    the deals, with the deal's owner: the rows of a rebuild, computed in the database."""
    tz = timezone.get_current_timezone_name()

    def day(column: str) -> tuple[str, list[Any]]:
        sql, params = connection.ops.datetime_cast_date_sql(column, (), tz)
        return sql, list(params)

    event_day, p1 = day("e.timestamp")
    created_day, p2 = day("d.created_at")
    closed_day, p3 = day("d.closed_at")
    owner = (
        "d.id AS deal, d.pipeline_id AS pipeline, COALESCE(d.team_id, 0) AS team, "
        "COALESCE(d.responsible_id, 0) AS person"
    )
    forward = (
        "e.payload->>'direction' = 'forward'"
        if connection.vendor == "postgresql"
        else "json_extract(e.payload, '$.direction') = 'forward'"
    )
    changed, created = sales_events.DEAL_STAGE_CHANGED, sales_events.DEAL_CREATED
    won, lost = sales_events.DEAL_WON, sales_events.DEAL_LOST
    events = f"""
        SELECT {owner}, {event_day} AS day,
               CASE WHEN p.part = 2 THEN {_json_stage("to_stage")}
                    WHEN e.activity = '{changed}' THEN {_json_stage("from_stage")}
                    ELSE {_json_stage("stage")} END AS stage,
               CASE WHEN p.part = 2 OR e.activity = '{created}' THEN '{ENTER}'
                    WHEN e.activity = '{won}' THEN '{WON}'
                    WHEN e.activity = '{lost}' THEN '{LOST}'
                    WHEN {forward} THEN '{FORWARD}' ELSE '{BACK}' END AS measure,
               '' AS currency,
               CASE WHEN p.part = 1 THEN {_json_seconds()} END AS secs,
               0 AS cents
        FROM core_event e
        JOIN sales_deal d ON e.case_id = CAST(d.id AS TEXT)
        JOIN (SELECT 1 AS part UNION ALL SELECT 2) p
          ON p.part = 1 OR e.activity = '{changed}'
        WHERE e.case_type = %s AND e.activity IN ('{created}', '{changed}', '{won}', '{lost}')
    """  # noqa: S608 - constant names and the vendor's expressions
    cents = (
        "ROUND(COALESCE(d.amount, 0) * 100)::bigint"
        if connection.vendor == "postgresql"
        else "CAST(ROUND(COALESCE(d.amount, 0) * 100) AS INTEGER)"
    )
    sql = f"""
        SELECT u.* FROM ({events}) u WHERE u.stage IS NOT NULL
        UNION ALL
        SELECT {owner}, {created_day}, 0, '{CREATED}', d.currency, NULL, 0 FROM sales_deal d
        UNION ALL
        SELECT {owner}, {closed_day}, 0,
               CASE WHEN d.status = %s THEN '{SALE}' ELSE '{LOST_DEAL}' END, d.currency,
               {_deal_seconds()}, CASE WHEN d.status = %s THEN {cents} ELSE 0 END
        FROM sales_deal d WHERE d.closed_at IS NOT NULL AND d.status IN (%s, %s)
    """  # noqa: S608 - constant names and the vendor's expressions
    params = [
        *p1,
        Deal.EVENT_CASE_TYPE,
        *p2,
        *p3,
        DealStatus.WON,
        DealStatus.WON,
        DealStatus.WON,
        DealStatus.LOST,
    ]
    return sql, params


_KEY = "deal, pipeline, team, person, day, stage, measure, currency"


def _rebuild_in_database(progress: Any = None) -> None:
    """Fill the emptied rollups and every deal's memo with set-based SQL: the event log and
    the deals are read once, grouped per deal and key into a temporary table, and the rollups
    and the memos are sums of it (what `recompute_deals` computes deal by deal, in Python)."""
    units, params = _units_sql()
    step = progress or (lambda _name: None)
    postgres = connection.vendor == "postgresql"
    bigint = "::bigint" if postgres else ""
    with connection.cursor() as cursor:
        if postgres:  # the groupings of a whole log in memory rather than spilled to disk
            # (this transaction only; temp_buffers only before the session's first temp table)
            cursor.execute("SET LOCAL work_mem = '256MB'")
            try:
                with transaction.atomic():
                    cursor.execute("SET LOCAL temp_buffers = '1GB'")
            except DatabaseError:
                pass
        cursor.execute("DROP TABLE IF EXISTS analytics_rebuild_units")
        cursor.execute(
            "CREATE TEMPORARY TABLE analytics_rebuild_units AS "  # noqa: S608
            f"SELECT {_KEY}, COUNT(*){bigint} AS n, COALESCE(SUM(secs), 0){bigint} AS s, "
            f"COUNT(secs){bigint} AS t, COALESCE(SUM(cents), 0){bigint} AS c "
            f"FROM ({units}) x GROUP BY {_KEY}",
            params,
        )
        step("the log and the deals grouped per deal")
        cursor.execute(
            "INSERT INTO analytics_dailyrollup (day, pipeline_id, stage_id, team_id, "
            "responsible_id, measure, currency, count, seconds, timed, cents) "
            "SELECT day, pipeline, stage, team, person, measure, currency, SUM(n), SUM(s), "
            "SUM(t), SUM(c) FROM analytics_rebuild_units "
            "GROUP BY day, pipeline, stage, team, person, measure, currency"
        )
        step("daily rollups")
        cursor.execute(
            "INSERT INTO analytics_dayrollup (day, pipeline_id, stage_id, measure, currency, "
            "count, seconds, timed, cents) SELECT day, pipeline_id, stage_id, measure, "
            "currency, SUM(count), SUM(seconds), SUM(timed), SUM(cents) "
            "FROM analytics_dailyrollup GROUP BY day, pipeline_id, stage_id, measure, currency"
        )
        array, agg, obj = (
            ("jsonb_build_array", "jsonb_agg", "jsonb_build_array")
            if postgres
            else ("json_array", "json_group_array", "json_array")
        )
        cursor.execute(
            "INSERT INTO analytics_rollupdeal (deal_id, rows, client) "  # noqa: S608
            f"SELECT u.deal, {agg}({array}(u.pipeline, u.team, u.person, u.day, u.stage, "
            "u.measure, u.currency, u.n, u.s, u.t, u.c)), "
            "CASE WHEN d.company_id IS NOT NULL AND d.status = %s AND d.closed_at IS NOT NULL "
            f"THEN {obj}(d.company_id, COALESCE(d.team_id, 0), COALESCE(d.responsible_id, 0)) "
            "END FROM analytics_rebuild_units u JOIN sales_deal d ON d.id = u.deal "
            "GROUP BY u.deal, d.company_id, d.status, d.closed_at, d.team_id, d.responsible_id",
            [DealStatus.WON],
        )
        step("memos of the deals")
        cursor.execute("DROP TABLE analytics_rebuild_units")


@transaction.atomic
def rebuild(progress: Any = None) -> int:
    """Empty the rollups and recompute every deal in the database (set-based SQL); the cursor
    moves to the newest event."""
    cursor = _cursor()
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    with connection.cursor() as db:
        for model in (DailyRollup, DayRollup, ClientRollup, ClientTotal, RollupDeal):
            # DELETE, not TRUNCATE: the pages keep reading the old rows until the rebuild
            # commits (TRUNCATE would lock them out for the whole rebuild).
            db.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - a model's table
    _rebuild_in_database(progress)
    _recompute_clients(None)
    if progress:
        progress("client rollups")
    sales_rollups.rebuild_sales(progress)
    if connection.vendor == "postgresql":
        with connection.cursor() as db:
            db.execute(
                "ANALYZE analytics_dailyrollup, analytics_dayrollup, analytics_clientrollup, "
                "analytics_clienttotal, analytics_rollupdeal"
            )
    cursor.last_event_id = newest
    cursor.rebuilt_at = timezone.now()
    cursor.save(update_fields=["last_event_id", "rebuilt_at", "updated_at"])
    return Deal.objects.count()


def seed_demo_rollups(context: dict[str, Any]) -> None:
    """The demo's last seeder: the rollups of every demo deal."""
    rebuild()


# --- readers ---------------------------------------------------------------------------------


def rollup_scope(qs: QuerySet[Any], actor: User) -> QuerySet[Any]:
    """The rollup rows of the records the actor sees (the rule of `scope_records`)."""
    teams = visible_team_ids(actor)
    if teams is None:
        return qs
    condition = Q(responsible_id=actor.pk)
    if teams:
        condition |= Q(team_id__in=teams)
    return qs.filter(condition)


def _scoped_rows(actor: User) -> QuerySet[Any]:
    """The daily rows the actor may sum: a reader of every deal reads the rows without the
    team and person split (`DayRollup`, a few per day), anyone else their owners' rows."""
    teams = visible_team_ids(actor)
    if teams is None or _sees_every_row(actor, teams):
        return DayRollup.objects.all()
    return rollup_scope(DailyRollup.objects.all(), actor)


def _sees_every_row(actor: User, teams: set[int]) -> bool:
    """Do the actor's teams (and own deals) hold every daily row? Then the unsplit rows sum
    exactly what their scoped rows would — a director heading every selling team reads as the
    admin does. A probe per team of the rows (`analytics_rollup_owner`), and one for the
    teams outside; a row of no team (0) is outside unless it is the actor's own."""
    outside = sales_rollups.teams_in("analytics_dailyrollup") - set(teams)
    if not outside:
        return True
    return not (
        DailyRollup.objects.filter(team_id__in=sorted(outside))
        .exclude(responsible_id=actor.pk)
        .exists()
    )


def _days(qs: QuerySet[Any], date_from: date | None, date_to: date | None) -> QuerySet[Any]:
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs


def average_days(seconds: int, count: int) -> float | None:
    """How long `count` closed deals took on average, in days (two decimals); None for none."""
    return round(seconds / count / 86400, 2) if count else None


@dataclass
class RollupStage:
    stage_id: int
    stage: str
    entered: int = 0
    forward: int = 0
    lost: int = 0
    won: int = 0
    avg_days: float | None = None

    @property
    def conversion(self) -> float | None:
        return stage_conversion(forward=self.forward, won=self.won, lost=self.lost)


@dataclass
class FunnelSummary:
    """The funnel's stage rows and its measures of seed 000 over a period (from rollups)."""

    stages: list[RollupStage] = field(default_factory=list)
    incoming: int = 0  # deals created (entered the funnel)
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)  # main currency
    won_in_currency: int = 0
    deal_seconds: int = 0
    closed_timed: int = 0
    days: int | None = None

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def overall_conversion(self) -> float | None:
        return round(self.won / self.incoming, 4) if self.incoming else None

    @property
    def average_amount(self) -> Decimal | None:
        if not self.won_in_currency:
            return None
        return (self.won_amount / self.won_in_currency).quantize(CENTS)

    @property
    def deal_days(self) -> float | None:
        return average_days(self.deal_seconds, self.closed_timed)

    @property
    def per_week(self) -> float | None:
        return round(self.closed * 7 / self.days, 2) if self.days else None


def rollup_funnel(
    *,
    actor: User,
    pipeline: Pipeline,
    date_from: date | None = None,
    date_to: date | None = None,
) -> FunnelSummary:
    """The funnel of the visible deals of a pipeline from the rollups (two small queries).

    Stage counts and average days in stage equal `sales.funnel.funnel` for the same period
    (medians need every stay and stay with the raw funnel).
    """
    qs = _days(_scoped_rows(actor).filter(pipeline_id=pipeline.pk), date_from, date_to)
    sums = (
        qs.order_by()
        .values("stage_id", "measure", "currency")
        .annotate(n=Sum("count"), s=Sum("seconds"), t=Sum("timed"), c=Sum("cents"))
    )
    per_stage: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    summary = FunnelSummary()
    first_day: date | None = date_from
    for row in sums:
        n, s, t, c = (int(row[k] or 0) for k in ("n", "s", "t", "c"))
        if row["stage_id"]:
            sums_of = per_stage[row["stage_id"]]
            sums_of[row["measure"]] += n
            sums_of["secs"] += s
            sums_of["timed"] += t
        elif row["measure"] == CREATED:
            summary.incoming += n
        elif row["measure"] in (SALE, LOST_DEAL):
            if row["measure"] == SALE:
                summary.won += n
                if row["currency"] == DEFAULT_CURRENCY:
                    summary.won_amount += Decimal(c) / 100
                    summary.won_in_currency += n
            else:
                summary.lost += n
            summary.deal_seconds += s
            summary.closed_timed += t
    if first_day is None:
        first_day = qs.aggregate(d=Min("day"))["d"]
    last_day = date_to or timezone.localdate()
    if first_day is not None:
        summary.days = max(1, (last_day - first_day).days + 1)
    for stage in pipeline.stages.all():
        found = per_stage.get(stage.pk, {})
        timed = found.get("timed", 0)
        summary.stages.append(
            RollupStage(
                stage_id=stage.pk,
                stage=stage.label,
                entered=found.get(ENTER, 0),
                forward=found.get(FORWARD, 0),
                lost=found.get(LOST, 0),
                won=found.get(WON, 0),
                avg_days=average_days(found.get("secs", 0), timed),
            )
        )
    return summary


def stage_counts_all_time(actor: User, pipeline: Pipeline) -> dict[str, Any] | None:
    """The all-time stage counts and average seconds of `sales.funnel.funnel` (registered
    with it): the same numbers from the rollups once they are built, None before."""
    built = RollupCursor.objects.filter(name=CURSOR, rebuilt_at__isnull=False).exists()
    if not built:
        return None
    rows = _scoped_rows(actor).filter(pipeline_id=pipeline.pk).exclude(stage_id=0)
    sums = rows.order_by().values("stage_id", "measure").annotate(n=Sum("count"))
    found: dict[str, list[Any]] = {}
    index = {ENTER: 0, FORWARD: 1, LOST: 2, WON: 3}
    for row in sums:
        counts = found.setdefault(str(row["stage_id"]), [0, 0, 0, 0, None])
        if row["measure"] in index:
            counts[index[row["measure"]]] += int(row["n"] or 0)
    timed = rows.order_by().values("stage_id").annotate(s=Sum("seconds"), t=Sum("timed"))
    for row in timed:
        if row["t"]:
            found.setdefault(str(row["stage_id"]), [0, 0, 0, 0, None])[4] = int(row["s"]) / int(
                row["t"]
            )
    return {stage: tuple(values) for stage, values in found.items()}


@dataclass
class Overview(ComparedPeriod):
    created: int = 0
    won: int = 0
    lost: int = 0
    volume: Decimal = Decimal(0)  # main currency
    orders: int = 0  # won in the main currency
    deal_seconds: int = 0
    closed_timed: int = 0

    @property
    def average_check(self) -> Decimal | None:
        return (self.volume / self.orders).quantize(CENTS) if self.orders else None

    @property
    def deal_days(self) -> float | None:
        return average_days(self.deal_seconds, self.closed_timed)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period_dict(),
            "created": self.created,
            "won": self.won,
            "lost": self.lost,
            "volume": self.volume.quantize(CENTS),
            "orders": self.orders,
            "average_check": self.average_check,
            "deal_days": self.deal_days,
        }


def sales_overview(
    *, actor: User, date_from: date, date_to: date, pipeline: Pipeline | None = None
) -> list[Overview]:
    """Deals created, won (volume, average check) and lost, and the average deal length, in
    the period, the previous one and the same dates a year ago — one query on the rollups."""
    periods = comparison_periods(date_from, date_to)
    if visible_team_ids(actor) is None:
        return _overview_of_all(periods, pipeline)
    qs = _scoped_rows(actor).filter(stage_id=0)
    if pipeline is not None:
        qs = qs.filter(pipeline_id=pipeline.pk)
    span = Q()
    measures: dict[str, Any] = {}
    rub = Q(currency=DEFAULT_CURRENCY)
    for key, start, end in periods:
        inside = Q(day__gte=start, day__lte=end)
        span |= inside
        closed = inside & Q(measure__in=(SALE, LOST_DEAL))
        measures |= {
            f"{key}_created": Sum("count", filter=inside & Q(measure=CREATED)),
            f"{key}_won": Sum("count", filter=inside & Q(measure=SALE)),
            f"{key}_lost": Sum("count", filter=inside & Q(measure=LOST_DEAL)),
            f"{key}_orders": Sum("count", filter=inside & Q(measure=SALE) & rub),
            f"{key}_cents": Sum("cents", filter=inside & Q(measure=SALE) & rub),
            f"{key}_seconds": Sum("seconds", filter=closed),
            f"{key}_timed": Sum("timed", filter=closed),
        }
    row = qs.filter(span).aggregate(**measures)
    found = []
    for key, start, end in periods:
        value = {
            name: int(row[f"{key}_{name}"] or 0)
            for name in ("created", "won", "lost", "orders", "cents", "seconds", "timed")
        }
        found.append(
            Overview(
                key,
                start,
                end,
                created=value["created"],
                won=value["won"],
                lost=value["lost"],
                volume=Decimal(value["cents"]) / 100,
                orders=value["orders"],
                deal_seconds=value["seconds"],
                closed_timed=value["timed"],
            )
        )
    return found


def _overview_of_all(
    periods: list[tuple[str, date, date]], pipeline: Pipeline | None
) -> list[Overview]:
    """`sales_overview` for a reader of every deal: one small grouped statement over the
    deal rows of `DayRollup` (a few per day), joined to the periods (they may overlap)."""
    windows = " UNION ALL ".join(["SELECT %s AS k, %s AS a, %s AS b"] * len(periods))
    params: list[Any] = [v for n, (_key, a, b) in enumerate(periods) for v in (n, a, b)]
    where = ""
    if pipeline is not None:
        where, params = " AND r.pipeline_id = %s", [*params, pipeline.pk]
    sql = (
        "SELECT p.k, r.measure, r.currency, SUM(r.count), SUM(r.cents), SUM(r.seconds), "  # noqa: S608
        f"SUM(r.timed) FROM analytics_dayrollup r JOIN ({windows}) p "
        f"ON r.day >= p.a AND r.day <= p.b WHERE r.stage_id = 0{where} "
        "GROUP BY p.k, r.measure, r.currency"
    )
    found = [Overview(key, start, end) for key, start, end in periods]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for k, measure, currency, count, cents, seconds, timed in cursor.fetchall():
            period, n = found[int(k)], int(count or 0)
            if measure == CREATED:
                period.created += n
                continue
            if measure not in (SALE, LOST_DEAL):
                continue
            period.deal_seconds += int(seconds or 0)
            period.closed_timed += int(timed or 0)
            if measure == LOST_DEAL:
                period.lost += n
                continue
            period.won += n
            if currency == DEFAULT_CURRENCY:
                period.orders += n
                period.volume += Decimal(int(cents or 0)) / 100
    return found


ClientTotals = list[tuple[int, int, Decimal, datetime | None, datetime | None]]


class _EpochMicroseconds(Func):
    """A timestamptz as whole microseconds since 1970 (PostgreSQL 14+: `EXTRACT` is exact)."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _epoch_instants() -> bool:
    """Are instants read as integers (PostgreSQL with aware datetimes, `USE_TZ`)?"""
    return connection.vendor == "postgresql" and connection.timezone is not None


def _instant_column(name: str) -> Any:
    """The column as `_client_rows` reads it: an integer or the datetime."""
    return _EpochMicroseconds(name) if _epoch_instants() else F(name)


def _client_rows(rows: QuerySet[Any]) -> ClientTotals:
    """(company, orders, revenue, first, last) of the values query `rows`. On PostgreSQL the
    statement is run on a plain cursor and the instants, read as integers, made the same
    aware datetimes (the connection's time zone) Django's loader gives: that loader parses
    each timestamptz's text in Python (3-10 µs a value), which was most of a portfolio of
    every client — the statement itself takes under 1 ms at 20 000 deals."""
    if not _epoch_instants():
        return list(rows)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    epoch, micros = datetime(1970, 1, 1, tzinfo=connection.timezone), timedelta
    return [
        (
            company,
            int(orders),  # a scoped reader's SUM is numeric
            revenue,
            None if first is None else epoch + micros(0, 0, first),
            None if last is None else epoch + micros(0, 0, last),
        )
        for company, orders, revenue, first, last in found
    ]


def portfolio_totals(*, actor: User, currency: str = DEFAULT_CURRENCY) -> ClientTotals:
    """Per visible client: (company id, orders, lifetime revenue, first and last purchase)
    from the rollups — for a reader of every deal one narrow row per client (`ClientTotal`),
    else the sums of the visible owners' rows."""
    if visible_team_ids(actor) is None:
        rows = (
            ClientTotal.objects.filter(currency=currency)
            .annotate(first=_instant_column("first_won"), last=_instant_column("last_won"))
            .values_list("company_id", "orders", "revenue", "first", "last")
        )
        return _client_rows(rows)
    return _client_rows(
        rollup_scope(ClientRollup.objects.filter(currency=currency), actor)
        .order_by()
        .values_list("company_id")
        .annotate(
            n=Sum("orders"),
            revenue_sum=Sum("revenue"),
            first=Min(_instant_column("first_won")),
            last=Max(_instant_column("last_won")),
        )
    )


def cursor_state() -> dict[str, Any]:
    cursor = RollupCursor.objects.filter(name=CURSOR).first()
    newest = Event.objects.aggregate(m=Max("pk"))["m"] or 0
    return {
        "last_event_id": cursor.last_event_id if cursor else 0,
        "behind": max(0, newest - (cursor.last_event_id if cursor else 0)),
        "rebuilt_at": cursor.rebuilt_at if cursor else None,
    }
