"""API schemas of the client base."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from greenwave.accounts.schemas import TeamRef, UserRef
from greenwave.core.api import InSchema, fields_of, patch_of, resolve_attr
from greenwave.core.events_api import EventHead

from .services.clients import CompanyDetails
from .services.profiles import CompetitorDetails


class CompanyRef(Schema):
    id: int
    name: str


@fields_of(CompanyDetails, after="name")
class CompanyOut(Schema):
    id: int
    name: str
    tags: list[str]
    custom_fields: dict[str, Any]
    responsible: UserRef
    team: TeamRef | None
    created_at: datetime
    updated_at: datetime


class CompanyIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    inn: str = ""
    kpp: str = ""
    ogrn: str = ""
    legal_address: str = ""
    actual_address: str = ""
    region: str = ""
    industry: str = ""
    size: str = ""
    source: str = ""
    segment: str = "new"
    phone: str = ""
    email: str = ""
    website: str = ""
    tags: list[str] = []
    custom_fields: dict[str, Any] = {}
    responsible_id: int | None = None
    allow_duplicate: bool = Field(
        False,
        description="Save even if another live company has this INN (and KPP), a branch "
        "(else 409 `crm.duplicate` naming it: `details.duplicates`, `hidden` of another team).",
    )


@patch_of(CompanyIn, exclude=("responsible_id",))
class CompanyPatch(InSchema):
    pass


class ReassignIn(InSchema):
    responsible_id: int
    team_id: int | None = None


class ContactOut(Schema):
    id: int
    company: CompanyRef | None
    full_name: str
    position: str
    phones: list[str]
    emails: list[str]
    messengers: dict[str, str]
    birthday: date | None
    gender: str
    mailing_consent: bool
    notes: str
    responsible: UserRef
    created_at: datetime
    updated_at: datetime


class ContactIn(InSchema):
    company_id: int | None = None
    full_name: str = Field(..., min_length=1, max_length=255)
    position: str = ""
    phones: list[str] = []
    emails: list[str] = []
    messengers: dict[str, str] = {}
    birthday: date | None = None
    gender: str = ""
    mailing_consent: bool = False
    notes: str = ""
    allow_duplicate: bool = Field(
        False,
        description="Save even if another live contact has one of these phones or e-mails "
        "(else 409 `crm.duplicate` naming it).",
    )


@patch_of(ContactIn)
class ContactPatch(InSchema):
    pass


class DecisionMakerOut(Schema):
    id: int
    company_id: int
    contact_id: int
    contact_name: str
    role: str
    personal_benefits: str
    influence_level: int
    age: int | None
    character: str
    hobbies: str
    attitude: str

    resolve_contact_name = resolve_attr("contact.full_name")


class DecisionMakerIn(InSchema):
    contact_id: int
    role: str = ""
    personal_benefits: str = ""
    influence_level: int = 3
    age: int | None = None
    character: str = ""
    hobbies: str = ""
    attitude: str = "neutral"


@patch_of(DecisionMakerIn, exclude=("contact_id",))
class DecisionMakerPatch(InSchema):
    pass


class HistoryEventOut(EventHead):
    actor: UserRef | None
    payload: dict[str, Any]


class DuplicateOut(Schema):
    company: CompanyRef
    reasons: list[str]


class ProfileOut(Schema):
    industry_trends: str = ""
    key_success_factors: str = ""
    market_share: Decimal | None = None
    client_competitors: str = ""
    benefits_sought: str = ""
    goals: list[str] = []
    goals_note: str = ""
    consumption_benefits: str = ""
    further_needs: str = ""


@patch_of(ProfileOut)
class ProfilePatch(InSchema):
    pass


@fields_of(CompetitorDetails, after="name")
class CompetitorOut(Schema):
    id: int
    name: str
    client_count: int = 0


class CompetitorIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    website: str = ""
    price_level: str = "similar"
    assortment: str = ""
    special_conditions: str = ""
    marketing_activity: str = ""
    notes: str = ""


@patch_of(CompetitorIn)
class CompetitorPatch(InSchema):
    pass


class PresenceOut(Schema):
    competitor: CompanyRef
    company: CompanyRef
    note: str


class PresenceIn(InSchema):
    competitor_id: int
    note: str = ""


class ProductGroupOut(Schema):
    id: int
    name: str
    parent_id: int | None


class ProductGroupIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    parent_id: int | None = None


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    group: ProductGroupOut | None
    unit: str
    vat_rate: str
    description: str
    is_active: bool


class ProductIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    sku: str = Field(..., min_length=1, max_length=64)
    group_id: int | None = None
    unit: str = "pcs"
    vat_rate: str = "20"
    description: str = ""
    is_active: bool = True


@patch_of(ProductIn)
class ProductPatch(InSchema):
    pass


class PriceListOut(Schema):
    id: int
    name: str
    kind: str
    level: int | None
    currency: str
    description: str
    is_active: bool
    price_count: int = 0


class PriceListIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    kind: str = "base"
    level: int | None = None
    currency: str = "RUB"
    description: str = ""
    is_active: bool = True


@patch_of(PriceListIn)
class PriceListPatch(InSchema):
    pass


class PriceOut(Schema):
    product_id: int
    sku: str
    name: str
    amount: Decimal

    resolve_sku = resolve_attr("product.sku")
    resolve_name = resolve_attr("product.name")


class PricesIn(InSchema):
    prices: dict[int, Decimal | None] = Field(
        ..., description="product id → price; null removes the product from the list"
    )


class MergeIn(InSchema):
    source_id: int = Field(..., description="The duplicate to fold into this company")


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str = Field(
        ...,
        description="reading → uploaded → checking → checked → queued → running → done; "
        "failed (with `message`) from any of them",
    )
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    total_rows: int
    valid_rows: int = Field(..., description="new rows: what the job writes")
    error_rows: int
    duplicate_rows: int = Field(
        ...,
        description="contacts whose phone or e-mail is already in the base (any team's live "
        "contact) or on an earlier row of the file: listed in `duplicates` and not imported",
    )
    processed_rows: int
    created_count: int
    progress_percent: int
    errors: list[dict[str, Any]]
    duplicates: list[dict[str, Any]] = Field(
        ...,
        description="row, full_name, column, field, value; the existing contact matched "
        "(contact id and contact_name, both empty when `hidden`: it belongs to a team the "
        "importer does not see) or same_as_row (the earlier row of the file)",
    )
    message: str
    created_at: datetime
    finished_at: datetime | None


class ImportCheckIn(InSchema):
    mapping: dict[str, str] = Field(
        ..., description="column name → field ('' skips the column); see GET for the columns"
    )


class ImportConfirmIn(InSchema):
    skip_invalid: bool = False
