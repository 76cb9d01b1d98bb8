"""API schemas of the orders app."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema


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


class PaymentIn(Schema):
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
