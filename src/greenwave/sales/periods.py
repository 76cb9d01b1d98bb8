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
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.records import field_values

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
            **field_values(self, leave_out={"key", "won_amount"}),
            "win_rate": self.win_rate,
            "won_amount": {k: str(v) for k, v in sorted(self.won_amount.items())},
        }


# A day of margin at both ends of the calendar: local midnight of 1 January of year 1 is in
# year 0 in UTC, and a period ends at the midnight after its last day.
FIRST_DAY, LAST_DAY = date(1, 1, 2), date(9999, 12, 30)


def check_period_dates(*days: date | None) -> None:
    """Refuse dates outside the calendar the queries can express: a 400, never a 500."""
    if any(day is not None and not FIRST_DAY <= day <= LAST_DAY for day in days):
        raise _out_of_range()


def check_period_order(date_from: date | None, date_to: date | None) -> None:
    """Refuse a period that ends before it starts (a 400 naming `to`); an open end is fine."""
    if date_from is not None and date_to is not None and date_to < date_from:
        message = _("The end of the period is before its start.")
        raise DomainError(CoreError.VALIDATION, message, details={"fields": {"to": [message]}})


def _out_of_range() -> DomainError:
    message = _(
        "The dates, those of the compared periods included, must lie between %(first)s "
        "and %(last)s."
    ) % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }
    return DomainError(CoreError.VALIDATION, message, details={"fields": {"from": [message]}})


def comparison_periods(date_from: date, date_to: date) -> list[tuple[str, date, date]]:
    """The period, the one of the same length just before it, and the same dates a year ago."""
    check_period_dates(date_from, date_to)
    length = (date_to - date_from).days + 1
    try:
        previous_to = date_from - timedelta(days=1)
        periods = [
            ("current", date_from, date_to),
            ("previous", previous_to - timedelta(days=length - 1), previous_to),
            ("year_ago", _year_earlier(date_from), _year_earlier(date_to)),
        ]
    except (OverflowError, ValueError) as exc:  # before year 1
        raise _out_of_range() from exc
    check_period_dates(*(day for _key, start, end in periods for day in (start, end)))
    return periods


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
