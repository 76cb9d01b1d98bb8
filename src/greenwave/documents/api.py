"""REST endpoints of the documents app: our legal entities and invoices (templates and
generated documents are added below them)."""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.core.api import (
    Page,
    document_file_answer,
    document_list,
    list_query,
    paginate,
    patch_fields,
    scoped_row_of_id,
    upload_bytes,
)
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.validation_messages import unknown_fields_message, validation_detail
from greenwave.crm.models import VatRate
from greenwave.crm.selectors import company_get, product_get
from greenwave.sales.selectors import deal_get

from . import rendering, selectors, services
from .downloads import DOCX_TYPE, file_answer, pdf_reason
from .errors import DocumentsError
from .models import Document, DocumentTemplate, DocumentVersion, Invoice, LegalEntity, NumberedKind
from .schemas import (
    ClientBankAccountIn,
    ClientBankAccountOut,
    DocumentApprovalIn,
    DocumentGenerateIn,
    DocumentOut,
    InvoiceCancelIn,
    InvoiceIn,
    InvoiceLineIn,
    InvoiceOut,
    InvoicePatch,
    KindIn,
    LegalEntityIn,
    LegalEntityOut,
    LegalEntityPatch,
    TemplateOut,
)

router = Router(tags=["documents"])
ENDPOINTS = Endpoints(router, __name__)


# --- legal entities -----------------------------------------------------------------------

LEGAL_ENTITY = Entity(
    LegalEntity, "entity", selectors.legal_entity_get, update=services.legal_entity_update
)


@router.get("/legal-entities", response=list[LegalEntityOut], summary="Our legal entities")
def legal_entities(request: AuthedRequest) -> Any:
    return list(selectors.legal_entity_list(actor=request.user))


@router.post("/legal-entities", response={201: LegalEntityOut}, summary="Add our legal entity")
def legal_entity_create(request: AuthedRequest, payload: LegalEntityIn) -> Any:
    entity = services.legal_entity_create(actor=request.user, data=payload.dict())
    return Status(201, entity)


ENDPOINTS.detail(
    "/legal-entities/{entity_id}",
    selectors.legal_entity_get,
    LegalEntityOut,
    name="legal_entity_detail",
)


@router.patch("/legal-entities/{entity_id}", response=LegalEntityOut)
def legal_entity_patch(request: AuthedRequest, entity_id: int, payload: LegalEntityPatch) -> Any:
    return LEGAL_ENTITY.patch(request, entity_id, payload)


# --- invoices -----------------------------------------------------------------------------

# An invoice as its handlers reach it; an action answers it read again (its lines, its payments).
INVOICE = Entity(Invoice, "invoice", selectors.invoice_get, reread=True)


def _lines(actor: User, lines: list[InvoiceLineIn]) -> list[services.LineInput]:
    result = []
    for line in lines:
        product = scoped_row_of_id(product_get, actor, line.product_id)
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


@router.get(
    "/invoices",
    response=Page[InvoiceOut],
    summary="Invoices visible to me",
    openapi_extra=document_list(selectors.INVOICE_LIST_SPEC),
)
def invoices(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.INVOICE_LIST_SPEC)
    qs = selectors.invoice_list(actor=request.user, with_lines=True)
    qs, rest = selectors.split_special_filters(qs, query)
    return paginate(qs, selectors.INVOICE_LIST_SPEC, rest)


@router.post("/invoices", response={201: InvoiceOut}, summary="Draft (or issue) an invoice")
def invoice_create(request: AuthedRequest, payload: InvoiceIn) -> Any:
    actor = request.user
    deal = scoped_row_of_id(deal_get, actor, payload.deal_id, lookups=False)
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


ENDPOINTS.detail("/invoices/{invoice_id}", selectors.invoice_get, InvoiceOut)


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


ENDPOINTS.action(
    INVOICE,
    "/invoices/{invoice_id}/cancel",
    services.invoice_cancel,
    InvoiceOut,
    payload=InvoiceCancelIn,
    summary="Cancel an invoice",
)


# --- templates ----------------------------------------------------------------------------


