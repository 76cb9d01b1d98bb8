"""Pages of the documents app: legal entities, templates, invoices, and the «Documents»
section of a deal card (generate, versions, download, approval, send, preview)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.accounts.scoping import can_write, require_write
from greenwave.core.api import scoped_row_of_id, upload_bytes
from greenwave.core.crud import Back, back_to, form_page, form_view, saving, to_page
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post, form_post
from greenwave.core.forms import initial_of
from greenwave.core.list_pages import ListPage
from greenwave.crm.selectors import company_get, contact_get
from greenwave.sales.selectors import deal_get

from . import rendering, selectors, services
from .builtin import builtin_path
from .downloads import DOCX_TYPE, file_answer, pdf_reason
from .errors import DocumentsError
from .forms import (
    ApprovalForm,
    CancelForm,
    ClientBankAccountForm,
    GenerateForm,
    InvoiceEditForm,
    LegalEntityForm,
    SendForm,
    TemplateUploadForm,
)
from .models import PDF_PENDING, Document, DocumentVersion, NumberedKind

View = Callable[..., HttpResponseBase]
# How tags are written in Word (shown next to the variables).
EXAMPLE_TAGS = {
    "var": "{{ seller.inn }}",
    "start": "{%tr for line in lines %}",
    "end": "{%tr endfor %}",
}


def _deal_papers(deal_id: int) -> str:
    return reverse("sales:deal_detail", args=[deal_id]) + "#deal-papers"


def _back_to_deal(deal_id: int) -> HttpResponse:
    return redirect(_deal_papers(deal_id))


# --- legal entities -----------------------------------------------------------------------


@login_required
def legal_entity_list(request: AuthedRequest) -> HttpResponse:
    entities = selectors.legal_entity_list(actor=request.user)
    return render(
        request,
        "documents/legal_entity_list.html",
        {
            "title": _("Legal entities"),
            "entities": entities,
            "can_edit": services._is_finance(request.user),
        },
    )


def _require_finance_page(request: AuthedRequest) -> None:
    if not services._is_finance(request.user):
        raise PermissionDenied(_("Only finance, accounting or an administrator keeps them."))


def _legal_entities() -> Back:
    return Back(reverse("documents:legal_entity_list"), _("Legal entities"))


@login_required
def legal_entity_create(request: AuthedRequest) -> HttpResponse:
    _require_finance_page(request)
    return form_view(
        request,
        LegalEntityForm(request.POST or None),
        lambda data: services.legal_entity_create(actor=request.user, data=data),
        title=_("New legal entity"),
        back=_legal_entities(),
        message=_("Legal entity added."),
    )


@login_required
def legal_entity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    entity = selectors.legal_entity_get(actor=request.user, pk=pk)
    _require_finance_page(request)
    initial = initial_of(entity, services.LEGAL_ENTITY_FIELDS)
    return form_view(
        request,
        LegalEntityForm(request.POST or None, initial=initial),
        saving(request, services.legal_entity_update, entity=entity),
        title=entity.name,
        back=_legal_entities(),
        message=_("Changes saved."),
    )


# --- templates ----------------------------------------------------------------------------


@login_required
def template_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "documents/template_list.html",
        {
            "title": _("Document templates"),
            "builtins": NumberedKind.choices,
            "templates": selectors.template_list(actor=request.user),
            "can_upload": services.can_manage_templates(request.user),
            "variables": sorted(rendering.VARIABLES.items()),
            "example": EXAMPLE_TAGS,
        },
    )


@login_required
def template_upload(request: AuthedRequest) -> HttpResponse:
    if not services.can_manage_templates(request.user):
        raise PermissionDenied(_("Only an administrator, a lawyer or finance uploads templates."))
    entities = [(e.pk, e.name) for e in selectors.legal_entity_list(actor=request.user)]
    form = TemplateUploadForm(request.POST or None, request.FILES or None, entities=entities)

    def upload() -> Any:
        file = form.cleaned_data["file"]
        too_large = DomainError(
            DocumentsError.INVALID_TEMPLATE, _("The file is larger than 10 MB.")
        )
        data = upload_bytes(file, rendering.MAX_UPLOAD_BYTES, too_large)
        return services.document_template_upload(
            actor=request.user,
            legal_entity=selectors.legal_entity_get(
                actor=request.user, pk=form.cleaned_data["legal_entity"]
            ),
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
            file_name=file.name,
            data=data,
        )

    uploaded = form_post(
        request,
        form,
        upload,
        to=to_page("documents:template_detail"),
        success=_("Template uploaded."),
        show_error=lambda bound, exc: bound.add_error("file", exc.message),
    )
    if uploaded is not None:
        return uploaded
    back = reverse("documents:template_list")
    return render(
        request,
        "documents/template_upload.html",
        {"form": form, "title": _("Upload a template"), "back_url": back},
    )


@login_required
def template_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    template = selectors.template_get(actor=request.user, pk=pk)
    if request.method == "POST":
        services.document_template_set_active(
            actor=request.user, template=template, active=not template.is_active
        )
        return redirect("documents:template_detail", pk=pk)
    known = set(rendering.VARIABLES)
    return render(
        request,
        "documents/template_detail.html",
        {
            "template": template,
            "used": [
                (v, v in known or v.split(".")[0] in {"lines", "line"}) for v in template.variables
            ],
            "variables": sorted(rendering.VARIABLES.items()),
            "can_manage": services.can_manage_templates(request.user),
        },
    )


@login_required
def template_builtin(request: AuthedRequest, kind: str) -> HttpResponseBase:
    """Download a built-in template to edit it in Word and upload it back."""
    if kind not in NumberedKind.values:
        raise Http404(_("No such template."))
    label = str(NumberedKind(kind).label)
    return FileResponse(
        builtin_path(kind).open("rb"),
        as_attachment=True,
        filename=f"Шаблон — {label}.docx",
        content_type=DOCX_TYPE,
    )


# --- invoices -----------------------------------------------------------------------------


invoice_list = ListPage.of(
    selectors,
    "invoice",
    gettext_lazy("Invoices"),
    empty=gettext_lazy("No invoices yet: issue one from a deal card."),
).view(extra=lambda _request: {"today": timezone.localdate()})


@login_required
def invoice_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    invoice = selectors.invoice_get(actor=request.user, pk=pk)
    documents = Document.objects.filter(invoice=invoice).order_by("-pk")
    return render(
        request,
        "documents/invoice_detail.html",
        {
            "invoice": invoice,
            "overdue": selectors.is_overdue(invoice),
            "documents": documents,
            "cancel_form": CancelForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
def invoice_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Due date and comment (an issued invoice keeps its lines: cancel and reissue)."""
    invoice = selectors.invoice_get(actor=request.user, pk=pk)
    services.require_invoice_writer(request.user, invoice)
    initial = {"due_date": invoice.due_date, "comment": invoice.comment}
    label = invoice.label
    return form_view(
        request,
        InvoiceEditForm(request.POST or None, initial=initial),
        saving(request, services.invoice_update, invoice=invoice),
        title=_("Invoice %(n)s") % {"n": label},
        back=Back(reverse("documents:invoice_detail", args=[pk]), label),
        message=_("Changes saved."),
    )


