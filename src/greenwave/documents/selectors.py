"""Readers of the documents app: legal entities, invoices, templates and documents; scoped
like deals (own, team, headed teams, all — by the actor's roles)."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.sales.models import Deal

from . import models


def legal_entity_list(*, actor: User, active_only: bool = False) -> QuerySet[models.LegalEntity]:
    """Our legal entities are the company's own requisites: every signed-in user reads them
    (they appear on every document), only finance changes them (see the services)."""
    qs = models.LegalEntity.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def legal_entity_get(*, actor: User, pk: int) -> models.LegalEntity:
    entity = models.LegalEntity.objects.filter(pk=pk).first()
    if entity is None:
        raise not_found(_("Legal entity not found."))
    return entity


INVOICE_LIST_SPEC = ListSpec(
    search_fields=("number", "buyer__name", "buyer__inn", "deal__title"),
    sorts=(
        SortSpec("created", _("Created"), ("created_at", "id")),
        SortSpec("issue_date", _("Issue date"), ("issue_date", "id")),
        SortSpec("due_date", _("Due date"), ("due_date", "id")),
        SortSpec("total", _("Total"), ("total", "id")),
    ),
    default_sort="-created",
    filters=(
        choice_filter("status", _("Status"), models.InvoiceStatus),
        FilterSpec("deal", _("Deal"), "deal_id", kind="int"),
        FilterSpec("company", _("Client"), "buyer_id", kind="int"),
        FilterSpec("overdue", _("Overdue"), "due_date", kind="bool"),
        FilterSpec("issued_from", _("Issued from"), "issue_date", kind="date_from"),
        FilterSpec("issued_to", _("Issued to"), "issue_date", kind="date_to"),
    ),
)


def overdue_q() -> Q:
    """Waiting for money past the due date."""
    return Q(status__in=models.AWAITING_PAYMENT, due_date__lt=timezone.localdate())


def split_special_filters(
    qs: QuerySet[models.Invoice], query: ListQuery
) -> tuple[QuerySet[models.Invoice], ListQuery]:
    """Apply the filters that are not plain lookups (overdue = waiting for money past the due
    date) and give back the query without them, for `apply_list_query`/`paginate`."""
    overdue = query.filters.get("overdue")
    if overdue in {"true", "1"}:
        qs = qs.filter(overdue_q())
    elif overdue in {"false", "0"}:
        qs = qs.exclude(overdue_q())
    rest = replace(query, filters={k: v for k, v in query.filters.items() if k != "overdue"})
    return qs, rest


def invoice_list(
    *, actor: User, query: ListQuery | None = None, with_lines: bool = False
) -> QuerySet[models.Invoice]:
    qs = scope_records(models.Invoice.objects.all(), actor=actor)
    if query is not None:
        qs, rest = split_special_filters(qs, query)
        qs = apply_list_query(qs, INVOICE_LIST_SPEC, rest)
    qs = qs.select_related("buyer", "seller", "deal", "responsible")
    if with_lines:
        qs = qs.prefetch_related(Prefetch("lines", models.InvoiceLine.objects.order_by("position")))
    return qs


def invoice_get(*, actor: User, pk: int) -> models.Invoice:
    invoice = invoice_list(actor=actor, with_lines=True).filter(pk=pk).first()
    if invoice is None:
        raise not_found(_("Invoice not found."))
    return invoice


def deal_invoices(*, actor: User, deal_id: int) -> QuerySet[models.Invoice]:
    return invoice_list(actor=actor).filter(deal_id=deal_id)


def invoice_visible(actor: User, case_id: str) -> bool:
    """Who may read an invoice's events (core.case_access)."""
    return case_id.isdigit() and invoice_list(actor=actor).filter(pk=int(case_id)).exists()


def deal_has_issued_invoice(deal_id: int) -> bool:
    """The «Счёт» gate: an invoice of the deal that was issued and not cancelled."""
    return models.Invoice.objects.filter(
        deal_id=deal_id,
        status__in=(
            models.InvoiceStatus.ISSUED,
            models.InvoiceStatus.PARTIALLY_PAID,
            models.InvoiceStatus.PAID,
        ),
    ).exists()


# Sales document kinds (the gate checklist's) met by our generated documents.
GATE_KINDS = {"cp": ("quote", "tech_quote"), "contract": ("contract",), "act": ("act", "upd")}


def deal_gate_documents(deal: Deal, wanted: set[str]) -> set[str]:
    """The document kinds of a sales gate this app's records meet for the deal: an issued
    invoice meets «invoice» (the «Счёт» stage), a generated КП/contract/act the others."""
    found: set[str] = set()
    if "invoice" in wanted and deal_has_issued_invoice(deal.pk):
        found.add("invoice")
    kinds = {k: GATE_KINDS[k] for k in wanted if k in GATE_KINDS}
    if kinds:
        have = set(
            models.Document.objects.filter(
                deal_id=deal.pk, kind__in=[v for vs in kinds.values() for v in vs]
            ).values_list("kind", flat=True)
        )
        found |= {k for k, vs in kinds.items() if have & set(vs)}
    return found


def is_overdue(invoice: models.Invoice) -> bool:
    return bool(
        invoice.status in models.AWAITING_PAYMENT
        and invoice.due_date is not None
        and invoice.due_date < timezone.localdate()
    )


# --- templates and documents --------------------------------------------------------------


def template_list(*, actor: User) -> QuerySet[models.DocumentTemplate]:
    """Uploaded templates are shared definitions like price lists: everyone reads them."""
    return models.DocumentTemplate.objects.select_related("legal_entity", "uploaded_by")


def template_get(*, actor: User, pk: int) -> models.DocumentTemplate:
    template = template_list(actor=actor).filter(pk=pk).first()
    if template is None:
        raise not_found(_("Template not found."))
    return template


def document_list(*, actor: User, deal_id: int | None = None) -> QuerySet[models.Document]:
    qs = scope_records(models.Document.objects.all(), actor=actor)
    if deal_id is not None:
        qs = qs.filter(deal_id=deal_id)
    return qs.select_related("deal", "legal_entity", "invoice").prefetch_related(
        Prefetch(
            "versions", models.DocumentVersion.objects.order_by("-version"), to_attr="version_list"
        )
    )


def document_get(*, actor: User, pk: int) -> models.Document:
    document = document_list(actor=actor).filter(pk=pk).first()
    if document is None:
        raise not_found(_("Document not found."))
    return document


def document_version(
    document: models.Document, number: int | None = None
) -> models.DocumentVersion:
    versions: list[models.DocumentVersion] = getattr(document, "version_list", None) or list(
        document.versions.order_by("-version")
    )
    wanted = number or document.current_version
    found = next((v for v in versions if v.version == wanted), None)
    if found is None:
        raise not_found(_("No such version of the document."))
    return found


def document_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Titles («Договор № 15») and URLs of documents (for `core.case_access.case_links`)."""
    documents = models.Document.objects.filter(pk__in=ids).only("pk", "kind", "number")
    return {d.pk: (str(d), reverse("documents:document_detail", args=[d.pk])) for d in documents}


def approval_paper(instance_id: int) -> tuple[str, str] | None:
    """The document an approval run carries (`bpm.papers`): the newest one put on it."""
    pk = (
        models.Document.objects.filter(approval_instance_id=instance_id)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return None if pk is None else ("document", str(pk))


def document_visible(actor: User, case_id: str) -> bool:
    """Who may read a document's events and its approval process (core.case_access)."""
    return case_id.isdigit() and (
        scope_records(models.Document.objects.filter(pk=int(case_id)), actor=actor).exists()
    )
