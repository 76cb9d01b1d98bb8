"""POST /api/v1/deals answers the created deal from the inserted row, as GET reads it back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.sales import services
from greenwave.sales.models import ClientHandoff, Deal, Stage

pytestmark = pytest.mark.django_db


_ANSWERS: dict[int, bytes] = {}  # the bytes of each created deal's answer, by its id


def _create(api: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/api/v1/deals", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    created: dict[str, Any] = response.json()
    _ANSWERS[created["id"]] = response.content
    return created


def _read_back(api: Any, created: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"/api/v1/deals/{created['id']}")
    assert response.status_code == 200
    # The same bytes as the deal read back (`DealOut` validated and dumped by ninja): the
    # keys in the same order, every value written the same way.
    assert response.content == _ANSWERS[created["id"]]
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
    body: dict[str, Any] = {"title": "Первая", "amount": "1000"}
    if named_pipeline:
        body["pipeline_id"] = b2b.pk
    # The first call records the token's first use and reads the pipeline's first stage,
    # which the process then keeps for the caller's scope stamp.
    _create(api, body)
    with CaptureQueriesContext(connection) as queries:
        created = _create(api, {**body, "title": "Вторая"})
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # The token (with its user and team); the deal, its event and the event's link to the
    # responsible inserted in one transaction (a savepoint inside the test's) — on PostgreSQL
    # the event and its link by one statement. The first stage and its pipeline are kept; the
    # caller is the responsible: no roles or teams are read; the answer is built from the
    # inserted row, not read back.
    writes = ["INSERT", "WITH"] if connection.vendor == "postgresql" else ["INSERT"] * 3
    expected = ["SELECT", "SAVEPOINT", *writes, "RELEASE"]
    assert statements == expected, [q["sql"][:120] for q in queries.captured_queries]
    assert Deal.objects.filter(pk=created["id"], title="Вторая", pipeline=b2b).exists()
    assert created["stage_id"] == b2b.stages.order_by("order").first().pk


def _first_stage_answered(api: Any, pipeline: Any) -> tuple[int, str]:
    created = _create(api, {"title": "Сделка", "pipeline_id": pipeline.pk})
    assert created == _read_back(api, created)
    event = Event.objects.get(case_type="deal", case_id=str(created["id"]))
    assert (event.payload["stage"], event.payload["stage_name"]) == (
        created["stage_id"],
        created["stage_name"],
    )
    return created["stage_id"], created["stage_name"]


def test_the_kept_first_stage_follows_a_reorder_and_a_rename(two_teams, bearer, b2b) -> None:
    admin, api = two_teams["admin"], bearer(two_teams["head_a"])
    first, second = list(b2b.stages.order_by("order"))[:2]
    assert _first_stage_answered(api, b2b) == (first.pk, first.name)
    rest = [s.pk for s in b2b.stages.order_by("order") if s.pk not in {first.pk, second.pk}]
    services.stage_reorder(actor=admin, pipeline=b2b, stage_ids=[second.pk, first.pk, *rest])
    assert _first_stage_answered(api, b2b) == (second.pk, second.name)
    second.refresh_from_db()
    renamed = {"code": second.code, "name": "Переименованная"}
    services.stage_save(actor=admin, pipeline=b2b, stage=second, **renamed)
    assert _first_stage_answered(api, b2b) == (second.pk, "Переименованная")


def test_the_kept_first_stage_follows_a_new_first_stage_and_its_deletion(two_teams, bearer) -> None:
    admin, api = two_teams["admin"], bearer(two_teams["head_a"])
    pipeline = services.pipeline_create(actor=admin, code="p2", name="Вторая воронка")
    one = services.stage_save(actor=admin, pipeline=pipeline, code="one", name="Первая")
    assert _first_stage_answered(api, pipeline) == (one.pk, "Первая")
    zero = Stage.objects.create(pipeline=pipeline, code="zero", name="Нулевая", order=0)
    assert _first_stage_answered(api, pipeline) == (zero.pk, "Нулевая")
    Deal.objects.filter(stage=zero).delete()
    zero.delete()
    assert _first_stage_answered(api, pipeline) == (one.pk, "Первая")


def test_a_pipeline_without_stages_is_still_refused(two_teams, bearer) -> None:
    pipeline = services.pipeline_create(actor=two_teams["admin"], code="p3", name="Пустая")
    api = bearer(two_teams["head_a"])
    response = api.post(
        "/api/v1/deals",
        {"title": "Нет этапов", "pipeline_id": pipeline.pk},
        content_type="application/json",
    )
    assert response.status_code in (400, 409, 422), response.content
    assert not Deal.objects.filter(title="Нет этапов").exists()


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
