"""API schemas of the client base."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class TeamRef(Schema):
    id: int
    name: str


class CompanyRef(Schema):
    id: int
    name: str


class CompanyOut(Schema):
    id: int
    name: str
    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    actual_address: str
    region: str
    industry: str
    size: str
    source: str
    segment: str
    phone: str
    email: str
    website: str
    tags: list[str]
    custom_fields: dict[str, Any]
    responsible: UserRef
    team: TeamRef | None
    created_at: datetime
    updated_at: datetime


class CompanyIn(Schema):
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
    allow_duplicate: bool = False


class CompanyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    inn: str | None = None
    kpp: str | None = None
    ogrn: str | None = None
    legal_address: str | None = None
    actual_address: str | None = None
    region: str | None = None
    industry: str | None = None
    size: str | None = None
    source: str | None = None
    segment: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


class ReassignIn(Schema):
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


class ContactIn(Schema):
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


class ContactPatch(Schema):
    company_id: int | None = None
    full_name: str | None = Field(None, min_length=1, max_length=255)
    position: str | None = None
    phones: list[str] | None = None
    emails: list[str] | None = None
    messengers: dict[str, str] | None = None
    birthday: date | None = None
    gender: str | None = None
    mailing_consent: bool | None = None
    notes: str | None = None


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

    @staticmethod
    def resolve_contact_name(obj: Any) -> str:
        return str(obj.contact.full_name)


class DecisionMakerIn(Schema):
    contact_id: int
    role: str = ""
    personal_benefits: str = ""
    influence_level: int = 3
    age: int | None = None
    character: str = ""
    hobbies: str = ""
    attitude: str = "neutral"


class DecisionMakerPatch(Schema):
    role: str | None = None
    personal_benefits: str | None = None
    influence_level: int | None = None
    age: int | None = None
    character: str | None = None
    hobbies: str | None = None
    attitude: str | None = None


class EventOut(Schema):
    id: int
    case_type: str
    case_id: str
    activity: str
    activity_label: str
    timestamp: datetime
    actor: UserRef | None
    payload: dict[str, Any]

    @staticmethod
    def resolve_activity_label(obj: Any) -> str:
        from greenwave.core.event_labels import activity_label

        return activity_label(obj.activity)


class DuplicateOut(Schema):
    company: CompanyRef
    reasons: list[str]