def _template_out(template: DocumentTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "kind": template.kind,
        "name": template.name,
        "legal_entity_id": template.legal_entity_id,
        "builtin": False,
        "is_active": template.is_active,
        "variables": list(template.variables or []),
        "created_at": template.created_at,
    }


def _builtin_out(kind: str, label: str) -> dict[str, Any]:
    return {
        "id": None,
        "kind": kind,
        "name": label,
        "legal_entity_id": None,
        "builtin": True,
        "is_active": True,
        "variables": sorted(rendering.VARIABLES),
        "created_at": None,
    }


@router.get(
    "/document-templates",
    response=list[TemplateOut],
    summary="Document templates: the built-in ones and those uploaded per legal entity",
)
def document_templates(request: AuthedRequest) -> Any:
    builtins = [_builtin_out(kind, str(label)) for kind, label in NumberedKind.choices]
    uploaded = [_template_out(t) for t in selectors.template_list(actor=request.user)]
    return builtins + uploaded


@router.post(
    "/document-templates",
    response={201: TemplateOut},
    summary="Upload a DOCX template (multipart): checked for macros, zip bombs and broken tags",
)
def document_template_upload(
    request: AuthedRequest,
    legal_entity_id: Form[int],
    kind: Form[KindIn],
    file: File[UploadedFile],
    name: Form[str] = "",
) -> Any:
    entity = selectors.legal_entity_get(actor=request.user, pk=legal_entity_id)
    too_large = DomainError(DocumentsError.INVALID_TEMPLATE, _("The file is larger than 10 MB."))
    data = upload_bytes(file, rendering.MAX_UPLOAD_BYTES, too_large)
    template = services.document_template_upload(
        actor=request.user,
        legal_entity=entity,
        kind=kind,
        name=name[:200],
        file_name=file.name or "",
        data=data,
    )
    return Status(201, _template_out(template))


@router.get("/document-templates/{template_id}", response=TemplateOut)
def document_template_detail(request: AuthedRequest, template_id: int) -> Any:
    return _template_out(selectors.template_get(actor=request.user, pk=template_id))


# --- documents of a deal ------------------------------------------------------------------


def _files(document: Document, version: DocumentVersion) -> dict[str, Any]:
    base = reverse("api:document_download", kwargs={"document_id": document.pk})
    suffix = f"&version={version.version}"
    return {
        "docx": f"{base}?format=docx{suffix}",
        "pdf": f"{base}?format=pdf{suffix}" if version.pdf else None,
    }


def _document_out(document: Document) -> dict[str, Any]:
    versions = list(document.versions.order_by("-version"))
    current = next(v for v in versions if v.version == document.current_version)
    return {
        "id": document.pk,
        "kind": document.kind,
        "number": document.number,
        "version": document.current_version,
        "status": services.approval_state(document),
        "deal_id": document.deal_id,
        "legal_entity_id": document.legal_entity_id,
        "invoice_id": document.invoice_id,
        "approval_process": document.approval_process,
        "approval_instance_id": document.approval_instance_id,
        "files": _files(document, current),
        "pdf_status": current.pdf_status,
        "versions": [
            {
                "version": v.version,
                "created_at": v.created_at,
                "files": _files(document, v),
                "pdf_status": v.pdf_status,
                "pdf_unavailable_reason": pdf_reason(v),
            }
            for v in versions
        ],
        "created_at": document.created_at,
    }


@router.post(
    "/deals/{deal_id}/documents",
    response={201: DocumentOut},
    summary="Generate a document of the deal (a new version when it exists)",
)
def deal_document_generate(
    request: AuthedRequest, deal_id: int, payload: DocumentGenerateIn
) -> Any:
    actor = request.user
    deal = deal_get(actor=actor, pk=deal_id, lookups=False)
    template = scoped_row_of_id(selectors.template_get, actor, payload.template_id)
    document = services.document_generate(
        actor=actor,
        deal=deal,
        kind=payload.kind,
        template=template,
        legal_entity=_entity(actor, payload.legal_entity_id),
    )
    return Status(201, _document_out(selectors.document_get(actor=actor, pk=document.pk)))


