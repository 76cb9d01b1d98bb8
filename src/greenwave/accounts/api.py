"""REST endpoints of accounts: who am I, colleagues, teams and my API tokens."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from greenwave.core.endpoints import Endpoints

from . import selectors, services
from .http import AuthedRequest
from .schemas import MeOut, TeamOut, TokenCreatedOut, TokenIn, TokenOut, UserOut
from .scoping import access_level_of

router = Router(tags=["accounts"])
ENDPOINTS = Endpoints(router, __name__)


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: AuthedRequest) -> Any:
    user = selectors.user_get(actor=request.user, pk=request.user.pk)
    user.access_level = access_level_of(request.user)  # type: ignore[attr-defined]  # for MeOut
    return user


ENDPOINTS.list(
    "/users",
    selectors.user_list,
    selectors.USER_LIST_SPEC,
    UserOut,
    name="users",
    summary="Users visible to me",
)


ENDPOINTS.detail("/users/{user_id}", selectors.user_get, UserOut)


ENDPOINTS.list("/teams", selectors.team_list, selectors.TEAM_LIST_SPEC, TeamOut, name="teams")


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def tokens(request: AuthedRequest) -> Any:
    return list(selectors.token_list(actor=request.user))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Issue a token (shown once)")
def token_create(request: AuthedRequest, payload: TokenIn) -> Any:
    token, raw = services.token_issue(
        actor=request.user, user=request.user, name=payload.name, expires_at=payload.expires_at
    )
    token.token = raw  # type: ignore[attr-defined]
    return Status(201, token)


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Revoke a token")
def token_delete(request: AuthedRequest, token_id: int) -> Any:
    token = selectors.token_get(actor=request.user, pk=token_id)
    return services.token_revoke(actor=request.user, token=token)
