"""Sales of a period against the period before it and the same period a year earlier.

Seed 000 asks the head of sales to compare sales "for the period" with the previous period
and with last year. One aggregate query answers all three periods: the deals created, won
and lost in each (a win or a loss counts on the day the deal closed) and the amount won per
currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records

from .models import Deal, DealStatus, Pipeline

PERIODS = ("current", "previous", "year_ago")
CENT = Decimal("0.01")


@dataclass
class PeriodFigures:
    key: str  # one of PERIODS
    date_from: date
    date_to: date  # inclusive
    created: int = 0
    won: int = 0
    lost: int = 0
    won_amount: dict[str, Decimal] = field(default_factory=dict)  # currency → amount

    @property
    def win_rate(self) -> float | None:
        closed = self.won + self.lost
        return round(self.won / closed, 4) if closed else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.key,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "created": self.created,
            "won": self.won,
            "lost": self.lost,
            "win_rate": self.win_rate,
            "won_amount": {k: str(v) for k, v in sorted(self.won_amount.items())},
        }


def comparison_periods(date_from: date, date_to: date) -> list[tuple[str, date, date]]:
    """The period, the one of the same length just before it, and the same dates a year ago."""
    length = (date_to - date_from).days + 1
    previous_to = date_from - timedelta(days=1)
    return [
        ("current", date_from, date_to),
        ("previous", previous_to - timedelta(days=length - 1), previous_to),
        ("year_ago", _year_earlier(date_from), _year_earlier(date_to)),
    ]


def _year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _between(name: str, date_from: date, date_to: date) -> Q:
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz)
    return Q(**{f"{name}__gte": start, f"{name}__lt": end})


def period_over_period(
    *,
    actor: User,
    date_from: date,
    date_to: date,
    pipeline: Pipeline | None = None,
) -> list[PeriodFigures]:
    """Figures of the period, the previous period and the period a year ago (one query)."""
    if date_to < date_from:
        raise ValueError("date_to before date_from")
    periods = comparison_periods(date_from, date_to)
    deals = Deal.objects.all() if pipeline is None else Deal.objects.filter(pipeline=pipeline)
    touched = Q()
    measures: dict[str, Any] = {}
    for key, start, end in periods:
        created, closed = _between("created_at", start, end), _between("closed_at", start, end)
        touched |= created | closed
        won = closed & Q(status=DealStatus.WON)
        measures[f"{key}_created"] = Count("pk", filter=created)
        measures[f"{key}_won"] = Count("pk", filter=won)
        measures[f"{key}_lost"] = Count("pk", filter=closed & Q(status=DealStatus.LOST))
        measures[f"{key}_amount"] = Sum("amount", filter=won)
    rows = (
        scope_records(deals.filter(touched), actor=actor)
        .order_by()
        .values("currency")
        .annotate(**measures)
    )
    figures = {key: PeriodFigures(key, start, end) for key, start, end in periods}
    for row in rows:
        for key, item in figures.items():
            item.created += row[f"{key}_created"]
            item.won += row[f"{key}_won"]
            item.lost += row[f"{key}_lost"]
            if row[f"{key}_amount"] is not None and row[f"{key}_won"]:
                item.won_amount[row["currency"]] = Decimal(row[f"{key}_amount"]).quantize(CENT)
    return [figures[key] for key in PERIODS]
