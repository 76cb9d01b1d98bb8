"""The REST surface of the client base: scoping, validation errors, query counts."""

from __future__ import annotations

import re

import pytest

from greenwave.core.tests.openapi_check import answer_errors
from greenwave.core.tests.queries import assert_queries_do_not_grow
from greenwave.core.tests.refusals import assert_not_found
from greenwave.crm import services
from greenwave.crm.models import Company, Contact

from .conftest import VALID_INN, VALID_OGRN, bad_checksum

pytestmark = pytest.mark.django_db


def test_company_is_created_and_read_through_the_api(two_teams, bearer) -> None:
    client = bearer(two_teams["hunter_a"])
    response = client.post(
        "/api/v1/companies",
        {"name": "ООО «Ромашка»", "inn": VALID_INN, "ogrn": VALID_OGRN, "tags": ["опт"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["inn"] == VALID_INN
    assert body["responsible"]["id"] == two_teams["hunter_a"].pk
    assert body["team"]["name"] == "Team A"

    detail = client.get(f"/api/v1/companies/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["tags"] == ["опт"]


def test_wrong_inn_checksum_is_a_400_with_the_field_and_nothing_saved(two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/companies",
        {"name": "ООО «Тест»", "inn": bad_checksum(VALID_INN)},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "crm.invalid_inn"
    assert body["details"]["field"] == "inn"
    assert not Company.objects.exists()


def test_duplicate_inn_is_a_409(two_teams, bearer, company_a) -> None:
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/companies",
        {"name": "Ромашка-2", "inn": VALID_INN},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["details"]["duplicates"] == [company_a.pk]


def test_another_teams_company_and_contact_are_404(two_teams, bearer, company_b) -> None:
    contact = services.contact_create(
        actor=two_teams["hunter_b"], company=company_b, full_name="Юрий"
    )
    client = bearer(two_teams["hunter_a"])
    for response in assert_not_found(
        client,
        f"/api/v1/companies/{company_b.pk}",
        f"/api/v1/companies/{company_b.pk}/history",
        f"/api/v1/companies/{company_b.pk}/decision-makers",
        f"/api/v1/contacts/{contact.pk}",
        f"/api/v1/contacts/{contact.pk}/history",
    ):
        assert response.json()["code"] == "not_found"
        assert "Южный" not in response.content.decode()
    patch = client.patch(
        f"/api/v1/companies/{company_b.pk}", {"name": "Взлом"}, content_type="application/json"
    )
    assert patch.status_code == 404
    company_b.refresh_from_db()
    assert company_b.name == "АО «Южный ветер»"


def test_company_list_filters_search_and_scoping(two_teams, bearer, company_a, company_b) -> None:
    client = bearer(two_teams["director"])
    assert client.get("/api/v1/companies").json()["count"] == 2
    assert client.get("/api/v1/companies?q=ромашк").json()["count"] == 1
    assert client.get("/api/v1/companies?region=Москва").json()["count"] == 1
    assert client.get(f"/api/v1/companies?team={two_teams['team_b'].pk}").json()["count"] == 1
    assert client.get("/api/v1/companies?tag=ОПТ").json()["count"] == 1
    assert bearer(two_teams["hunter_a"]).get("/api/v1/companies").json()["count"] == 1
    assert client.get("/api/v1/companies?sort=nope").status_code == 400


def test_company_patch_changes_only_given_fields_with_history(two_teams, bearer, company_a) -> None:
    client = bearer(two_teams["hunter_a"])
    response = client.patch(
        f"/api/v1/companies/{company_a.pk}",
        {"segment": "current"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["region"] == "Москва"
    history = client.get(f"/api/v1/companies/{company_a.pk}/history").json()
    assert history[0]["activity"] == "company_changed"
    assert history[0]["payload"]["changes"] == {"segment": ["new", "current"]}


def test_reassign_through_the_api(two_teams, bearer, company_a) -> None:
    response = bearer(two_teams["director"]).post(
        f"/api/v1/companies/{company_a.pk}/reassign",
        {"responsible_id": two_teams["hunter_b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["team"]["name"] == "Team B"
    refused = bearer(two_teams["hunter_b"]).post(
        f"/api/v1/companies/{company_a.pk}/reassign",
        {"responsible_id": two_teams["hunter_a"].pk},
        content_type="application/json",
    )
    assert refused.status_code in (403, 404)


def test_contact_create_with_a_bad_phone_is_a_400_and_saves_nothing(
    two_teams, bearer, company_a
) -> None:
    client = bearer(two_teams["hunter_a"])
    bad = client.post(
        "/api/v1/contacts",
        {"company_id": company_a.pk, "full_name": "Иванов", "phones": ["abc"]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "crm.invalid_phone"
    assert not Contact.objects.exists()

    good = client.post(
        "/api/v1/contacts",
        {"company_id": company_a.pk, "full_name": "Иванов", "phones": ["8 916 123 45 67"]},
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["phones"] == ["+79161234567"]
    contact_id = good.json()["id"]
    patched = client.patch(
        f"/api/v1/contacts/{contact_id}",
        {"position": "Директор", "mailing_consent": True},
        content_type="application/json",
    )
    assert patched.json()["position"] == "Директор"
    assert client.get(f"/api/v1/contacts?company={company_a.pk}").json()["count"] == 1


def test_decision_makers_through_the_api(two_teams, bearer, company_a) -> None:
    client = bearer(two_teams["hunter_a"])
    contact = services.contact_create(
        actor=two_teams["hunter_a"], company=company_a, full_name="Иванов Пётр"
    )
    created = client.post(
        f"/api/v1/companies/{company_a.pk}/decision-makers",
        {"contact_id": contact.pk, "influence_level": 5, "hobbies": "Рыбалка"},
        content_type="application/json",
    )
    assert created.status_code == 201
    dm_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/decision-makers/{dm_id}", {"age": 47}, content_type="application/json"
    )
    assert patched.json()["age"] == 47
    assert (
        bearer(two_teams["hunter_b"])
        .patch(f"/api/v1/decision-makers/{dm_id}", {"age": 20}, content_type="application/json")
        .status_code
        == 404
    )
    assert client.delete(f"/api/v1/decision-makers/{dm_id}").status_code == 204


def test_duplicates_endpoint(two_teams, bearer, company_a) -> None:
    body = bearer(two_teams["hunter_a"]).get(f"/api/v1/companies/duplicates?inn={VALID_INN}")
    assert body.json() == [
        {"company": {"id": company_a.pk, "name": company_a.name}, "reasons": ["inn"]}
    ]


def _make_companies(two_teams, count: int, start: int) -> None:
    for i in range(start, start + count):
        company = services.company_create(
            actor=two_teams["hunter_a"], name=f"Компания {i}", tags=["t"]
        )
        services.contact_create(
            actor=two_teams["hunter_a"], company=company, full_name=f"Контакт {i}"
        )


@pytest.mark.parametrize("url", ["/api/v1/companies", "/api/v1/contacts"])
def test_api_list_query_count_does_not_grow_with_rows(two_teams, bearer, url) -> None:
    client = bearer(two_teams["head_a"])
    _make_companies(two_teams, 2, 0)
    response, queries = assert_queries_do_not_grow(
        lambda: client.get(url), lambda: _make_companies(two_teams, 8, 2)
    )
    assert response.json()["count"] == 10
    assert queries <= 6


def test_history_answers_match_their_published_schema(two_teams, bearer, company_a) -> None:
    # Regression: three classes named EventOut shared one OpenAPI component, so the history
    # endpoints were documented with the fields of another app's event.
    contact = services.contact_create(
        actor=two_teams["hunter_a"], company=company_a, full_name="Юрий"
    )
    competitor = services.competitor_create(actor=two_teams["admin"], name="ООО «Конкурент»")
    client = bearer(two_teams["head_a"])
    for template, pk in (
        ("/api/v1/companies/{company_id}/history", company_a.pk),
        ("/api/v1/contacts/{contact_id}/history", contact.pk),
        ("/api/v1/competitors/{competitor_id}/history", competitor.pk),
    ):
        response = client.get(re.sub(r"\{\w+\}", str(pk), template))
        assert response.status_code == 200
        assert response.json(), template
        assert answer_errors(template, "get", 200, response.json()) == [], template
