"""ABC by revenue, XYZ by regularity and RFM scores of the visible clients (seed 000).

All three are computed over the same window, the `months` whole months ending with the month
of `as_of` (12 by default), from the visible won deals in the main currency, with one query:
the revenue per client per month.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.money import CENTS, DEFAULT_CURRENCY
from greenwave.core.records import field_values
from greenwave.core.values import EMPTY
from greenwave.sales.models import Deal, DealStatus

KINDS = ("abc", "xyz", "rfm")
ABC_A, ABC_B = Decimal("0.80"), Decimal("0.95")
XYZ_X, XYZ_Y = Decimal("0.50"), Decimal("1.00")
DEFAULT_MONTHS = 12


@dataclass
class SegmentParams:
    months: int = DEFAULT_MONTHS
    as_of: date | None = None
    a_share: Decimal = ABC_A
    b_share: Decimal = ABC_B
    x_max: Decimal = XYZ_X
    y_max: Decimal = XYZ_Y

    def rule(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "as_of": (self.as_of or timezone.localdate()).isoformat(),
            "a_share": str(self.a_share),
            "b_share": str(self.b_share),
            "x_max": str(self.x_max),
            "y_max": str(self.y_max),
        }


@dataclass
class ClientSegment:
    company_id: int
    name: str
    revenue: Decimal
    orders: int
    last_purchase: datetime
    monthly: list[Decimal] = field(default_factory=list)
    abc: str = ""
    cumulative_share: Decimal = Decimal(0)
    xyz: str = ""
    variation: Decimal | None = None
    recency_days: int = 0
    r: int = 0
    f: int = 0
    m: int = 0

    @property
    def rfm(self) -> str:
        return f"{self.r}{self.f}{self.m}"

    def classes(self, kind: str) -> str:
        return {"abc": self.abc, "xyz": self.xyz, "rfm": self.rfm}[kind]

    def as_dict(self) -> dict[str, Any]:
        return {**field_values(self, leave_out={"monthly"}), "rfm": self.rfm}


def _months(as_of: date, count: int) -> list[date]:
    """The first days of `count` months ending with the month of `as_of`, oldest first."""
    year, month = as_of.year, as_of.month
    out = []
    for _n in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def window_of(params: SegmentParams) -> tuple[date, date]:
    as_of = params.as_of or timezone.localdate()
    return _months(as_of, params.months)[0], as_of


def segment_clients(*, actor: User, params: SegmentParams) -> list[ClientSegment]:
    """Every visible client who bought in the window, with its ABC, XYZ and RFM classes."""
    as_of = params.as_of or timezone.localdate()
    months = _months(as_of, params.months)
    tz = timezone.get_current_timezone()
    start = datetime.combine(months[0], time.min, tzinfo=tz)
    end = datetime.combine(as_of, time.max, tzinfo=tz)
    deals = scope_records(
        Deal.objects.filter(
            status=DealStatus.WON,
            currency=DEFAULT_CURRENCY,
            closed_at__gte=start,
            closed_at__lte=end,
        ).exclude(company=None),
        actor=actor,
    )
    rows = (
        deals.order_by()
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .values("company_id", "company__name", "month")
        .annotate(revenue=Sum("amount"), orders=Count("pk"), last=Max("closed_at"))
    )
    index = {month: n for n, month in enumerate(months)}
    clients: dict[int, ClientSegment] = {}
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        revenue = Decimal(row["revenue"] or 0).quantize(CENTS)
        client = clients.get(row["company_id"])
        if client is None:
            client = clients[row["company_id"]] = ClientSegment(
                company_id=row["company_id"],
                name=row["company__name"],
                revenue=Decimal(0),
                orders=0,
                last_purchase=row["last"],
                monthly=[Decimal(0)] * len(months),
            )
        client.revenue += revenue
        client.orders += row["orders"]
        client.last_purchase = max(client.last_purchase, row["last"])
        client.monthly[index[month]] += revenue
    result = sorted(clients.values(), key=lambda c: (-c.revenue, c.name, c.company_id))
    _abc(result, params)
    _xyz(result, params)
    _rfm(result, end)
    return result


def _abc(clients: list[ClientSegment], params: SegmentParams) -> None:
    """A: the clients bringing the first 80 % of revenue (a client is A while the revenue of
    the clients above it is under 80 %), B the next 15 %, C the rest."""
    total = sum((c.revenue for c in clients), Decimal(0))
    above = Decimal(0)
    for client in clients:
        before = above / total if total else Decimal(0)
        above += client.revenue
        client.cumulative_share = (
            (above / total).quantize(Decimal("0.0001")) if total else Decimal(0)
        )
        client.abc = "A" if before < params.a_share else "B" if before < params.b_share else "C"


def _xyz(clients: list[ClientSegment], params: SegmentParams) -> None:
    """Coefficient of variation of the monthly revenue (months without a purchase are 0):
    X up to 0.5, Y up to 1.0, Z above."""
    for client in clients:
        cv = variation(client.monthly)
        if cv is None:
            continue
        client.variation = cv
        client.xyz = "X" if cv <= params.x_max else "Y" if cv <= params.y_max else "Z"


def variation(monthly: list[Decimal]) -> Decimal | None:
    """The coefficient of variation of a monthly series, to 4 places (None when its mean is 0)."""
    values = [float(v) for v in monthly]
    mean = sum(values) / len(values)
    if not mean:
        return None
    deviation = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return Decimal(str(round(deviation / mean, 4)))


def _score(values: list[Any], value: Any) -> int:
    """1–5 by quintile of the sorted values; equal values get the same score."""
    return 1 + (bisect_left(values, value) * 5) // len(values)


def _rfm(clients: list[ClientSegment], end: datetime) -> None:
    """R (recency: fewer days since the last purchase is better), F (purchases), M (revenue),
    each scored 1–5 by quintile among the clients of the window."""
    if not clients:
        return
    for client in clients:
        client.recency_days = max(0, (end - client.last_purchase).days)
    recency = sorted(-c.recency_days for c in clients)
    frequency = sorted(c.orders for c in clients)
    monetary = sorted(c.revenue for c in clients)
    for client in clients:
        client.r = _score(recency, -client.recency_days)
        client.f = _score(frequency, client.orders)
        client.m = _score(monetary, client.revenue)


def summary(clients: list[ClientSegment], kind: str) -> list[dict[str, Any]]:
    """Per class: clients, revenue and its share."""
    total = sum((c.revenue for c in clients), Decimal(0))
    classes: dict[str, dict[str, Any]] = {}
    for client in clients:
        key = client.classes(kind) if kind != "rfm" else f"R{client.r}"
        row = classes.setdefault(
            key or EMPTY, {"segment": key or EMPTY, "clients": 0, "revenue": Decimal(0)}
        )
        row["clients"] += 1
        row["revenue"] += client.revenue
    for row in classes.values():
        row["share"] = (row["revenue"] / total).quantize(Decimal("0.0001")) if total else None
    return sorted(classes.values(), key=lambda r: r["segment"])


def definitions(kind: str, params: SegmentParams) -> str:
    if kind == "abc":
        return _(
            "Clients sorted by revenue of the window; A: the clients bringing the first "
            "%(a)s%% of revenue, B: the next ones up to %(b)s%%, C: the rest."
        ) % {"a": int(params.a_share * 100), "b": int(params.b_share * 100)}
    if kind == "xyz":
        return _(
            "Coefficient of variation (standard deviation ÷ mean) of the client's revenue per "
            "month of the window, months without purchases counting as 0; X: up to %(x)s, "
            "Y: up to %(y)s, Z: above (irregular)."
        ) % {"x": params.x_max, "y": params.y_max}
    return _(
        "R: days since the last purchase, F: number of purchases, M: revenue in the window; "
        "each scored 1–5 by quintile among the clients (5 is best: recent, frequent, large)."
    )


def matches(client: ClientSegment, kind: str, classes: list[str]) -> bool:
    """Does a client belong to the chosen classes (ABC/XYZ letters; RFM codes like "555" or
    minimum scores "R4", "F3", "M5")?"""
    if kind != "rfm":
        return client.classes(kind) in classes
    wanted = [c for c in classes if len(c) == 3 and c.isdigit()]
    minimums = {
        c[0]: int(c[1]) for c in classes if len(c) == 2 and c[0] in "RFM" and c[1].isdigit()
    }
    if wanted and client.rfm not in wanted:
        return False
    scores = {"R": client.r, "F": client.f, "M": client.m}
    return all(scores[k] >= v for k, v in minimums.items()) and bool(wanted or minimums)
