"""Answers of the mining API."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Schema

from greenwave.core.api import IsoDate


class LogFilter(Schema):
    """The query parameters naming the mined log (shared by every mining endpoint)."""

    # Each field is named as `mining.log.case_log` takes it; the parameter, by its alias.
    case_type: str = "deal"
    pipeline_id: int | None = Field(None, alias="pipeline")
    process: str = ""
    date_from: IsoDate | None = Field(None, alias="from")
    date_to: IsoDate | None = Field(None, alias="to")
    team_id: int | None = Field(None, alias="team")
    user_id: int | None = Field(None, alias="user")
    variants: list[str] = Field(
        default_factory=list,
        alias="variant",
        description="only the cases of these variants (ids from /variants)",
    )
    amount_min: Decimal | None = Field(None, description="deals of at least this amount")
    amount_max: Decimal | None = Field(None, description="deals of at most this amount")
    source: str = Field(
        "", alias="lead_source", description="deals from leads of this source, or leads of it"
    )
    product_group_id: int | None = Field(
        None, alias="product_group", description="deals with a line of this group"
    )


class NodeOut(Schema):
    activity: str
    label: str
    count: int


class EdgeOut(Schema):
    source: str
    target: str
    count: int
    median_seconds: float | None
    mean_seconds: float | None


class DfgOut(Schema):
    case_type: str
    cases: int
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class VariantOut(Schema):
    id: str
    activities: list[str]
    labels: list[str]
    count: int
    share: float
    median_seconds: float


class ReworkOut(Schema):
    activity: str
    label: str
    cases: int
    repeats: int
    total_seconds: float
    median_seconds: float


class BottleneckOut(EdgeOut):
    source_label: str
    target_label: str


class WaitOut(Schema):
    user_id: int | None
    user: str
    task: str
    count: int
    median_seconds: float
    mean_seconds: float
    total_seconds: float


class EdgeCaseOut(Schema):
    case_id: str
    title: str
    url: str


class DeviationOut(Schema):
    kind: str
    activity: str
    label: str
    count: int


class CaseFitnessOut(Schema):
    case_id: str
    fitness: float
    missing: int
    remaining: int
    produced: int
    consumed: int
    deviations: list[str]


class ConformanceOut(Schema):
    model: str
    fitness: float | None
    cases: int
    deviations: list[DeviationOut]
    case_fitness: list[CaseFitnessOut]
