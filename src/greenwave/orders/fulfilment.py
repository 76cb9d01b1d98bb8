"""Writers of fulfilment: the order of a won deal, its shipments (full or partial, with the
shipping document), purchases from suppliers for its lines, claims and returns.

A deal becomes an order by `order_create_from_deal` — called from the API/page, and by the
worker's job `orders_from_won_deals`, which reads the deals won recently (sales records, no
hook inside sales: the job is the extension point)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import can_write, require_visible, require_write
from greenwave.activities import services as activity_services
from greenwave.bpm import services as bpm
from greenwave.bpm.library import process_xml
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.core.errors import CoreError, DomainError, permission_denied
from greenwave.core.jobs import claim_each
from greenwave.core.record_change import record_change
from greenwave.core.services import ObjectRef, event_append_for
from greenwave.sales.models import Deal, DealStatus

from . import events
from .errors import invalid
from .models import (
    Claim,
    ClaimDecision,
    ClaimKind,
    ClaimStatus,
    LateReason,
    Order,
    OrderLine,
    OrderStatus,
    Shipment,
    ShipmentLine,
    SupplierOrder,
)

# Besides the deal's own people: finance and accounting ship and purchase for any order they
# can read; lawyers handle claims.
KEEPERS = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)
CLAIM_KEEPERS = (RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)
DEFAULT_LEAD_DAYS = 14
WON_LOOKBACK_DAYS = 7
QTY = Decimal("0.001")


def _require_writer(actor: User | None, record: Any, roles: Sequence[str] = KEEPERS) -> None:
    if actor is not None and actor.has_role(*roles):
        return
    require_write(actor, record, message=_("You can read this order but not change it."))


# Who buys from suppliers: finance and accounting, and the sellers who hold orders — not the
# call centre, which hands its leads on long before a deal becomes an order.
PURCHASERS = (
    *KEEPERS,
    RoleCode.HUNTER,
    RoleCode.CLOSER,
    RoleCode.FARMER,
    RoleCode.KAM,
    RoleCode.HEAD_OF_SALES,
)


def can_order_from_suppliers(actor: User) -> bool:
    """May the actor use the supplier orders? The pages and their menu entry ask the same."""
    return bool(actor.is_greenwave_admin or actor.has_role(*PURCHASERS))


def can_change_order(actor: User, order: Order) -> bool:
    """May the actor ship, purchase for, or correct the purchases of this order?"""
    return actor.has_role(*KEEPERS) or can_write(actor, order)


def _objects(order: Order) -> list[ObjectRef]:
    return [
        ObjectRef("deal", str(order.deal_id), "deal"),
        ObjectRef("company", str(order.company_id), "client"),
    ]


def _quantity(value: Any, field: str) -> Decimal:
    try:
        qty = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("Enter a quantity.")) from None
    if not qty.is_finite() or qty <= 0 or qty != qty.quantize(QTY) or qty >= Decimal("1e11"):
        raise invalid(field, _("The quantity must be positive, at most three decimals."))
    return qty


@transaction.atomic
def order_create_from_deal(
    *, actor: User | None, deal: Deal, promised_date: date | None = None
) -> Order:
    """The order of a won deal: its lines (or one line of its amount)."""
    require_visible(actor, deal, _("Deal not found."))
    _require_writer(actor, deal)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != DealStatus.WON:
        raise DomainError(CoreError.CONFLICT, _("Only a won deal becomes an order."))
    if Order.objects.filter(deal=deal).exists():
        raise DomainError(CoreError.CONFLICT, _("This deal already has its order."))
    if deal.company_id is None:
        raise DomainError(CoreError.CONFLICT, _("The deal has no client."))
    won = timezone.localdate(deal.closed_at) if deal.closed_at else timezone.localdate()
    promised = promised_date or won + timedelta(days=DEFAULT_LEAD_DAYS)
    order = Order.objects.create(
        deal=deal,
        company_id=deal.company_id,
        promised_date=promised,
        amount=deal.amount,
        responsible_id=deal.responsible_id,
        team_id=deal.team_id,
        created_by=actor,
    )
    items = list(deal.items.select_related("product").order_by("pk"))
    lines = [
        OrderLine(
            order=order,
            position=index,
            product=item.product,
            name=item.product.name,
            unit=item.product.get_unit_display(),
            quantity=item.quantity,
            price=item.price,
        )
        for index, item in enumerate(items, start=1)
    ] or [
        OrderLine(
            order=order, position=1, name=deal.title, unit="усл", quantity=1, price=deal.amount
        )
    ]
    OrderLine.objects.bulk_create(lines)
    _event(
        order,
        events.ORDER_CREATED,
        actor,
        {
            "deal_id": deal.pk,
            "company_id": deal.company_id,
            "amount": str(order.amount),
            "promised_date": promised.isoformat(),
            "lines": len(lines),
            "responsible_id": order.responsible_id,
            "team_id": order.team_id,
        },
        new_case=True,
    )
    return order


def orders_from_won_deals(*, limit: int = 200) -> int:
    """The worker's job: an order for every deal won in the last days that has none."""
    since = timezone.now() - timedelta(days=WON_LOOKBACK_DAYS)
    created = 0
    deals = Deal.objects.filter(
        status=DealStatus.WON, closed_at__gte=since, order__isnull=True, company__isnull=False
    ).order_by("closed_at", "pk")[:limit]
    for deal in deals:
        try:
            order_create_from_deal(actor=None, deal=deal)
        except DomainError:  # created meanwhile by someone else
            continue
        created += 1
    return created


