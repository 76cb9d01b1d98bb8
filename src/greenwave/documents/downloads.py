"""Answering a document version as a file (shared by the API and the pages): the right
content type and a Russian file name (RFC 6266 `filename*`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError

from . import rendering, selectors, services
from .errors import DocumentsError
from .models import PDF_PENDING, Document, DocumentVersion, PdfStatus

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


def pdf_reason(version: DocumentVersion) -> str:
    """Why the version has no PDF to give now (empty when it has one)."""
    if version.pdf:
        return ""
    if version.pdf_status in PDF_PENDING:
        return _("The PDF is being made: it appears here in a few seconds.")
    if version.pdf_status == PdfStatus.FAILED:
        return version.pdf_error or _("The PDF could not be made.")
    return version.pdf_error or rendering.pdf_unavailable_reason()


def file_answer(
    actor: User,
    document: Document,
    file_format: str,
    version_number: int | None,
    *,
    inline: bool = False,
) -> HttpResponse:
    version = selectors.document_version(document, version_number)
    if file_format == "pdf":
        if not version.pdf:
            # Never converted (or LibreOffice came later): the worker is asked for it.
            if version.pdf_status == PdfStatus.NONE:
                version = services.document_version_pdf(actor=actor, version=version)
            raise DomainError(
                DocumentsError.PDF_UNAVAILABLE,
                pdf_reason(version) or _("PDF is unavailable."),
                status=409,
            )
        field, content_type = version.pdf, PDF_TYPE
    else:
        field, content_type = version.docx, DOCX_TYPE
    with field.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type=content_type)
    name = services.download_name(document, version, "pdf" if file_format == "pdf" else "docx")
    disposition = content_disposition_header(not inline, name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    return response
