"""Supplier orders through their pages and the API (scoped like the order, validated, logged),
and the claim advanced through the API by completing its process step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.bpm.models import HumanTask
from greenwave.core.models import Event
from greenwave.orders import fulfilment
from greenwave.orders.models import Claim, Order, SupplierOrder
from greenwave.sales.models import Deal, DealStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(deal: Deal) -> Order:
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    return fulfilment.order_create_from_deal(actor=None, deal=Deal.objects.get(pk=deal.pk))


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _events(order: Order) -> list[str]:
    return list(
        Event.objects.filter(case_type="order", case_id=str(order.pk))
        .order_by("id")
        .values_list("activity", flat=True)
    )


def test_supplier_order_pages_create_edit_receive(order: Order, two_teams: dict[str, Any]) -> None:
    line = order.lines.get()
    manager = _login(two_teams["hunter_a"])
    expected = timezone.localdate() + timedelta(days=5)
    form = manager.get(f"/money/supplier-orders/new/?line={line.pk}")
    assert form.status_code == 200
    assert form.context["form"].initial["line"] == line.pk
    too_many = manager.post(
        "/money/supplier-orders/new/",
        {"line": line.pk, "supplier": "ООО «Трубы»", "quantity": "99", "expected_date": expected},
    )
    assert too_many.status_code == 200
    assert too_many.context["form"].errors["quantity"] == ["Больше количества в строке."]
    assert not SupplierOrder.objects.exists()
    created = manager.post(
        "/money/supplier-orders/new/",
        {"line": line.pk, "supplier": "ООО «Трубы»", "quantity": "4.5", "expected_date": expected},
    )
    assert created.status_code == 302, created.context and created.context["form"].errors
    purchase = SupplierOrder.objects.get()
    assert created["Location"] == f"/money/supplier-orders/{purchase.pk}/"
    assert purchase.quantity == Decimal("4.5")
    edited = manager.post(
        f"/money/supplier-orders/{purchase.pk}/edit/",
        {"supplier": "ООО «Трубный завод»", "quantity": "4.5", "expected_date": expected},
    )
    assert edited.status_code == 302
    purchase.refresh_from_db()
    assert purchase.supplier == "ООО «Трубный завод»"
    detail = manager.get(f"/money/supplier-orders/{purchase.pk}/")
    assert "ООО «Трубный завод»" in detail.content.decode()
    future = manager.post(
        f"/money/supplier-orders/{purchase.pk}/",
        {"received_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
    )
    assert future.context["form"].errors["received_on"]
    received = manager.post(
        f"/money/supplier-orders/{purchase.pk}/", {"received_on": timezone.localdate()}
    )
    assert received.status_code == 302
    purchase.refresh_from_db()
    assert purchase.received_on == timezone.localdate()
    # A received order is not edited any more.
    again = manager.post(
        f"/money/supplier-orders/{purchase.pk}/edit/",
        {"supplier": "Другой", "quantity": "1", "expected_date": expected},
    )
    assert "Полученный заказ поставщику изменить нельзя." in again.content.decode()
    assert _events(order)[-3:] == [
        "supplier_order_placed",
        "supplier_order_changed",
        "supplier_order_received",
    ]
    changed = Event.objects.get(activity="supplier_order_changed")
    assert changed.payload["changed"] == {"supplier": ["ООО «Трубы»", "ООО «Трубный завод»"]}
    listed = manager.get("/money/supplier-orders/")
    assert listed.context["page"].paginator.count == 1
    # Another team sees nothing of it.
    outsider = _login(two_teams["hunter_b"])
    assert outsider.get("/money/supplier-orders/").context["page"].paginator.count == 0
    assert outsider.get(f"/money/supplier-orders/{purchase.pk}/").status_code == 404
    assert outsider.get(f"/money/supplier-orders/{purchase.pk}/edit/").status_code == 404
    assert outsider.get(f"/money/supplier-orders/new/?line={line.pk}").context["form"].initial == {}


def test_a_reader_cannot_edit_a_supplier_order(
    order: Order, two_teams: dict[str, Any], make_user: Any
) -> None:
    purchase = fulfilment.supplier_order_create(
        actor=None,
        line=order.lines.get(),
        supplier="ООО «Трубы»",
        quantity="1",
        expected_date=timezone.localdate(),
    )
    lawyer = _login(make_user("lawyer", roles=["lawyer"]))
    assert lawyer.get(f"/money/supplier-orders/{purchase.pk}/").status_code == 200
    assert lawyer.get(f"/money/supplier-orders/{purchase.pk}/edit/").status_code == 403


def test_supplier_orders_api(order: Order, two_teams: dict[str, Any], bearer: Any) -> None:
    line = order.lines.get()
    api = bearer(two_teams["hunter_a"])
    body = {
        "line_id": line.pk,
        "supplier": "ООО «Трубы»",
        "quantity": "2.5",
        "expected_date": (timezone.localdate() + timedelta(days=3)).isoformat(),
    }
    created = api.post("/api/v1/supplier-orders", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["order_id"], data["line_id"], data["quantity"]) == (order.pk, line.pk, "2.500")
    pk = data["id"]
    bad = api.post(
        "/api/v1/supplier-orders", {**body, "quantity": "0"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
    too_many = api.post(
        "/api/v1/supplier-orders", {**body, "quantity": "1000"}, content_type="application/json"
    )
    assert too_many.status_code == 400
    assert too_many.json()["details"]["field"] == "quantity"
    patched = api.patch(
        f"/api/v1/supplier-orders/{pk}", {"quantity": "3"}, content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["quantity"] == "3.000"
    assert patched.json()["supplier"] == "ООО «Трубы»"
    received = api.post(
        f"/api/v1/supplier-orders/{pk}/receive",
        {"received_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert received.status_code == 200
    twice = api.post(
        f"/api/v1/supplier-orders/{pk}/receive",
        {"received_on": timezone.localdate().isoformat()},
        content_type="application/json",
    )
    assert twice.status_code == 409
    assert api.get("/api/v1/supplier-orders?waiting=true").json()["count"] == 0
    assert api.get("/api/v1/supplier-orders").json()["count"] == 1
    outsider = bearer(two_teams["hunter_b"])
    assert outsider.get("/api/v1/supplier-orders").json()["count"] == 0
    assert outsider.get(f"/api/v1/supplier-orders/{pk}").status_code == 404
    foreign = outsider.post("/api/v1/supplier-orders", body, content_type="application/json")
    assert foreign.status_code == 404
    assert SupplierOrder.objects.count() == 1


def _claim(two_teams: dict[str, Any], order: Order) -> Claim:
    return fulfilment.claim_create(
        actor=two_teams["hunter_a"],
        order=order,
        kind="claim",
        subject="Брак изоляции",
        deadline=timezone.localdate() + timedelta(days=10),
    )


def test_claim_advance_api_completes_its_process_step(
    order: Order, two_teams: dict[str, Any], bearer: Any
) -> None:
    claim = _claim(two_teams, order)
    other = _claim(two_teams, order)
    other_task = HumanTask.objects.get(instance__object_id=str(other.pk), element_id="register")
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/claims/{claim.pk}/advance"
    missing = api.post(url, {"data": {}}, content_type="application/json")
    assert missing.status_code == 400  # the step's form: documents_received is required
    foreign_task = api.post(
        url,
        {"task_id": other_task.pk, "data": {"documents_received": True}},
        content_type="application/json",
    )
    assert foreign_task.status_code == 400
    assert foreign_task.json()["details"]["field"] == "task_id"
    assert Claim.objects.get(pk=other.pk).status == "registered"
    hidden = bearer(two_teams["hunter_b"]).post(
        url, {"data": {"documents_received": True}}, content_type="application/json"
    )
    assert hidden.status_code == 404
    done = api.post(url, {"data": {"documents_received": True}}, content_type="application/json")
    assert done.status_code == 200, done.content
    answer = done.json()
    assert answer["claim"]["status"] == "investigation"
    assert answer["process_status"] == "running"
    assert [t["element_id"] for t in answer["open_tasks"]] == ["analyse"]
    assert answer["open_tasks"][0]["candidate_role"] == "lawyer"
    # The manager cannot do the lawyer's step.
    refused = api.post(url, {"data": {"findings": "x"}}, content_type="application/json")
    assert refused.status_code == 403
    assert Claim.objects.get(pk=claim.pk).status == "investigation"
    assert api.get(f"/api/v1/claims/{claim.pk}").json()["status"] == "investigation"
    assert "claim_status_changed" in Event.objects.filter(
        case_type="claim", case_id=str(claim.pk)
    ).values_list("activity", flat=True)


def test_claim_advance_api_without_a_process_moves_the_status(
    order: Order, two_teams: dict[str, Any], bearer: Any
) -> None:
    from greenwave.bpm import services as bpm
    from greenwave.bpm.models import ProcessInstance

    claim = _claim(two_teams, order)
    instance = ProcessInstance.objects.get(object_type="claim", object_id=str(claim.pk))
    bpm.instance_cancel(actor=None, instance=instance)
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/claims/{claim.pk}/advance"
    assert api.post(url, {}, content_type="application/json").status_code == 400
    skipped = api.post(url, {"status": "closed"}, content_type="application/json")
    assert skipped.status_code == 409
    moved = api.post(url, {"status": "investigation"}, content_type="application/json")
    assert moved.status_code == 200
    assert moved.json()["claim"]["status"] == "investigation"
    assert moved.json()["process_status"] == "cancelled"


def test_the_call_centre_is_neither_offered_nor_let_into_supplier_orders(
    order: Order, two_teams: dict[str, Any], make_user: Any
) -> None:
    """The menu entry follows the page: whoever the page refuses does not see the entry."""
    caller = _login(make_user("caller", roles=["call_center"], team=two_teams["team_a"]))
    home = caller.get("/").content.decode()
    assert 'href="/money/supplier-orders/"' not in home
    assert caller.get("/money/supplier-orders/").status_code == 403
    assert caller.get("/money/supplier-orders/new/").status_code == 403
    order_page = caller.get(f"/money/orders/{order.pk}/")
    assert order_page.status_code == 200
    assert 'data-testid="order-from-supplier"' not in order_page.content.decode()
    for login in ("hunter_a", "head_a"):
        seller = _login(two_teams[login])
        assert 'href="/money/supplier-orders/"' in seller.get("/").content.decode()
        assert seller.get("/money/supplier-orders/").status_code == 200
        assert (
            'data-testid="order-from-supplier"'
            in seller.get(f"/money/orders/{order.pk}/").content.decode()
        )