def _shipment_lines(
    own: Mapping[int, OrderLine], lines: Sequence[tuple[int, Any]] | None
) -> list[tuple[OrderLine, Decimal]]:
    """The (line, quantity) pairs a shipment takes: the asked ones, each a line of the order at
    most once and within what remains of it; none asked = everything that remains."""
    wanted: list[tuple[OrderLine, Decimal]]
    if lines is None:
        wanted = [(line, line.remaining) for line in own.values() if line.remaining > 0]
    else:
        wanted = []
        for line_id, qty in lines:
            line = own.get(int(line_id))
            if line is None:
                raise invalid(
                    "lines", _("Line %(id)s is not a line of this order.") % {"id": line_id}
                )
            quantity = _quantity(qty, "lines")
            if quantity > line.remaining:
                raise invalid(
                    "lines",
                    _("%(name)s: at most %(left)s %(unit)s remain to ship.")
                    % {"name": line.name, "left": line.remaining.normalize(), "unit": line.unit},
                )
            wanted.append((line, quantity))
    if not wanted:
        raise invalid("lines", _("Nothing to ship."))
    if len({line.pk for line, _q in wanted}) != len(wanted):
        raise invalid("lines", _("Each line once per shipment."))
    return wanted


def _note_delay(order: Order, late_reason: str, late_comment: str) -> None:
    """An order shipped in full after its promised date keeps why (a reason is required)."""
    if late_reason not in LateReason.values:
        raise invalid(
            "late_reason",
            _("The order is shipped after its promised date %(date)s: choose the reason.")
            % {"date": date_format(order.promised_date, "SHORT_DATE_FORMAT")},
        )
    order.late_reason = late_reason
    order.late_comment = str(late_comment or "").strip()[:500]


@transaction.atomic
def shipment_create(
    *,
    actor: User | None,
    order: Order,
    document_number: str,
    shipped_on: date,
    lines: Sequence[tuple[int, Any]] | None = None,
    late_reason: str = "",
    late_comment: str = "",
    comment: str = "",
) -> Shipment:
    """Ship (part of) an order: `lines` are (order line id, quantity); none = everything
    that remains. Shipping the rest after the promised date needs a reason of the delay."""
    require_visible(actor, order, _("Order not found."))
    _require_writer(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status in (OrderStatus.SHIPPED, OrderStatus.CANCELLED):
        raise DomainError(CoreError.CONFLICT, _("The order is already shipped or cancelled."))
    document_number = str(document_number or "").strip()
    if not document_number or len(document_number) > 40:
        raise invalid("document_number", _("Give the shipping document number."))
    if shipped_on > timezone.localdate() or shipped_on.year < 2000:
        raise invalid("shipped_on", _("The shipping date cannot be in the future."))
    own = {line.pk: line for line in order.lines.select_for_update().order_by("position")}
    wanted = _shipment_lines(own, lines)
    for line, quantity in wanted:
        line.shipped_quantity += quantity
        line.save(update_fields=["shipped_quantity"])
    complete = all(line.remaining <= 0 for line in own.values())
    late = complete and shipped_on > order.promised_date
    if late:
        _note_delay(order, late_reason, late_comment)
    shipment = Shipment.objects.create(
        order=order,
        document_number=document_number,
        shipped_on=shipped_on,
        comment=str(comment or "").strip()[:500],
        created_by=actor,
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, line=line, quantity=qty) for line, qty in wanted
    )
    order.status = OrderStatus.SHIPPED if complete else OrderStatus.PARTIALLY_SHIPPED
    order.shipped_date = shipped_on if complete else None
    order.save()
    _event(
        order,
        events.SHIPMENT_MADE,
        actor,
        {
            "shipment_id": shipment.pk,
            "document_number": document_number,
            "shipped_on": shipped_on.isoformat(),
            "lines": [{"line_id": line.pk, "quantity": str(qty)} for line, qty in wanted],
            "complete": complete,
        },
    )
    if complete:
        _event(
            order,
            events.ORDER_SHIPPED,
            actor,
            {
                "shipped_date": shipped_on.isoformat(),
                "promised_date": order.promised_date.isoformat(),
                "late": late,
                "late_reason": order.late_reason,
                "responsible_id": order.responsible_id,
                "team_id": order.team_id,
            },
        )
    return shipment


