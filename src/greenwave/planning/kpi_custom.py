"""An administrator's KPIs from safe building blocks: count, sum or average of a record field
or of an event activity's payload key, with filters from a fixed list (no code, no SQL).
Re-exported by `kpis`, whose dispatch calls `_custom_parts` and `_custom_facts`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Model, QuerySet, Sum
from django.urls import reverse

from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.models import Event
from greenwave.sales.models import Deal, DealStatus, Lead, LeadStatus

from .kpis import (
    ZERO,
    Context,
    Fact,
    Part,
    Scope,
    _count_parts,
    _fact_parts,
    _grouped,
    _local,
    _money,
    _month_q,
)
from .models import Kpi, KpiAggregate, KpiSource

# --- administrator's building blocks -----------------------------------------------------

# record → (model, {numeric fields}, {date fields}, {filter fields → allowed values})
RECORDS: dict[str, tuple[type[Model], dict[str, str], tuple[str, ...], dict[str, list[str]]]] = {
    "deal": (
        Deal,
        {"amount": "amount", "probability": "probability"},
        ("closed_at", "created_at"),
        {"status": list(DealStatus.values)},
    ),
    "lead": (
        Lead,
        {},
        ("created_at", "closed_at", "qualified_at"),
        {
            "status": list(LeadStatus.values),
            "source": [c[0] for c in Lead._meta.get_field("source").choices or []],
        },
    ),
    "activity": (
        Activity,
        {"duration_minutes": "duration_minutes"},
        ("completed_at", "created_at", "due_at"),
        {
            "kind": list(ActivityKind.values),
            "status": list(ActivityStatus.values),
            "call_result": [c[0] for c in Activity._meta.get_field("call_result").choices or []],
        },
    ),
}
# Payload keys an event-based KPI may sum or average must be plain names.
PAYLOAD_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


def validate_custom(
    *,
    source: str,
    aggregate: str,
    record: str,
    field_name: str,
    date_field: str,
    filters: dict[str, Any],
    event_activity: str,
) -> list[str]:
    """What is wrong with an administrator's KPI (empty when it is safe to compute)."""
    errors: list[str] = []
    if aggregate not in KpiAggregate.values:
        errors.append("aggregate")
    if source == KpiSource.RECORD:
        spec = RECORDS.get(record)
        if spec is None:
            return [*errors, "record"]
        _model, numeric, dates, allowed = spec
        if aggregate != KpiAggregate.COUNT and field_name not in numeric:
            errors.append("field")
        if date_field not in dates:
            errors.append("date_field")
        for name, value in (filters or {}).items():
            if name not in allowed or str(value) not in allowed[name]:
                errors.append(f"filters.{name}")
    elif source == KpiSource.EVENT:
        if not event_activity or not set(event_activity) <= PAYLOAD_KEY_CHARS:
            errors.append("event_activity")
        if aggregate != KpiAggregate.COUNT and (
            not field_name or not set(field_name) <= PAYLOAD_KEY_CHARS
        ):
            errors.append("field")
    else:
        errors.append("source")
    return errors


def _custom_record_qs(kpi: Kpi, ctx: Context) -> QuerySet[Any]:
    model, _numeric, _dates, allowed = RECORDS[kpi.record]
    filters = {k: v for k, v in (kpi.filters or {}).items() if k in allowed}
    return model._default_manager.filter(_month_q(kpi.date_field, ctx), **filters)


def _custom_parts(kpi: Kpi, ctx: Context, scope: Scope) -> list[Part]:
    if kpi.source == KpiSource.RECORD:
        qs = _custom_record_qs(kpi, ctx).filter(scope.q())
        if kpi.aggregate == KpiAggregate.COUNT:
            return _count_parts(qs)
        rows = _grouped(qs, n=Count(kpi.field), s=Sum(kpi.field))
        den = kpi.aggregate == KpiAggregate.AVG
        return [
            Part(
                r["responsible_id"],
                r["team_id"],
                Decimal(r["s"] or 0),
                Decimal(r["n"]) if den else Decimal(1),
            )
            for r in rows
        ]
    return _fact_parts_avg(_custom_event_facts(kpi, ctx, scope), kpi.aggregate == KpiAggregate.AVG)


def _fact_parts_avg(facts: list[Fact], avg: bool) -> list[Part]:
    if not avg:
        return _fact_parts(facts)
    grouped: dict[tuple[int | None, int | None], tuple[Decimal, Decimal]] = {}
    for f in facts:
        num, den = grouped.get((f.user_id, f.team_id), (ZERO, ZERO))
        grouped[(f.user_id, f.team_id)] = (num + f.value, den + 1)
    return [Part(u, t, n, d) for (u, t), (n, d) in grouped.items()]


def _custom_event_facts(kpi: Kpi, ctx: Context, scope: Scope) -> list[Fact]:
    """An event activity credited to the event's actor and the actor's team."""
    start, end = ctx.month.bounds()
    rows = Event.objects.filter(
        activity=kpi.event_activity, timestamp__gte=start, timestamp__lt=end
    ).values_list(
        "pk", "case_type", "case_id", "actor_id", "actor__team_id", "payload", "timestamp"
    )
    facts = []
    for _pk, case_type, case_id, actor_id, team_id, payload, stamp in rows.order_by("timestamp"):
        if not scope.holds(actor_id, team_id):
            continue
        p = payload if isinstance(payload, dict) else {}
        value = Decimal(1) if kpi.aggregate == KpiAggregate.COUNT else _money(p.get(kpi.field))
        facts.append(Fact(_local(stamp), f"{case_type} {case_id}", value, actor_id, team_id))
    return facts


def _custom_facts(kpi: Kpi, ctx: Context, scope: Scope) -> list[Fact]:
    if kpi.source == KpiSource.EVENT:
        return _custom_event_facts(kpi, ctx, scope)
    qs = _custom_record_qs(kpi, ctx).filter(scope.q()).order_by(kpi.date_field, "pk")[:500]
    url_name = {
        "deal": "sales:deal_detail",
        "lead": "sales:lead_detail",
        "activity": "activities:activity_detail",
    }[kpi.record]
    facts = []
    for obj in qs:
        value = (
            Decimal(1)
            if kpi.aggregate == KpiAggregate.COUNT
            else Decimal(getattr(obj, kpi.field) or 0)
        )
        facts.append(
            Fact(
                _local(getattr(obj, kpi.date_field)),
                str(obj),
                value,
                obj.responsible_id,
                obj.team_id,
                reverse(url_name, args=[obj.pk]),
            )
        )
    return facts
