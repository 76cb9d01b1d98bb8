"""The head's KPI grid: 20 people × the 11 KPIs of seed 003 for one month.

Greenwave: `greenwave.planning.selectors._grid` — what `team_grid` and `department_grid`
compute — as the director of the sales department for the first 20 of its planning people
(hunters, closers, farmers, KAMs, call centre), the department's total row, targets and the
run-rate forecast: one grouped query per KPI through the ORM (payments, unpaid and overdue
invoices from the event log), combined in Python.
Ceiling: the same actuals by one hand-written SQL statement (UNION ALL of one aggregate per
KPI over the same scope, grouped by person and team) plus the targets, summed per person and
for the department in a few lines of Python. Every figure of every row is asserted equal.

The generated dataset has no invoice events, so before measuring the benchmark writes, for
each won deal of the month and the month before, an `invoice_issued` event (as the documents
app writes it, INVOICE_EVENTS.md) and for most of them a payment — some paid in full, some in
part, some left unpaid (overdue), some recorded in the next month for a date in this one —
and deletes them afterwards, so the dataset stays as generated. It has no orders either, so it
writes one for each of those won deals — shipped on time, shipped late, cancelled, partly
shipped or still to ship — for KPI 11 «late projects», and deletes them afterwards too.
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from greenwave.datagen.benchreport import BenchResult, median_time, verdict_from_times

TARGET = 0.5
PEOPLE = 20
MARK = "kpi_bench"
CENT = Decimal("0.01")

# Invoices of the won deals of [since, until): issued at the win, due in 10 days; by deal id
# mod 10: 0–5 paid in full 3 days later (then invoice_paid), 6 paid in half, 7 paid in full
# but entered 40 days later (its payment_date stays in the month), 8–9 unpaid.
SEED_SQL = """
WITH won AS (
    SELECT id, amount, responsible_id, team_id, closed_at,
           (closed_at AT TIME ZONE %(tz)s)::date AS day
    FROM sales_deal
    WHERE status = 'won' AND closed_at >= %(since)s AND closed_at < %(until)s AND amount > 0
), issued AS (
    INSERT INTO core_event (case_type, case_id, activity, timestamp, actor_id, payload,
                            prev_activity, prev_timestamp)
    SELECT 'invoice', (900000000 + id)::text, 'invoice_issued', closed_at, NULL,
           jsonb_build_object(
               'number', 'Б-' || id, 'total', amount::text, 'vat', '0.00', 'currency', 'RUB',
               'issue_date', day::text, 'due_date', (day + 10)::text, 'deal_id', id,
               'company_id', NULL, 'responsible_id', responsible_id, 'team_id', team_id,
               'kpi_bench', true),
           '', NULL
    FROM won RETURNING 1
), paid AS (
    INSERT INTO core_event (case_type, case_id, activity, timestamp, actor_id, payload,
                            prev_activity, prev_timestamp)
    SELECT 'invoice', (900000000 + id)::text, 'payment_received',
           closed_at + CASE WHEN id %% 10 = 7 THEN interval '40 days' ELSE interval '3 days' END,
           NULL,
           jsonb_build_object(
               'amount', CASE WHEN id %% 10 = 6 THEN round(amount / 2, 2) ELSE amount END::text,
               'payment_date', (day + 3)::text, 'payment_id', id,
               'invoice_number', 'Б-' || id, 'kpi_bench', true),
           'invoice_issued', closed_at
    FROM won WHERE id %% 10 < 8 RETURNING 1
), closed AS (
    INSERT INTO core_event (case_type, case_id, activity, timestamp, actor_id, payload,
                            prev_activity, prev_timestamp)
    SELECT 'invoice', (900000000 + id)::text, 'invoice_paid',
           closed_at + interval '3 days 1 second', NULL,
           jsonb_build_object('kpi_bench', true), 'payment_received', closed_at
    FROM won WHERE id %% 10 < 6 RETURNING 1
)
SELECT (SELECT count(*) FROM issued), (SELECT count(*) FROM paid), (SELECT count(*) FROM closed)
"""
CLEAN_SQL = "DELETE FROM core_event WHERE case_type = 'invoice' AND payload ? 'kpi_bench'"

# Orders of the same won deals (the dataset has none; KPI 11 «late projects» counts orders):
# promised 14 days after the win; by deal id mod 10: 0–3 shipped on time, 4–5 shipped late,
# 6 cancelled, 7 partly shipped, 8–9 still to ship. Marked by their comment.
ORDERS_SQL = """
INSERT INTO orders_order (created_at, updated_at, status, promised_date, shipped_date,
                          late_reason, late_comment, amount, company_id, created_by_id,
                          deal_id, responsible_id, team_id)
