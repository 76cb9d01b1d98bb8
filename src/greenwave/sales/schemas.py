"""API schemas of the sales app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from greenwave.accounts.models import RoleCode
from greenwave.core.api import InSchema, fields_of, patch_of
from greenwave.core.text import LONG_TEXT_MAX_LENGTH

from .models import LeadCategory, LeadRating
from .services.common import LeadFields


class StageOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    order: int
    input_description: str
    output_description: str
    output_checklist: list[dict[str, Any]]
    responsible_role: str
    participants: list[str] = Field(
        description="The roles taking part in the stage besides the responsible one."
    )
    expected_days: int
    probability: int
    target_conversion: int | None = Field(
        description="The target share, %, of the deals leaving the stage that move on or are "
        "won; null: no target."
    )
    key_success_factor: str
    tasks: str
    actions: str
    opening_process: str


class LossReasonOut(Schema):
    id: int
    name: str
    name_en: str


class PipelineOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    is_default: bool
    stages: list[StageOut]
    loss_reasons: list[LossReasonOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())

    @staticmethod
    def resolve_loss_reasons(obj: Any) -> list[Any]:
        return list(obj.loss_reasons.all())


class DealOut(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: str
    amount: Decimal
    currency: str
    probability: int
    expected_close_date: date | None
    company_id: int | None
    contact_ids: list[int]
    price_list_id: int | None
    items: list[DealItemOut]
    responsible_id: int | None
    team_id: int | None
    hunter_id: int | None
    hunter_share_percent: Decimal
    description: str
    stage_entered_at: datetime
    lost_reason: str | None
    closed_at: datetime | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        lines = getattr(obj, "lines", None)  # prefetched by the deal selectors
        return list(obj.items.all()) if lines is None else lines

    @staticmethod
    def resolve_contact_ids(obj: Any) -> list[int]:
        contacts = getattr(obj, "contact_list", None)  # prefetched by the deal selectors
        return [c.pk for c in (obj.contacts.all() if contacts is None else contacts)]

    @staticmethod
    def resolve_stage_name(obj: Any) -> str:
        return str(obj.stage.label)

    @staticmethod
    def resolve_lost_reason(obj: Any) -> str | None:
        return obj.lost_reason.name if obj.lost_reason_id else None


class DealItemOut(Schema):
    id: int
    product_id: int
    product: str
    quantity: Decimal
    price: Decimal
    total: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return str(obj.product.name)


def deal_out_of_row(row: dict[str, Any]) -> DealOut:
    """A `DealOut` from a row of `selectors.deal_page_rows`, without validation: the row holds
    the database's own values of every field (tests compare it with the validated deal)."""
    fields = dict(row)
    fields["items"] = [DealItemOut.model_construct(**line) for line in row["items"]]
    return DealOut.model_construct(**fields)


def deal_out_dict(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `selectors.deal_page_rows` as `DealOut` dumps it (its fields in order, the
    database's own values, no model built): what `core.api.page_response` renders."""
    out = {name: row[name] for name in DEAL_OUT_FIELDS}
    out["items"] = [{name: line[name] for name in ITEM_OUT_FIELDS} for line in row["items"]]
    return out


DEAL_OUT_FIELDS = tuple(DealOut.model_fields)
ITEM_OUT_FIELDS = tuple(DealItemOut.model_fields)


class DealItemIn(InSchema):
    product_id: int
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    price: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)


class DealPriceListIn(InSchema):
    price_list_id: int


class DealIn(InSchema):
    title: str = Field(..., min_length=1, max_length=200)
    pipeline_id: int | None = Field(None, ge=1, le=2**62)
    stage_id: int | None = Field(None, ge=1, le=2**62)
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=18, decimal_places=2)
    currency: str = Field("RUB", min_length=3, max_length=3)
    expected_close_date: date | None = None
    responsible_id: int | None = None
    company_id: int | None = None
    contact_ids: list[int] = Field(default_factory=list)
    description: str = Field("", max_length=LONG_TEXT_MAX_LENGTH)


