"""Requests that used to end in a 500 get a clear 4xx in the error format (issue 15, item 6)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from greenwave.bpm import services as bpm_services
from greenwave.bpm.models import ProcessDefinition
from greenwave.crm.models import Company, ImportJob
from greenwave.sales.models import Deal, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(two_teams: dict[str, Any], bearer: Any) -> Client:
    client = bearer(two_teams["head_a"])
    client.raise_request_exception = False
    return client


@pytest.fixture
def web(two_teams: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(two_teams["head_a"])
    return client


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "url", ["/api/v1/companies?q=a%00b", "/api/v1/deals?q=x&sort=%00", "/api/v1/tasks?%00=1"]
)
def test_a_nul_in_a_query_is_a_400(api: Client, url: str) -> None:
    _error(api.get(url), 400, "bad_request")


def test_a_nul_in_a_json_field_is_a_400_and_nothing_is_stored(api: Client) -> None:
    for body in ({"name": "a\x00b"}, {"name": "ok", "region": "\x00"}, {"\x00": 1}):
        response = api.post("/api/v1/companies", body, content_type="application/json")
        _error(response, 400, "bad_request")
    raw_nul = b'{"name": "a\x00b"}'
    _error(
        api.post("/api/v1/companies", raw_nul, content_type="application/json"), 400, "bad_request"
    )
    # An escaped backslash before "u0000" is six ordinary characters.
    text = api.post("/api/v1/companies", {"name": "a\\u0000b"}, content_type="application/json")
    assert text.status_code == 201
    assert Company.objects.get().name == "a\\u0000b"


def test_a_nul_in_a_form_field_or_query_of_a_page_is_a_400(web: Client) -> None:
    assert web.get("/clients/companies/?q=a%00b").status_code == 400
    response = web.post("/clients/companies/new/", {"name": "a\x00b"})
    assert response.status_code == 400
    assert 'data-testid="error-page"' in response.content.decode()
    assert Company.objects.count() == 0


def test_a_json_body_over_2_5_mb_is_a_413(api: Client) -> None:
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})
    error = _error(
        api.post("/api/v1/companies", body, content_type="application/json"),
        413,
        "payload_too_large",
    )
    assert error["details"] == {"limit": 2_621_440}


def test_a_bpmn_model_as_json_text_may_be_larger_than_2_5_mb(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    """The documented 5 MB of a BPMN file are reachable through the JSON endpoint."""
    admin = bearer(two_teams["admin"])
    padding = "<!-- " + "x" * (4 * 1024 * 1024) + " -->"
    xml = (
        '<?xml version="1.0"?>' + padding + '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/'
        'BPMN/20100524/MODEL" id="d" targetNamespace="x"><bpmn:process id="big" '
        'isExecutable="true"><bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" '
        'targetRef="e"/><bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>'
    )
    response = admin.post(
        "/api/v1/processes/definitions", {"xml": xml, "key": "big"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]
    assert ProcessDefinition.objects.filter(key="big").exists()
    too_big = json.dumps({"xml": "x" * (16 * 1024 * 1024)})
    response = admin.post("/api/v1/processes/definitions", too_big, content_type="application/json")
    _error(response, 413, "payload_too_large")


@pytest.mark.parametrize("url", ["/api/v1/imports", "/api/v1/processes/definitions/upload"])
def test_multipart_without_a_boundary_is_a_400(
    two_teams: dict[str, Any], bearer: Any, url: str
) -> None:
    admin = bearer(two_teams["admin"])
    admin.raise_request_exception = False
    _error(admin.post(url, b"x", content_type="multipart/form-data"), 400, "bad_request")
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    "page", ["1e20", "100000000000000000000", "4611686018427387904", "1000001"]
)
def test_absurd_page_numbers_are_a_400(api: Client, page: str) -> None:
    _error(api.get(f"/api/v1/companies?page={page}"), 400, "validation_error")
    _error(api.get(f"/api/v1/deals?page={page}"), 400, "validation_error")


def test_an_id_filter_out_of_range_or_in_other_digits_is_a_400(api: Client) -> None:
    for value in ("100000000000000000000", "²"):
        _error(api.get(f"/api/v1/contacts?company={value}"), 400, "validation_error")
    _error(api.get("/api/v1/deals?responsible=²"), 400, "validation_error")


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        ("1940-01-01", "4605-12-15"),  # the previous period would start before year 1
        ("0001-01-01", "0001-01-05"),
        ("9999-12-01", "9999-12-31"),
    ],
)
def test_analytics_dates_outside_the_calendar_are_a_400(
    api: Client, web: Client, date_from: str, date_to: str
) -> None:
    url = f"/api/v1/analytics/period-over-period?from={date_from}&to={date_to}"
    _error(api.get(url), 400, "validation_error")
    if date_from.startswith("1940"):
        return  # the funnel compares no periods: these dates are fine for it
    b2b = Pipeline.objects.get(code="b2b")
    funnel = f"/api/v1/analytics/funnel?pipeline={b2b.pk}&from={date_from}&to={date_to}"
    _error(api.get(funnel), 400, "validation_error")
    assert web.get(f"/sales/funnel/?date_from={date_from}&date_to={date_to}").status_code == 400


def test_ordinary_analytics_dates_still_work(api: Client) -> None:
    url = "/api/v1/analytics/period-over-period?from=2025-01-01&to=2025-03-31"
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("amount", ["1e17", 1e17, "12345678901234567.00"])
def test_converting_a_lead_with_an_amount_beyond_18_digits_is_a_400(
    api: Client, amount: Any
) -> None:
    lead = api.post(
        "/api/v1/leads",
        {"contact_name": "Анна", "phone": "+79161234567", "need": "фильтры"},
        content_type="application/json",
    ).json()
    response = api.post(
        f"/api/v1/leads/{lead['id']}/convert", {"amount": amount}, content_type="application/json"
    )
    _error(response, 400, "validation_error")
    assert Deal.objects.count() == 0


@pytest.mark.parametrize("field", ["title", "amount", "description"])
def test_patching_a_deal_with_null_for_a_required_field_is_a_400(api: Client, field: str) -> None:
    b2b = Pipeline.objects.get(code="b2b")
    deal = api.post(
        "/api/v1/deals",
        {"title": "Поставка", "pipeline_id": b2b.pk},
        content_type="application/json",
    ).json()
    body = {"expected_close_date": 0, field: None}
    response = api.patch(f"/api/v1/deals/{deal['id']}", body, content_type="application/json")
    error = _error(response, 400, "validation_error")
    assert list(error["details"]["fields"]) == [field]
    assert Deal.objects.get().title == "Поставка"
    cleared = api.patch(
        f"/api/v1/deals/{deal['id']}",
        {"expected_close_date": None},
        content_type="application/json",
    )
    assert cleared.status_code == 200  # a nullable column takes null


def test_patching_a_company_with_a_null_name_is_a_400(api: Client) -> None:
    company = api.post("/api/v1/companies", {"name": "Ромашка"}, content_type="application/json")
    response = api.patch(
        f"/api/v1/companies/{company.json()['id']}", {"name": None}, content_type="application/json"
    )
    _error(response, 400, "validation_error")


def test_starting_acknowledgement_without_readers_is_a_400(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    bpm_services.library_install(actor=None)
    admin = bearer(two_teams["admin"])
    admin.raise_request_exception = False
    response = admin.post(
        "/api/v1/processes/instances", {"key": "acknowledgement"}, content_type="application/json"
    )
    error = _error(response, 400, "bpm.engine_error")
    assert "readers" in error["message"]


@pytest.mark.parametrize("url", ["/api/v1/no-such-resource", "/api/v1/companies/1/no-such-part"])
def test_an_unknown_api_path_is_a_404_in_the_error_format(api: Client, url: str) -> None:
    response = api.get(url)
    _error(response, 404, "not_found")
    assert response["Content-Type"].startswith("application/json")


def test_a_method_a_path_does_not_take_is_a_405_in_the_error_format(api: Client) -> None:
    response = api.delete("/api/v1/me")
    body = _error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"
    assert body["details"] == {"allowed": ["GET"]}
    _error(api.put("/api/v1/leads", {}, content_type="application/json"), 405, "method_not_allowed")


def test_an_unknown_page_is_still_the_html_error_page(web: Client) -> None:
    response = web.get("/clients/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_invalid_list_parameter_is_explained_in_the_callers_language(api: Client) -> None:
    russian = api.get("/api/v1/companies?sort=zzz", headers={"Accept-Language": "ru"})
    assert _error(russian, 400, "validation_error")["message"].startswith(
        "Неверные параметры списка: sort: одно из: name, "
    )
    english = api.get("/api/v1/companies?owner=x", headers={"Accept-Language": "en"})
    assert _error(english, 400, "validation_error")["message"] == (
        "Invalid list parameters: owner: unknown parameter."
    )