SELECT closed_at, closed_at,
       CASE WHEN id %% 10 < 6 THEN 'shipped' WHEN id %% 10 = 6 THEN 'cancelled'
            WHEN id %% 10 = 7 THEN 'partially_shipped' ELSE 'open' END,
       day + 14,
       CASE WHEN id %% 10 < 4 THEN day + 10 WHEN id %% 10 < 6 THEN day + 20 END,
       CASE WHEN id %% 10 IN (4, 5) THEN 'supplier_delay' ELSE '' END,
       %(mark)s, amount, company_id, NULL, id, responsible_id, team_id
FROM (SELECT id, amount, company_id, responsible_id, team_id, closed_at,
             (closed_at AT TIME ZONE %(tz)s)::date AS day
      FROM sales_deal
      WHERE status = 'won' AND closed_at >= %(since)s AND closed_at < %(until)s
        AND amount > 0) won
"""
ORDERS_CLEAN_SQL = "DELETE FROM orders_order WHERE late_comment = %(mark)s"

# (kpi, responsible_id, team_id, num, den) over the scope: the people's records or their
# department's (responsible in %(users)s or team in %(teams)s).
GRID_SQL = """
WITH won AS (
    SELECT d.id, d.responsible_id, d.team_id, d.company_id, d.closed_at, d.created_at,
           d.amount, d.expected_close_date
    FROM sales_deal d
    WHERE d.status = 'won' AND d.closed_at >= %(start)s AND d.closed_at < %(end)s
      AND (d.responsible_id = ANY(%(users)s) OR d.team_id = ANY(%(teams)s))
), decided AS (
    SELECT l.responsible_id, l.team_id, l.status, l.disqualification_reason
    FROM sales_lead l
    WHERE l.closed_at >= %(start)s AND l.closed_at < %(end)s
      AND l.status IN ('converted', 'disqualified')
      AND (l.responsible_id = ANY(%(users)s) OR l.team_id = ANY(%(teams)s))
), pay AS (
    SELECT p.case_id,
           CASE WHEN p.activity = 'payment_refunded' THEN -1 ELSE 1 END
               * round((p.payload->>'amount')::numeric, 2) AS amount
    FROM core_event p
    WHERE p.case_type = 'invoice' AND p.activity IN ('payment_received', 'payment_refunded')
      AND p.timestamp >= %(pay_from)s AND p.timestamp < %(pay_to)s
      AND coalesce(left(p.payload->>'payment_date', 10)::date,
                   (p.timestamp AT TIME ZONE %(tz)s)::date) BETWEEN %(first)s AND %(last)s
), issued_as_of AS (
    SELECT DISTINCT ON (e.case_id) e.case_id, e.payload
    FROM core_event e
    WHERE e.case_type = 'invoice' AND e.activity = 'invoice_issued'
      AND e.timestamp < %(as_of_end)s
    ORDER BY e.case_id, e.timestamp DESC, e.id DESC
), unpaid AS (
    SELECT (i.payload->>'responsible_id')::int AS u, (i.payload->>'team_id')::int AS t,
           left(i.payload->>'due_date', 10)::date AS due
    FROM issued_as_of i
    WHERE NOT EXISTS (
          SELECT 1 FROM core_event c
          WHERE c.case_type = 'invoice' AND c.case_id = i.case_id
            AND c.activity IN ('invoice_paid', 'invoice_cancelled')
            AND c.timestamp < %(as_of_end)s)

)
SELECT 'revenue', (i.payload->>'responsible_id')::int, (i.payload->>'team_id')::int,
       sum(pay.amount), count(*)
