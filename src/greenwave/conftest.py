"""Fixtures shared by every app's tests: users with roles in teams, and API clients."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from greenwave.accounts import services as account_services
from greenwave.accounts.models import Team, User

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate limits live in the (in-memory) cache: one test's failed logins must not lock the
    next test out."""
    cache.clear()


@pytest.fixture(autouse=True)
def _language_and_zone_restored() -> Iterator[None]:
    """A request of a user with another language or time zone leaves them active in this
    thread: the next test in the same worker must start from the defaults, whichever ran
    before it."""
    language = translation.get_language()
    yield
    translation.activate(language)
    timezone.deactivate()


@pytest.fixture
def make_team(db: Any) -> Callable[..., Team]:
    def make(name: str, *, head: User | None = None, parent: Team | None = None) -> Team:
        return account_services.team_create(actor=None, name=name, head=head, parent=parent)

    return make


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        username: str | None = None,
        *,
        roles: Iterable[str] = ("hunter",),
        team: Team | None = None,
        password: str = PASSWORD,
        **fields: Any,
    ) -> User:
        return account_services.user_create(
            actor=None,
            username=username or f"user{next(counter)}",
            password=password,
            roles=roles,
            team=team,
            **fields,
        )

    return make


@pytest.fixture
def two_teams(make_team: Callable[..., Team], make_user: Callable[..., User]) -> dict[str, Any]:
    """Team A and team B, each with a head and a hunter; a department above both."""
    department = make_team("Department")
    team_a = make_team("Team A", parent=department)
    team_b = make_team("Team B", parent=department)
    director = make_user("director", roles=["head_of_sales"], team=department)
    head_a = make_user("head_a", roles=["head_of_sales"], team=team_a)
    hunter_a = make_user("hunter_a", roles=["hunter"], team=team_a)
    head_b = make_user("head_b", roles=["head_of_sales"], team=team_b)
    hunter_b = make_user("hunter_b", roles=["hunter"], team=team_b)
    admin = make_user("admin", roles=["admin"])
    for team, head in ((department, director), (team_a, head_a), (team_b, head_b)):
        account_services.team_update(
            actor=None, team=team, name=team.name, head=head, parent=team.parent
        )
    return {
        "department": department,
        "team_a": team_a,
        "team_b": team_b,
        "director": director,
        "head_a": head_a,
        "hunter_a": hunter_a,
        "head_b": head_b,
        "hunter_b": hunter_b,
        "admin": admin,
    }


@pytest.fixture
def bearer(db: Any) -> Callable[[User], Client]:
    """An HTTP client authenticated with a fresh API token of the given user."""

    def make(user: User) -> Client:
        _token, raw = account_services.token_issue(actor=None, user=user, name="test")
        return Client(headers={"Authorization": f"Bearer {raw}"})

    return make