@login_required
@require_POST
def invoice_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    invoice = selectors.invoice_get(actor=request.user, pk=pk)
    if action == "issue":
        act = partial(services.invoice_issue, actor=request.user, invoice=invoice)
        action_post(request, act, success=_("Invoice issued."))
    elif action == "cancel":
        form = CancelForm(request.POST)
        reason = form.data.get("reason", "") if form.is_valid() else ""
        act = partial(services.invoice_cancel, actor=request.user, invoice=invoice, reason=reason)
        action_post(request, act, success=_("Invoice cancelled."))
    else:
        raise Http404(_("Unknown action."))
    return redirect("documents:invoice_detail", pk=pk)


# --- documents of a deal ------------------------------------------------------------------


def _document_rows(request: AuthedRequest, deal_id: int) -> list[dict[str, Any]]:
    return [
        _document_shown(document, selectors.document_version(document), as_name="current")
        for document in selectors.document_list(actor=request.user, deal_id=deal_id)
    ]


def _document_shown(
    document: Document, version: DocumentVersion, *, as_name: str
) -> dict[str, Any]:
    """A document as a page shows it: its approval state, its versions, and the one shown
    (under `as_name`) with why it has no PDF or whether one is on its way."""
    return {
        "document": document,
        "state": services.approval_state(document),
        as_name: version,
        "versions": getattr(document, "version_list", []),
        "pdf_reason": pdf_reason(version),
        "pending": version.pdf_status in PDF_PENDING,
    }