FROM pay LEFT JOIN LATERAL (
    SELECT e.payload FROM core_event e
    WHERE e.case_type = 'invoice' AND e.case_id = pay.case_id AND e.activity = 'invoice_issued'
    ORDER BY e.timestamp DESC, e.id DESC LIMIT 1
) i ON true
WHERE (i.payload->>'responsible_id')::int = ANY(%(users)s)
   OR (i.payload->>'team_id')::int = ANY(%(teams)s)
GROUP BY 2, 3
UNION ALL
SELECT 'projects', responsible_id, team_id, count(*), count(*) FROM won GROUP BY 2, 3
UNION ALL
SELECT 'order_processing_days', responsible_id, team_id,
       sum(EXTRACT(EPOCH FROM closed_at - created_at)) / 86400, count(*)
FROM won GROUP BY 2, 3
UNION ALL
SELECT 'positive_decisions', responsible_id, team_id,
       count(*) FILTER (WHERE status = 'converted'), 1
FROM decided GROUP BY 2, 3
UNION ALL
SELECT 'motivated_refusal_share', responsible_id, team_id,
       count(*) FILTER (WHERE status = 'disqualified' AND disqualification_reason <> ''),
       count(*)
FROM decided GROUP BY 2, 3
UNION ALL
SELECT CASE a.kind WHEN 'call' THEN 'calls' ELSE 'meetings' END, a.responsible_id, a.team_id,
       count(*), 1
FROM activities_activity a
WHERE a.kind IN ('call', 'meeting') AND a.status = 'done'
  AND a.completed_at >= %(start)s AND a.completed_at < %(end)s
  AND (a.responsible_id = ANY(%(users)s) OR a.team_id = ANY(%(teams)s))
GROUP BY 1, 2, 3
UNION ALL
SELECT 'cross_sales', w.responsible_id, w.team_id, count(*), 1
FROM won w
WHERE EXISTS (SELECT 1 FROM sales_deal e WHERE e.company_id = w.company_id
                AND e.status = 'won' AND e.closed_at < w.closed_at)
  AND EXISTS (
      SELECT 1 FROM sales_dealitem li JOIN crm_product p ON p.id = li.product_id
      WHERE li.deal_id = w.id
        AND NOT EXISTS (
            SELECT 1 FROM sales_dealitem bi
            JOIN sales_deal bd ON bd.id = bi.deal_id
            JOIN crm_product bp ON bp.id = bi.product_id
            WHERE bd.company_id = w.company_id AND bd.status = 'won'
              AND bd.closed_at < w.closed_at AND bp.group_id = p.group_id))
GROUP BY 2, 3
UNION ALL
SELECT 'unpaid_invoices', u, t, count(*), 1 FROM unpaid
WHERE u = ANY(%(users)s) OR t = ANY(%(teams)s) GROUP BY 2, 3
UNION ALL
SELECT 'overdue_payments_5d', u, t, count(*), 1 FROM unpaid
WHERE (u = ANY(%(users)s) OR t = ANY(%(teams)s)) AND due < %(overdue_before)s GROUP BY 2, 3
UNION ALL
SELECT 'late_projects', o.responsible_id, o.team_id, count(*), 1
FROM orders_order o
WHERE (o.responsible_id = ANY(%(users)s) OR o.team_id = ANY(%(teams)s))
  AND o.status <> 'cancelled'
  AND ((o.shipped_date >= %(first)s AND o.shipped_date <= %(as_of)s
        AND o.shipped_date > o.promised_date)
    OR (o.promised_date >= %(first)s AND o.promised_date <= %(last)s
        AND o.promised_date < %(as_of)s
        AND (o.shipped_date IS NULL OR o.shipped_date > %(as_of)s)))
