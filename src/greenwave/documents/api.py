"""REST endpoints of the documents app: our legal entities and invoices (templates and
generated documents are added below them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.core.api import Page, list_query, paginate, patch_fields
from greenwave.core.errors import CoreError, DomainError
from greenwave.crm.models import VatRate
from greenwave.crm.selectors import company_get, product_get
from greenwave.sales.selectors import deal_get

from . import selectors, services
from .models import Invoice, LegalEntity
from .schemas import (
    InvoiceCancelIn,
    InvoiceIn,
    InvoiceLineIn,
    InvoiceOut,
    InvoicePatch,
    LegalEntityIn,
    LegalEntityOut,
    LegalEntityPatch,
)

router = Router(tags=["documents"])


# --- legal entities -----------------------------------------------------------------------


@router.get("/legal-entities", response=list[LegalEntityOut], summary="Our legal entities")
def legal_entities(request: AuthedRequest) -> Any:
    return list(selectors.legal_entity_list(actor=request.user))


@router.post("/legal-entities", response={201: LegalEntityOut}, summary="Add our legal entity")
def legal_entity_create(request: AuthedRequest, payload: LegalEntityIn) -> Any:
    entity = services.legal_entity_create(actor=request.user, data=payload.dict())
    return Status(201, entity)


@router.get("/legal-entities/{entity_id}", response=LegalEntityOut)
def legal_entity_detail(request: AuthedRequest, entity_id: int) -> Any:
    return selectors.legal_entity_get(actor=request.user, pk=entity_id)


@router.patch("/legal-entities/{entity_id}", response=LegalEntityOut)
def legal_entity_patch(request: AuthedRequest, entity_id: int, payload: LegalEntityPatch) -> Any:
    entity = selectors.legal_entity_get(actor=request.user, pk=entity_id)
    data = patch_fields(payload, LegalEntity)
    return services.legal_entity_update(actor=request.user, entity=entity, data=data)


# --- invoices -----------------------------------------------------------------------------


def _lines(actor: User, lines: list[InvoiceLineIn]) -> list[services.LineInput]:
    result = []
    for line in lines:
        product = product_get(actor=actor, pk=line.product_id) if line.product_id else None
        name = line.name.strip() or (product.name if product else "")
        if not name:
            raise DomainError(
                CoreError.VALIDATION, _("Name each line or give its product."), details={}
            )
        result.append(
            services.LineInput(
                name=name,
                quantity=line.quantity,
                price=line.price,
                unit=line.unit.strip() or (product.get_unit_display() if product else "шт"),
                discount_percent=line.discount_percent,
                vat_rate=line.vat_rate or (product.vat_rate if product else VatRate.TWENTY),
                product=product,
            )
        )
    return result


def _entity(actor: User, pk: int | None) -> LegalEntity | None:
    return selectors.legal_entity_get(actor=actor, pk=pk) if pk is not None else None


@router.get("/invoices", response=Page[InvoiceOut], summary="Invoices visible to me")
def invoices(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.INVOICE_LIST_SPEC)
    qs = selectors.invoice_list(actor=request.user, with_lines=True)
    qs, rest = selectors.split_special_filters(qs, query)
    return paginate(qs, selectors.INVOICE_LIST_SPEC, rest)


@router.post("/invoices", response={201: InvoiceOut}, summary="Draft (or issue) an invoice")
def invoice_create(request: AuthedRequest, payload: InvoiceIn) -> Any:
    actor = request.user
    deal = deal_get(actor=actor, pk=payload.deal_id, lookups=False) if payload.deal_id else None
    if payload.company_id is not None:
        buyer = company_get(actor=actor, pk=payload.company_id)
    elif deal is not None and deal.company is not None:
        buyer = deal.company
    else:
        raise DomainError(CoreError.VALIDATION, _("Name the buyer (company_id) or the deal."))
    seller = _entity(actor, payload.legal_entity_id)
    if payload.lines is None and deal is not None:
        lines = services.deal_lines(deal)
    else:
        lines = _lines(actor, payload.lines or [])
    invoice = services.invoice_create(
        actor=actor,
        buyer=buyer,
        lines=lines,
        seller=seller,
        deal=deal,
        due_date=payload.due_date,
        comment=payload.comment,
    )
    if payload.issue:
        invoice = services.invoice_issue(actor=actor, invoice=invoice)
    return Status(201, selectors.invoice_get(actor=actor, pk=invoice.pk))


@router.get("/invoices/{invoice_id}", response=InvoiceOut)
def invoice_detail(request: AuthedRequest, invoice_id: int) -> Any:
    return selectors.invoice_get(actor=request.user, pk=invoice_id)


@router.patch("/invoices/{invoice_id}", response=InvoiceOut, summary="Change or issue an invoice")
def invoice_patch(request: AuthedRequest, invoice_id: int, payload: InvoicePatch) -> Any:
    actor = request.user
    invoice = selectors.invoice_get(actor=actor, pk=invoice_id)
    fields = patch_fields(payload, Invoice, exclude={"lines", "status", "legal_entity_id"})
    lines = _lines(actor, payload.lines) if payload.lines is not None else None
    services.invoice_update(
        actor=actor,
        invoice=invoice,
        due_date=fields.get("due_date"),
        comment=fields.get("comment"),
        lines=lines,
        seller=_entity(actor, payload.legal_entity_id),
    )
    if payload.status == "issued":
        services.invoice_issue(actor=actor, invoice=invoice)
    return selectors.invoice_get(actor=actor, pk=invoice_id)


@router.post("/invoices/{invoice_id}/cancel", response=InvoiceOut, summary="Cancel an invoice")
def invoice_cancel(request: AuthedRequest, invoice_id: int, payload: InvoiceCancelIn) -> Any:
    invoice = selectors.invoice_get(actor=request.user, pk=invoice_id)
    services.invoice_cancel(actor=request.user, invoice=invoice, reason=payload.reason)
    return selectors.invoice_get(actor=request.user, pk=invoice_id)