@login_required
def deal_documents(request: AuthedRequest, deal_pk: int) -> HttpResponse:
    """The «Documents» section of the deal card (loaded into it by htmx)."""
    deal = deal_get(actor=request.user, pk=deal_pk)
    company = deal.company
    contacts = [c for c in company.contacts.filter(is_deleted=False) if c.emails] if company else []
    return render(
        request,
        "documents/partials/deal_documents.html",
        {
            "deal": deal,
            "rows": _document_rows(request, deal.pk),
            "kinds": NumberedKind.choices,
            "templates": selectors.template_list(actor=request.user).filter(is_active=True),
            "invoices": selectors.deal_invoices(actor=request.user, deal_id=deal.pk),
            "contacts": contacts,
            "has_entity": selectors.legal_entity_list(
                actor=request.user, active_only=True
            ).exists(),
        },
    )


@login_required
@require_POST
def deal_generate(request: AuthedRequest, deal_pk: int) -> HttpResponse:
    deal = deal_get(actor=request.user, pk=deal_pk)
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the kind of document."))
        return _back_to_deal(deal.pk)

    def generate() -> Any:
        template_id = form.cleaned_data.get("template")
        template = scoped_row_of_id(selectors.template_get, request.user, template_id)
        return services.document_generate(
            actor=request.user, deal=deal, kind=form.cleaned_data["kind"], template=template
        )

    action_post(
        request,
        generate,
        success=lambda document: (
            _("%(doc)s generated, version %(v)s.")
            % {"doc": document, "v": document.current_version}
        ),
    )
    return _back_to_deal(deal.pk)


@login_required
@require_POST
def deal_invoice(request: AuthedRequest, deal_pk: int) -> HttpResponse:
    """Draft an invoice of the deal (its lines) and open it."""
    deal = deal_get(actor=request.user, pk=deal_pk)
    try:
        invoice = services.invoice_create_from_deal(actor=request.user, deal=deal)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return _back_to_deal(deal.pk)
    return redirect("documents:invoice_detail", pk=invoice.pk)


@login_required
def document_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, pk=pk)
    version = selectors.document_version(
        document, int(request.GET["v"]) if request.GET.get("v", "").isdigit() else None
    )
    context = _document_shown(document, version, as_name="version")
    return render(request, "documents/document_detail.html", context)


def _pdf_version(request: AuthedRequest, document: Document) -> DocumentVersion:
    raw = request.GET.get("v") or request.POST.get("v") or ""
    return selectors.document_version(
        document, int(raw) if raw.isdigit() and len(raw) < 9 else None
    )