def _clean_supplier_order(
    line: OrderLine, supplier: str, quantity: Any, expected_date: date
) -> tuple[str, Decimal]:
    """The supplier's name and the quantity of a supplier order for `line`, checked."""
    supplier = str(supplier or "").strip()
    if not supplier or len(supplier) > 255:
        raise invalid("supplier", _("Name the supplier."))
    qty = _quantity(quantity, "quantity")
    if qty > line.quantity:
        raise invalid("quantity", _("More than the line's quantity."))
    if expected_date.year < 2000:
        raise invalid("expected_date", _("The expected date is too old."))
    return supplier, qty


@transaction.atomic
def supplier_order_create(
    *,
    actor: User | None,
    line: OrderLine,
    supplier: str,
    quantity: Any,
    expected_date: date,
) -> SupplierOrder:
    order = line.order
    require_visible(actor, order, _("Order not found."))
    _require_writer(actor, order)
    supplier, qty = _clean_supplier_order(line, supplier, quantity, expected_date)
    purchase = SupplierOrder.objects.create(
        line=line, supplier=supplier, quantity=qty, expected_date=expected_date, created_by=actor
    )
    _event(
        order,
        events.SUPPLIER_ORDER_PLACED,
        actor,
        {
            "supplier_order_id": purchase.pk,
            "line_id": line.pk,
            "supplier": supplier,
            "quantity": str(qty),
            "expected_date": expected_date.isoformat(),
        },
    )
    return purchase


@transaction.atomic
def supplier_order_update(
    *,
    actor: User | None,
    purchase: SupplierOrder,
    supplier: str,
    quantity: Any,
    expected_date: date,
) -> SupplierOrder:
    """Correct a supplier order not yet received: supplier, quantity, expected date."""
    order = purchase.line.order
    require_visible(actor, order, _("Order not found."))
    _require_writer(actor, order)
    purchase = SupplierOrder.objects.select_for_update().select_related("line").get(pk=purchase.pk)
    if purchase.received_on:
        raise DomainError(CoreError.CONFLICT, _("A received supplier order cannot be changed."))
    supplier, qty = _clean_supplier_order(purchase.line, supplier, quantity, expected_date)
    changed = {
        name: [str(old), str(new)]
        for name, old, new in (
            ("supplier", purchase.supplier, supplier),
            ("quantity", purchase.quantity.normalize(), qty.normalize()),
            ("expected_date", purchase.expected_date, expected_date),
        )
        if str(old) != str(new)
    }
    if not changed:
        return purchase
    record_change(
        purchase,
        {"supplier": supplier, "quantity": qty, "expected_date": expected_date},
        case=order,
        activity=events.SUPPLIER_ORDER_CHANGED,
        actor=actor,
        payload={"supplier_order_id": purchase.pk, "changed": changed},
        objects=_objects(order),
    )
    return purchase


