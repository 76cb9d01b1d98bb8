"""The header's global search and `GET /api/v1/search`: clients, contacts, deals and leads by
name, INN, phone and e-mail — only among what the user may read, in a pinned number of queries.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from greenwave.core.search import search_all
from greenwave.crm import services as crm_services
from greenwave.sales import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(two_teams: dict[str, Any], b2b: Any) -> dict[str, Any]:
    hunter_a, hunter_b = two_teams["hunter_a"], two_teams["hunter_b"]
    company_a = crm_services.company_create(
        actor=hunter_a,
        name="ООО «Ромашка»",
        inn="7707083893",
        phone="+7 495 123-45-67",
        email="info@romashka.ru",
    )
    contact_a = crm_services.contact_create(
        actor=hunter_a,
        full_name="Пётр Иванов",
        company=company_a,
        phones=["8 (916) 555-44-33"],
        emails=["petr@romashka.ru"],
    )
    deal_a = services.deal_create(
        actor=hunter_a, title="Насосы для Ромашки", pipeline=b2b, company=company_a
    )
    lead_a = services.lead_create(
        actor=hunter_a, title="Заявка с сайта", contact_name="Анна", phone="8 903 222-11-00"
    )
    company_b = crm_services.company_create(actor=hunter_b, name="АО «Ромашка-Юг»")
    deal_b = services.deal_create(
        actor=hunter_b, title="Насосы для Юга", pipeline=b2b, company=company_b
    )
    return {
        "company_a": company_a,
        "contact_a": contact_a,
        "deal_a": deal_a,
        "lead_a": lead_a,
        "company_b": company_b,
        "deal_b": deal_b,
    }


def _found(hits: list[dict[str, Any]]) -> set[tuple[str, int]]:
    return {(h["type"], h["id"]) for h in hits}


def _hits(actor: Any, q: str) -> set[tuple[str, int]]:
    return {(h.type, h.id) for g in search_all(actor=actor, q=q) for h in g.hits}


def test_a_name_finds_clients_contacts_and_deals_of_the_own_team_only(two_teams, records) -> None:
    found = _hits(two_teams["hunter_a"], "ромашк")
    assert ("company", records["company_a"].pk) in found
    assert ("contact", records["contact_a"].pk) in found  # a contact of «Ромашка»
    assert ("deal", records["deal_a"].pk) in found
    assert ("company", records["company_b"].pk) not in found  # team B's client
    assert ("deal", records["deal_b"].pk) not in _hits(two_teams["hunter_a"], "насосы")
    # The head of the department above both teams sees both.
    assert ("deal", records["deal_b"].pk) in _hits(two_teams["director"], "насосы")


@pytest.mark.parametrize(
    ("q", "kind", "record"),
    [
        ("7707083893", "company", "company_a"),  # the INN
        ("8 495 123 45 67", "company", "company_a"),  # the company's phone with 8
        ("+7 (916) 555-44-33", "contact", "contact_a"),  # a contact's phone typed with +7
        ("89165554433", "contact", "contact_a"),
        ("555-44", "contact", "contact_a"),  # a part in the middle
        ("PETR@romashka.ru", "contact", "contact_a"),  # the e-mail, any case
        ("info@romashka", "company", "company_a"),
        ("+7 903 222", "lead", "lead_a"),  # a lead's phone, stored as E.164 since typed as 8…
        ("анна", "lead", "lead_a"),
        ("7707083893", "deal", "deal_a"),  # the deals of the client with this INN
    ],
)
def test_inn_phone_and_email_find_the_record(two_teams, records, q, kind, record) -> None:
    assert (kind, records[record].pk) in _hits(two_teams["hunter_a"], q)


def test_the_api_answers_type_id_title_url_scoped(two_teams, records, bearer) -> None:
    response = bearer(two_teams["hunter_b"]).get("/api/v1/search", {"q": "насосы"})
    assert response.status_code == 200
    hits = response.json()
    assert _found(hits) == {("deal", records["deal_b"].pk)}  # not team A's deal
    assert set(hits[0]) >= {"type", "id", "title", "url"}
    assert hits[0]["url"] == f"/sales/deals/{records['deal_b'].pk}/"
    assert hits[0]["title"] == "Насосы для Юга"


def test_the_api_limits_hits_per_type(two_teams, b2b, bearer) -> None:
    for n in range(4):
        services.deal_create(actor=two_teams["hunter_a"], title=f"Фильтры {n}", pipeline=b2b)
    api = bearer(two_teams["hunter_a"])
    assert len(api.get("/api/v1/search", {"q": "фильтры", "limit": 2}).json()) == 2
    assert len(api.get("/api/v1/search", {"q": "фильтры"}).json()) == 4


@pytest.mark.parametrize("params", [{"q": "я"}, {"q": "x" * 101}, {}, {"q": "ок", "limit": 0}])
def test_the_api_refuses_a_bad_query(two_teams, bearer, params) -> None:
    response = bearer(two_teams["hunter_a"]).get("/api/v1/search", params)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_the_api_needs_a_token(db) -> None:
    assert Client().get("/api/v1/search", {"q": "ромашка"}).status_code == 401


def test_the_search_is_documented_in_openapi(two_teams, bearer) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
    item = operation["responses"]["200"]["content"]["application/json"]["schema"]["items"]
    hit = schema["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    assert {"type", "id", "title", "url"} <= set(hit["required"])


def test_the_search_query_count_is_pinned(two_teams, records, b2b) -> None:
    hunter = two_teams["hunter_a"]
    for n in range(6):
        services.deal_create(actor=hunter, title=f"Ромашка, этап {n}", pipeline=b2b)
    client = Client()
    client.force_login(two_teams["hunter_a"])
    client.get("/search/", {"q": "ромашка"}, headers={"HX-Request": "true"})  # warm caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "ромашка"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="search-hit"') == 1 + 1 + 5
    # The session, the user, their access level, then one bounded query per type: no shell.
    assert len(queries) == 3 + 4, [q["sql"] for q in queries]


def test_the_header_dropdown_and_the_results_page(two_teams, records) -> None:
    client = Client()
    client.force_login(two_teams["hunter_a"])
    home = client.get("/").content.decode()
    assert 'data-testid="global-search"' in home
    assert 'name="search"' in home  # the header's box; a list page's own box is `q`
    dropdown = client.get("/search/", {"search": "7707083893"}, headers={"HX-Request": "true"})
    body = dropdown.content.decode()
    assert f'href="/clients/companies/{records["company_a"].pk}/"' in body
    assert "<html" not in body  # a partial
    page = client.get("/search/", {"q": "ромашк"}).content.decode()
    assert "<html" in page
    assert "Насосы для Ромашки" in page
    assert "Ромашка-Юг" not in page
    short = client.get("/search/", {"q": "р"}, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="search-hint"' in short