GROUP BY 2, 3
"""
TARGETS_SQL = """
SELECT p.user_id, p.team_id, k.key, t.target
FROM planning_plantarget t
JOIN planning_monthplan p ON p.id = t.plan_id
JOIN planning_kpi k ON k.id = t.kpi_id
WHERE p.period = %(first)s AND (p.user_id = ANY(%(users)s) OR p.team_id = %(team)s)
"""
AVG_KEYS = {"order_processing_days"}
SHARE_KEYS = {"motivated_refusal_share"}


def _context() -> dict[str, Any]:
    """The director, the department, 20 of its people and the last complete month."""
    from django.db.models import Max

    from greenwave.accounts.models import Team
    from greenwave.accounts.scoping import team_subtree_ids
    from greenwave.planning import kpis, selectors
    from greenwave.sales.models import Deal

    department = Team.objects.filter(parent__isnull=True, children__isnull=False).first()
    assert department is not None
    assert department.head is not None
    director = department.head
    people = list(selectors.team_members(actor=director, team=department))[:PEOPLE]
    last_win = Deal.objects.filter(status="won").aggregate(m=Max("closed_at"))["m"]
    month = kpis.Month.of(last_win.date()).previous
    return {
        "director": director,
        "department": department,
        "people": people,
        "month": month,
        "subtree": sorted(team_subtree_ids(department.pk)),
    }


def _seed_invoices(month: Any) -> tuple[int, int, int]:
    from django.conf import settings
    from django.db import connection, transaction

    _start, end = month.bounds()
    previous_start, _end = month.previous.bounds()
    with transaction.atomic(), connection.cursor() as cursor:
        params = {"tz": settings.TIME_ZONE, "since": previous_start, "until": end, "mark": MARK}
        cursor.execute(CLEAN_SQL)
        cursor.execute(ORDERS_CLEAN_SQL, params)
        cursor.execute(SEED_SQL, params)
        counts = cursor.fetchone()
        cursor.execute(ORDERS_SQL, params)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_event")
        cursor.execute("ANALYZE orders_order")
    _rollups_current()
    return counts


def _rollups_current() -> None:
    """The KPI day rollups brought up to the events (built on first use, outside the timing):
    the written invoices' payments go into their days as the worker would put them."""
    from greenwave.planning import kpi_rollups

    kpi_rollups.refresh_all()


def _clean() -> None:
    from django.db import connection, transaction

    from greenwave.core.models import Event
    from greenwave.planning import kpi_rollups

    written = Event.objects.filter(case_type="invoice", payload__has_key=MARK)
    with transaction.atomic():
        days = kpi_rollups.touched_days(written) if kpi_rollups.ready() else set()
        with connection.cursor() as cursor:
            cursor.execute(CLEAN_SQL)
            cursor.execute(ORDERS_CLEAN_SQL, {"mark": MARK})
        # The deleted payments' days recomputed: the rollups stay those of the dataset.
        kpi_rollups.recompute_days(days)


def _grid_greenwave(c: dict[str, Any]) -> dict[Any, dict[str, Decimal | None]]:
    from greenwave.planning import selectors

    grid = selectors._grid(
        actor=c["director"],
        month=c["month"],
        team=c["department"],
        kpis=selectors.kpi_catalogue(actor=c["director"]),
        people=c["people"],
        teams=[],
    )
    table = {
        ("u", row.user.pk): {f.kpi.key: f.actual for f in row.figures}
        for row in grid.rows
        if row.user is not None
    }
    table[("t", c["department"].pk)] = {f.kpi.key: f.actual for f in grid.total.figures}
    return table


def _value(key: str, num: Decimal, den: Decimal, seen: bool) -> Decimal | None:
    if key not in AVG_KEYS | SHARE_KEYS:
        return num
    if not seen or den == 0:
        return None
    return (num / den * (100 if key in SHARE_KEYS else 1)).quantize(CENT)