@transaction.atomic
def supplier_order_receive(
    *, actor: User | None, purchase: SupplierOrder, received_on: date
) -> SupplierOrder:
    order = purchase.line.order
    require_visible(actor, order, _("Order not found."))
    _require_writer(actor, order)
    purchase = SupplierOrder.objects.select_for_update().get(pk=purchase.pk)
    if purchase.received_on:
        raise DomainError(CoreError.CONFLICT, _("Already received."))
    if received_on > timezone.localdate() or received_on.year < 2000:
        raise invalid("received_on", _("The receiving date cannot be in the future."))
    record_change(
        purchase,
        {"received_on": received_on},
        case=order,
        activity=events.SUPPLIER_ORDER_RECEIVED,
        actor=actor,
        payload={
            "supplier_order_id": purchase.pk,
            "received_on": received_on.isoformat(),
            "late": received_on > purchase.expected_date,
        },
        objects=_objects(order),
    )
    return purchase


# --- claims and returns -------------------------------------------------------------------

# The way a claim runs: registration → investigation → decision → refund/replacement → closed
# (a rejected claim closes at the decision).
NEXT_STATUS = {
    ClaimStatus.REGISTERED: (ClaimStatus.INVESTIGATION,),
    ClaimStatus.INVESTIGATION: (ClaimStatus.DECISION,),
    ClaimStatus.DECISION: (ClaimStatus.SETTLEMENT, ClaimStatus.CLOSED),
    ClaimStatus.SETTLEMENT: (ClaimStatus.CLOSED,),
    ClaimStatus.CLOSED: (),
}


def _claim_objects(claim: Claim) -> list[ObjectRef]:
    order = claim.order
    refs = [ObjectRef("order", str(order.pk), "order"), *_objects(order)]
    if claim.shipment_id:
        refs.append(ObjectRef("shipment", str(claim.shipment_id), "shipment"))
    return refs


def _event(
    record: Order | Claim,
    activity: str,
    actor: User | None,
    payload: dict[str, Any],
    *,
    new_case: bool = False,
) -> None:
    """One event of an order (linked to its deal and client) or of a claim (linked to its
    order, deal, client and shipment); `new_case` for its first."""
    links = _claim_objects(record) if isinstance(record, Claim) else _objects(record)
    event_append_for(
        record, activity=activity, actor=actor, payload=payload, objects=links, new_case=new_case
    )


@transaction.atomic
def claim_create(
    *,
    actor: User | None,
    order: Order,
    kind: str,
    subject: str,
    deadline: date,
    shipment: Shipment | None = None,
    description: str = "",
    amount: Any = 0,
) -> Claim:
    require_visible(actor, order, _("Order not found."))
    _require_writer(actor, order, CLAIM_KEEPERS)
    if kind not in ClaimKind.values:
        raise invalid("kind", _("Unknown kind."))
    subject = str(subject or "").strip()
    if not subject or len(subject) > 255:
        raise invalid("subject", _("Give the claim a subject."))
    if shipment is not None and shipment.order_id != order.pk:
        raise invalid("shipment_id", _("The shipment is not of this order."))
    if deadline < timezone.localdate() - timedelta(days=365):
        raise invalid("deadline", _("The deadline is too far in the past."))
    try:
        money = Decimal(str(amount or 0))
    except InvalidOperation:
        raise invalid("amount", _("Enter an amount.")) from None
    if not money.is_finite() or money < 0 or money != money.quantize(Decimal("0.01")):
        raise invalid("amount", _("The amount must be positive, at most two decimals."))
    if money >= Decimal("1e16"):
        raise invalid("amount", _("The amount is too large."))
    claim = Claim.objects.create(
        order=order,
        shipment=shipment,
        kind=kind,
        subject=subject,
        description=str(description or "").strip()[:5000],
        amount=money,
        deadline=deadline,
        responsible_id=order.responsible_id,
        team_id=order.team_id,
        created_by=actor,
    )
    _event(
        claim,
        events.CLAIM_OPENED,
        actor,
        {
            "kind": kind,
            "order_id": order.pk,
            "shipment_id": claim.shipment_id,
            "amount": str(money),
            "deadline": deadline.isoformat(),
        },
        new_case=True,
    )
    _claim_process_start(actor, claim)
    return claim


# --- the claim's process (bpm library «claim_handling») ----------------------------------

CLAIM_PROCESS = "claim_handling"
CLAIM_SUBJECT = Claim.EVENT_CASE_TYPE


