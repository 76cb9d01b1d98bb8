"""API schemas of the analytics app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

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


class SavedSegmentIn(Schema):
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