def _grid_sql(c: dict[str, Any]) -> dict[Any, dict[str, Decimal | None]]:
    from datetime import datetime, time, timedelta

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from greenwave.planning import kpis

    month = c["month"]
    ctx = kpis.context_for(month)
    start, end = month.bounds()
    zone = timezone.get_default_timezone()
    users = [p.pk for p in c["people"]]
    teams = c["subtree"]
    params = {
        "tz": settings.TIME_ZONE,
        "start": start,
        "end": end,
        "first": month.first,
        "last": month.last,
        "users": users,
        "teams": teams,
        "as_of": ctx.as_of,
        "as_of_end": datetime.combine(ctx.as_of + timedelta(days=1), time(0), tzinfo=zone),
        "overdue_before": ctx.as_of - timedelta(days=kpis.OVERDUE_GRACE_DAYS),
        "pay_from": start - timedelta(days=kpis.LATE_PAYMENT_DAYS),
        "pay_to": end + timedelta(days=kpis.LATE_PAYMENT_DAYS),
        "team": c["department"].pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(GRID_SQL, params)
        rows = cursor.fetchall()
        cursor.execute(TARGETS_SQL, params)
        targets = cursor.fetchall()
    del targets  # read as the grid reads them; the comparison is of the actuals
    team_set = set(teams)
    sums: dict[Any, dict[str, list[Any]]] = defaultdict(
        lambda: defaultdict(lambda: [Decimal(0), Decimal(0), False])
    )
    for key, user_id, team_id, num, den in rows:
        owners = []
        if user_id in users:
            owners.append(("u", user_id))
        if team_id in team_set:
            owners.append(("t", c["department"].pk))
        for owner in owners:
            cell = sums[owner][key]
            cell[0] += Decimal(num)
            cell[1] += Decimal(den)
            cell[2] = True
    table = {}
    for owner in [("u", pk) for pk in users] + [("t", c["department"].pk)]:
        table[owner] = {key: _value(key, *sums[owner][key]) for key in kpis.BUILTIN_KEYS}
    return table


def _same(ours: dict[Any, dict[str, Any]], ceiling: dict[Any, dict[str, Any]]) -> list[str]:
    wrong = []
    for owner, figures in ceiling.items():
        for key, value in figures.items():
            mine = ours.get(owner, {}).get(key)
            if (mine is None) != (value is None) or (
                mine is not None and abs(Decimal(mine) - Decimal(value)) > CENT
            ):
                wrong.append(f"{owner} {key}: {mine} vs {value}")
    return wrong


def check_kpi_grid(c: dict[str, Any]) -> dict[Any, dict[str, Decimal | None]]:
    """The grid's actuals, asserted equal to the ceiling's (the bench's check, untimed; after
    `_seed_invoices`)."""
    ours, ceiling = _grid_greenwave(c), _grid_sql(c)
    wrong = _same(ours, ceiling)
    if wrong:
        raise AssertionError("the grid differs from the hand-written SQL: " + "; ".join(wrong[:5]))
    return ceiling


def bench_kpi_grid(*, runs: int, dataset: str) -> BenchResult:
    c = _context()
    seeded = _seed_invoices(c["month"])
    try:
        ceiling = check_kpi_grid(c)
        total = ceiling[("t", c["department"].pk)]
        t_ours = median_time(lambda: _grid_greenwave(c), runs=runs, clock=time.perf_counter)
        t_sql = median_time(lambda: _grid_sql(c), runs=runs, clock=time.perf_counter)
        from greenwave.planning import selectors

        started = time.perf_counter()
        selectors.department_grid(actor=c["director"], month=c["month"], team=c["department"])
        t_department = time.perf_counter() - started
    finally:
        _clean()
    return verdict_from_times(
        "kpi_grid",
        ours_s=t_ours,
        ceiling_s=t_sql,
        target=TARGET,
        details=(
            f"{len(c['people'])} people × 11 KPIs + the department's total, {c['month'].key}: "
            f"planning.selectors._grid {t_ours * 1000:.0f} ms vs one hand-written SQL "
            f"{t_sql * 1000:.0f} ms, median of {runs}; director's department view "
            f"{t_department * 1000:.0f} ms (once); {seeded[0]} invoices / {seeded[1]} payments "
            f"written for the run; department: {total['projects']} won, "
            f"{total['revenue']} paid, {total['calls']} calls, {total['late_projects']} late "
            f"projects; {dataset}; answers equal"
        ),
        department_s=t_department,
    )