def _claim_process_definition() -> Any:
    """The deployed claim process; the library's version is deployed on first use."""
    found = [d for d in bpm.subject_processes(subject_type=CLAIM_SUBJECT) if d.key == CLAIM_PROCESS]
    if found:
        return found[0]
    return bpm.definition_upload_and_deploy(
        actor=None, xml=process_xml(CLAIM_PROCESS), key=CLAIM_PROCESS
    )


def _claim_process_start(actor: User | None, claim: Claim) -> None:
    """Run the claim through its process: the answer deadline (end of its day) is the timer,
    the order's responsible (or whoever registered it) the manager of the claim."""
    _claim_process_definition()
    end_of_day = timezone.make_aware(datetime.combine(claim.deadline, time(23, 59, 59)))
    manager = claim.responsible or actor
    bpm.subject_process_start(
        actor=actor,
        key=CLAIM_PROCESS,
        subject_type=CLAIM_SUBJECT,
        subject_id=claim.pk,
        variables={
            "kind": claim.kind,
            "subject": claim.subject,
            "order_id": claim.order_id,
            "client_name": claim.order.company.name,
            "deadline": claim.deadline.isoformat(),
            "answer_due": end_of_day.isoformat(),
            "responsible": manager.username if manager else "",
            # no sum (a replacement asked for): no «Amount 0.00» on the task's record card
            **({"amount": str(claim.amount)} if claim.amount else {}),
        },
    )


def claim_process_running(claim: Claim) -> bool:
    return ProcessInstance.objects.filter(
        object_type=CLAIM_SUBJECT,
        object_id=str(claim.pk),
        status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED],
    ).exists()


@transaction.atomic
def claim_task_complete(
    *, actor: User, claim: Claim, data: dict[str, Any], task_id: int | None = None
) -> Any:
    """Advance a claim by completing the open task of its process that the actor may do (the
    one named by `task_id`, else the first); the form of the task validates `data`."""
    require_visible(actor, claim, _("Claim not found."))
    tasks = list(
        HumanTask.objects.filter(
            instance__object_type=CLAIM_SUBJECT,
            instance__object_id=str(claim.pk),
            status=TaskStatus.OPEN,
        )
        .select_related("instance")
        .order_by("pk")
    )
    if task_id is not None:
        tasks = [t for t in tasks if t.pk == task_id]
        if not tasks:
            raise invalid("task_id", _("The claim has no such open task."))
    if not tasks:
        raise DomainError(
            CoreError.CONFLICT,
            _("The claim has no open step: its process has ended or waits for its deadline."),
        )
    mine = [t for t in tasks if bpm.is_candidate(actor, t) or actor.is_greenwave_admin]
    if not mine:
        raise permission_denied(
            _("The open step «%(task)s» of this claim is not yours.") % {"task": tasks[0].name}
        )
    return bpm.task_complete(actor=actor, task=mine[0], data=data)


def claim_process_step(
    claim_id: Any, status: str, *, decision: str = "", resolution: str = "", details: Any = None
) -> Claim:
    """A step of the claim's process moves the record (as the system); a step run again (an
    incident retried) finds the claim already there and changes nothing."""
    claim = Claim.objects.filter(pk=int(str(claim_id))).first() if str(claim_id).isdigit() else None
    if claim is None:
        raise LookupError(f"The process has no claim (claim_id={claim_id!r}).")
    if claim.status == status:
        return claim
    return claim_advance(
        actor=None,
        claim=claim,
        status=status,
        decision=decision,
        resolution=resolution,
        by_process=True,
        details=details,
    )


def _claim_mark_escalated(claim: Claim, head: User | None, **payload: Any) -> None:
    """The claim's deadline passed: stamp it and log who it went to (`payload`: how)."""
    record_change(
        claim,
        {"escalated_at": timezone.now()},
        activity=events.CLAIM_ESCALATED,
        actor=None,
        payload={
            "deadline": claim.deadline.isoformat(),
            "head_id": getattr(head, "pk", None),
            **payload,
        },
        objects=_claim_objects(claim),
    )


