"""API schemas of accounts."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from greenwave.core.api import InSchema


class TeamRef(Schema):
    id: int
    name: str


class NamedRef(Schema):
    # A record as others show it: its id and its name as it reads (`str(record)`). No
    # docstring: a subclass's own is its description in the API schema.
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: object) -> str:
        return str(obj)


class UserRef(NamedRef):
    """A user as other records show him: the id and the full name."""


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    position: str
    roles: list[str]
    team: TeamRef | None
    is_active: bool

    @staticmethod
    def resolve_full_name(obj: object) -> str:
        return obj.get_full_name()  # type: ignore[attr-defined, no-any-return]

    @staticmethod
    def resolve_roles(obj: object) -> list[str]:
        return sorted(r.code for r in obj.roles.all())  # type: ignore[attr-defined]


class MeOut(UserOut):
    language: str
    time_zone: str
    access_level: str


class TeamOut(Schema):
    id: int
    name: str
    head_id: int | None
    parent_id: int | None
    member_count: int


class TokenIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The bearer token. Shown once; only its hash is kept.")
