from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from greenwave.activities.models import Activity
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.orders import fulfilment
from greenwave.orders.models import Claim, Order
from greenwave.sales.models import Deal, DealStatus


@pytest.fixture
def won_deal(deal: Deal) -> Deal:
    # Won through the ORM: the gates of the pipeline are the sales tests' business.
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    return Deal.objects.get(pk=deal.pk)


def test_won_deal_becomes_an_order_once_by_the_worker(won_deal, two_teams) -> None:
    assert fulfilment.orders_from_won_deals() == 1
    assert fulfilment.orders_from_won_deals() == 0
    order = Order.objects.get(deal=won_deal)
    line = order.lines.get()
    assert (line.name, line.quantity, line.price) == (
        "Труба стальная 57×3,5",
        Decimal("10.500"),
        Decimal("1234.56"),
    )
    assert order.responsible == two_teams["hunter_a"]
    assert Event.objects.filter(case_type="order", activity="order_created").count() == 1
    with pytest.raises(DomainError):
        fulfilment.order_create_from_deal(actor=None, deal=won_deal)


def test_open_deal_is_no_order(deal) -> None:
    with pytest.raises(DomainError):
        fulfilment.order_create_from_deal(actor=None, deal=deal)


def test_partial_then_late_final_shipment_needs_a_reason(won_deal, two_teams) -> None:
    today = timezone.localdate()
    order = fulfilment.order_create_from_deal(
        actor=None, deal=won_deal, promised_date=today - timedelta(days=2)
    )
    line = order.lines.get()
    hunter = two_teams["hunter_a"]
    fulfilment.shipment_create(
        actor=hunter,
        order=order,
        document_number="ТН-1",
        shipped_on=today - timedelta(days=3),
        lines=[(line.pk, "4")],
    )
    line.refresh_from_db()
    assert line.remaining == Decimal("6.500")
    order.refresh_from_db()
    assert order.status == "partially_shipped"
    with pytest.raises(DomainError) as caught:
        fulfilment.shipment_create(
            actor=hunter,
            order=order,
            document_number="ТН-2",
            shipped_on=today,
            lines=[(line.pk, "7")],
        )
    assert "6.5" in caught.value.message
    with pytest.raises(DomainError) as caught:
        fulfilment.shipment_create(
            actor=hunter, order=order, document_number="ТН-2", shipped_on=today
        )
    assert caught.value.details["field"] == "late_reason"
    fulfilment.shipment_create(
        actor=hunter,
        order=order,
        document_number="ТН-2",
        shipped_on=today,
        late_reason="supplier_delay",
    )
    order.refresh_from_db()
    assert (order.status, order.is_late, order.late_reason) == ("shipped", True, "supplier_delay")
    shipped = Event.objects.get(case_type="order", activity="order_shipped")
    assert shipped.payload["late"] is True


def test_another_team_cannot_ship(won_deal, two_teams) -> None:
    order = fulfilment.order_create_from_deal(actor=None, deal=won_deal)
    with pytest.raises(DomainError) as caught:
        fulfilment.shipment_create(
            actor=two_teams["hunter_b"],
            order=order,
            document_number="X",
            shipped_on=timezone.localdate(),
        )
    assert caught.value.status == 404


def test_supplier_order_for_a_line(won_deal) -> None:
    order = fulfilment.order_create_from_deal(actor=None, deal=won_deal)
    line = order.lines.get()
    purchase = fulfilment.supplier_order_create(
        actor=None,
        line=line,
        supplier="ООО «Трубный завод»",
        quantity="10.5",
        expected_date=timezone.localdate() + timedelta(days=5),
    )
    fulfilment.supplier_order_receive(
        actor=None, purchase=purchase, received_on=timezone.localdate()
    )
    with pytest.raises(DomainError):
        fulfilment.supplier_order_receive(
            actor=None, purchase=purchase, received_on=timezone.localdate()
        )


def _claim(order: Order, days: int) -> Claim:
    return fulfilment.claim_create(
        actor=None,
        order=order,
        kind="claim",
        subject="Трубы с дефектом",
        deadline=timezone.localdate() + timedelta(days=days),
        amount="1500.00",
    )


def _cancel_process(claim: Claim) -> None:
    """A claim whose process was cancelled is moved by hand and checked by the worker."""
    from greenwave.bpm import services as bpm
    from greenwave.bpm.models import ProcessInstance

    instance = ProcessInstance.objects.get(object_type="claim", object_id=str(claim.pk))
    bpm.instance_cancel(actor=None, instance=instance)


def test_claim_without_its_process_is_moved_by_hand_to_its_end(won_deal) -> None:
    order = fulfilment.order_create_from_deal(actor=None, deal=won_deal)
    claim = _claim(order, 10)
    with pytest.raises(DomainError, match="follows its process"):
        fulfilment.claim_advance(actor=None, claim=claim, status="investigation")
    _cancel_process(claim)
    for status in ("investigation", "decision"):
        claim = fulfilment.claim_advance(actor=None, claim=claim, status=status)
    with pytest.raises(DomainError):
        fulfilment.claim_advance(actor=None, claim=claim, status="settlement")
    claim = fulfilment.claim_advance(
        actor=None, claim=claim, status="settlement", decision="replacement"
    )
    claim = fulfilment.claim_advance(
        actor=None, claim=claim, status="closed", resolution="Заменили"
    )
    assert claim.status == "closed"
    activities = list(
        Event.objects.filter(case_type="claim", case_id=str(claim.pk))
        .order_by("id")
        .values_list("activity", flat=True)
    )
    assert activities == [
        "claim_opened",
        "claim_status_changed",
        "claim_status_changed",
        "claim_status_changed",
        "claim_closed",
    ]


def test_claim_past_deadline_escalates_to_the_head_once(
    won_deal, two_teams: dict[str, Any]
) -> None:
    order = fulfilment.order_create_from_deal(actor=None, deal=won_deal)
    late = _claim(order, 3)
    _claim(order, 3)
    _cancel_process(late)
    # The deadline passes (by the ORM: a registered claim keeps its deadline).
    Claim.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    also_late = _claim(order, 3)  # its process's timer escalates it, not the worker
    Claim.objects.filter(pk=also_late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert fulfilment.claims_escalate_overdue() == 1
    assert fulfilment.claims_escalate_overdue() == 0
    late.refresh_from_db()
    assert late.escalated_at is not None
    task = Activity.objects.get(subject__contains=str(late))
    assert task.responsible == two_teams["head_a"]
    also_late.refresh_from_db()
    assert also_late.escalated_at is None
