"""REST endpoints of the orders app: payments (by hand and from a bank statement),
receivables, orders and shipments, supplier orders, claims and their process."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import Page, document_list, list_query, paginate, upload_bytes
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import CoreError, DomainError
from greenwave.sales.selectors import deal_get

from . import fulfilment, selectors, services, statement
from .models import SupplierOrder
from .schemas import (
    ClaimAdvanceIn,
    ClaimAdvanceOut,
    ClaimIn,
    ClaimOut,
    GroupBy,
    OrderIn,
    OrderOut,
    PaymentIn,
    PaymentOut,
    ReceivablesOut,
    ShipmentIn,
    ShipmentOut,
    StatementImportOut,
    SupplierOrderIn,
    SupplierOrderOut,
    SupplierOrderPatch,
    SupplierReceiveIn,
)

router = Router(tags=["orders"])
ENDPOINTS = Endpoints(router, __name__)


ENDPOINTS.list(
    "/payments",
    selectors.payment_list,
    selectors.PAYMENT_LIST_SPEC,
    PaymentOut,
    name="payments",
    summary="Payments visible to me",
)


@router.post(
    "/payments",
    response={201: PaymentOut},
    summary="Enter a payment (or, with refund_of_id, a refund)",
)
def payment_create(request: AuthedRequest, payload: PaymentIn) -> Any:
    if payload.refund_of_id is not None:
        original = selectors.payment_get(actor=request.user, pk=payload.refund_of_id)
        payment = services.payment_refund(
            actor=request.user,
            payment=original,
            amount=payload.amount,
            refund_date=payload.payment_date,
            comment=payload.comment,
        )
    else:
        if payload.invoice_id is None:
            raise DomainError(
                CoreError.VALIDATION,
                _("Choose the invoice (or the payment to refund)."),
                details={"field": "invoice_id"},
            )
        invoice = selectors.payable_invoice_get(actor=request.user, pk=payload.invoice_id)
        payment = services.payment_record(
            actor=request.user,
            invoice=invoice,
            **payload.dict(exclude={"invoice_id", "refund_of_id"}),
        )
    return Status(201, selectors.payment_get(actor=request.user, pk=payment.pk))


@router.post(
    "/payments/import",
    response=StatementImportOut,
    summary="Import a 1CClientBankExchange bank statement (dry run or confirm)",
)
def payment_import(
    request: AuthedRequest, file: File[UploadedFile], dry_run: Form[bool] = True
) -> Any:
    too_large = DomainError(
        CoreError.PAYLOAD_TOO_LARGE,
        _("The file is larger than %(mb)s MB.") % {"mb": statement.MAX_BYTES // (1024 * 1024)},
    )
    raw = upload_bytes(file, statement.MAX_BYTES, too_large)
    return statement.statement_import(actor=request.user, raw=raw, dry_run=dry_run)


@router.get("/receivables", response=ReceivablesOut, summary="What clients owe, by age")
def receivables(request: AuthedRequest, group_by: GroupBy = Query("client")) -> Any:
    rows, total = selectors.receivables(actor=request.user, group_by=group_by)
    return {
        "group_by": group_by,
        "as_of": timezone.localdate(),
        "rows": rows,
        "total": total,
    }


# --- orders, shipments, claims ------------------------------------------------------------


@router.get(
    "/orders",
    response=Page[OrderOut],
    summary="Orders visible to me",
    openapi_extra=document_list(selectors.ORDER_LIST_SPEC),
)
def orders(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.ORDER_LIST_SPEC)
    qs = selectors.order_list(actor=request.user).prefetch_related("lines")
    return paginate(qs, selectors.ORDER_LIST_SPEC, query)


@router.post("/orders", response={201: OrderOut}, summary="Make a won deal an order")
def order_create(request: AuthedRequest, payload: OrderIn) -> Any:
    deal = deal_get(actor=request.user, lookups=False, pk=payload.deal_id)
    order = fulfilment.order_create_from_deal(
        actor=request.user, deal=deal, promised_date=payload.promised_date
    )
    return Status(201, selectors.order_get(actor=request.user, pk=order.pk))


ENDPOINTS.detail(
    "/orders/{order_id}", selectors.order_get, OrderOut, summary="An order with its lines"
)


@router.post(
    "/orders/{order_id}/shipments",
    response={201: ShipmentOut},
    summary="Ship (part of) an order",
)
def shipment_create(request: AuthedRequest, order_id: int, payload: ShipmentIn) -> Any:
    order = selectors.order_get(actor=request.user, pk=order_id)
    shipment = fulfilment.shipment_create(
        actor=request.user,
        order=order,
        document_number=payload.document_number,
        shipped_on=payload.shipped_on,
        lines=[(line.line_id, line.quantity) for line in payload.lines]
        if payload.lines is not None
        else None,
        late_reason=payload.late_reason,
        late_comment=payload.late_comment,
        comment=payload.comment,
    )
    return Status(201, shipment)


ENDPOINTS.list(
    "/claims",
    selectors.claim_list,
    selectors.CLAIM_LIST_SPEC,
    ClaimOut,
    name="claims",
    summary="Claims and returns visible to me",
)


@router.post("/claims", response={201: ClaimOut}, summary="Register a claim or a return")
def claim_create(request: AuthedRequest, payload: ClaimIn) -> Any:
    order = selectors.order_get(actor=request.user, pk=payload.order_id)
    shipment = None
    if payload.shipment_id is not None:
        shipment = order.shipments.filter(pk=payload.shipment_id).first()
        if shipment is None:
            raise DomainError(
                CoreError.VALIDATION,
                _("The shipment is not of this order."),
                details={"field": "shipment_id"},
            )
    claim = fulfilment.claim_create(
        actor=request.user,
        order=order,
        shipment=shipment,
        **payload.dict(exclude={"order_id", "shipment_id"}),
    )
    return Status(201, claim)


ENDPOINTS.detail("/claims/{claim_id}", selectors.claim_get, ClaimOut, summary="A claim or return")


def _claim_advance_out(claim: Any) -> dict[str, Any]:
    instance, tasks = selectors.claim_process(claim)
    return {
        "claim": claim,
        "process_id": instance.pk if instance else None,
        "process_status": instance.status if instance else "",
        "open_tasks": tasks,
    }


@router.post(
    "/claims/{claim_id}/advance",
    response=ClaimAdvanceOut,
    summary="Advance a claim: complete the open step of its process (or, without a running "
    "process, move it to the next status)",
)
def claim_advance(request: AuthedRequest, claim_id: int, payload: ClaimAdvanceIn) -> Any:
    claim = selectors.claim_get(actor=request.user, pk=claim_id)
    if fulfilment.claim_process_running(claim):
        data = dict(payload.data)
        if payload.decision:
            data.setdefault("decision", payload.decision)
        if payload.resolution:
            data.setdefault("resolution", payload.resolution)
        fulfilment.claim_task_complete(
            actor=request.user, claim=claim, data=data, task_id=payload.task_id
        )
    else:
        if not payload.status:
            raise DomainError(
                CoreError.VALIDATION,
                _("The claim has no running process: give the next status."),
                details={"field": "status"},
            )
        fulfilment.claim_advance(
            actor=request.user,
            claim=claim,
            status=payload.status,
            decision=payload.decision,
            resolution=payload.resolution,
        )
    return _claim_advance_out(selectors.claim_get(actor=request.user, pk=claim_id))


# --- supplier orders ----------------------------------------------------------------------

# A supplier order as its handlers reach it; an action answers the order read again.
SUPPLIER_ORDER = Entity(SupplierOrder, "purchase", selectors.supplier_order_get, reread=True)


ENDPOINTS.list(
    "/supplier-orders",
    selectors.supplier_order_list,
    selectors.SUPPLIER_ORDER_LIST_SPEC,
    SupplierOrderOut,
    name="supplier_orders",
    summary="Supplier orders for the lines of the orders visible to me",
)


@router.post(
    "/supplier-orders",
    response={201: SupplierOrderOut},
    summary="Order (part of) an order line from a supplier",
)
def supplier_order_create(request: AuthedRequest, payload: SupplierOrderIn) -> Any:
    line = selectors.purchasable_lines(actor=request.user).filter(pk=payload.line_id).first()
    if line is None:
        raise DomainError(
            CoreError.NOT_FOUND,
            _("No order line #%(id)s to buy for among the orders you see.")
            % {"id": payload.line_id},
            details={"field": "line_id"},
        )
    purchase = fulfilment.supplier_order_create(
        actor=request.user,
        line=line,
        supplier=payload.supplier,
        quantity=payload.quantity,
        expected_date=payload.expected_date,
    )
    return Status(201, SUPPLIER_ORDER.row(request, purchase.pk))


ENDPOINTS.detail(
    "/supplier-orders/{supplier_order_id}",
    SUPPLIER_ORDER.get,
    SupplierOrderOut,
    summary="A supplier order",
)


@router.patch(
    "/supplier-orders/{supplier_order_id}",
    response=SupplierOrderOut,
    summary="Correct a supplier order not yet received",
)
def supplier_order_update(
    request: AuthedRequest, supplier_order_id: int, payload: SupplierOrderPatch
) -> Any:
    purchase = SUPPLIER_ORDER.row(request, supplier_order_id)
    fulfilment.supplier_order_update(
        actor=request.user,
        purchase=purchase,
        supplier=payload.supplier if payload.supplier is not None else purchase.supplier,
        quantity=payload.quantity if payload.quantity is not None else purchase.quantity,
        expected_date=payload.expected_date or purchase.expected_date,
    )
    return SUPPLIER_ORDER.row(request, supplier_order_id)


ENDPOINTS.action(
    SUPPLIER_ORDER,
    "/supplier-orders/{supplier_order_id}/receive",
    fulfilment.supplier_order_receive,
    SupplierOrderOut,
    payload=SupplierReceiveIn,
    summary="Record the delivery of a supplier order",
)
