"""POST /api/v1/deals answers the created deal from the inserted row, as GET reads it back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.crm import services as crm_services
from greenwave.sales.models import ClientHandoff, Deal

pytestmark = pytest.mark.django_db


def _create(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/v1/deals", body, content_type="application/json")
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    return created


def _read_back(api: Any, created: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/api/v1/deals/{created['id']}")
    assert response.status_code == 200
    read: dict[str, Any] = response.json()
    return read


@pytest.mark.parametrize("amount", ["0", "10", "10.5", "1000.00", "99999999.99"])
def test_the_created_deal_is_answered_as_it_reads_back(two_teams, bearer, b2b, amount) -> None:
    api = bearer(two_teams["head_a"])
    created = _create(api, {"title": "Поставка", "amount": amount, "currency": "usd"})
    assert created == _read_back(api, created)
    assert created["amount"] == str(Decimal(amount).quantize(Decimal("0.01")))
    assert created["hunter_share_percent"] == "0.00"


def test_a_deal_for_a_colleague_with_a_client_contact_and_hunter_share_reads_back(
    two_teams, bearer, b2b, stages
) -> None:
    head = two_teams["head_a"]
    company = crm_services.company_create(actor=head, name="ООО Ромашка")
    contact = crm_services.contact_create(actor=head, company=company, full_name="Иван Петров")
    ClientHandoff.objects.create(
        company=company,
        hunter=two_teams["hunter_a"],
        share_percent=Decimal("12.5"),
        share_until=timezone.localdate() + timedelta(days=30),
    )
    created = _create(
        bearer(head),
        {
            "title": "Вторая продажа",
            "amount": "250.5",
            "stage_id": stages["needs"].pk,
            "responsible_id": two_teams["hunter_a"].pk,
            "company_id": company.pk,
            "contact_ids": [contact.pk],
            "expected_close_date": "2030-01-31",
            "description": "с описанием",
        },
    )
    assert created == _read_back(bearer(head), created)
    assert created["hunter_share_percent"] == "12.50"
    assert created["contact_ids"] == [contact.pk]
    assert created["team_id"] == two_teams["team_a"].pk


def test_a_deal_with_several_contacts_answers_them_in_the_order_they_read_back(
    two_teams, bearer, b2b
) -> None:
    head = two_teams["head_a"]
    names = ("Яков", "Анна", "Борис")
    contacts = [crm_services.contact_create(actor=head, full_name=name) for name in names]
    api = bearer(head)
    created = _create(api, {"title": "Три контакта", "contact_ids": [c.pk for c in contacts]})
    assert created == _read_back(api, created)
    assert len(created["contact_ids"]) == 3


@pytest.mark.parametrize("named_pipeline", [True, False])
def test_creating_a_deal_takes_a_fixed_number_of_queries(
    two_teams, bearer, b2b, named_pipeline
) -> None:
    api = bearer(two_teams["head_a"])
    _create(api, {"title": "Первая"})  # the token's first use is recorded once
    body: dict[str, Any] = {"title": "Вторая", "amount": "1000"}
    if named_pipeline:
        body["pipeline_id"] = b2b.pk
    with CaptureQueriesContext(connection) as queries:
        created = _create(api, body)
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # The token (with its user and team); the pipeline's first stage with the pipeline joined
    # (without a pipeline: the default pipeline, then its first stage inside the transaction);
    # the deal, its event and the event's link to the responsible inserted in one transaction
    # (a savepoint inside the test's). The caller is the responsible: no roles or teams are
    # read; the answer is built from the inserted row, not read back.
    expected = ["SELECT", "SELECT", "SAVEPOINT", "INSERT", "INSERT", "INSERT", "RELEASE"]
    if not named_pipeline:
        expected.insert(3, "SELECT")
    assert statements == expected, [q["sql"][:120] for q in queries.captured_queries]
    assert Deal.objects.filter(pk=created["id"], title="Вторая", pipeline=b2b).exists()


def test_a_deal_for_a_colleague_outside_the_callers_teams_is_still_refused(
    two_teams, bearer, b2b
) -> None:
    api = bearer(two_teams["head_a"])
    response = api.post(
        "/api/v1/deals",
        {"title": "Чужая", "responsible_id": two_teams["hunter_b"].pk},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    assert not Deal.objects.filter(title="Чужая").exists()