@login_required
def document_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The PDF state of a version (polled by htmx while the worker makes it); a POST asks for
    it again after a failure."""
    document = selectors.document_get(actor=request.user, pk=pk)
    version = _pdf_version(request, document)
    if request.method == "POST":
        version = services.document_version_pdf(actor=request.user, version=version)
    place = "row" if request.GET.get("place") == "row" else "page"
    return render(
        request,
        "documents/partials/pdf_state.html",
        {
            "document": document,
            "version": version,
            "pdf_reason": pdf_reason(version),
            "pending": version.pdf_status in PDF_PENDING,
            "place": place,
        },
    )


def _version_param(request: AuthedRequest) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


@login_required
def document_download(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, pk=pk)
    file_format = "pdf" if request.GET.get("format") == "pdf" else "docx"
    try:
        return file_answer(request.user, document, file_format, _version_param(request))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, exc.message)
        return redirect("documents:document_detail", pk=pk)


@login_required
def document_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The PDF inline, for the preview frame."""
    document = selectors.document_get(actor=request.user, pk=pk)
    try:
        response = file_answer(request.user, document, "pdf", _version_param(request), inline=True)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return HttpResponse(exc.message, content_type="text/plain; charset=utf-8", status=409)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _approver_choices() -> list[tuple[int, str]]:
    people = (
        User.objects.filter(is_active=True)
        .select_related("team")
        .order_by("last_name", "first_name", "pk")
    )
    return [
        (u.pk, f"{u.get_full_name() or u.username}" + (f" · {u.team.name}" if u.team else ""))
        for u in people
    ]


@login_required
def document_approval(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send for approval. A contract goes straight to its process (its approvers are roles);
    any other document asks who approves it first."""
    document = selectors.document_get(actor=request.user, pk=pk)
    if document.kind == NumberedKind.CONTRACT:
        if request.method != "POST":
            return redirect("documents:document_detail", pk=pk)
        send = partial(services.document_send_for_approval, actor=request.user, document=document)
        action_post(request, send, success=_("Sent for approval."))
        return _back_to_deal(document.deal_id)
    services.require_document_writer(request.user, document)
    form = ApprovalForm(request.POST or None, people=_approver_choices())

    def send_to_approvers() -> None:
        ids = form.approver_ids()
        found = User.objects.in_bulk(ids)
        approvers = [found[pk] for pk in ids if pk in found]
        services.document_send_for_approval(
            actor=request.user, document=document, approvers=approvers
        )

    sent = form_post(
        request,
        form,
        send_to_approvers,
        to=lambda _sent: _deal_papers(document.deal_id),
        success=_("Sent for approval."),
        refusals=(403, 404),
    )
    if sent is not None:
        return sent
    return form_page(
        request,
        form,
        title=_("Send %(doc)s for approval") % {"doc": document},
        back=back_to("documents:document_detail", document),
        extra={"submit_label": _("Send for approval")},
    )


# --- the client's bank details --------------------------------------------------------------


@login_required
def company_bank(request: AuthedRequest, company_pk: int) -> HttpResponse:
    """The client's bank details on the company card (loaded into it by htmx)."""
    company = company_get(actor=request.user, pk=company_pk)
    return render(
        request,
        "documents/partials/company_bank.html",
        {
            "company": company,
            "bank": services.client_bank_account_of(company),
            "can_change": can_write(request.user, company),
        },
    )


@login_required
def company_bank_edit(request: AuthedRequest, company_pk: int) -> HttpResponse:
    company = company_get(actor=request.user, pk=company_pk)
    require_write(request.user, company)
    bank = services.client_bank_account_of(company)
    initial = initial_of(bank, services.CLIENT_BANK_FIELDS)
    return form_view(
        request,
        ClientBankAccountForm(request.POST or None, initial=initial),
        lambda data: services.client_bank_account_set(
            actor=request.user, company=company, data=data
        ),
        title=_("Bank details of %(name)s") % {"name": company.name},
        back=back_to("crm:company_detail", company),
        message=_("Bank details saved."),
    )


@login_required
@require_POST
def document_send(request: AuthedRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(actor=request.user, pk=pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a contact with an e-mail address."))
        return _back_to_deal(document.deal_id)

    def send() -> Any:
        contact = contact_get(actor=request.user, pk=form.cleaned_data["contact"])
        services.document_send(
            actor=request.user,
            document=document,
            contact=contact,
            message=form.cleaned_data.get("message") or "",
        )
        return contact

    action_post(
        request, send, success=lambda contact: _("Sent to %(name)s.") % {"name": contact.full_name}
    )
    return _back_to_deal(document.deal_id)
