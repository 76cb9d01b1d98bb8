"""REST endpoints of the orders app: payments (by hand and from a bank statement) and
receivables."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import Page, list_query, paginate
from greenwave.core.errors import CoreError, DomainError
from greenwave.sales.selectors import deal_get

from . import fulfilment, selectors, services, statement
from .schemas import (
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
)

router = Router(tags=["orders"])


@router.get("/payments", response=Page[PaymentOut], summary="Payments visible to me")
def payments(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.PAYMENT_LIST_SPEC)
    return paginate(selectors.payment_list(actor=request.user), selectors.PAYMENT_LIST_SPEC, query)


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
            amount=payload.amount,
            payment_date=payload.payment_date,
            document_number=payload.document_number,
            payer_inn=payload.payer_inn,
            payer_name=payload.payer_name,
            purpose=payload.purpose,
            comment=payload.comment,
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
    if file.size and file.size > statement.MAX_BYTES:
        raise DomainError(
            CoreError.PAYLOAD_TOO_LARGE,
            _("The file is larger than %(mb)s MB.") % {"mb": statement.MAX_BYTES // (1024 * 1024)},
        )
    raw = file.read(statement.MAX_BYTES + 1)
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


@router.get("/orders", response=Page[OrderOut], summary="Orders visible to me")
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


@router.get("/orders/{order_id}", response=OrderOut, summary="An order with its lines")
def order_detail(request: AuthedRequest, order_id: int) -> Any:
    return selectors.order_get(actor=request.user, pk=order_id)


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


@router.get("/claims", response=Page[ClaimOut], summary="Claims and returns visible to me")
def claims(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.CLAIM_LIST_SPEC)
    return paginate(selectors.claim_list(actor=request.user), selectors.CLAIM_LIST_SPEC, query)


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
        kind=payload.kind,
        subject=payload.subject,
        description=payload.description,
        amount=payload.amount,
        deadline=payload.deadline,
    )
    return Status(201, claim)
