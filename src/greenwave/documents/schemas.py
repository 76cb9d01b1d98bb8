"""API schemas of the documents app."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from greenwave.core.api import InSchema, fields_of, patch_of, resolve_attr, resolve_rows

from .services.entities import LegalEntityChanges

VatRateIn = Literal["20", "10", "0", "none"]


@fields_of(LegalEntityChanges, after="id")
class LegalEntityOut(Schema):
    id: int


class LegalEntityIn(InSchema):
    name: str = Field(..., min_length=1, max_length=255)
    full_name: str = Field("", max_length=500)
    inn: str = Field(..., min_length=1, max_length=20)
    kpp: str = Field("", max_length=20)
    ogrn: str = Field("", max_length=20)
    address: str = Field(..., min_length=1, max_length=500)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    bank_name: str = Field(..., min_length=1, max_length=255)
    bik: str = Field(..., min_length=1, max_length=20)
    account: str = Field(..., min_length=1, max_length=30)
    corr_account: str = Field(..., min_length=1, max_length=30)
    signatory_name: str = Field(..., min_length=1, max_length=255)
    signatory_position: str = Field(..., min_length=1, max_length=255)
    signatory_name_genitive: str = Field("", max_length=255)
    signatory_position_genitive: str = Field("", max_length=255)
    signatory_basis: str = Field("Устава", max_length=255)
    chief_accountant: str = Field("", max_length=255)
    vat_payer: bool = True
    is_default: bool = False
    is_active: bool = True


@patch_of(LegalEntityIn)
class LegalEntityPatch(InSchema):
    pass


class InvoiceLineIn(InSchema):
    product_id: int | None = None
    name: str = Field("", max_length=500, description="Defaults to the product's name.")
    unit: str = Field("", max_length=20)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    price: Decimal = Field(..., ge=0, max_digits=17, decimal_places=2, description="VAT included")
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    vat_rate: VatRateIn | None = Field(None, description="Defaults to the product's rate, or 20.")


class LineOut(Schema):
    """The columns every line of a sale has (an invoice's, an order's)."""

    position: int
    product_id: int | None
    name: str
    unit: str
    quantity: Decimal
    price: Decimal


class InvoiceLineOut(LineOut):
    discount_percent: Decimal
    vat_rate: str
    amount: Decimal
    vat_amount: Decimal


class InvoiceIn(InSchema):
    deal_id: int | None = Field(None, description="Invoice the deal: its client and lines.")
    company_id: int | None = Field(None, description="The buyer (defaults to the deal's client).")
    legal_entity_id: int | None = Field(None, description="The seller (defaults to ours).")
    lines: list[InvoiceLineIn] | None = Field(
        None, max_length=500, description="Without lines, the deal's lines are invoiced."
    )
    due_date: date | None = None
    comment: str = Field("", max_length=2000)
    issue: bool = Field(False, description="Issue at once (gives the number).")


class InvoicePatch(InSchema):
    due_date: date | None = None
    comment: str | None = Field(None, max_length=2000)
    legal_entity_id: int | None = None
    lines: list[InvoiceLineIn] | None = Field(None, min_length=1, max_length=500)
    status: Literal["issued"] | None = Field(None, description="`issued` issues a draft.")


class InvoiceCancelIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class InvoiceOut(Schema):
    id: int
    number: str
    status: str
    issue_date: date | None
    due_date: date | None
    seller_id: int
    buyer_id: int
    buyer_name: str
    deal_id: int | None
    responsible_id: int | None
    team_id: int | None
    currency: str
    subtotal: Decimal
    vat_amount: Decimal
    total: Decimal
    paid_amount: Decimal
    comment: str
    cancel_reason: str
    overdue: bool
    created_at: datetime
    lines: list[InvoiceLineOut]

    resolve_buyer_name = resolve_attr("buyer.name")
    resolve_lines = resolve_rows("lines")

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        from .selectors import is_overdue

        return is_overdue(obj)


KindIn = Literal["quote", "tech_quote", "contract", "invoice", "act", "upd"]


class TemplateOut(Schema):
    id: int | None
    kind: str
    name: str
    legal_entity_id: int | None
    builtin: bool
    is_active: bool
    variables: list[str]
    created_at: datetime | None


class DocumentGenerateIn(InSchema):
    kind: KindIn
    template_id: int | None = None
    legal_entity_id: int | None = None


class DocumentFilesOut(Schema):
    docx: str
    pdf: str | None


PdfStatusOut = Literal["none", "queued", "converting", "ready", "failed"]


class DocumentVersionOut(Schema):
    version: int
    created_at: datetime
    files: DocumentFilesOut
    pdf_status: PdfStatusOut = Field(
        ..., description="queued/converting: the worker makes the PDF; failed: see the reason"
    )
    pdf_unavailable_reason: str


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    version: int
    status: str
    deal_id: int
    legal_entity_id: int
    invoice_id: int | None
    approval_process: str
    approval_instance_id: int | None
    files: DocumentFilesOut
    pdf_status: PdfStatusOut
    versions: list[DocumentVersionOut]
    created_at: datetime


class DocumentSendIn(Schema):
    contact_id: int
    message: str = Field("", max_length=5000)


class DocumentApprovalIn(InSchema):
    approver_ids: list[int] | None = Field(
        None,
        description="Document approval (not a contract): who approves, stage 1 then stage 2 "
        "(one person does both). Active users who can open the deal, nobody twice. Omitted: "
        "the head of the deal's team and the head above.",
    )


class ClientBankAccountIn(InSchema):
    bank_name: str = Field("", max_length=255)
    bik: str = Field("", max_length=20)
    corr_account: str = Field("", max_length=30)
    account: str = Field("", max_length=30)


class ClientBankAccountOut(Schema):
    company_id: int
    is_set: bool
    bank_name: str
    bik: str
    corr_account: str
    account: str
