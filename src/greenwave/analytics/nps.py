"""NPS (seed 000): «по бальной шкале с какой вероятностью вы порекомендуете нас вашим друзьям?»

Scores 9–10 are promoters, 7–8 passives, 0–6 detractors; NPS = % promoters − % detractors of
the answers given in a period (by `answered_at`, local days), from −100 to 100. Scoped like
deals: a manager sees the answers about their deals, a head the team's, the director all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import Team, User
from greenwave.core.records import field_values
from greenwave.core.values import EMPTY
from greenwave.sales.periods import comparison_periods

from . import selectors
from .figures import window
from .models import NpsSurvey
from .periods import PERIOD_FIELDS, ComparedPeriod

KINDS = {
    "promoters": Q(score__gte=9),
    "passives": Q(score__gte=7, score__lte=8),
    "detractors": Q(score__lte=6),
}
KIND_LABELS = {
    "promoters": _("Promoters (9–10)"),
    "passives": _("Passives (7–8)"),
    "detractors": _("Detractors (0–6)"),
}
BY = {"responsible": "responsible_id", "team": "team_id"}


def kind_of(score: int) -> str:
    return "promoters" if score >= 9 else "passives" if score >= 7 else "detractors"


@dataclass
class NpsFigure(ComparedPeriod):
    promoters: int = 0
    passives: int = 0
    detractors: int = 0

    @property
    def responses(self) -> int:
        return self.promoters + self.passives + self.detractors

    @property
    def nps(self) -> Decimal | None:
        if not self.responses:
            return None
        value = Decimal(100 * (self.promoters - self.detractors)) / Decimal(self.responses)
        return value.quantize(Decimal("0.1"))

    def as_dict(self) -> dict[str, Any]:
        counts = field_values(self, leave_out=PERIOD_FIELDS)
        return {**self.period_dict(), "responses": self.responses, **counts, "nps": self.nps}


def answers(
    *, actor: User, date_from: date, date_to: date, kind: str | None = None
) -> QuerySet[NpsSurvey]:
    """The visible answers given in the period (the click-through of every NPS number)."""
    start, end = window(date_from, date_to)
    qs = selectors.nps_list(actor=actor).filter(
        score__isnull=False, answered_at__gte=start, answered_at__lt=end
    )
    if kind in KINDS:
        qs = qs.filter(KINDS[kind])
    return qs.order_by("-answered_at", "-pk")


def _count(qs: QuerySet[NpsSurvey]) -> dict[str, int]:
    return qs.aggregate(**{k: Count("pk", filter=q) for k, q in KINDS.items()})


def nps_periods(*, actor: User, date_from: date, date_to: date) -> list[NpsFigure]:
    """The NPS of the period, the previous one and the same dates a year ago."""
    found = []
    for key, start, end in comparison_periods(date_from, date_to):
        counts = _count(answers(actor=actor, date_from=start, date_to=end).order_by())
        found.append(NpsFigure(key, start, end, **counts))
    return found


def nps_changes(figures: list[NpsFigure]) -> dict[str, Decimal | None]:
    """Points of NPS against each comparison period."""
    current = figures[0].nps
    return {
        f.key: (current - f.nps).quantize(Decimal("0.1"))
        if current is not None and f.nps is not None
        else None
        for f in figures[1:]
    }


def nps_by(*, actor: User, date_from: date, date_to: date, by: str) -> list[dict[str, Any]]:
    """NPS of the period per manager or per team."""
    field = BY[by]
    qs = answers(actor=actor, date_from=date_from, date_to=date_to).order_by()
    rows = list(qs.values(field).annotate(**{k: Count("pk", filter=q) for k, q in KINDS.items()}))
    ids = [row[field] for row in rows if row[field] is not None]
    model = User if by == "responsible" else Team
    names = {obj.pk: str(obj) for obj in model.objects.filter(pk__in=ids)}
    out = []
    for row in rows:
        figure = NpsFigure(
            "current",
            date_from,
            date_to,
            row["promoters"],
            row["passives"],
            row["detractors"],
        )
        out.append({"name": names.get(row[field], EMPTY), **figure.as_dict()})
    return sorted(out, key=lambda r: (-(r["responses"]), str(r["name"])))
