"""Call planning by load (seed 002): spread a manager's calls over their working days.

Pure functions, no database: the services feed them calls and capacities and write the result.
A working day is Monday–Friday minus the Russian public holidays and the days off moved by
the government (the `holidays` package's RU calendar); no call is ever planned on such a day.
(Working Saturdays of the production calendar are not in that package, so they stay off.)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

HORIZON_LIMIT = 120  # working days the planner looks ahead at most


@lru_cache(maxsize=16)
def _russian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("RU", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _russian_holidays(day.year)


def holiday_name(day: date) -> str:
    return str(holidays.country_holidays("RU", years=day.year).get(day) or "")


def working_days(start: date, count: int) -> Iterator[date]:
    """The next `count` working days from `start` (inclusive)."""
    day, found = start, 0
    while found < count:
        if is_working_day(day):
            found += 1
            yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class Capacity:
    calls_per_day: int
    work_start: time
    work_end: time
    tz: ZoneInfo

    def slots(self, day: date, *, not_before: datetime | None = None) -> list[datetime]:
        """Evenly spaced call times within the working hours of a day (manager's time zone)."""
        if self.calls_per_day <= 0:
            return []
        begin = datetime.combine(day, self.work_start, tzinfo=self.tz)
        end = datetime.combine(day, self.work_end, tzinfo=self.tz)
        if end <= begin:
            end = begin + timedelta(hours=8)
        step = (end - begin) / self.calls_per_day
        moments = [begin + step * i for i in range(self.calls_per_day)]
        # Round to whole minutes: people read these times.
        moments = [m.replace(second=0, microsecond=0) for m in moments]
        if not_before is not None:
            moments = [m for m in moments if m >= not_before]
        return moments


@dataclass(frozen=True)
class CallToPlan:
    id: int
    rank: tuple[int, int, float]  # overdue first, then priority, then the old date


@dataclass
class PlanResult:
    planned: dict[int, datetime] = field(default_factory=dict)
    overflow: list[int] = field(default_factory=list)
    per_day: dict[date, int] = field(default_factory=dict)


def spread_calls(
    calls: Sequence[CallToPlan],
    capacity: Capacity,
    *,
    start: date,
    days: int,
    busy: dict[date, int] | None = None,
    now: datetime | None = None,
) -> PlanResult:
    """Fill the working days from `start` in order, at most `calls_per_day` each (minus the
    calls already fixed on that day, `busy`); what does not fit in `days` is the overload."""
    result = PlanResult()
    queue = sorted(calls, key=lambda c: (c.rank, c.id))
    position = 0
    for day in working_days(start, min(max(days, 1), HORIZON_LIMIT)):
        slots = capacity.slots(day, not_before=now)
        free = max(len(slots) - (busy or {}).get(day, 0), 0)
        # Fixed calls keep their time; the planned ones take the last free slots' spacing.
        chosen = slots[len(slots) - free :] if free else []
        taken = 0
        for moment in chosen:
            if position >= len(queue):
                break
            result.planned[queue[position].id] = moment
            position += 1
            taken += 1
        if taken:
            result.per_day[day] = taken
        if position >= len(queue):
            break
    result.overflow = [c.id for c in queue[position:]]
    return result
