"""The API refuses what it would otherwise misread: unknown body fields and filter values are a
400 naming them, a refusal by a record's state is a 409, and the messages are translated."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from greenwave.config.api import api as greenwave_api
from greenwave.core.api import InSchema
from greenwave.crm.models import Company
from greenwave.sales.models import DealStatus, Pipeline

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def api(two_teams: dict[str, Any], bearer: Any) -> Client:
    return bearer(two_teams["head_a"])


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


def _models_in(annotation: Any, seen: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for field in annotation.model_fields.values():
                _models_in(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, seen)


def test_every_request_body_schema_refuses_unknown_fields() -> None:
    bodies: set[type[BaseModel]] = set()
    for _prefix, router in greenwave_api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in operation.signature.models:
                    if model.__ninja_param_source__ in {"body", "form"}:
                        for field in model.model_fields.values():
                            _models_in(field.annotation, bodies)
    assert bodies
    loose = sorted(f"{m.__module__}.{m.__name__}" for m in bodies if not issubclass(m, InSchema))
    assert loose == []  # a request body schema derives from core.api.InSchema


def test_an_unknown_body_field_is_a_400_naming_it_and_nothing_is_saved(api: Client) -> None:
    response = api.post(
        "/api/v1/companies", {"name": "Ромашка", "respnsible_id": 1, "zz": 2}, content_type=JSON
    )
    body = _error(response, 400, "validation_error")
    [error] = body["details"]["errors"]
    assert error["type"] == "unknown_fields"
    assert error["unknown"] == ["respnsible_id", "zz"]
    assert "responsible_id" in error["allowed"]
    assert "respnsible_id, zz" in body["message"]
    assert "responsible_id" in body["message"]
    assert not Company.objects.exists()


def test_an_unknown_field_of_a_patch_is_a_400_in_russian(api: Client) -> None:
    company = api.post("/api/v1/companies", {"name": "Ромашка"}, content_type=JSON).json()
    response = api.patch(
        f"/api/v1/companies/{company['id']}",
        {"nmae": "Лютик"},
        content_type=JSON,
        headers={"Accept-Language": "ru"},
    )
    body = _error(response, 400, "validation_error")
    assert body["message"].startswith("Неизвестные поля: nmae.")
    assert body["details"]["errors"][0]["unknown"] == ["nmae"]
    assert Company.objects.get().name == "Ромашка"


def test_validation_messages_follow_the_language_and_keep_their_type(api: Client) -> None:
    ru = api.post("/api/v1/companies", {}, content_type=JSON, headers={"Accept-Language": "ru"})
    error = _error(ru, 400, "validation_error")["details"]["errors"][0]
    assert error == {
        "loc": ["body", "payload", "name"],
        "msg": "Обязательное поле.",
        "type": "missing",
    }
    long = api.post(
        "/api/v1/companies",
        {"name": "x" * 300},
        content_type=JSON,
        headers={"Accept-Language": "ru"},
    )
    error = _error(long, 400, "validation_error")["details"]["errors"][0]
    assert (error["type"], error["msg"]) == ("string_too_long", "Не более 255 символов.")
    en = api.post("/api/v1/companies", {}, content_type=JSON, headers={"Accept-Language": "en"})
    assert _error(en, 400, "validation_error")["details"]["errors"][0]["msg"] == (
        "This field is required."
    )


def test_an_unknown_choice_of_a_list_filter_is_a_400_naming_the_allowed_values(
    api: Client,
) -> None:
    body = _error(api.get("/api/v1/deals?status=nonsense"), 400, "validation_error")
    assert body["details"]["allowed"] == {"status": list(DealStatus.values)}
    assert "status" in body["details"]["fields"]
    assert "status" in body["message"]
    assert "won" in body["message"]
    ru = api.get("/api/v1/leads?source=nowhere", headers={"Accept-Language": "ru"})
    assert _error(ru, 400, "validation_error")["message"].startswith(
        "Неверные параметры списка: source: одно из"
    )
    assert api.get("/api/v1/deals?status=won").status_code == 200


def test_a_refusal_by_the_records_state_is_a_409(api: Client) -> None:
    lead = api.post(
        "/api/v1/leads",
        {"contact_name": "Анна", "phone": "+79161234567", "need": "фильтры"},
        content_type=JSON,
    ).json()
    assert api.post(f"/api/v1/leads/{lead['id']}/convert", {}, content_type=JSON).status_code == 201
    again = api.post(f"/api/v1/leads/{lead['id']}/convert", {}, content_type=JSON)
    _error(again, 409, "sales.lead_closed")
    deal = api.post(
        "/api/v1/deals",
        {"title": "Поставка", "pipeline_id": Pipeline.objects.get(code="b2b").pk},
        content_type=JSON,
    ).json()
    reopen = api.post(f"/api/v1/deals/{deal['id']}/reopen", {}, content_type=JSON)
    _error(reopen, 409, "sales.deal_not_closed")


def test_a_pipeline_id_beyond_a_bigint_is_a_400(api: Client) -> None:
    body = {"pipeline_id": 78766127246381647134720, "title": "Á"}  # schemathesis found a 500
    response = api.post("/api/v1/deals", body, content_type=JSON)
    assert _error(response, 400, "validation_error")["details"]["errors"][0]["type"] == (
        "less_than_equal"
    )


@pytest.mark.parametrize(
    "moment",
    [
        "0414-02-12T07:34:51-20:00",  # schemathesis found a 500: PostgreSQL refuses the offset
        "0001-01-01T00:30:00+05:00",  # before the year 1 once in UTC
        "9999-12-31T23:30:00-05:00",  # after the year 9999 once in UTC
    ],
)
def test_a_moment_the_database_cannot_store_is_a_400_and_nothing_is_saved(
    api: Client, moment: str
) -> None:
    body = {"name": "website", "expires_at": moment}
    answer = api.post("/api/v1/tokens", body, content_type=JSON, headers={"Accept-Language": "ru"})
    error = _error(answer, 400, "validation_error")["details"]["errors"][0]
    assert error["loc"][-1] == "expires_at"
    assert error["type"] == "datetime_out_of_range"
    assert error["msg"].startswith("Ожидается момент времени")
    assert "website" not in {token["name"] for token in api.get("/api/v1/tokens").json()}


def test_a_moment_with_a_real_offset_is_kept(api: Client) -> None:
    body = {"name": "website", "expires_at": "2031-05-01T10:00:00+14:00"}
    answer = api.post("/api/v1/tokens", body, content_type=JSON)
    assert answer.status_code == 201, answer.content[:400]
    assert answer.json()["expires_at"].startswith("2031-05-0")


def test_an_unknown_query_parameter_of_a_reading_operation_is_a_400(api: Client) -> None:
    assert api.get("/api/v1/analytics/overview?from=2026-01-01").status_code == 200
    en = {"Accept-Language": "en"}
    answer = api.get("/api/v1/analytics/overview?form=2026-01-01&zz=1", headers=en)
    body = _error(answer, 400, "validation_error")
    assert body["details"]["fields"] == {"form": "unknown parameter", "zz": "unknown parameter"}
    assert body["message"] == "Invalid parameters: form: unknown parameter; zz: unknown parameter."
    ru = api.get("/api/v1/me?verbose=1", headers={"Accept-Language": "ru"})
    assert _error(ru, 400, "validation_error")["message"] == (
        "Неверные параметры: verbose: неизвестный параметр."
    )
    # A list names it among its own parameters, as before.
    listed = _error(api.get("/api/v1/deals?zz=1", headers=en), 400, "validation_error")
    assert listed["message"].startswith("Invalid list parameters: zz")


def test_authentication_answers_before_an_unknown_query_parameter(client: Client) -> None:
    _error(client.get("/api/v1/me?zz=1"), 401, "unauthorized")
