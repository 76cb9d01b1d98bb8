from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from greenwave.orders import statement
from greenwave.orders.models import Payment

DATA = Path(__file__).parent / "data"


def test_finance_enters_and_lists_payments(make_invoice, finance, two_teams, bearer) -> None:
    invoice = make_invoice("1000.00")
    client = bearer(finance)
    answer = client.post(
        "/api/v1/payments",
        {"invoice_id": invoice.pk, "amount": "400.00", "payment_date": "2026-12-02"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["invoice_status"] == "partially_paid"
    over = client.post(
        "/api/v1/payments",
        {"invoice_id": invoice.pk, "amount": "600.01"},
        content_type="application/json",
    )
    assert over.status_code == 400
    assert over.json()["code"] == "orders.overpayment"
    refund = client.post(
        "/api/v1/payments",
        {"refund_of_id": answer.json()["id"], "amount": "100"},
        content_type="application/json",
    )
    assert refund.status_code == 201
    assert refund.json()["kind"] == "refund"
    listed = client.get("/api/v1/payments")
    assert listed.json()["count"] == 2
    # Another team sees none of it; a manager cannot enter money.
    other = bearer(two_teams["hunter_b"])
    assert other.get("/api/v1/payments").json()["count"] == 0
    assert other.get(f"/api/v1/payments?invoice={invoice.pk}").json()["count"] == 0
    refused = bearer(two_teams["hunter_a"]).post(
        "/api/v1/payments",
        {"invoice_id": invoice.pk, "amount": "1"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert bearer(two_teams["hunter_a"]).get("/api/v1/payments").json()["count"] == 2


def test_import_dry_run_then_confirm(make_invoice, finance, bearer) -> None:
    for total in ("12000.00", "7500.00", "3000.00", "3000.00"):
        make_invoice(total)
    client = bearer(finance)
    raw = (DATA / "statement_cp1251.txt").read_bytes()
    dry = client.post(
        "/api/v1/payments/import",
        {"file": SimpleUploadedFile("kl_to_1c.txt", raw), "dry_run": "true"},
    )
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert (len(body["matched"]), len(body["ambiguous"]), len(body["unmatched"])) == (2, 1, 1)
    assert body["written"] == 0
    done = client.post(
        "/api/v1/payments/import",
        {"file": SimpleUploadedFile("kl_to_1c.txt", raw), "dry_run": "false"},
    )
    assert done.json()["written"] == 2
    again = client.post(
        "/api/v1/payments/import",
        {"file": SimpleUploadedFile("kl_to_1c.txt", raw), "dry_run": "false"},
    )
    assert again.json()["written"] == 0
    assert Payment.objects.count() == 2
    bad = client.post(
        "/api/v1/payments/import",
        {"file": SimpleUploadedFile("x.txt", b"1CClientBankExchange\nbroken line\n")},
    )
    assert bad.status_code == 400
    assert bad.json()["details"]["line"] == 2


def test_receivables_api(make_invoice, finance, bearer) -> None:
    make_invoice("500.00")
    answer = bearer(finance).get("/api/v1/receivables?group_by=manager")
    assert answer.status_code == 200
    assert answer.json()["total"]["total"] == "500.00"
    assert bearer(finance).get("/api/v1/receivables?group_by=nope").status_code == 400


def test_orders_shipments_and_claims_api(deal, two_teams, bearer) -> None:
    from django.utils import timezone

    from greenwave.sales.models import Deal, DealStatus

    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    owner, outsider = bearer(two_teams["hunter_a"]), bearer(two_teams["hunter_b"])
    created = owner.post("/api/v1/orders", {"deal_id": deal.pk}, content_type="application/json")
    assert created.status_code == 201, created.content
    order = created.json()
    assert order["lines"][0]["remaining"] == "10.500"
    again = owner.post("/api/v1/orders", {"deal_id": deal.pk}, content_type="application/json")
    assert again.status_code == 409
    assert outsider.get(f"/api/v1/orders/{order['id']}").status_code == 404
    assert outsider.get("/api/v1/orders").json()["count"] == 0
    shipped = owner.post(
        f"/api/v1/orders/{order['id']}/shipments",
        {
            "document_number": "ТН-5",
            "shipped_on": timezone.localdate().isoformat(),
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": "0.5"}],
        },
        content_type="application/json",
    )
    assert shipped.status_code == 201, shipped.content
    detail = owner.get(f"/api/v1/orders/{order['id']}").json()
    assert detail["status"] == "partially_shipped"
    assert detail["lines"][0]["remaining"] == "10.000"
    claim = owner.post(
        "/api/v1/claims",
        {
            "order_id": order["id"],
            "shipment_id": shipped.json()["id"],
            "kind": "return",
            "subject": "Возврат лишнего",
            "deadline": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert claim.status_code == 201, claim.content
    assert owner.get("/api/v1/claims").json()["count"] == 1
    assert outsider.get("/api/v1/claims").json()["count"] == 0
    refused = outsider.post(
        "/api/v1/claims",
        {"order_id": order["id"], "kind": "claim", "subject": "x", "deadline": "2026-12-30"},
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_a_statement_over_the_limit_is_a_413_and_nothing_is_read(
    finance, bearer, monkeypatch
) -> None:
    monkeypatch.setattr(statement, "MAX_BYTES", 2 * 1024 * 1024)
    raw = b"1CClientBankExchange\n" + b"x" * (2 * 1024 * 1024)
    answer = bearer(finance).post(
        "/api/v1/payments/import", {"file": SimpleUploadedFile("big.txt", raw)}
    )
    assert answer.status_code == 413, answer.content
    body = answer.json()
    assert (body["code"], body["details"]) == ("payload_too_large", {})
    assert "2" in body["message"]
    assert not Payment.objects.exists()
