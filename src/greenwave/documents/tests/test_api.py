"""The REST surface: legal entities, invoices (create from a deal, issue, filters, cancel),
bad input and another team's user."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from greenwave.documents import services
from greenwave.documents.models import Invoice, LegalEntity

from .conftest import SELLER

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_finance_adds_a_legal_entity_and_a_hunter_cannot(make_user, bearer) -> None:
    finance = bearer(make_user("fin", roles=["finance"]))
    response = _post(finance, "/api/v1/legal-entities", SELLER)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["signatory_name_genitive"] == "Смирновой Анны Петровны"
    assert body["is_default"] is True
    hunter = bearer(make_user("h", roles=["hunter"]))
    refused = _post(hunter, "/api/v1/legal-entities", {**SELLER, "name": "Другое"})
    assert refused.status_code == 403
    assert LegalEntity.objects.count() == 1
    assert hunter.get("/api/v1/legal-entities").json()[0]["inn"] == SELLER["inn"]


def test_bad_bank_account_names_the_field(make_user, bearer) -> None:
    finance = bearer(make_user("fin", roles=["finance"]))
    response = _post(
        finance, "/api/v1/legal-entities", {**SELLER, "account": "40702810038000012345"}
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "account"
    assert not LegalEntity.objects.exists()


def test_invoice_from_a_deal_issued_filtered_and_cancelled(seller, deal, two_teams, bearer):
    hunter = bearer(two_teams["hunter_a"])
    created = _post(hunter, "/api/v1/invoices", {"deal_id": deal.pk, "issue": True})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "1"
    assert body["status"] == "issued"
    assert body["total"] == "12962.88"
    assert body["vat_amount"] == "2160.48"
    assert body["lines"][0]["name"] == "Труба стальная 57×3,5"
    page = hunter.get(f"/api/v1/invoices?deal={deal.pk}&status=issued").json()
    assert [i["id"] for i in page["items"]] == [body["id"]]
    assert hunter.get("/api/v1/invoices?overdue=true").json()["count"] == 0
    patched = hunter.patch(
        f"/api/v1/invoices/{body['id']}",
        data=json.dumps({"due_date": (date.today() + timedelta(days=30)).isoformat()}),
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    cancelled = _post(hunter, f"/api/v1/invoices/{body['id']}/cancel", {"reason": "Дубль"})
    assert cancelled.json()["status"] == "cancelled"


def test_manual_invoice_with_lines_and_discount(seller, client_company, two_teams, bearer):
    hunter = bearer(two_teams["hunter_a"])
    response = _post(
        hunter,
        "/api/v1/invoices",
        {
            "company_id": client_company.pk,
            "lines": [
                {"name": "Монтаж", "quantity": "2", "price": "1000.00", "discount_percent": "10"},
                {"name": "Книга", "quantity": "1", "price": "550.00", "vat_rate": "10"},
                {"name": "Экспорт", "quantity": "1", "price": "300.00", "vat_rate": "0"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["total"] == "2650.00"  # 1800 + 550 + 300
    assert body["vat_amount"] == "350.00"  # 300 (20 % of 1800 incl.) + 50 (10 % of 550 incl.)
    assert body["status"] == "draft"


def test_another_team_gets_404_and_changes_nothing(seller, deal, two_teams, bearer) -> None:
    invoice = services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    outsider = bearer(two_teams["hunter_b"])
    assert outsider.get(f"/api/v1/invoices/{invoice.pk}").status_code == 404
    assert outsider.get("/api/v1/invoices").json()["count"] == 0
    refused = _post(outsider, f"/api/v1/invoices/{invoice.pk}/cancel", {"reason": "x"})
    assert refused.status_code == 404
    assert _post(outsider, "/api/v1/invoices", {"deal_id": deal.pk}).status_code == 404
    assert Invoice.objects.get().status == "draft"


def test_bad_list_parameters_are_refused(seller, two_teams, bearer) -> None:
    hunter = bearer(two_teams["hunter_a"])
    assert hunter.get("/api/v1/invoices?overdue=maybe").status_code == 400
    assert hunter.get("/api/v1/invoices?deal=abc").status_code == 400
    assert hunter.get("/api/v1/invoices?colour=red").status_code == 400
