"""API schemas of the orders app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from greenwave.core.api import InSchema, fields_of, resolve_attr, resolve_rows
from greenwave.documents.schemas import LineOut


class PaymentOut(Schema):
    id: int
    invoice_id: int
    invoice_number: str = Field(..., alias="invoice.number")
    kind: str
    amount: Decimal
    payment_date: date
    document_number: str
    payer_inn: str
    payer_name: str
    purpose: str
    source: str
    refund_of_id: int | None
    comment: str
    invoice_status: str = Field(..., alias="invoice.status")


class PaymentIn(InSchema):
    """A payment entered by hand; `refund_of_id` makes it a refund of that payment."""

    invoice_id: int | None = Field(None, ge=1, le=2**63 - 1)
    refund_of_id: int | None = Field(None, ge=1, le=2**63 - 1)
    amount: Decimal = Field(..., gt=0, max_digits=18, decimal_places=2)
    payment_date: date | None = None
    document_number: str = Field("", max_length=40)
    payer_inn: str = Field("", max_length=12)
    payer_name: str = Field("", max_length=255)
    purpose: str = Field("", max_length=1000)
    comment: str = Field("", max_length=500)


class InvoiceRef(Schema):
    id: int
    number: str
    buyer: str
    total: Decimal
    outstanding: Decimal
    issue_date: date | None


class StatementRowOut(Schema):
    line: int
    number: str
    date: date | None
    amount: Decimal
    payer_inn: str
    payer_name: str
    purpose: str
    reason: str
    invoice: InvoiceRef | None = None
    candidates: list[InvoiceRef] = []
    payment_id: int | None = None


class StatementImportOut(Schema):
    matched: list[StatementRowOut]
    ambiguous: list[StatementRowOut]
    unmatched: list[StatementRowOut]
    skipped: list[StatementRowOut]
    written: int


GroupBy = Literal["client", "manager", "team"]


class BucketsOut(Schema):
    not_due: Decimal
    d1_5: Decimal
    d6_30: Decimal
    d31_90: Decimal
    d90_plus: Decimal


class ReceivableRowOut(Schema):
    key: int | None
    name: str
    invoices: int
    total: Decimal
    buckets: BucketsOut


class ReceivablesOut(Schema):
    group_by: GroupBy
    as_of: date
    rows: list[ReceivableRowOut]
    total: ReceivableRowOut


@fields_of(LineOut, after="id")
class OrderLineOut(Schema):
    id: int
    shipped_quantity: Decimal
    remaining: Decimal


class ShipmentLineOut(Schema):
    line_id: int
    quantity: Decimal


class ShipmentOut(Schema):
    id: int
    order_id: int
    document_number: str
    shipped_on: date
    comment: str
    lines: list[ShipmentLineOut]

    resolve_lines = resolve_rows("lines")


class OrderOut(Schema):
    id: int
    deal_id: int
    company_id: int
    company_name: str = Field(..., alias="company.name")
    status: str
    promised_date: date
    shipped_date: date | None
    late_reason: str
    late_comment: str
    amount: Decimal
    responsible_id: int | None
    team_id: int | None
    lines: list[OrderLineOut]

    resolve_lines = resolve_rows("lines")


class OrderIn(InSchema):
    deal_id: int = Field(..., ge=1, le=2**63 - 1)
    promised_date: date | None = None


class ShipmentLineIn(InSchema):
    line_id: int = Field(..., ge=1, le=2**63 - 1)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)


class ShipmentIn(InSchema):
    """`lines` omitted: everything that remains is shipped."""

    document_number: str = Field(..., min_length=1, max_length=40)
    shipped_on: date
    lines: list[ShipmentLineIn] | None = Field(None, max_length=500)
    late_reason: Literal[
        "",
        "supplier_delay",
        "no_stock",
        "client_not_ready",
        "no_payment",
        "logistics",
        "documents",
        "other",
    ] = ""
    late_comment: str = Field("", max_length=500)
    comment: str = Field("", max_length=500)


class ClaimOut(Schema):
    id: int
    order_id: int
    shipment_id: int | None
    kind: str
    status: str
    subject: str
    description: str
    amount: Decimal
    deadline: date
    decision: str
    resolution: str
    escalated: bool

    @staticmethod
    def resolve_escalated(obj: object) -> bool:
        return getattr(obj, "escalated_at", None) is not None


class ClaimIn(InSchema):
    order_id: int = Field(..., ge=1, le=2**63 - 1)
    shipment_id: int | None = Field(None, ge=1, le=2**63 - 1)
    kind: Literal["claim", "return"]
    subject: str = Field(..., min_length=1, max_length=255)
    description: str = Field("", max_length=5000)
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=18, decimal_places=2)
    deadline: date


class ClaimAdvanceIn(InSchema):
    """Advance a claim. A claim run by its process: `data` completes the open step of the
    process the caller may do (`task_id` names one when several are open) — the step's form
    validates it. A claim without a running process is moved by hand to `status` (with the
    `decision` at the decision step)."""

    task_id: int | None = Field(None, ge=1, le=2**63 - 1)
    data: dict[str, Any] = Field(default_factory=dict)
    status: Literal["", "investigation", "decision", "settlement", "closed"] = ""
    decision: Literal["", "refund", "replacement", "rejected"] = ""
    resolution: str = Field("", max_length=1000)


class ClaimTaskOut(Schema):
    id: int
    element_id: str
    name: str
    assignee: str | None
    candidate_role: str
    due_at: datetime | None

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.username if obj.assignee_id else None


class ClaimAdvanceOut(Schema):
    claim: ClaimOut
    process_id: int | None
    process_status: str
    open_tasks: list[ClaimTaskOut]


class SupplierOrderOut(Schema):
    id: int
    order_id: int
    line_id: int
    line_name: str
    supplier: str
    quantity: Decimal
    expected_date: date
    received_on: date | None

    resolve_order_id = resolve_attr("line.order_id", int)
    resolve_line_name = resolve_attr("line.name")


class SupplierOrderIn(InSchema):
    line_id: int = Field(..., ge=1, le=2**63 - 1)
    supplier: str = Field(..., min_length=1, max_length=255)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    expected_date: date


class SupplierOrderPatch(InSchema):
    supplier: str | None = Field(None, min_length=1, max_length=255)
    quantity: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=3)
    expected_date: date | None = None


class SupplierReceiveIn(InSchema):
    received_on: date
