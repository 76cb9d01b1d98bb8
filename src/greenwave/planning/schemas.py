"""Input and output shapes of the planning API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema

from greenwave.core.api import InSchema, fields_of, resolve_attr

from . import motivation


class FactOut(Schema):
    id: int
    kind: str
    subject: str
    result: str


class ItemOut(Schema):
    id: int
    company_id: int | None
    company: str | None
    goal: str
    priority: str
    source: str
    activity_id: int | None
    deal_id: int | None
    result: str
    done: bool
    fact: list[FactOut]
    miss_comment: str


class DayOut(Schema):
    id: int | None
    user_id: int
    user: str
    date: dt.date
    status: str
    closed_at: dt.datetime | None
    comment: str
    planned: int
    done: int
    unplanned: int
    items: list[ItemOut]


class SuggestionOut(Schema):
    source: str
    goal: str
    priority: str
    company_id: int | None
    activity_id: int | None
    deal_id: int | None


class MyDayOut(Schema):
    day: DayOut
    suggestions: list[SuggestionOut]


class ItemIn(InSchema):
    goal: str = Field(..., max_length=500)
    company_id: int | None = None
    priority: str = "normal"
    source: str = "manual"
    activity_id: int | None = None
    deal_id: int | None = None
    date: dt.date | None = None


class CloseIn(InSchema):
    date: dt.date | None = None
    miss_comments: dict[str, str] = {}
    comment: str = ""


# --- monthly plans and KPIs ----------------------------------------------------------------


class KpiOut(Schema):
    key: str
    name: str
    name_en: str
    unit: str
    direction: str
    source: str
    definition: str
    definition_en: str
    builtin: bool
    active: bool

    resolve_active = resolve_attr("is_active", bool)

    @staticmethod
    def resolve_builtin(obj: Any) -> bool:
        return bool(obj.source == "builtin")


class PlanIn(InSchema):
    user_id: int | None = Field(None, ge=1, le=2**62)
    team_id: int | None = Field(None, ge=1, le=2**62)
    targets: dict[str, Decimal | None] = Field(..., max_length=100)


class AssistedOut(Schema):
    """The revenue an assistant shares in through one split (seed 002)."""

    split_id: int
    manager_id: int
    manager: str
    share_percent: Decimal = Field(..., description="the assistant's part of the commission, %")
    valid_from: dt.date
    valid_until: dt.date | None
    revenue: Decimal = Field(
        ...,
        description=(
            "the manager's payments of the month minus refunds, dated on the days the split "
            "covers (paid revenue, as the commission statement counts it)"
        ),
    )
    revenue_share: Decimal = Field(..., description="share_percent % of that revenue")
    commission: Decimal = Field(
        ...,
        description=(
            "the sum of the assistant_share lines of this split in the assistant's statement "
            "(GET /api/v1/commissions/{period})"
        ),
    )
    facts_url: str = Field(..., description="the page listing the payments behind revenue")


class PlanOut(Schema):
    period: str
    user_id: int | None
    team_id: int | None
    locked: bool
    working_days: int
    working_days_gone: int
    targets: dict[str, Decimal | None]
    actuals: dict[str, Decimal | None]
    percent: dict[str, Decimal | None]
    forecast: dict[str, Decimal | None]
    pipeline_forecast: dict[str, Decimal | None]
    light: dict[str, str]
    previous: dict[str, Decimal | None]
    assisted: list[AssistedOut] = Field(
        [],
        description=(
            "a person's plan: the revenue they share in as the assistant of a manager, one "
            "entry per assistant split valid in the month (empty for a team)"
        ),
    )


@fields_of(motivation.Line)
class CommissionLineOut(Schema):
    note: str = Field("", description="own: product group id; assistant lines: the other person")


class CommissionOut(Schema):
    period: str
    user_id: int
    scheme: str | None
    paid: Decimal
    revenue_target: Decimal | None
    achievement: Decimal | None
    multiplier: Decimal
    total: Decimal
    lines: list[CommissionLineOut]


# --- the rules of plans and motivation ------------------------------------------------------


class SettingsIO(InSchema):
    revenue_basis: str = Field(..., description="paid (payments of the month) or won")


class KpiChangeIn(InSchema):
    """A KPI from building blocks: count/sum/avg of a record field or an event activity."""

    name: str = Field(..., max_length=120)
    name_en: str = Field("", max_length=120)
    unit: str = "count"
    direction: str = "up"
    definition: str = Field("", max_length=5000)
    definition_en: str = Field("", max_length=5000)
    source: str = Field("record", description="record or event")
    aggregate: str = Field("count", description="count, sum or avg")
    record: str = Field("", description="deal, lead or activity (source record)")
    field: str = Field("", max_length=40, description="the numeric field or payload key")
    date_field: str = Field("", max_length=40, description="the date that places a record")
    filters: dict[str, str] = Field({}, max_length=20)
    event_activity: str = Field("", max_length=80, description="the activity (source event)")
    active: bool = True


class KpiIn(KpiChangeIn):
    key: str = Field(..., max_length=40)


# A step of a commission scheme: [from % of the revenue plan, multiplier] (a pair as a list:
# OpenAPI 3.0 cannot describe a tuple).
Step = Annotated[list[Decimal], Field(min_length=2, max_length=2)]


class SchemeIn(InSchema):
    name: str = Field(..., max_length=120)
    default_percent: Decimal
    group_percents: dict[str, Decimal] = Field({}, max_length=200)
    steps: list[Step] = Field(
        [],
        max_length=50,
        description="[from % of the revenue plan, multiplier] pairs, ascending",
    )


class SchemeOut(Schema):
    id: int
    name: str
    active: bool
    default_percent: Decimal
    group_percents: dict[str, Decimal]
    steps: list[Step]

    resolve_active = resolve_attr("is_active", bool)


class SplitIn(InSchema):
    manager_id: int = Field(..., ge=1, le=2**62)
    assistant_id: int = Field(..., ge=1, le=2**62)
    share_percent: Decimal
    valid_from: dt.date
    valid_until: dt.date | None = None


class SplitOut(Schema):
    id: int
    manager_id: int
    assistant_id: int
    share_percent: Decimal
    valid_from: dt.date
    valid_until: dt.date | None
