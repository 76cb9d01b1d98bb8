"""API schemas of the analytics app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from greenwave.core.api import InSchema, fields_of
from greenwave.sales.schemas import PeriodCountsOut, StageFlowOut

Number = Decimal | int | None


class PeriodOut(Schema):
    period: str
    date_from: date
    date_to: date


class FigureOut(Schema):
    key: str
    number: str = Field(..., description="The number(s) of the figure in seed 003's list.")
    label: str
    unit: str = Field(..., description="money (roubles), count or share (0–1).")
    definition: str
    values: dict[str, Number] = Field(..., description="current, previous, year_ago.")
    shares: dict[str, Number] | None = None
    changes: dict[str, Number] = Field(
        ..., description="Against previous / year_ago: per cent, or points for shares."
    )


class BreakdownRowOut(Schema):
    key: str
    label: str
    values: dict[str, Number]
    rows: dict[str, dict[str, Any] | None]
    changes: dict[str, Number]


class BreakdownOut(Schema):
    number: str
    label: str
    definition: str
    measure: str
    rows: list[BreakdownRowOut]


class SeriesPointOut(Schema):
    bucket: date
    orders: int
    volume: Decimal
    average_check: Decimal | None


class SalesOut(Schema):
    date_from: date
    date_to: date
    group_by: str
    compare: str | None
    lost_after_days: int
    periods: list[PeriodOut]
    figures: list[FigureOut]
    breakdowns: dict[str, BreakdownOut]
    series: dict[str, list[SeriesPointOut]]
    counts: dict[str, dict[str, int]] = Field(
        ...,
        description="Per period: costed_orders (behind the profit), other_currency_orders "
        "(won deals not in roubles, not summed).",
    )


class ClientContactOut(Schema):
    contact_id: int
    full_name: str
    position: str
    gender: str = Field(..., description="male, female or empty (not given).")
    email: str = Field(..., description="The contact's first e-mail, or empty.")
    phone: str = Field(..., description="The contact's first phone (E.164), or empty.")
    birthday: date | None
    age: int | None = Field(
        ...,
        description="Full years by today in the reader's time zone from the birthday; "
        "without one, the age recorded on the decision maker.",
    )


class ClientOut(Schema):
    company_id: int
    name: str
    region: str
    first_contact: datetime | None
    first_purchase: datetime | None
    last_purchase: datetime | None
    orders: int
    days_between_purchases: Decimal | None
    revenue: Decimal
    average_check: Decimal | None
    maturation_days: int | None
    product_groups: list[str]
    status: str
    contact: ClientContactOut | None = Field(
        ...,
        description="The main contact person: the decision maker of the greatest influence, "
        "else the client's first contact; null when the reader may see none of its contacts.",
    )


class SegmentClientOut(Schema):
    company_id: int
    name: str
    revenue: Decimal
    orders: int
    last_purchase: datetime
    abc: str
    cumulative_share: Decimal
    xyz: str
    variation: Decimal | None
    recency_days: int
    r: int
    f: int
    m: int
    rfm: str


class SegmentClassOut(Schema):
    segment: str
    clients: int
    revenue: Decimal
    share: Decimal | None


class SegmentsOut(Schema):
    kind: str
    date_from: date
    date_to: date
    definition: str
    summary: list[SegmentClassOut]
    items: list[SegmentClientOut]
    count: int
    page: int
    page_size: int


class SavedSegmentIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: str = Field(..., pattern="^(abc|xyz|rfm)$")
    classes: list[str] = Field(
        ...,
        min_length=1,
        max_length=125,
        description='ABC/XYZ letters, RFM codes ("555") or minimum scores ("R4", "M5").',
    )
    months: int = Field(12, ge=1, le=60)


class SavedSegmentOut(Schema):
    id: int
    name: str
    kind: str
    rule: dict[str, Any]
    company_ids: list[int]
    size: int
    created_at: datetime
    responsible_id: int | None


class LossReasonCountOut(Schema):
    reason: str
    deals: int


class CompetitorFiguresOut(Schema):
    id: int
    name: str
    website: str
    price_level: str
    price_level_label: str
    assortment: str
    special_conditions: str
    marketing_activity: str
    clients: int
    deals_won: int
    deals_lost: int
    lost_amount: Decimal
    win_rate: Decimal | None
    last_met: datetime | None
    loss_reasons: list[LossReasonCountOut]


class NpsPeriodOut(Schema):
    period: str
    date_from: date
    date_to: date
    responses: int
    promoters: int = Field(..., description="Scores 9–10.")
    passives: int = Field(..., description="Scores 7–8.")
    detractors: int = Field(..., description="Scores 0–6.")
    nps: Decimal | None = Field(..., description="% promoters − % detractors, −100…100.")


class NpsGroupOut(NpsPeriodOut):
    name: str


class NpsOut(Schema):
    periods: list[NpsPeriodOut] = Field(..., description="current, previous, year_ago.")
    changes: dict[str, Decimal | None] = Field(..., description="NPS points against each.")
    by_manager: list[NpsGroupOut]
    by_team: list[NpsGroupOut]


class NpsIn(InSchema):
    deal_id: int = Field(..., description="A won deal the caller may change.")
    contact_id: int | None = Field(None, description="A contact of the deal's client.")
    score: int | None = Field(
        None, description="0–10 to record an answer; leave out to create a survey link."
    )
    comment: str = Field("", max_length=4000)


class NpsSurveyOut(Schema):
    id: int
    channel: str
    deal_id: int | None
    company_id: int | None
    contact_id: int | None
    score: int | None
    comment: str
    answered_at: datetime | None
    link: str | None = Field(None, description="The public answer page (survey links only).")


@fields_of(StageFlowOut, after="stage")
class FunnelStageOut(Schema):
    stage_id: int
    stage: str


class FunnelOverviewOut(Schema):
    pipeline_id: int
    date_from: date | None
    date_to: date | None
    stages: list[FunnelStageOut]
    incoming: int = Field(..., description="Deals created (incoming contacts).")
    closed: int = Field(..., description="Deals won or lost (closed contacts).")
    won: int
    lost: int
    overall_conversion: float | None = Field(..., description="Won ÷ incoming.")
    average_amount: Decimal | None = Field(..., description="Won amount ÷ won, roubles.")
    deal_days: float | None = Field(..., description="Average days from creation to close.")
    per_week: float | None = Field(..., description="Deals closed per week (throughput).")


class OverviewOut(PeriodCountsOut):
    volume: Decimal
    orders: int
    average_check: Decimal | None
    deal_days: float | None
