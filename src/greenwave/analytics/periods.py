"""One of the periods a figure is compared across (`sales.periods.comparison_periods`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any


@dataclass
class ComparedPeriod:
    key: str  # current, previous or year_ago
    date_from: date
    date_to: date  # inclusive

    def period_dict(self) -> dict[str, Any]:
        """What names the period in a figure's `as_dict`."""
        return {"period": self.key, "date_from": self.date_from, "date_to": self.date_to}


# The fields that name the period, left out where a figure lists its own fields.
PERIOD_FIELDS = frozenset(f.name for f in fields(ComparedPeriod))
