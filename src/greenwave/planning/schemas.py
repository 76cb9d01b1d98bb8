"""Input and output shapes of the planning API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict


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


class ItemIn(Schema):
    goal: str = Field(..., max_length=500)
    company_id: int | None = None
    priority: str = "normal"
    source: str = "manual"
    activity_id: int | None = None
    deal_id: int | None = None
    date: dt.date | None = None


class CloseIn(Schema):
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


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    user_id: int | None = Field(None, ge=1, le=2**62)
    team_id: int | None = Field(None, ge=1, le=2**62)
    targets: dict[str, Decimal | None] = Field(..., max_length=100)


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


class CommissionLineOut(Schema):
    kind: str
    invoice: str
    invoice_id: str
    payment_date: dt.date
    amount: Decimal
    base: Decimal
    percent: Decimal
    multiplier: Decimal
    commission: Decimal
    deal_id: int | None


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
