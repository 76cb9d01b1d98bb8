"""Demo money: invoices of a few open B2B deals at «Счёт» or later — some paid in full, some
in part, some overdue (the receivables buckets and a reminder for the worker) — entered by
the demo finance manager. Deterministic (the deals in id order) and idempotent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from greenwave.core.errors import DomainError
from greenwave.documents import services as doc_services
from greenwave.documents.demo import DEMO_ENTITY
from greenwave.sales.models import Deal, DealStatus

from . import fulfilment, services
from .models import ClaimKind, LateReason, Order, Payment

# The demo company (the documents' seeder's, by the same INN) as this seeder makes it when it
# runs first: without phone and e-mail, and the default seller.
SELLER = {
    **{k: v for k, v in DEMO_ENTITY.items() if k not in ("phone", "email")},
    "name": "ООО «Гринвейв»",
    "full_name": "Общество с ограниченной ответственностью «Гринвейв»",
    "address": "123112, г. Москва, Пресненская наб., д. 12",
    "bank_name": "ПАО Сбербанк",
    "is_default": True,
}
# (days since issue, payment days, share paid): paid, partly paid, overdue by 3, 12, 45 and
# 120 days, not yet due.
PLAN = (
    (20, 5, Decimal(1)),
    (15, 5, Decimal(1)),
    (10, 10, Decimal("0.4")),
    (8, 5, Decimal(0)),
    (17, 5, Decimal(0)),
    (50, 5, Decimal("0.5")),
    (125, 5, Decimal(0)),
    (2, 10, Decimal(0)),
)


def seed_money(context: dict[str, Any]) -> None:
    if not Payment.objects.exists():
        _seed_payments(context)
    if not Order.objects.exists():
        _seed_orders(context)


def _seed_orders(context: dict[str, Any]) -> None:
    """Orders of the three latest won deals: one shipped in full late, one shipped in part
    (the rest ordered from a supplier), one waiting. On the first, a claim run by its process
    up to the head of sales's decision, and a return just registered; on the third, a supplier
    order already received."""
    today = timezone.localdate()
    won = Deal.objects.filter(
        status=DealStatus.WON, company__isnull=False, company__is_deleted=False
    )
    # The north team's deals, so that the same people meet the claim whatever the hour the
    # demo is built at (the history's latest wins change with the time of day).
    head = context.get("users", {}).get("head_north")
    if head is not None and head.team_id and won.filter(team_id=head.team_id).exists():
        won = won.filter(team_id=head.team_id)
    deals = list(won.order_by("-closed_at", "-pk")[:3])
    orders = []
    for index, deal in enumerate(deals):
        orders.append(
            fulfilment.order_create_from_deal(
                actor=None, deal=deal, promised_date=today - timedelta(days=10 - 8 * index)
            )
        )
    if orders:
        _seed_late_order_with_claims(orders[0], today, context.get("users", {}))
    if len(orders) > 1:
        _seed_partial_order(orders[1], today)
    if len(orders) > 2:
        _seed_received_purchase(orders[2], today)


def _seed_late_order_with_claims(order: Order, today: date, users: dict[str, Any]) -> None:
    """Shipped in full late; a claim waiting for the head of sales and a return registered."""
    fulfilment.shipment_create(
        actor=None,
        order=order,
        document_number="УПД-118",
        shipped_on=today - timedelta(days=4),
        late_reason=LateReason.SUPPLIER_DELAY,
        late_comment="Поставщик задержал трубы на неделю",
    )
    shipment = order.shipments.first()
    claim = fulfilment.claim_create(
        actor=None,
        order=order,
        shipment=shipment,
        kind=ClaimKind.CLAIM,
        subject="Часть труб с повреждённой изоляцией",
        description="Клиент прислал акт о расхождении и фото: 4 трубы с дефектом.",
        amount=Decimal("18500.00"),
        deadline=today + timedelta(days=6),
    )
    _claim_to_decision(claim, users)
    fulfilment.claim_create(
        actor=None,
        order=order,
        shipment=shipment,
        kind=ClaimKind.RETURN,
        subject="Возврат лишних фитингов",
        description="Клиент возвращает 10 фитингов по 1 240 ₽, отгруженных сверх заявки.",
        amount=Decimal("12400.00"),  # a return carries the value of the goods sent back
        deadline=today + timedelta(days=10),
    )


def _seed_partial_order(order: Order, today: date) -> None:
    """Half of the first line shipped, the rest ordered from a supplier."""
    line = order.lines.order_by("position").first()
    if line is not None:
        half = (line.quantity / 2).quantize(Decimal("0.001"))
        if half > 0:
            fulfilment.shipment_create(
                actor=None,
                order=order,
                document_number="УПД-121",
                shipped_on=today - timedelta(days=1),
                lines=[(line.pk, half)],
            )
        fulfilment.supplier_order_create(
            actor=None,
            line=line,
            supplier="ООО «Трубный завод»",
            quantity=line.quantity - half,
            expected_date=today + timedelta(days=5),
        )


def _seed_received_purchase(order: Order, today: date) -> None:
    """The first line bought from a supplier and already received."""
    line = order.lines.order_by("position").first()
    if line is not None:
        purchase = fulfilment.supplier_order_create(
            actor=None,
            line=line,
            supplier="АО «Фитинг-Центр»",
            quantity=line.quantity,
            expected_date=today - timedelta(days=2),
        )
        fulfilment.supplier_order_receive(
            actor=None, purchase=purchase, received_on=today - timedelta(days=1)
        )


def _claim_to_decision(claim: Any, users: dict[str, Any]) -> None:
    """The claim's manager records the documents and the lawyer analyses it: its decision
    waits in the inbox of the head of sales of its team."""
    lawyer = users.get("lawyer")
    manager = claim.responsible
    if lawyer is None or manager is None:
        return
    steps = (
        (manager, {"documents_received": True, "comment": "Акт и фото получены"}),
        (
            lawyer,
            {
                "findings": "Повреждение изоляции при производстве, не при разгрузке.",
                "manufacturer_letter": True,
                "manufacturer_answer": "Завод признал брак и готов заменить трубы.",
            },
        ),
    )
    try:
        for actor, data in steps:
            fulfilment.claim_task_complete(actor=actor, claim=claim, data=data)
    except DomainError:  # the demo people changed: the claim waits at its current step
        return


def _seed_payments(context: dict[str, Any]) -> None:
    finance = context.get("users", {}).get("finance")
    seller = doc_services.legal_entity_default() or doc_services.legal_entity_create(
        actor=None, data=dict(SELLER)
    )
    deals = list(
        Deal.objects.filter(
            status=DealStatus.OPEN,
            company__isnull=False,
            company__is_deleted=False,
            amount__gt=0,
            pipeline__code="b2b",
            invoices__isnull=True,
        )
        .select_related("company", "stage")
        .order_by("-stage__order", "pk")[: len(PLAN)]
    )
    today = timezone.localdate()
    for deal, (age, days, share) in zip(deals, PLAN, strict=False):
        try:
            invoice = doc_services.invoice_create_from_deal(actor=None, deal=deal, seller=seller)
            issued = today - timedelta(days=age)
            invoice = doc_services.invoice_issue(
                actor=None,
                invoice=invoice,
                issue_date=issued,
                due_date=issued + timedelta(days=days),
            )
        except DomainError:
            continue
        amount = (invoice.total * share).quantize(Decimal("0.01"))
        if amount > 0:
            services.payment_record(
                actor=finance,
                invoice=invoice,
                amount=amount,
                payment_date=min(issued + timedelta(days=3), today),
                document_number=str(400 + invoice.pk),
                payer_inn=deal.company.inn if deal.company else "",
                payer_name=deal.company.name if deal.company else "",
                purpose=f"Оплата по счёту № {invoice.number} от {issued:%d.%m.%Y}",
            )
