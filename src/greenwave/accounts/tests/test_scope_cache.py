"""The roles and headed teams a bearer token's user is scoped by are kept in the process
between requests (`accounts.scope_cache`), and every change they depend on is seen by the
very next request: roles added or removed, a role's access level, a team's head or parent,
a revoked token, a deactivated user."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.accounts import scope_cache
from greenwave.accounts import services as account_services
from greenwave.accounts.models import ApiToken, Role, RoleCode
from greenwave.crm import services as crm_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(two_teams: dict[str, Any]) -> dict[str, Any]:
    """One contact of each team's head: a hunter of team A sees A's, an admin sees both."""
    return {
        "a": crm_services.contact_create(actor=two_teams["head_a"], full_name="Анна из A"),
        "b": crm_services.contact_create(actor=two_teams["head_b"], full_name="Борис из B"),
    }


def _names(api: Any) -> set[str]:
    answer = api.get("/api/v1/contacts")
    assert answer.status_code == 200, answer.content
    return {item["full_name"] for item in answer.json()["items"]}


def _warm(api: Any) -> set[str]:
    """Two requests: the second one is answered from the kept scope."""
    first = _names(api)
    with CaptureQueriesContext(connection) as queries:
        assert _names(api) == first
    assert not any('FROM "accounts_role"' in q["sql"] for q in queries.captured_queries)
    return first


def test_a_second_request_reads_neither_roles_nor_teams(two_teams, bearer, contacts) -> None:
    api = bearer(two_teams["head_a"])
    _names(api)
    with CaptureQueriesContext(connection) as queries:
        _names(api)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "accounts_role"' not in sql
    assert 'FROM "accounts_team"' not in sql
    scope_cache.clear()
    with CaptureQueriesContext(connection) as queries:
        _names(api)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert 'FROM "accounts_role"' in sql
    assert 'FROM "accounts_team"' in sql


def test_roles_changed_are_seen_by_the_next_request(two_teams, bearer, contacts) -> None:
    hunter = two_teams["hunter_a"]
    api = bearer(hunter)
    assert _warm(api) == {"Анна из A"}
    account_services.user_update(actor=None, user=hunter, roles=[RoleCode.ADMIN])
    assert _names(api) == {"Анна из A", "Борис из B"}
    hunter.roles.set([Role.objects.get(code=RoleCode.HUNTER)])
    assert _names(api) == {"Анна из A"}
    Role.objects.get(code=RoleCode.ADMIN).users.add(hunter)  # from the role's side
    assert _names(api) == {"Анна из A", "Борис из B"}


def test_a_role_access_level_changed_is_seen_by_the_next_request(
    two_teams, bearer, contacts
) -> None:
    api = bearer(two_teams["hunter_a"])
    assert _warm(api) == {"Анна из A"}
    role = Role.objects.get(code=RoleCode.HUNTER)
    account_services.role_set_access_level(actor=None, role=role, access_level="all")
    assert _names(api) == {"Анна из A", "Борис из B"}
    account_services.role_set_access_level(actor=None, role=role, access_level="own")
    assert _names(api) == set()


def test_a_team_moved_under_a_head_is_seen_by_the_next_request(two_teams, bearer, contacts) -> None:
    head_a, team_b = two_teams["head_a"], two_teams["team_b"]
    api = bearer(head_a)
    assert _warm(api) == {"Анна из A"}
    account_services.team_update(
        actor=None, team=team_b, name=team_b.name, head=head_a, parent=team_b.parent
    )
    assert _names(api) == {"Анна из A", "Борис из B"}
    account_services.team_update(
        actor=None, team=team_b, name=team_b.name, head=two_teams["head_b"], parent=team_b.parent
    )
    assert _names(api) == {"Анна из A"}


def test_a_revoked_token_or_an_inactive_user_is_refused_at_once(
    two_teams, bearer, contacts
) -> None:
    head = two_teams["head_a"]
    api = bearer(head)
    _warm(api)
    token = ApiToken.objects.get(user=head)
    account_services.token_revoke(actor=None, token=token)
    assert api.get("/api/v1/contacts").status_code == 401
    other = bearer(head)
    _warm(other)
    head.is_active = False
    head.save(update_fields=["is_active"])
    assert other.get("/api/v1/contacts").status_code == 401


def test_a_user_id_used_again_never_meets_the_entry_of_another_user() -> None:
    assert len({scope_cache.new_stamp() for _ in range(1000)}) == 1000