class DealPatch(InSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    amount: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    expected_close_date: date | None = None
    description: str | None = Field(None, max_length=LONG_TEXT_MAX_LENGTH)
    version: int | None = None


class MoveIn(InSchema):
    stage_id: int
    version: int | None = Field(None, description="The version you saw; a stale one is a 409.")
    override_comment: str = Field("", description="Head of sales only: move past an unmet gate.")


class WinIn(InSchema):
    version: int | None = None


class LoseIn(InSchema):
    reason_id: int
    comment: str = ""
    version: int | None = None


class ApproveIn(InSchema):
    kind: str
    comment: str = ""


class DocumentIn(InSchema):
    kind: str
    title: str = ""


class GateItemOut(Schema):
    kind: str
    key: str
    label: str
    met: bool


@fields_of(LeadFields, after="source")
class LeadOut(Schema):
    id: int
    title: str
    status: str
    source: str
    responsible_id: int | None
    team_id: int | None
    disqualification_reason: str
    deal_id: int | None
    created_at: datetime


class LeadIn(InSchema):
    title: str = Field("", max_length=200)
    source: str = "api"
    contact_name: str = Field("", max_length=200)
    company_name: str = Field("", max_length=255)
    inn: str = Field("", max_length=12)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    need: str = Field("", max_length=LONG_TEXT_MAX_LENGTH)
    utm_source: str = Field("", max_length=100)
    utm_medium: str = Field("", max_length=100)
    utm_campaign: str = Field("", max_length=100)
    utm_term: str = Field("", max_length=100)
    utm_content: str = Field("", max_length=100)
    category: str = Field("", description="Category: " + ", ".join(LeadCategory.values))
    rating: str = Field("", description="Prospect rating: " + ", ".join(LeadRating.values))
    close_probability: int | None = Field(
        None, ge=0, le=100, description="Probability of closing, % (null: not estimated)"
    )
    next_steps: str = Field("", max_length=LONG_TEXT_MAX_LENGTH)
    responsible_id: int | None = None


@patch_of(LeadIn, exclude={"responsible_id"})
class LeadPatch(InSchema):
    pass


class CloserHandoffIn(InSchema):
    closer_id: int | None = Field(None, description="Null: the least loaded closer")
    comment: str = Field("", max_length=LONG_TEXT_MAX_LENGTH)


class CloserHandoffOut(Schema):
    deal_id: int
    hunter_id: int | None
    closer_id: int | None
    handed_by_id: int | None
    comment: str
    created_at: datetime


class QualifyIn(InSchema):
    level: str = Field(..., description="mql or sql")


class DisqualifyIn(InSchema):
    reason: str
    comment: str = ""


class ConvertIn(InSchema):
    pipeline_id: int | None = None
    title: str = ""
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=18, decimal_places=2)


class StageFlowOut(Schema):
    """What passed through a funnel stage (the sales funnel's and the analytics rollup's rows)."""

    entered: int
    forward: int
    lost: int
    won: int
    conversion: float | None
    avg_days: float | None


@fields_of(StageFlowOut, after="group")
class FunnelRowOut(Schema):
    stage_id: int
    stage: str
    group: str | None
    median_days: float | None
    stuck: int
    expected_days: int
    target_conversion: int | None = Field(
        description="The stage's target conversion, %; null: no target."
    )
    below_target: bool | None = Field(
        description="Whether the conversion is below the target; null without a target or "
        "without decided deals."
    )


class FunnelOut(Schema):
    pipeline_id: int
    date_from: date | None
    date_to: date | None
    group_by: str | None
    stages: list[FunnelRowOut]


class PeriodCountsOut(Schema):
    """Deals created, won and lost in a period (a comparison's and an overview's head)."""

    period: str
    date_from: date
    date_to: date
    created: int
    won: int
    lost: int


class PeriodFiguresOut(PeriodCountsOut):
    win_rate: float | None
    won_amount: dict[str, str]


class PeriodOverPeriodOut(Schema):
    pipeline_id: int | None
    periods: list[PeriodFiguresOut]


class DealProcessIn(InSchema):
    key: str = Field(..., min_length=1, max_length=100, description="The process key.")


class DealProcessStartedOut(Schema):
    instance_id: int


class DealProcessRunOut(Schema):
    id: int
    key: str
    name: str
    status: str
    outcome: str = Field(description="How a finished run ended: approved, rejected or empty.")
    started_at: datetime
    ended_at: datetime | None


class StageParticipantsIn(InSchema):
    participants: list[RoleCode] = Field(
        default_factory=list,
        max_length=len(RoleCode),
        description="The roles taking part in the stage besides the responsible one.",
    )
    target_conversion: int | None = Field(
        None,
        ge=0,
        le=100,
        description="The target share, %, of the deals leaving the stage that move on or are "
        "won; null: no target.",
    )


class StageProcessIn(InSchema):
    opening_process: str = Field(
        "", max_length=100, description="The deal process started on entry; empty for none."
    )
