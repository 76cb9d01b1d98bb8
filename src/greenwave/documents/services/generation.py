"""Documents of a deal: generation from templates, versions, PDF by the worker."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import require_visible, require_write
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import ObjectRef, event_append_for
from greenwave.sales.models import Deal

from .. import builtin, events, rendering
from .. import context as context_mod
from ..errors import DocumentsError
from ..models import (
    PDF_PENDING,
    Document,
    DocumentStatus,
    DocumentTemplate,
    DocumentVersion,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LegalEntity,
    NumberedKind,
    PdfStatus,
)
from .common import (
    document_number_next,
)
from .entities import (
    legal_entity_default,
)
from .invoices import (
    _build_lines,
    deal_lines,
    invoice_create_from_deal,
    invoice_issue,
)

# --- documents of a deal ------------------------------------------------------------------

# Besides the deal's people within their write reach: the roles whose job is the deal's papers.
DOCUMENT_KEEPERS = (RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)
CONTRACT_PROCESS = "contract_approval"
DOCUMENT_PROCESS = "document_approval"


def require_document_writer(actor: User | None, record: Any) -> None:
    if actor is not None and actor.has_role(*DOCUMENT_KEEPERS):
        return
    require_write(actor, record, message=_("You can read this deal but not make its documents."))


_require_document_writer = require_document_writer


def _document_objects(document: Document) -> list[ObjectRef]:
    refs = [ObjectRef("deal", str(document.deal_id), "deal")]
    if document.deal.company_id:
        refs.append(ObjectRef("company", str(document.deal.company_id), "client"))
    if document.invoice_id:
        refs.append(ObjectRef("invoice", str(document.invoice_id), "invoice"))
    return refs


def _template_for(kind: str, entity: LegalEntity, template: DocumentTemplate | None) -> Any:
    if template is not None:
        if template.kind != kind:
            raise DomainError(
                CoreError.VALIDATION,
                _("This template is for another kind of document."),
                details={"field": "template_id"},
            )
        return template
    return (
        DocumentTemplate.objects.filter(legal_entity=entity, kind=kind, is_active=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def _invoice_for_document(actor: User | None, deal: Deal, seller: LegalEntity) -> Invoice:
    """The deal's current invoice (issued, not cancelled), or a new one issued now."""
    current = (
        Invoice.objects.filter(deal=deal, seller=seller)
        .exclude(status=InvoiceStatus.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if current is None:
        current = invoice_create_from_deal(actor=actor, deal=deal, seller=seller)
    if current.status == InvoiceStatus.DRAFT:
        current = invoice_issue(actor=actor, invoice=current)
    return current


def _unsaved_lines(invoice: Invoice | None, deal: Deal, seller: LegalEntity) -> list[InvoiceLine]:
    if invoice is not None:
        return list(invoice.lines.select_related("product").order_by("position"))
    try:
        lines = deal_lines(deal)
    except DomainError:
        return []
    built = _build_lines(lines, vat_payer=seller.vat_payer)
    for line in built:
        if line.product is not None:
            line.product_id = line.product.pk
    return built


def _enqueue_pdf(version_id: int) -> None:
    from ..tasks import make_pdf

    make_pdf.enqueue(version_id)


def _queue_pdf_after_commit(version: DocumentVersion) -> None:
    """The worker makes the PDF (LibreOffice takes seconds): it is queued once the version is
    committed, so the job always finds the row."""
    transaction.on_commit(partial(_enqueue_pdf, version.pk), robust=True)


@transaction.atomic
def document_generate(
    *,
    actor: User | None,
    deal: Deal,
    kind: str,
    template: DocumentTemplate | None = None,
    legal_entity: LegalEntity | None = None,
    with_pdf: bool = True,
    on: date | None = None,
) -> Document:
    """Make (or remake) a document of the deal: the first time it takes the next number of its
    kind for the legal entity and year; every regeneration is a new version of the same
    number (old versions stay). A kind that needs the client's requisites lists what is
    missing instead of a half-filled document. An invoice document is made from the deal's
    invoice record (issued now if it was not)."""
    require_visible(actor, deal, _("Deal not found."))
    require_document_writer(actor, deal)
    seller = _document_seller(kind, legal_entity)
    on = on or timezone.localdate()
    preview_lines = _unsaved_lines(None, deal, seller)
    context_mod.require_requisites(kind, deal.company, preview_lines)
    source = _template_for(kind, seller, template)
    invoice = _invoice_for_document(actor, deal, seller) if kind == NumberedKind.INVOICE else None
    lines = _unsaved_lines(invoice, deal, seller) if invoice is not None else preview_lines
    document, on, new_case = _document_numbered(deal, kind, seller, invoice, on)
    basis = _basis(deal, kind)
    data = context_mod.build_context(
        kind=kind,
        deal=deal,
        seller=seller,
        lines=lines,
        number=document.number,
        on=on,
        invoice=invoice,
        basis=basis,
    )
    version = _version_rendered(actor, document, source, data, lines, on, with_pdf=with_pdf)
    event_append_for(
        document,
        activity=events.DOCUMENT_GENERATED,
        actor=actor,
        payload={
            "kind": kind,
            "number": document.number,
            "version": version.version,
            "total": str(sum((line.amount for line in lines), Decimal(0))),
            "template_id": source.pk if source is not None else None,
        },
        objects=_document_objects(document),
        new_case=new_case,
    )
    return document


def _document_seller(kind: str, legal_entity: LegalEntity | None) -> LegalEntity:
    """The legal entity a new document of ``kind`` is made by (the default one if none given)."""
    if kind not in NumberedKind.values:
        raise DomainError(
            CoreError.VALIDATION, _("Unknown kind of document."), details={"field": "kind"}
        )
    seller = legal_entity or legal_entity_default()
    if seller is None:
        raise DomainError(
            DocumentsError.NO_LEGAL_ENTITY,
            _("Add our legal entity with its requisites first (Documents → Legal entities)."),
        )
    return seller


def _document_numbered(
    deal: Deal, kind: str, seller: LegalEntity, invoice: Invoice | None, on: date
) -> tuple[Document, date, bool]:
    """The document to write a new version of, locked: the one to continue, or a new one with
    the next number (an invoice's own number). Also its date and whether it is new."""
    document = _document_to_continue(deal, kind, seller, invoice)
    if document is not None:
        document = Document.objects.select_for_update().get(pk=document.pk)
        return document, (invoice.issue_date or on) if invoice is not None else on, False
    if invoice is not None:
        sequence, year, number = invoice.sequence or 0, invoice.year or on.year, invoice.number
        on = invoice.issue_date or on
    else:
        year = on.year
        sequence = document_number_next(legal_entity=seller, kind=kind, year=year)
        number = context_mod.format_number(kind, sequence)
    document = Document.objects.create(
        deal=deal,
        kind=kind,
        number=number,
        sequence=sequence,
        year=year,
        legal_entity=seller,
        invoice=invoice,
        current_version=0,
        responsible=deal.responsible,
        team=deal.team,
    )
    return document, on, True


def _version_rendered(
    actor: User | None,
    document: Document,
    source: DocumentTemplate | None,
    data: dict[str, Any],
    lines: list[InvoiceLine],
    on: date,
    *,
    with_pdf: bool,
) -> DocumentVersion:
    """The next version of ``document`` rendered from ``data`` (its PDF queued if asked);
    the document goes back to a draft."""
    kind = document.kind
    template_source = (
        source.file.open("rb").read() if source is not None else builtin.builtin_path(kind)
    )
    docx_bytes = rendering.render_docx(template_source, data)
    document.current_version += 1
    document.template = source
    # New content is not what was approved: it goes back to a draft.
    document.status = DocumentStatus.DRAFT
    document.approval_instance_id = None
    document.approval_process = ""
    document.save()
    version = DocumentVersion(
        document=document,
        version=document.current_version,
        text=rendering.docx_text(docx_bytes)[:50_000],
        context={"total": data["total"], "lines": len(lines), "date": on.isoformat()},
        created_by=actor,
    )
    version.docx.save(f"{kind}-v{version.version}.docx", ContentFile(docx_bytes), save=False)
    if with_pdf:
        version.pdf_status = PdfStatus.QUEUED
    version.save()
    if with_pdf:
        _queue_pdf_after_commit(version)
    return version


def _document_to_continue(
    deal: Deal, kind: str, seller: LegalEntity, invoice: Invoice | None
) -> Document | None:
    """The document a regeneration adds a version to: the latest of the kind, unless it was
    sent (a sent document is final) or is about another invoice."""
    latest = (
        Document.objects.filter(deal=deal, kind=kind, legal_entity=seller)
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.status == DocumentStatus.SENT:
        if invoice is not None:
            return Document.objects.filter(invoice=invoice).first()
        return None
    if invoice is not None and latest.invoice_id != invoice.pk:
        return Document.objects.filter(invoice=invoice).first()
    return latest


def _basis(deal: Deal, kind: str) -> str:
    if kind in (NumberedKind.QUOTE, NumberedKind.TECH_QUOTE, NumberedKind.CONTRACT):
        return f"Сделка «{deal.title}»"
    contract = (
        Document.objects.filter(deal=deal, kind=NumberedKind.CONTRACT)
        .order_by("-created_at", "-pk")
        .first()
    )
    if contract is not None:
        return (
            f"Договор поставки № {contract.number} от "
            f"{context_mod.ru_date(timezone.localtime(contract.created_at).date())}"
        )
    return f"Сделка «{deal.title}»"


@transaction.atomic
def document_version_pdf(*, actor: User | None, version: DocumentVersion) -> DocumentVersion:
    """Ask the worker for the PDF of a version that has none: demo documents, a failed
    conversion tried again, LibreOffice installed after generation. A version whose PDF is
    made or on its way is left as it is. Reading the document is enough: the PDF is the same
    content as the DOCX the reader may already download."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if version.pdf or version.pdf_status in PDF_PENDING:
        return version
    version.pdf_status = PdfStatus.QUEUED
    version.pdf_error = ""
    version.save(update_fields=["pdf_status", "pdf_error", "updated_at"])
    _queue_pdf_after_commit(version)
    return version


# --- PDF by the worker ----------------------------------------------------------------------

logger = logging.getLogger(__package__)  # the services package, as before the split
# A queued PDF whose task never reached the queue is sent again after this long; one
# «converting» longer than LibreOffice's own timeout lost its worker and is queued again.
PDF_REQUEUE_AFTER = timedelta(minutes=2)
PDF_STALLED_AFTER = timedelta(seconds=rendering.PDF_TIMEOUT_SECONDS * 3)


def _pdf_claim(version_id: int) -> DocumentVersion | None:
    """Take a queued version for conversion (a short transaction, so the page shows
    «converting» while LibreOffice works). None when another worker has it or it is done."""
    with transaction.atomic():
        version = (
            DocumentVersion.objects.select_for_update(skip_locked=True)
            .filter(pk=version_id, pdf_status=PdfStatus.QUEUED)
            .first()
        )
        if version is None:
            return None
        version.pdf_status = PdfStatus.CONVERTING
        version.save(update_fields=["pdf_status", "updated_at"])
        return version


def document_pdf_convert(*, version_id: int) -> str:
    """Worker job: DOCX → PDF for one queued version, outside any transaction while
    LibreOffice runs; the PDF (or the reason there is none) is stored under the row lock with
    a `document_pdf_ready` / `document_pdf_failed` event. Returns the status it left."""
    claimed = _pdf_claim(version_id)
    if claimed is None:
        current = DocumentVersion.objects.filter(pk=version_id).values_list("pdf_status", flat=True)
        return current.first() or ""
    pdf: bytes | None = None
    reason = ""
    try:
        with claimed.docx.open("rb") as handle:
            pdf = rendering.convert_to_pdf(handle.read())
    except rendering.PdfUnavailableError as exc:
        reason = str(exc)
    except Exception as exc:  # a missing file, a crash of LibreOffice: the page says why
        logger.exception("PDF of document version %s failed", version_id)
        reason = _("The PDF could not be made: %(error)s") % {"error": str(exc)[:200]}
    with transaction.atomic():
        version = (
            DocumentVersion.objects.select_for_update()
            .select_related("document", "document__deal")
            .get(pk=version_id)
        )
        if version.pdf_status != PdfStatus.CONVERTING:
            return version.pdf_status
        if pdf is not None:
            version.pdf.save(
                f"{version.document.kind}-v{version.version}.pdf", ContentFile(pdf), save=False
            )
            version.pdf_status, version.pdf_error = PdfStatus.READY, ""
        else:
            version.pdf_status, version.pdf_error = PdfStatus.FAILED, reason[:500]
        version.save(update_fields=["pdf", "pdf_status", "pdf_error", "updated_at"])
        document = version.document
        event_append_for(
            document,
            activity=events.DOCUMENT_PDF_READY if pdf is not None else events.DOCUMENT_PDF_FAILED,
            actor=None,
            payload={"version": version.version, "reason": version.pdf_error},
            objects=_document_objects(document),
        )
    return version.pdf_status


def documents_pdf_requeue() -> int:
    """Periodic job: a PDF queued but never picked up (the web process died between its
    commit and the enqueue, or the queue was down), or stuck converting (its worker died), is
    queued again. A second task of a version is harmless: only one claims it."""
    moment = timezone.now()
    requeued = 0
    stalled = DocumentVersion.objects.filter(
        pdf_status=PdfStatus.CONVERTING, updated_at__lt=moment - PDF_STALLED_AFTER
    )
    forgotten = DocumentVersion.objects.filter(
        pdf_status=PdfStatus.QUEUED, updated_at__lt=moment - PDF_REQUEUE_AFTER
    )
    for queryset in (stalled, forgotten):
        for version_id in list(queryset.order_by("pk").values_list("pk", flat=True)[:100]):
            if queryset.filter(pk=version_id).update(
                pdf_status=PdfStatus.QUEUED, updated_at=moment
            ):
                _enqueue_pdf(version_id)
                requeued += 1
    return requeued
