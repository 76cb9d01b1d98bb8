"""Every API list publishes the query parameters of its `ListSpec` in the OpenAPI description,
and the API parses exactly what the description says: an empty value is no filter (what an
HTML form's «Any» sends), anything else outside the published schema is a 400."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from greenwave.accounts.selectors import TEAM_LIST_SPEC, USER_LIST_SPEC
from greenwave.activities.selectors import ACTIVITY_LIST_SPEC
from greenwave.analytics.portfolio import PORTFOLIO_SPEC
from greenwave.bpm.selectors import DEFINITION_LIST_SPEC, INSTANCE_LIST_SPEC, TASK_LIST_SPEC
from greenwave.config.api import api as greenwave_api
from greenwave.core.api import list_parameters
from greenwave.core.listing import LIST_PARAMS, ListSpec
from greenwave.crm.selectors import (
    COMPANY_LIST_SPEC,
    COMPETITOR_LIST_SPEC,
    CONTACT_LIST_SPEC,
    PRICE_LIST_SPEC,
    PRODUCT_LIST_SPEC,
)
from greenwave.decisions.selectors import DECISION_LIST_SPEC
from greenwave.documents.selectors import INVOICE_LIST_SPEC
from greenwave.integrations.selectors import DELIVERY_SPEC, WEBHOOK_SPEC
from greenwave.orders.selectors import (
    CLAIM_LIST_SPEC,
    ORDER_LIST_SPEC,
    PAYMENT_LIST_SPEC,
    SUPPLIER_ORDER_LIST_SPEC,
)
from greenwave.outreach.selectors import CAMPAIGN_LIST_SPEC, SEGMENT_LIST_SPEC
from greenwave.sales.models import DealStatus
from greenwave.sales.selectors import DEAL_LIST_SPEC, LEAD_LIST_SPEC

# Each API list and the spec its handler parses with (the operation's own parameters aside).
LISTS: dict[str, ListSpec] = {
    "/activities": ACTIVITY_LIST_SPEC,
    "/analytics/portfolio": PORTFOLIO_SPEC,
    "/campaigns": CAMPAIGN_LIST_SPEC,
    "/claims": CLAIM_LIST_SPEC,
    "/companies": COMPANY_LIST_SPEC,
    "/companies/export": COMPANY_LIST_SPEC,
    "/competitors": COMPETITOR_LIST_SPEC,
    "/contacts": CONTACT_LIST_SPEC,
    "/contacts/export": CONTACT_LIST_SPEC,
    "/deals": DEAL_LIST_SPEC,
    "/decisions": DECISION_LIST_SPEC,
    "/invoices": INVOICE_LIST_SPEC,
    "/leads": LEAD_LIST_SPEC,
    "/orders": ORDER_LIST_SPEC,
    "/payments": PAYMENT_LIST_SPEC,
    "/price-lists": PRICE_LIST_SPEC,
    "/processes/definitions": DEFINITION_LIST_SPEC,
    "/processes/instances": INSTANCE_LIST_SPEC,
    "/products": PRODUCT_LIST_SPEC,
    "/segments": SEGMENT_LIST_SPEC,
    "/supplier-orders": SUPPLIER_ORDER_LIST_SPEC,
    "/tasks": TASK_LIST_SPEC,
    "/teams": TEAM_LIST_SPEC,
    "/users": USER_LIST_SPEC,
    "/webhooks": WEBHOOK_SPEC,
    "/webhooks/{webhook_id}/deliveries": DELIVERY_SPEC,
}
# Lists of their own, not over a `ListSpec`: paged by parameters ninja declares.
OWN_PAGING = {"/events", "/analytics/segments"}
# Parameters some lists declare themselves (ninja's), beside their spec's.
OWN_PARAMS = {"deleted", "format", "scope", "company_id", "new_within_days", "lost_after_days"}


def _query_params(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


@pytest.fixture(scope="module")
def paths() -> dict[str, Any]:
    schema = greenwave_api.get_openapi_schema()
    return {path.removeprefix("/api/v1"): ops for path, ops in schema["paths"].items()}


def test_every_paged_list_is_a_list_spec_and_publishes_its_parameters(
    paths: dict[str, Any],
) -> None:
    paged = {path for path, ops in paths.items() if "page" in _query_params(ops.get("get", {}))}
    assert paged == {p for p in LISTS if not p.endswith("/export")} | OWN_PAGING
    for path, spec in LISTS.items():
        published = _query_params(paths[path]["get"])
        expected = {p["name"]: p for p in list_parameters(spec, paged="export" not in path)}
        assert {name: published[name] for name in expected} == expected, path
        assert not set(published) - set(expected) - OWN_PARAMS, path


def test_a_choice_filter_publishes_its_values_and_the_empty_one(paths: dict[str, Any]) -> None:
    deals = _query_params(paths["/deals"]["get"])
    assert deals["status"]["schema"] == {"type": "string", "enum": ["", *DealStatus.values]}
    assert deals["status"]["description"].endswith("Empty: no filter.")
    assert deals["stuck"]["schema"]["enum"] == ["", "true", "false", "1", "0"]
    assert deals["sort"]["schema"]["enum"] == ["", *DEAL_LIST_SPEC.sort_keys()]
    pipeline = deals["pipeline"]["schema"]["anyOf"]
    assert pipeline[0]["type"] == "integer"
    assert pipeline[1] == {"type": "string", "enum": [""]}
    assert deals["created_from"]["schema"]["anyOf"][0] == {"type": "string", "format": "date"}
    size = deals["page_size"]["schema"]
    assert (size["anyOf"][0]["minimum"], size["anyOf"][0]["maximum"]) == (1, 200)
    assert size["default"] == 25
    assert set(LIST_PARAMS) <= set(deals)


@pytest.fixture
def api(two_teams: dict[str, Any], bearer: Any) -> Client:
    return bearer(two_teams["head_a"])


@pytest.mark.django_db
def test_empty_list_parameters_mean_no_filter_and_the_defaults(api: Client) -> None:
    plain = api.get("/api/v1/deals")
    assert plain.status_code == 200
    empty = "&".join(f"{name}=" for name in list_parameters_names(DEAL_LIST_SPEC))
    answer = api.get(f"/api/v1/deals?{empty}")
    assert answer.status_code == 200, answer.content[:400]
    assert answer.json() == plain.json()
    assert (answer.json()["page"], answer.json()["page_size"]) == (1, 25)


def list_parameters_names(spec: ListSpec) -> list[str]:
    return [p["name"] for p in list_parameters(spec)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "status=%20won",  # a choice is taken as sent, spaces and all
        "status=%20",
        "stuck=yes",
        "created_from=20240101",  # `date.fromisoformat` takes it; the schema says YYYY-MM-DD
        "created_to=2024-W01-1",
        "pipeline=1_0",  # `int()` takes it; the schema says an integer
        "pipeline=%2B1",
        "team=%D9%A5",  # an Arabic-Indic five
        "page=%2B1",
        "page=%201",
        "page_size=0",
        "page_size=201",
        "sort=nonsense",
        "page_size=a&page_size=5",  # the last alone would be read: 200 for a bad first value
        "status=won&status=lost",
    ],
)
def test_a_list_parameter_outside_its_published_schema_is_a_400(api: Client, query: str) -> None:
    answer = api.get(f"/api/v1/deals?{query}")
    assert answer.status_code == 400, answer.content[:400]
    body = answer.json()
    assert body["code"] == "validation_error"
    assert query.split("=")[0] in body["details"]["fields"]


@pytest.mark.django_db
def test_a_text_filter_and_the_search_still_drop_surrounding_spaces(api: Client) -> None:
    assert api.get("/api/v1/leads?utm_campaign=%20spring%20&q=%20x%20").status_code == 200


def _sample_values(schema: dict[str, Any]) -> list[str]:
    """Every value of an enum; one of each other published kind."""
    if "enum" in schema:
        return [str(value) for value in schema["enum"]]
    kinds = [option.get("format", option.get("type")) for option in schema.get("anyOf", [])]
    if "date" in kinds:
        return ["2026-01-31"]
    if "integer" in kinds:
        return ["1"]
    return ["Ромашка"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(p for p in LISTS if "{" not in p))
def test_every_published_value_of_a_list_parameter_is_taken(
    api: Client, paths: dict[str, Any], path: str
) -> None:
    for name, param in _query_params(paths[path]["get"]).items():
        if name in OWN_PARAMS:
            continue
        for value in _sample_values(param["schema"]):
            answer = api.get(f"/api/v1{path}", {name: value})
            assert answer.status_code == 200, (name, value, answer.content[:300])
