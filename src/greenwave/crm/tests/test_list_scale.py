"""The contact and company lists (API and HTML) cost the same statements at a few rows and at
many: the page, and a count bounded by GREENWAVE_LIST_COUNT_LIMIT (exact up to it, null or
"more than" beyond)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from greenwave.crm.models import Company, Contact

pytestmark = pytest.mark.django_db


def _add(kind: str, user: Any, count: int, start: int) -> None:
    companies = Company.objects.bulk_create(
        Company(name=f"Клиент {start + i:03d}", responsible=user, team=user.team)
        for i in range(count)
    )
    if kind == "contacts":
        Contact.objects.bulk_create(
            Contact(
                full_name=f"Контакт {start + i:03d}", company=c, responsible=user, team=user.team
            )
            for i, c in enumerate(companies)
        )


@pytest.mark.parametrize("kind", ["contacts", "companies"])
@pytest.mark.parametrize("sort", ["", "-created"])
def test_a_list_page_takes_the_same_statements_at_any_size(
    two_teams: dict[str, Any], bearer: Any, settings: Any, kind: str, sort: str
) -> None:
    settings.GREENWAVE_LIST_COUNT_LIMIT = 10
    hunter = two_teams["hunter_a"]
    api = bearer(hunter)
    url = f"/api/v1/{kind}?page_size=3&sort={sort}"
    api.get(url)  # the token's first use is recorded once
    statements = []
    for count in (4, 40):
        _add(kind, hunter, count, start=len(statements) * 100)
        with CaptureQueriesContext(connection) as queries:
            page = api.get(url).json()
        statements.append([q["sql"] for q in queries.captured_queries])
        assert len(page["items"]) == 3
        assert page["next"] == 2
    # The token (the caller's roles kept since the first request, `accounts.scope_cache`);
    # the page and a count that reads at most 11 rows.
    assert [len(s) for s in statements] == [3, 3], statements
    assert all("LIMIT 11" in s[-1] for s in statements)


@pytest.mark.parametrize("kind", ["contacts", "companies"])
def test_the_count_is_exact_up_to_the_limit_and_null_beyond(
    two_teams: dict[str, Any], bearer: Any, settings: Any, kind: str
) -> None:
    settings.GREENWAVE_LIST_COUNT_LIMIT = 10
    hunter = two_teams["hunter_a"]
    api = bearer(hunter)
    _add(kind, hunter, 8, start=0)
    first = api.get(f"/api/v1/{kind}?page_size=5").json()
    assert (first["count"], first["next"]) == (8, 2)
    second = api.get(f"/api/v1/{kind}?page_size=5&page=2").json()
    assert (len(second["items"]), second["count"], second["next"]) == (3, 8, None)
    _add(kind, hunter, 5, start=100)
    first = api.get(f"/api/v1/{kind}?page_size=5").json()
    assert (first["count"], first["next"]) == (None, 2)
    last = api.get(f"/api/v1/{kind}?page_size=5&page=3").json()
    # A page that is not full is the last one: its count is known without counting.
    assert (len(last["items"]), last["count"], last["next"]) == (3, 13, None)
    beyond = api.get(f"/api/v1/{kind}?page_size=5&page=9").json()
    assert (beyond["items"], beyond["count"], beyond["next"]) == ([], None, None)
    names = [item.get("name") or item.get("full_name") for item in first["items"]]
    assert names == sorted(names)


def test_a_short_list_is_counted_too(two_teams: dict[str, Any], bearer: Any) -> None:
    """The statements of a list never depend on its rows (datagen's test_query_counts)."""
    hunter = two_teams["hunter_a"]
    api = bearer(hunter)
    _add("companies", hunter, 3, start=0)
    api.get("/api/v1/companies")
    with CaptureQueriesContext(connection) as queries:
        page = api.get("/api/v1/companies").json()
    assert (page["count"], page["next"]) == (3, None)
    assert len(queries.captured_queries) == 3  # token, page, count (the roles kept)


@pytest.mark.parametrize(
    ("kind", "url"), [("contacts", "crm:contact_list"), ("companies", "crm:company_list")]
)
def test_an_html_list_page_takes_the_same_statements_at_any_size(
    two_teams: dict[str, Any], client: Client, settings: Any, kind: str, url: str
) -> None:
    settings.GREENWAVE_LIST_COUNT_LIMIT = 10
    settings.GREENWAVE_PAGE_SIZE = 3
    hunter = two_teams["hunter_a"]
    client.force_login(hunter)
    client.get(reverse(url))
    statements = []
    for count in (4, 40):
        _add(kind, hunter, count, start=len(statements) * 100)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(url))
        statements.append([q["sql"] for q in queries.captured_queries])
    assert len(statements[0]) == len(statements[1]), statements
    # The navigation's role checks and the record scope share one read of the roles.
    assert sum(sql.startswith('SELECT "accounts_role"') for sql in statements[1]) == 1
    text = response.content.decode()
    assert "1–3 of more than 10 records" in text or "1–3 из более чем 10 записей" in text
    shown = response.context["page"].object_list
    detail = "crm:contact_detail" if kind == "contacts" else "crm:company_detail"
    for row in shown:
        assert f'href="{reverse(detail, args=[row.pk])}"' in text
    later = client.get(reverse(url), {"page": 2})
    assert later.context["page"].has_previous()
    assert later.context["page"].has_next()


def test_an_html_list_past_its_end_shows_its_last_page(
    two_teams: dict[str, Any], client: Client, settings: Any
) -> None:
    settings.GREENWAVE_PAGE_SIZE = 3
    hunter = two_teams["hunter_a"]
    client.force_login(hunter)
    _add("contacts", hunter, 7, start=0)
    page = client.get(reverse("crm:contact_list"), {"page": 40}).context["page"]
    assert (page.number, len(page.object_list), page.paginator.count) == (3, 1, 7)
    assert (page.paginator.num_pages, page.has_next(), page.start_index()) == (3, False, 7)