@transaction.atomic
def claim_escalate(claim_id: Any) -> str:
    """The answer deadline passed: the claim is escalated to the head of its team (the
    process gives the head a control task). Returns the head's username, or ""."""
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("team__head", "responsible")
        .filter(pk=int(str(claim_id)) if str(claim_id).isdigit() else 0)
        .first()
    )
    if claim is None:
        raise LookupError(f"The process has no claim (claim_id={claim_id!r}).")
    head = claim.team.head if claim.team and claim.team.head else None
    if claim.escalated_at is None and claim.status != ClaimStatus.CLOSED:
        _claim_mark_escalated(claim, head, by_process=True)
    return head.username if head else ""


@transaction.atomic
def claim_advance(
    *,
    actor: User | None,
    claim: Claim,
    status: str,
    decision: str = "",
    resolution: str = "",
    by_process: bool = False,
    details: Any = None,
) -> Claim:
    """Move a claim one step along its way; the decision step names the decision. A claim
    run by its process moves only with the process (`by_process`, from its actions)."""
    require_visible(actor, claim, _("Claim not found."))
    _require_writer(actor, claim, CLAIM_KEEPERS)
    if not by_process and claim_process_running(claim):
        raise DomainError(
            CoreError.CONFLICT,
            _("This claim follows its process: complete its open step instead."),
        )
    claim = Claim.objects.select_for_update().select_related("order").get(pk=claim.pk)
    allowed = NEXT_STATUS[ClaimStatus(claim.status)]
    if status not in allowed:
        raise DomainError(
            CoreError.CONFLICT,
            _("A claim at «%(now)s» cannot go to «%(to)s».")
            % {"now": claim.get_status_display(), "to": status},
        )
    if claim.status == ClaimStatus.DECISION:
        if decision not in ClaimDecision.values:
            raise invalid("decision", _("Choose the decision."))
        if (decision == ClaimDecision.REJECTED) != (status == ClaimStatus.CLOSED):
            raise invalid(
                "status", _("A rejected claim closes; a refund or replacement is carried out.")
            )
        claim.decision = decision
    resolution = str(resolution or "").strip()
    if resolution:
        claim.resolution = resolution[:1000]
    previous = claim.status
    claim.status = status
    if status == ClaimStatus.CLOSED:
        claim.closed_at = timezone.now()
    claim.save()
    _event(
        claim,
        events.CLAIM_CLOSED if status == ClaimStatus.CLOSED else events.CLAIM_STATUS_CHANGED,
        actor,
        {
            "from": previous,
            "to": status,
            "decision": claim.decision,
            "on_time": timezone.localdate() <= claim.deadline,
            "by_process": by_process,
            **({"details": details} if details else {}),
        },
    )
    return claim


def claims_escalate_overdue(*, today: date | None = None, limit: int = 200) -> int:
    """The worker's deadline check for a claim that no process runs (registered before the
    claim process existed, or its process cancelled): past its deadline it is escalated once
    — a task for the head of its team (or its responsible when the team has no head). A claim
    run by its process is escalated by the process's deadline timer instead."""
    today = today or timezone.localdate()
    late = (
        Claim.objects.filter(deadline__lt=today, escalated_at__isnull=True)
        .exclude(status=ClaimStatus.CLOSED)
        .exclude(
            Exists(
                ProcessInstance.objects.filter(
                    object_type=CLAIM_SUBJECT,
                    object_id=Cast(OuterRef("pk"), CharField()),
                    status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED],
                )
            )
        )
        .order_by("deadline", "pk")
    )
    unescalated = Claim.objects.filter(escalated_at__isnull=True).select_related(
        "team__head", "responsible", "order__company"
    )
    return claim_each(late, limit, unescalated, lambda claim: _claim_escalate_late(claim, today))


def _claim_escalate_late(claim: Claim, today: date) -> bool:
    """A task for the head of the claim's team (or its responsible), then the stamp."""
    head = claim.team.head if claim.team and claim.team.head else claim.responsible
    activity_id = None
    if head is not None:
        activity = activity_services.activity_create(
            actor=None,
            kind="task",
            subject=(
                _("Claim %(claim)s is past its deadline %(date)s")
                % {"claim": claim, "date": claim.deadline.strftime("%d.%m.%Y")}
            )[:255],
            description=claim.subject,
            responsible=head,
            company=claim.order.company,
            due_at=max(timezone.make_aware(datetime.combine(today, time(10, 0))), timezone.now()),
            priority="high",
        )
        activity_id = activity.pk
    _claim_mark_escalated(claim, head, activity_id=activity_id)
    return True
