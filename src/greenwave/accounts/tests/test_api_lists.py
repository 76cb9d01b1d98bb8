"""List conventions of the API: pagination, filters, errors, scoping and pinned query counts."""

import pytest

from greenwave.core.tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def test_user_list_is_paginated_and_scoped(two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_a"]).get("/api/v1/users?page_size=1&sort=username")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["page"] == 1
    assert body["page_size"] == 1
    assert [u["username"] for u in body["items"]] == ["head_a"]


def test_another_teams_user_by_id_is_404(two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_a"]).get(f"/api/v1/users/{two_teams['hunter_b'].pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_bad_list_parameters_are_a_400_with_field_details(two_teams, bearer) -> None:
    response = bearer(two_teams["admin"]).get("/api/v1/users?page_size=100000&sort=secret")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["details"]["fields"]) == {"page_size", "sort"}


def test_user_list_query_count_does_not_grow_with_rows(two_teams, bearer, make_user) -> None:
    client = bearer(two_teams["admin"])

    def add_ten() -> None:
        for i in range(10):
            make_user(f"extra{i}", roles=["farmer", "kam"], team=two_teams["team_a"])

    response, queries = assert_queries_do_not_grow(lambda: client.get("/api/v1/users"), add_ten)
    assert response.json()["count"] == 16
    assert queries <= 6  # token, roles of actor, count, page, roles prefetch, (team join)
