"""`GET /api/v1/search?q=`: the header's search for API clients, scoped like every list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from .api import ErrorOut
from .search import DEFAULT_LIMIT, MAX_LIMIT, MAX_QUERY, MIN_QUERY, search_all

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(
        ...,
        min_length=MIN_QUERY,
        max_length=MAX_QUERY,
        description=(
            "A name, an INN, a phone (any of +7, 8 or no prefix; spaces, brackets and dashes "
            "are ignored) or an e-mail, whole or in part."
        ),
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="At most this many hits of each type."
    )


class SearchHitOut(Schema):
    type: str = Field(..., description="company, contact, deal or lead", examples=["company"])
    id: int
    title: str = Field(..., examples=["ООО «Ромашка»"])
    url: str = Field(
        ..., description="The record's page in the web UI", examples=["/clients/companies/5/"]
    )
    subtitle: str = Field("", description="A hint shown under the title: INN, phone, status")


@router.get(
    "",
    response={200: list[SearchHitOut], 400: ErrorOut, 401: ErrorOut},
    summary="Find clients, contacts, deals and leads the user may read",
)
def search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Hits grouped by type in a fixed order (clients, contacts, deals, leads), at most
    `limit` of each type, only among the records the token's user may read."""
    groups = search_all(actor=request.user, q=params.q, limit=params.limit)
    return [hit for group in groups for hit in group.hits]
