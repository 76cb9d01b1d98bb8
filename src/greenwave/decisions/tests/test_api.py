"""The decisions REST API: list, versions, XML, upload and evaluate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from greenwave.decisions import services
from greenwave.decisions.models import DecisionDefinition, DecisionEvaluation

from .conftest import broken_xml, library_xml, overlapping_xml

pytestmark = pytest.mark.django_db

DISCOUNT = {"segment": "ключевой", "payment_history": "хорошая", "order_volume": 1500000}


def test_any_signed_in_user_evaluates_a_decision(seeded, two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_b"]).post(
        "/api/v1/decisions/discount_price_list/evaluate", DISCOUNT, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["result"] == {"price_list_level": "5", "comment": "Ключевой клиент, крупный заказ"}
    assert body["matched_rules"] == [
        {
            "decision": "discount_price_list",
            "table_id": "discount_table",
            "rule_id": "discount_table_r3",
            "index": 3,
        }
    ]
    assert (body["version"], body["warnings"], body["errors"]) == (1, [], [])
    assert DecisionEvaluation.objects.filter(actor=two_teams["hunter_b"]).count() == 1


def test_evaluation_can_skip_the_audit_log_and_pick_a_decision(seeded, two_teams, bearer) -> None:
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/decisions/contract_approval/evaluate?log=false&decision=approval_rules",
        {"amount": 2000000, "template_deviation": "нет", "client_risk": "средний"},
        content_type="application/json",
    )
    assert response.json()["result"] == ["head_of_sales", "finance", "finance"]
    assert DecisionEvaluation.objects.count() == 0


def test_overlapping_unique_rules_answer_null_with_the_error(two_teams, bearer) -> None:
    services.decision_save(actor=None, xml=overlapping_xml(), deploy=True)
    response = bearer(two_teams["hunter_a"]).post(
        "/api/v1/decisions/overlap/evaluate", {"amount": 500}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["result"] is None
    assert "UNIQUE" in response.json()["errors"][0]


def test_evaluation_errors_use_the_error_format(seeded, two_teams, bearer) -> None:
    client = bearer(two_teams["hunter_a"])
    missing = client.post("/api/v1/decisions/nope/evaluate", {}, content_type="application/json")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    bad = client.post(
        "/api/v1/decisions/discount_price_list/evaluate",
        {"order_volume": "много"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "decisions.invalid_input"
    not_json = client.post(
        "/api/v1/decisions/discount_price_list/evaluate", "[1", content_type="application/json"
    )
    assert not_json.status_code == 400


def test_anonymous_callers_are_refused(seeded) -> None:
    response = Client().post(
        "/api/v1/decisions/discount_price_list/evaluate", {}, content_type="application/json"
    )
    assert response.status_code == 401


def test_upload_creates_a_version_and_feel_errors_come_back_per_cell(two_teams, bearer) -> None:
    client = bearer(two_teams["head_a"])
    xml = library_xml("client_reliability").decode()
    created = client.post(
        "/api/v1/decisions", {"xml": xml, "deploy": True}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["version"], created.json()["status"]) == (1, "deployed")
    refused = client.post(
        "/api/v1/decisions",
        {"xml": broken_xml().decode(), "key": "client_reliability"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "decisions.feel_invalid"
    assert body["details"]["errors"][0]["rule"] == 2
    assert DecisionDefinition.objects.count() == 1


def test_a_hunter_may_not_upload_or_deploy(seeded, two_teams, bearer) -> None:
    client = bearer(two_teams["hunter_a"])
    xml = library_xml("client_reliability").decode()
    response = client.post("/api/v1/decisions", {"xml": xml}, content_type="application/json")
    assert response.status_code == 403
    assert client.post("/api/v1/decisions/client_reliability/deploy").status_code == 403
    assert DecisionDefinition.objects.count() == 3


def test_versions_and_xml_are_readable(seeded, two_teams, bearer) -> None:
    services.decision_save(
        actor=two_teams["admin"], xml=library_xml("discount_price_list"), key="discount_price_list"
    )
    client = bearer(two_teams["hunter_a"])
    detail = client.get("/api/v1/decisions/discount_price_list").json()
    assert (detail["latest_version"], detail["deployed_version"]) == (2, 1)
    assert [v["version"] for v in detail["versions"]] == [2, 1]
    assert detail["inputs"][2] == {
        "name": "order_volume",
        "label": "Объём заказа, ₽",
        "type_ref": "number",
        "choices": [],
    }
    xml = client.get("/api/v1/decisions/discount_price_list/xml?version=1")
    assert xml.status_code == 200
    assert xml["Content-Type"].startswith("application/xml")
    assert xml.content == library_xml("discount_price_list")
    assert client.get("/api/v1/decisions/nope").status_code == 404


def test_the_list_answers_in_constant_queries(two_teams, bearer) -> None:
    client = bearer(two_teams["hunter_a"])
    services.decision_save(actor=None, xml=overlapping_xml(), deploy=True)
    client.get("/api/v1/decisions")  # warm up: token touch
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/decisions")
    services.decisions_seed(actor=None)
    services.decision_save(actor=two_teams["admin"], xml=overlapping_xml(), key="overlap")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/decisions")
    body = response.json()
    assert body["count"] == 4
    overlap = next(d for d in body["items"] if d["key"] == "overlap")
    assert (overlap["version"], overlap["deployed_version"], overlap["created_by"]) == (
        2,
        1,
        "admin",
    )
    assert len(many) == len(few)
    assert len(many) <= 6
