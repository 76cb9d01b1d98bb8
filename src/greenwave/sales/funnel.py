"""The sales funnel, computed in SQL from the event log (DESIGN.md "the event spine").

Per stage of a pipeline, over events in a period: how many deals entered the stage, left it
forward, were lost or won in it, the conversion to the next stage, the average and median time
spent in it (from `seconds_in_stage`, written when the deal leaves the stage), and how many open
deals sit in it longer than the stage's expected duration (seed 000: where leads pile up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    BigIntegerField,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.models import Event

from . import events
from .models import Deal, DealStatus, Pipeline

# Slices of seed 000: by employee, team, new/current client, region and lead channel.
GROUPS = {
    "responsible": "responsible_id",
    "team": "team_id",
    "segment": "company__segment",
    "region": "company__region",
    "channel": "origin_lead__source",
    "product": "items__product_id",  # a deal with several lines counts under its first one
}


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

    @property
    def conversion(self) -> float | None:
        exits = self.forward + self.won
        return round(exits / self.entered, 4) if self.entered else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage_id": self.stage_id,
            "stage": self.stage,
            "group": self.group,
            "entered": self.entered,
            "forward": self.forward,
            "lost": self.lost,
            "won": self.won,
            "conversion": self.conversion,
            "avg_days": self.avg_days,
            "median_days": self.median_days,
            "stuck": self.stuck,
            "expected_days": self.expected_days,
        }


def _period(date_from: date | None, date_to: date | None) -> Q:
    tz = timezone.get_current_timezone()
    condition = Q()
    if date_from:
        condition &= Q(timestamp__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        condition &= Q(
            timestamp__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
        )
    return condition


def _deal_events(actor: User, pipeline: Pipeline, period: Q) -> QuerySet[Event]:
    visible = scope_records(Deal.objects.filter(pipeline=pipeline), actor=actor)
    ids = visible.annotate(key=Cast("pk", CharField())).values("key")
    return Event.objects.filter(period, case_type="deal", case_id__in=Subquery(ids))


def _grouped(qs: QuerySet[Event], group_by: str | None) -> Any:  # annotated with grp
    if group_by is None:
        return qs.annotate(grp=Value(None, output_field=CharField()))
    field = GROUPS[group_by]
    deal = (
        Deal.objects.filter(pk=Cast(OuterRef("case_id"), BigIntegerField()))
        .order_by("items__pk")
        .values(field)[:1]
    )
    return qs.annotate(grp=Cast(Subquery(deal), CharField()))


def _counts(qs: QuerySet[Event], activity: str, key: str, group_by: str | None) -> dict[Any, int]:
    rows = (
        _grouped(qs.filter(activity=activity), group_by)
        .annotate(stage_key=KeyTextTransform(key, "payload"))
        .values("stage_key", "grp")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(str(r["stage_key"]), r["grp"]): r["n"] for r in rows}


def _exits(qs: QuerySet[Event], group_by: str | None) -> Any:  # annotated queryset
    """Events that end a stay in a stage: the stage left and the seconds spent in it."""
    exits = qs.filter(
        Q(activity=events.DEAL_STAGE_CHANGED) | Q(activity__in=[events.DEAL_WON, events.DEAL_LOST])
    )
    return (
        _grouped(exits, group_by)
        .annotate(
            # from_stage for a move, stage for a win or a loss.
            stage_any=Coalesce(
                KeyTextTransform("from_stage", "payload"), KeyTextTransform("stage", "payload")
            ),
            seconds=Cast(KeyTextTransform("seconds_in_stage", "payload"), IntegerField()),
        )
        .filter(seconds__isnull=False)
    )


def _durations(qs: QuerySet[Event], group_by: str | None) -> dict[Any, tuple[float, float]]:
    """Average and median seconds in stage per (stage, group), in SQL on both databases."""
    keyed = _exits(qs, group_by)
    averages = {
        (str(r["stage_any"]), r["grp"]): float(r["avg"])
        for r in keyed.values("stage_any", "grp").annotate(avg=Avg("seconds")).order_by()
    }
    medians = _medians(keyed)
    return {k: (averages[k], medians.get(k, averages[k])) for k in averages}


def _medians(keyed: Any) -> dict[Any, float]:
    """Median per (stage, group) with window functions, the same SQL on SQLite and PostgreSQL.

    Rows are numbered within their group; the one or two middle rows are kept (at most two per
    group reach Python, to average the pair of an even count).
    """
    partition = [F("stage_any"), F("grp")]
    middle = (
        keyed.annotate(
            rn=Window(RowNumber(), partition_by=partition, order_by=F("seconds").asc()),
            cnt=Window(Count("pk"), partition_by=partition),
        )
        .filter(rn__gte=(F("cnt") + 1) / 2, rn__lte=(F("cnt") + 2) / 2)
        .values_list("stage_any", "grp", "seconds")
    )
    pairs: dict[Any, list[int]] = {}
    for stage, group, seconds in middle:
        pairs.setdefault((str(stage), group), []).append(seconds)
    return {key: sum(values) / len(values) for key, values in pairs.items()}


def funnel(
    *,
    actor: User,
    pipeline: Pipeline,
    date_from: date | None = None,
    date_to: date | None = None,
    group_by: str | None = None,
) -> list[FunnelRow]:
    if group_by is not None and group_by not in GROUPS:
        raise ValueError(group_by)
    qs = _deal_events(actor, pipeline, _period(date_from, date_to))
    entered_new = _counts(qs, events.DEAL_CREATED, "stage", group_by)
    entered_moved = _counts(
        qs.filter(payload__direction="forward"), events.DEAL_STAGE_CHANGED, "to_stage", group_by
    )
    forward = _counts(
        qs.filter(payload__direction="forward"), events.DEAL_STAGE_CHANGED, "from_stage", group_by
    )
    lost = _counts(qs, events.DEAL_LOST, "stage", group_by)
    won = _counts(qs, events.DEAL_WON, "stage", group_by)
    durations = _durations(qs, group_by)
    stuck = _stuck(actor, pipeline, group_by)
    groups = sorted(
        {g for d in (entered_new, entered_moved, lost, won, stuck) for (_s, g) in d},
        key=lambda g: (g is None, str(g)),
    ) or [None]
    rows: list[FunnelRow] = []
    for group in groups:
        for stage in pipeline.stages.all():
            key = (str(stage.pk), group)
            avg, median = durations.get(key, (None, None))
            rows.append(
                FunnelRow(
                    stage_id=stage.pk,
                    stage=stage.label,
                    group=group,
                    entered=entered_new.get(key, 0) + entered_moved.get(key, 0),
                    forward=forward.get(key, 0),
                    lost=lost.get(key, 0),
                    won=won.get(key, 0),
                    avg_days=round(avg / 86400, 2) if avg is not None else None,
                    median_days=round(median / 86400, 2) if median is not None else None,
                    stuck=stuck.get(key, 0),
                    expected_days=stage.expected_days,
                )
            )
    return rows


def _stuck(actor: User, pipeline: Pipeline, group_by: str | None) -> dict[Any, int]:
    """Open deals in each stage for longer than the stage's expected duration (one query)."""
    now = timezone.now()
    qs = scope_records(Deal.objects.filter(pipeline=pipeline, status=DealStatus.OPEN), actor=actor)
    late = Q(pk__in=[])
    for stage in pipeline.stages.all():
        late |= Q(stage=stage, stage_entered_at__lt=now - timedelta(days=stage.expected_days))
    field = GROUPS[group_by] if group_by is not None else None
    columns = ["stage_id", *([field] if field else [])]
    result: dict[Any, int] = {}
    for row in qs.filter(late).values(*columns).annotate(n=Count("pk")).order_by():
        grp = row[field] if field else None
        result[(str(row["stage_id"]), str(grp) if grp is not None else None)] = row["n"]
    return result