@router.get(
    "/deals/{deal_id}/documents",
    response=list[DocumentOut],
    summary="The generated documents of a deal",
)
def deal_documents(request: AuthedRequest, deal_id: int) -> Any:
    deal = deal_get(actor=request.user, pk=deal_id, lookups=False)
    return [_document_out(d) for d in selectors.document_list(actor=request.user, deal_id=deal.pk)]


@router.get("/documents/{document_id}", response=DocumentOut)
def document_detail(request: AuthedRequest, document_id: int) -> Any:
    return _document_out(selectors.document_get(actor=request.user, pk=document_id))


@router.get(
    "/documents/{document_id}/download",
    response={200: None},
    url_name="document_download",
    summary="Download a version as DOCX or PDF (a Russian file name)",
    openapi_extra=document_file_answer(DOCX_TYPE, "The DOCX (or the PDF with format=pdf)."),
)
def document_download(
    request: AuthedRequest,
    document_id: int,
    format: Literal["docx", "pdf"] = "docx",
    version: int | None = None,
) -> Any:
    document = selectors.document_get(actor=request.user, pk=document_id)
    return file_answer(request.user, document, format, version)


def _approval_body(request: AuthedRequest) -> DocumentApprovalIn:
    """The body is optional (a POST without one starts the approval with the default
    approvers, as before): read here, because ninja cannot take an absent JSON body."""
    if request.content_type != "application/json":
        return DocumentApprovalIn(approver_ids=None)  # no JSON body (a bare POST, or an empty form)
    raw = request.body.strip()
    try:
        return DocumentApprovalIn.model_validate_json(raw or b"{}")
    except pydantic.ValidationError as exc:
        errors = [validation_detail(e) for e in exc.errors()]
        raise DomainError(
            CoreError.VALIDATION,
            unknown_fields_message(errors)
            or _("The request is not valid: %(errors)s")
            % {"errors": "; ".join(str(e["msg"]) for e in errors)[:300]},
            details={"field": "approver_ids", "errors": errors},
        ) from exc


@router.post(
    "/documents/{document_id}/approval",
    response=DocumentOut,
    summary="Send for approval (contract approval for a contract, document approval otherwise)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": DocumentApprovalIn.model_json_schema()}},
        }
    },
)
def document_approval(request: AuthedRequest, document_id: int) -> Any:
    document = selectors.document_get(actor=request.user, pk=document_id)
    payload = _approval_body(request)
    approvers = None
    if payload.approver_ids is not None:
        found = User.objects.in_bulk(payload.approver_ids)
        unknown = [pk for pk in payload.approver_ids if pk not in found]
        if unknown:
            raise DomainError(
                CoreError.VALIDATION,
                _("No such user: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                details={"field": "approver_ids"},
            )
        approvers = [found[pk] for pk in payload.approver_ids]
    services.document_send_for_approval(actor=request.user, document=document, approvers=approvers)
    return _document_out(selectors.document_get(actor=request.user, pk=document_id))


# --- the client's bank details --------------------------------------------------------------


def _bank_out(company_id: int, bank: Any) -> dict[str, Any]:
    values = {f: getattr(bank, f) if bank else "" for f in services.CLIENT_BANK_FIELDS}
    return {"company_id": company_id, "is_set": bank is not None, **values}


@router.get(
    "/companies/{company_id}/bank-account",
    response=ClientBankAccountOut,
    summary="The client's bank details (is_set false and empty fields when none are kept)",
)
def client_bank_account(request: AuthedRequest, company_id: int) -> Any:
    company = company_get(actor=request.user, pk=company_id)
    return _bank_out(company.pk, services.client_bank_account_of(company))


@router.put(
    "/companies/{company_id}/bank-account",
    response=ClientBankAccountOut,
    summary="Set the client's bank details (all four together; all four empty remove them)",
)
def client_bank_account_put(
    request: AuthedRequest, company_id: int, payload: ClientBankAccountIn
) -> Any:
    company = company_get(actor=request.user, pk=company_id)
    bank = services.client_bank_account_set(
        actor=request.user, company=company, data=payload.dict()
    )
    return _bank_out(company.pk, bank)
