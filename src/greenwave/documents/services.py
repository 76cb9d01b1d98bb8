"""Writers of the documents app: our legal entities, gap-free numbering, invoices.

Invoices follow the shared contract of INVOICE_EVENTS.md: case type "invoice", one case per
invoice, the deal (qualifier "deal") and the buyer (qualifier "buyer") among the objects,
money as strings with two decimals and dates in ISO.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import can_write, require_write, visible_team_ids
from greenwave.bpm import selectors as bpm_selectors
from greenwave.bpm import services as bpm
from greenwave.core.errors import CoreError, DomainError, not_found, permission_denied
from greenwave.core.services import ObjectRef, changes_between, event_append_for
from greenwave.crm.models import Company, Contact, Product, VatRate
from greenwave.crm.requisites import normalize_email, normalize_inn, normalize_kpp, normalize_ogrn
from greenwave.sales.models import Deal

from . import builtin, events, rendering
from . import context as context_mod
from .errors import DocumentsError
from .models import (
    AWAITING_PAYMENT,
    PDF_PENDING,
    ClientBankAccount,
    Document,
    DocumentNumberSequence,
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
from .requisites import (
    name_genitive,
    normalize_account,
    normalize_bik,
    normalize_corr_account,
    position_genitive,
)

CENTS = Decimal("0.01")
# Who keeps our requisites and the invoices of every deal they can read.
FINANCE_ROLES = (RoleCode.FINANCE, RoleCode.ACCOUNTANT, RoleCode.ADMIN)
# Besides the deal's own people: finance and accounting issue and cancel invoices of any deal
# they can read (their job), heads within their reach through the ordinary write rule.
INVOICE_KEEPERS = (RoleCode.FINANCE, RoleCode.ACCOUNTANT)
DEFAULT_PAYMENT_DAYS = 5


def _is_finance(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*FINANCE_ROLES)


# --- numbering ----------------------------------------------------------------------------


@transaction.atomic
def document_number_next(*, legal_entity: LegalEntity, kind: str, year: int) -> int:
    """The next number of a kind of document of a legal entity in a year: no gaps, no
    duplicates. The sequence row is locked until the caller's transaction ends, so the number
    is given back if the record taking it is rolled back, and two writers queue up."""
    if kind not in NumberedKind.values:
        raise DomainError(CoreError.VALIDATION, _("Unknown kind of document."))
    # Create the row if it is missing without a race: a concurrent insert waits on the unique
    # index and then does nothing.
    DocumentNumberSequence.objects.bulk_create(
        [DocumentNumberSequence(legal_entity=legal_entity, kind=kind, year=year)],
        ignore_conflicts=True,
    )
    row = DocumentNumberSequence.objects.select_for_update().get(
        legal_entity=legal_entity, kind=kind, year=year
    )
    row.last_number += 1
    row.save(update_fields=["last_number"])
    return row.last_number


# --- legal entities -----------------------------------------------------------------------

LEGAL_ENTITY_TEXT_FIELDS = (
    "name",
    "full_name",
    "address",
    "phone",
    "bank_name",
    "signatory_name",
    "signatory_position",
    "signatory_name_genitive",
    "signatory_position_genitive",
    "signatory_basis",
    "chief_accountant",
)
LEGAL_ENTITY_FIELDS = (
    *LEGAL_ENTITY_TEXT_FIELDS,
    "inn",
    "kpp",
    "ogrn",
    "email",
    "bik",
    "account",
    "corr_account",
    "vat_payer",
    "is_default",
    "is_active",
)
LEGAL_ENTITY_REQUIRED = (
    "name",
    "inn",
    "address",
    "bank_name",
    "bik",
    "account",
    "corr_account",
    "signatory_name",
    "signatory_position",
)


def _field(name: str) -> Any:
    return LegalEntity._meta.get_field(name)


def _clean_legal_entity(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a full set of requisites (each error names its field)."""
    clean: dict[str, Any] = {}
    for field in LEGAL_ENTITY_TEXT_FIELDS:
        value = str(data.get(field) or "").strip()
        max_length = _field(field).max_length or 255
        if len(value) > max_length:
            raise DomainError(
                CoreError.VALIDATION,
                _("At most %(n)s characters.") % {"n": max_length},
                details={"field": field},
            )
        clean[field] = value
    for field in LEGAL_ENTITY_REQUIRED:
        if not clean.get(field) and not str(data.get(field) or "").strip():
            raise DomainError(
                CoreError.VALIDATION,
                _("Fill in: %(field)s.") % {"field": _field(field).verbose_name},
                details={"field": field},
            )
    inn = normalize_inn(str(data.get("inn") or ""))
    clean["inn"] = inn
    clean["kpp"] = normalize_kpp(str(data.get("kpp") or ""), inn=inn)
    if len(inn) == 10 and not clean["kpp"]:
        raise DomainError(
            CoreError.VALIDATION,
            _("An organisation (10-digit INN) needs its KPP."),
            details={"field": "kpp"},
        )
    clean["ogrn"] = normalize_ogrn(str(data.get("ogrn") or ""), inn=inn)
    clean["email"] = normalize_email(str(data.get("email") or ""), field="email")
    bik = normalize_bik(str(data.get("bik") or ""))
    clean["bik"] = bik
    clean["account"] = normalize_account(str(data.get("account") or ""), bik=bik)
    clean["corr_account"] = normalize_corr_account(str(data.get("corr_account") or ""), bik=bik)
    for flag, default in (("vat_payer", True), ("is_default", False), ("is_active", True)):
        value = data.get(flag, default)
        clean[flag] = bool(default if value is None else value)
    if not clean["signatory_name_genitive"]:
        clean["signatory_name_genitive"] = name_genitive(clean["signatory_name"])
    if not clean["signatory_position_genitive"]:
        clean["signatory_position_genitive"] = position_genitive(clean["signatory_position"])
    if not clean["full_name"]:
        clean["full_name"] = clean["name"]
    return clean


def _legal_entity_snapshot(entity: LegalEntity) -> dict[str, Any]:
    return {f: getattr(entity, f) for f in LEGAL_ENTITY_FIELDS}


def _require_finance(actor: User | None) -> None:
    if not _is_finance(actor):
        raise permission_denied(
            _("Only finance, accounting or an administrator keeps our legal entities.")
        )


def _only_default(entity: LegalEntity) -> None:
    if entity.is_default:
        LegalEntity.objects.exclude(pk=entity.pk).filter(is_default=True).update(is_default=False)


@transaction.atomic
def legal_entity_create(*, actor: User | None, data: dict[str, Any]) -> LegalEntity:
    _require_finance(actor)
    clean = _clean_legal_entity(data)
    if not LegalEntity.objects.filter(is_default=True).exists():
        clean["is_default"] = True  # the first one sells by default
    entity = LegalEntity.objects.create(**clean)
    _only_default(entity)
    event_append_for(
        entity,
        activity=events.LEGAL_ENTITY_CREATED,
        actor=actor,
        payload={"name": entity.name, "inn": entity.inn},
        new_case=True,
    )
    return entity


@transaction.atomic
def legal_entity_update(
    *, actor: User | None, entity: LegalEntity, data: dict[str, Any]
) -> LegalEntity:
    """Change requisites; a name or position changed without its genitive gets a new one."""
    _require_finance(actor)
    entity = LegalEntity.objects.select_for_update().get(pk=entity.pk)
    before = _legal_entity_snapshot(entity)
    merged = {**before, **data}
    if "signatory_name" in data and "signatory_name_genitive" not in data:
        merged["signatory_name_genitive"] = ""
    if "signatory_position" in data and "signatory_position_genitive" not in data:
        merged["signatory_position_genitive"] = ""
    clean = _clean_legal_entity(merged)
    for field, value in clean.items():
        setattr(entity, field, value)
    entity.save()
    _only_default(entity)
    changes = changes_between(before, _legal_entity_snapshot(entity))
    if changes:
        event_append_for(
            entity, activity=events.LEGAL_ENTITY_CHANGED, actor=actor, payload={"changes": changes}
        )
    return entity


def legal_entity_default() -> LegalEntity | None:
    """The seller when none is named: the default active entity, else the first active one."""
    return LegalEntity.objects.filter(is_active=True).order_by("-is_default", "pk").first()


# --- invoices -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    """One line as typed (API, form) or taken from a deal."""

    name: str
    quantity: Decimal
    price: Decimal
    unit: str = "шт"
    discount_percent: Decimal = Decimal(0)
    vat_rate: str = VatRate.TWENTY
    product: Product | None = None


def _vat_of(amount: Decimal, rate: str) -> Decimal:
    """VAT inside a VAT-inclusive amount: amount × r / (100 + r)."""
    if rate not in (VatRate.TEN, VatRate.TWENTY):
        return Decimal("0.00")
    r = Decimal(rate)
    return (amount * r / (Decimal(100) + r)).quantize(CENTS, rounding=ROUND_HALF_UP)


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            DocumentsError.INVALID_LINE, _("Not a number."), details={"field": field}
        ) from exc
    if not number.is_finite():
        raise DomainError(DocumentsError.INVALID_LINE, _("Not a number."), details={"field": field})
    return number


def _build_lines(lines: Sequence[LineInput], *, vat_payer: bool) -> list[InvoiceLine]:
    if not lines:
        raise DomainError(DocumentsError.NO_LINES, _("An invoice needs at least one line."))
    if len(lines) > 500:
        raise DomainError(DocumentsError.INVALID_LINE, _("At most 500 lines."))
    built = []
    for position, line in enumerate(lines, start=1):
        where = {"line": position}
        name = str(line.name or "").strip()
        if not name:
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: name it.") % {"n": position},
                details=where,
            )
        quantity = _decimal(line.quantity, "quantity")
        price = _decimal(line.price, "price")
        discount = _decimal(line.discount_percent, "discount_percent")
        if (
            quantity <= 0
            or quantity >= Decimal("1e11")
            or quantity != quantity.quantize(Decimal("0.001"))
        ):
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: the quantity must be positive, with at most 3 decimals.")
                % {"n": position},
                details=where,
            )
        if price < 0 or price >= Decimal("1e15") or price != price.quantize(CENTS):
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: the price cannot be negative and has at most 2 decimals.")
                % {"n": position},
                details=where,
            )
        if not Decimal(0) <= discount <= Decimal(100) or discount != discount.quantize(CENTS):
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: the discount is a percentage from 0 to 100.") % {"n": position},
                details=where,
            )
        rate = str(line.vat_rate) if vat_payer else VatRate.NONE
        if rate not in VatRate.values:
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: VAT rate is one of 20, 10, 0 or none.") % {"n": position},
                details=where,
            )
        amount = (quantity * price * (Decimal(100) - discount) / Decimal(100)).quantize(
            CENTS, rounding=ROUND_HALF_UP
        )
        if amount >= Decimal("1e15"):
            raise DomainError(
                DocumentsError.INVALID_LINE,
                _("Line %(n)s: the amount is too large.") % {"n": position},
                details=where,
            )
        built.append(
            InvoiceLine(
                position=position,
                product=line.product,
                name=name[:500],
                unit=(str(line.unit or "").strip() or "шт")[:20],
                quantity=quantity,
                price=price,
                discount_percent=discount,
                vat_rate=rate,
                amount=amount,
                vat_amount=_vat_of(amount, rate),
            )
        )
    return built


def _set_lines(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    invoice.lines.all().delete()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)
    invoice.total = sum((line.amount for line in lines), Decimal(0))
    invoice.vat_amount = sum((line.vat_amount for line in lines), Decimal(0))
    invoice.subtotal = invoice.total - invoice.vat_amount
    if invoice.total >= Decimal("1e16"):
        raise DomainError(DocumentsError.INVALID_LINE, _("The invoice total is too large."))


def _invoice_objects(invoice: Invoice) -> list[ObjectRef]:
    refs = [ObjectRef("company", str(invoice.buyer_id), "buyer")]
    if invoice.deal_id:
        refs.append(ObjectRef("deal", str(invoice.deal_id), "deal"))
    return refs


def _require_visible(actor: User | None, record: Any, message: str) -> None:
    if actor is None:
        return
    teams = visible_team_ids(actor)
    if teams is None or record.responsible_id == actor.pk or record.team_id in teams:
        return
    raise not_found(message)


def require_invoice_writer(actor: User | None, record: Any) -> None:
    """The deal's (or client's) people within their write reach, or finance/accounting."""
    if actor is None or actor.has_role(*INVOICE_KEEPERS) or can_write(actor, record):
        return
    raise permission_denied(
        _("You can read this but not invoice it: it belongs to someone else's deal.")
    )


# The former private names, kept for modules written against them (payments).
_require_invoice_writer = require_invoice_writer


def _owner_of(deal: Deal | None, buyer: Company) -> tuple[Any, Any]:
    if deal is not None:
        return deal.responsible, deal.team
    return buyer.responsible, buyer.team


@transaction.atomic
def invoice_create(
    *,
    actor: User | None,
    buyer: Company,
    lines: Sequence[LineInput],
    seller: LegalEntity | None = None,
    deal: Deal | None = None,
    due_date: date | None = None,
    comment: str = "",
) -> Invoice:
    """A draft invoice (no number yet: the number is given at issue, so a draft thrown away
    leaves no gap)."""
    if deal is not None:
        _require_visible(actor, deal, _("Deal not found."))
        require_invoice_writer(actor, deal)
        if deal.company_id and deal.company_id != buyer.pk:
            raise DomainError(
                DocumentsError.NO_BUYER, _("The buyer must be the client of the deal.")
            )
    else:
        _require_visible(actor, buyer, _("Client not found."))
        require_invoice_writer(actor, buyer)
    if buyer.is_deleted:
        raise DomainError(DocumentsError.NO_BUYER, _("The client is deleted."))
    seller = seller or legal_entity_default()
    if seller is None:
        raise DomainError(
            DocumentsError.NO_LEGAL_ENTITY,
            _("Add our legal entity with its requisites first (Documents → Legal entities)."),
        )
    if not seller.is_active:
        raise DomainError(DocumentsError.NO_LEGAL_ENTITY, _("This legal entity is not active."))
    comment = str(comment or "").strip()
    if len(comment) > 2000:
        raise DomainError(
            CoreError.VALIDATION, _("At most 2000 characters."), details={"field": "comment"}
        )
    built = _build_lines(lines, vat_payer=seller.vat_payer)
    responsible, team = _owner_of(deal, buyer)
    invoice = Invoice.objects.create(
        seller=seller,
        buyer=buyer,
        deal=deal,
        responsible=responsible,
        team=team,
        currency=deal.currency if deal is not None else "RUB",
        due_date=due_date,
        comment=comment,
        created_by=actor,
    )
    _set_lines(invoice, built)
    invoice.save()
    event_append_for(
        invoice,
        activity=events.INVOICE_CREATED,
        actor=actor,
        payload={
            "total": str(invoice.total),
            "deal_id": invoice.deal_id,
            "company_id": invoice.buyer_id,
        },
        objects=_invoice_objects(invoice),
        new_case=True,
    )
    return invoice


def deal_lines(deal: Deal) -> list[LineInput]:
    """The deal's product lines as invoice lines; a deal without lines is one line of its
    amount (a service sold as a whole)."""
    items = list(deal.items.select_related("product").order_by("pk"))
    if items:
        return [
            LineInput(
                name=item.product.name,
                quantity=item.quantity,
                price=item.price,
                unit=item.product.get_unit_display(),
                vat_rate=item.product.vat_rate,
                product=item.product,
            )
            for item in items
        ]
    if deal.amount <= 0:
        raise DomainError(
            DocumentsError.NO_LINES,
            _("The deal has neither lines nor an amount: add products to it first."),
        )
    return [LineInput(name=deal.title, quantity=Decimal(1), price=deal.amount, unit="усл")]


@transaction.atomic
def invoice_create_from_deal(
    *,
    actor: User | None,
    deal: Deal,
    seller: LegalEntity | None = None,
    due_date: date | None = None,
    comment: str = "",
) -> Invoice:
    """A draft invoice of the deal: its client as the buyer, its lines (or its amount)."""
    _require_visible(actor, deal, _("Deal not found."))
    if deal.company is None:
        raise DomainError(
            DocumentsError.NO_BUYER, _("The deal has no client: link the client first.")
        )
    return invoice_create(
        actor=actor,
        buyer=deal.company,
        lines=deal_lines(deal),
        seller=seller,
        deal=deal,
        due_date=due_date,
        comment=comment,
    )


def _locked(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("deal", "buyer", "seller")
        .get(pk=invoice.pk)
    )


def _invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    return {
        "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
        "comment": invoice.comment,
        "total": str(invoice.total),
        "vat": str(invoice.vat_amount),
        "seller_id": invoice.seller_id,
    }


@transaction.atomic
def invoice_update(
    *,
    actor: User | None,
    invoice: Invoice,
    due_date: date | None = None,
    comment: str | None = None,
    lines: Sequence[LineInput] | None = None,
    seller: LegalEntity | None = None,
) -> Invoice:
    """Change a draft (lines, seller, due date, comment); an issued invoice changes only its
    due date and comment — its lines are what the buyer was asked to pay."""
    _require_visible(actor, invoice, _("Invoice not found."))
    require_invoice_writer(actor, invoice)
    invoice = _locked(invoice)
    if invoice.status not in (InvoiceStatus.DRAFT, *AWAITING_PAYMENT):
        raise DomainError(
            DocumentsError.WRONG_STATUS, _("A paid or cancelled invoice cannot be changed.")
        )
    if invoice.status != InvoiceStatus.DRAFT and (lines is not None or seller is not None):
        raise DomainError(
            DocumentsError.WRONG_STATUS,
            _("An issued invoice keeps its lines and seller: cancel it and issue a new one."),
        )
    before = _invoice_snapshot(invoice)
    if due_date is not None:
        if invoice.issue_date and due_date < invoice.issue_date:
            raise DomainError(
                CoreError.VALIDATION,
                _("The due date cannot be before the issue date."),
                details={"field": "due_date"},
            )
        invoice.due_date = due_date
    if comment is not None:
        # A browser posts a textarea's line breaks as CRLF: stored as typed, not as sent.
        comment = comment.replace("\r\n", "\n").strip()
        if len(comment) > 2000:
            raise DomainError(
                CoreError.VALIDATION, _("At most 2000 characters."), details={"field": "comment"}
            )
        invoice.comment = comment
    if seller is not None:
        if not seller.is_active:
            raise DomainError(DocumentsError.NO_LEGAL_ENTITY, _("This legal entity is not active."))
        invoice.seller = seller
    if lines is not None:
        _set_lines(invoice, _build_lines(lines, vat_payer=invoice.seller.vat_payer))
    invoice.save()
    changes = changes_between(before, _invoice_snapshot(invoice))
    if changes:
        event_append_for(
            invoice,
            activity=events.INVOICE_CHANGED,
            actor=actor,
            payload={"number": invoice.number, "changes": changes},
            objects=_invoice_objects(invoice),
        )
    return invoice


@transaction.atomic
def invoice_issue(
    *,
    actor: User | None,
    invoice: Invoice,
    issue_date: date | None = None,
    due_date: date | None = None,
) -> Invoice:
    """Draft → issued: the next number of the seller's invoices of the year, the dates, and
    the owner at issue time (whom KPIs credit)."""
    _require_visible(actor, invoice, _("Invoice not found."))
    require_invoice_writer(actor, invoice)
    invoice = _locked(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        raise DomainError(DocumentsError.WRONG_STATUS, _("Only a draft invoice can be issued."))
    if not invoice.lines.exists() or invoice.total <= 0:
        raise DomainError(DocumentsError.NO_LINES, _("An invoice of nothing cannot be issued."))
    issue_date = issue_date or timezone.localdate()
    due_date = due_date or invoice.due_date or issue_date + timedelta(days=DEFAULT_PAYMENT_DAYS)
    if due_date < issue_date:
        raise DomainError(
            CoreError.VALIDATION,
            _("The due date cannot be before the issue date."),
            details={"field": "due_date"},
        )
    invoice.year = issue_date.year
    invoice.sequence = document_number_next(
        legal_entity=invoice.seller, kind=NumberedKind.INVOICE, year=issue_date.year
    )
    invoice.number = str(invoice.sequence)
    invoice.issue_date = issue_date
    invoice.due_date = due_date
    invoice.status = InvoiceStatus.ISSUED
    invoice.issued_at = timezone.now()
    responsible, team = _owner_of(invoice.deal, invoice.buyer)
    invoice.responsible, invoice.team = responsible, team
    invoice.save()
    event_append_for(
        invoice,
        activity=events.INVOICE_ISSUED,
        actor=actor,
        payload={
            "number": invoice.number,
            "total": str(invoice.total),
            "vat": str(invoice.vat_amount),
            "currency": "RUB",
            "issue_date": issue_date.isoformat(),
            "due_date": due_date.isoformat(),
            "deal_id": invoice.deal_id,
            "company_id": invoice.buyer_id,
            "responsible_id": invoice.responsible_id,
            "team_id": invoice.team_id,
        },
        objects=_invoice_objects(invoice),
    )
    return invoice


@transaction.atomic
def invoice_cancel(*, actor: User | None, invoice: Invoice, reason: str) -> Invoice:
    """Issued or draft → cancelled; the number stays taken (a gap-free journal keeps it)."""
    _require_visible(actor, invoice, _("Invoice not found."))
    require_invoice_writer(actor, invoice)
    invoice = _locked(invoice)
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError(
            CoreError.VALIDATION, _("Give the reason of cancellation."), details={"field": "reason"}
        )
    if len(reason) > 500:
        raise DomainError(
            CoreError.VALIDATION, _("At most 500 characters."), details={"field": "reason"}
        )
    if invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED):
        raise DomainError(
            DocumentsError.WRONG_STATUS,
            _("Only a draft or an issued invoice without payments can be cancelled."),
        )
    invoice.status = InvoiceStatus.CANCELLED
    invoice.cancelled_at = timezone.now()
    invoice.cancel_reason = reason
    invoice.save()
    event_append_for(
        invoice,
        activity=events.INVOICE_CANCELLED,
        actor=actor,
        payload={"number": invoice.number, "reason": reason},
        objects=_invoice_objects(invoice),
    )
    return invoice


# --- templates ----------------------------------------------------------------------------

TEMPLATE_ADMIN_ROLES = (RoleCode.ADMIN, RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)


def can_manage_templates(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*TEMPLATE_ADMIN_ROLES)


@transaction.atomic
def document_template_upload(
    *,
    actor: User | None,
    legal_entity: LegalEntity,
    kind: str,
    name: str,
    file_name: str,
    data: bytes,
) -> DocumentTemplate:
    """Store a legal entity's own template of a kind after checking it (not a DOCX, a zip
    bomb, macros, a broken or unknown tag → refused, nothing stored). The newest active
    template of a kind is the one documents are made from."""
    if not can_manage_templates(actor):
        raise permission_denied(_("Only an administrator, a lawyer or finance uploads templates."))
    if kind not in NumberedKind.values:
        raise DomainError(
            CoreError.VALIDATION, _("Unknown kind of document."), details={"field": "kind"}
        )
    name = str(name or "").strip()[:200] or str(NumberedKind(kind).label)
    check = rendering.check_template(data)
    template = DocumentTemplate(
        kind=kind,
        name=name,
        legal_entity=legal_entity,
        original_name=str(file_name or "")[:255],
        variables=check.variables,
        uploaded_by=actor,
    )
    template.file.save(f"{kind}.docx", ContentFile(data), save=False)
    template.save()
    event_append_for(
        template,
        activity=events.TEMPLATE_UPLOADED,
        actor=actor,
        payload={"kind": kind, "name": name, "legal_entity_id": legal_entity.pk},
        new_case=True,
    )
    return template


@transaction.atomic
def document_template_set_active(
    *, actor: User | None, template: DocumentTemplate, active: bool
) -> DocumentTemplate:
    if not can_manage_templates(actor):
        raise permission_denied(_("Only an administrator, a lawyer or finance manages templates."))
    template.is_active = active
    template.save(update_fields=["is_active", "updated_at"])
    return template


# --- documents of a deal ------------------------------------------------------------------

# Besides the deal's people within their write reach: the roles whose job is the deal's papers.
DOCUMENT_KEEPERS = (RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)
CONTRACT_PROCESS = "contract_approval"
DOCUMENT_PROCESS = "document_approval"


def require_document_writer(actor: User | None, record: Any) -> None:
    if actor is None or actor.has_role(*DOCUMENT_KEEPERS) or can_write(actor, record):
        return
    raise permission_denied(_("You can read this deal but not make its documents."))


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
    from .tasks import make_pdf

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
    _require_visible(actor, deal, _("Deal not found."))
    require_document_writer(actor, deal)
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
    on = on or timezone.localdate()
    preview_lines = _unsaved_lines(None, deal, seller)
    context_mod.require_requisites(kind, deal.company, preview_lines)
    source = _template_for(kind, seller, template)
    invoice = _invoice_for_document(actor, deal, seller) if kind == NumberedKind.INVOICE else None
    lines = _unsaved_lines(invoice, deal, seller) if invoice is not None else preview_lines
    document = _document_to_continue(deal, kind, seller, invoice)
    if document is None:
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
        new_case = True
    else:
        document = Document.objects.select_for_update().get(pk=document.pk)
        new_case = False
        if invoice is not None:
            on = invoice.issue_date or on
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
            f"{context_mod.ru_date(contract.created_at.date())}"
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


# --- approval (bpm processes) and sending -------------------------------------------------


def approval_process_for(kind: str) -> str:
    """A contract goes through the contract approval of the deal (manager → head → lawyer →
    finance); any other document through the two-stage document approval."""
    return CONTRACT_PROCESS if kind == NumberedKind.CONTRACT else DOCUMENT_PROCESS


def _approvers(deal: Deal) -> tuple[User, User]:
    """Document approval: the head of the deal's team, then the head above them (or the
    same head when there is none)."""
    team = deal.team
    first = team.head if team is not None and team.head is not None else None
    if first is None:
        first = (
            User.objects.filter(is_active=True, roles__code=RoleCode.HEAD_OF_SALES)
            .order_by("pk")
            .first()
        )
    if first is None:
        raise DomainError(
            DocumentsError.NOT_APPROVED, _("Nobody heads this team to approve the document.")
        )
    parent = team.parent if team is not None else None
    second = parent.head if parent is not None and parent.head is not None else first
    return first, second


def _process_variables(document: Document) -> dict[str, Any]:
    """What the approvers' tasks show: the deal, the client and the document with links."""
    from django.urls import reverse

    deal = document.deal
    company = deal.company
    return {
        "deal_title": deal.title,
        "deal_url": reverse("sales:deal_detail", args=[deal.pk]),
        "client_name": company.name if company else "",
        "amount": str(deal.amount),
        "currency": deal.currency,
        "document_id": document.pk,
        "document_title": str(document),
        "document_url": reverse("documents:document_detail", args=[document.pk]),
        "document_download_url": reverse("documents:document_download", args=[document.pk])
        + "?format=docx",
    }


# The document approval has two stages (согласование, утверждение): one person per stage.
DOCUMENT_APPROVAL_STAGES = 2


def _chosen_approvers(document: Document, approvers: Sequence[User]) -> tuple[User, User]:
    """The initiator's choice for the two stages, checked: at least one person, at most one
    per stage, nobody twice, active people who can open the deal's documents. One person
    approves both stages."""
    if not approvers:
        raise DomainError(
            CoreError.VALIDATION,
            _("Choose at least one approver."),
            details={"field": "approver_ids"},
        )
    if len(approvers) > DOCUMENT_APPROVAL_STAGES:
        raise DomainError(
            CoreError.VALIDATION,
            _("The document approval has two stages: choose one or two approvers."),
            details={"field": "approver_ids"},
        )
    if len({user.pk for user in approvers}) != len(approvers):
        raise DomainError(
            CoreError.VALIDATION,
            _("The same person is chosen twice."),
            details={"field": "approver_ids"},
        )
    for user in approvers:
        teams = visible_team_ids(user)
        sees = teams is None or document.responsible_id == user.pk or document.team_id in teams
        if not user.is_active or not sees:
            raise DomainError(
                CoreError.VALIDATION,
                _("%(name)s cannot approve: the account is inactive or cannot open this deal.")
                % {"name": user.get_full_name() or user.username},
                details={"field": "approver_ids", "user_id": user.pk},
            )
    return approvers[0], approvers[-1]


@transaction.atomic
def document_send_for_approval(
    *, actor: User | None, document: Document, approvers: Sequence[User] | None = None
) -> Document:
    """Start the approval process that carries the document (bound to the deal for a contract,
    so its approved outcome also meets the «Договор» stage; to the document otherwise).

    A document approval goes to the people the initiator chose (`approvers`: stage 1, then
    stage 2); without a choice — the system or an API call that names nobody — to the head of
    the deal's team and the head above, as the seed's hierarchy has it. A contract's approvers
    are the roles of its process (head, lawyer, finance): nobody is chosen for it."""
    _require_visible(actor, document, _("Document not found."))
    require_document_writer(actor, document)
    document = Document.objects.select_for_update().select_related("deal").get(pk=document.pk)
    state = approval_state(document)
    if state in (DocumentStatus.ON_APPROVAL, DocumentStatus.APPROVED):
        raise DomainError(
            DocumentsError.WRONG_STATUS,
            _("This version is already on approval or approved."),
            status=409,
        )
    if document.status == DocumentStatus.SENT:
        raise DomainError(DocumentsError.WRONG_STATUS, _("A sent document is final."), status=409)
    key = approval_process_for(document.kind)
    variables = _process_variables(document)
    names: list[str] = []
    if key == CONTRACT_PROCESS and approvers is not None:
        raise DomainError(
            CoreError.VALIDATION,
            _("A contract is approved by the roles of its process: nobody is chosen for it."),
            details={"field": "approver_ids"},
        )
    if key == CONTRACT_PROCESS:
        instance = bpm.subject_process_start(
            actor=actor,
            key=key,
            subject_type="deal",
            subject_id=document.deal_id,
            variables=variables,
        )
    else:
        if approvers is None:
            first, second = _approvers(document.deal)
        else:
            first, second = _chosen_approvers(document, approvers)
        names = [first.username] if first.pk == second.pk else [first.username, second.username]
        try:
            definition = bpm_selectors.definition_latest_deployed(actor=actor, key=key)  # type: ignore[arg-type]
        except DomainError as exc:
            raise DomainError(
                DocumentsError.APPROVAL_UNAVAILABLE,
                _(
                    "The document approval process is not deployed: an administrator installs "
                    "the process library (Processes)."
                ),
                status=409,
            ) from exc
        instance = bpm.instance_start_checked(
            actor=actor,
            definition=definition,
            variables={
                **variables,
                "approver1": first.username,
                "approver2": second.username,
                "approvers": names,
                "approvers_chosen": approvers is not None,
            },
            object_type=Document.EVENT_CASE_TYPE,
            object_id=document.pk,
        )
    document.status = DocumentStatus.ON_APPROVAL
    document.approval_instance_id = instance.pk
    document.approval_process = key
    document.save(
        update_fields=["status", "approval_instance_id", "approval_process", "updated_at"]
    )
    event_append_for(
        document,
        activity=events.DOCUMENT_SENT_FOR_APPROVAL,
        actor=actor,
        payload={
            "process": key,
            "instance": instance.pk,
            "version": document.current_version,
            "approvers": names,
            "approvers_chosen": approvers is not None,
        },
        objects=_document_objects(document),
    )
    return document


def approval_state(document: Document) -> str:
    """The document's status with its approval run read through bpm: approved when the run
    ended approved (the contract's `gw:outcome`, or the end of the two-stage approval, which
    has only an approving end), rejected when it ended otherwise, a draft again when the run
    was cancelled."""
    if document.status != DocumentStatus.ON_APPROVAL or not document.approval_instance_id:
        return document.status

    subject_type, subject_id = (
        ("deal", document.deal_id)
        if document.approval_process == CONTRACT_PROCESS
        else (Document.EVENT_CASE_TYPE, document.pk)
    )
    runs = bpm.subject_runs(subject_type=subject_type, subject_id=subject_id, limit=50)
    run = next((r for r in runs if r.id == document.approval_instance_id), None)
    if run is None or run.is_open:
        return DocumentStatus.ON_APPROVAL if run is not None else DocumentStatus.DRAFT
    if run.status != "completed":
        return DocumentStatus.DRAFT
    if run.outcome == "approved" or (
        document.approval_process == DOCUMENT_PROCESS and run.outcome == ""
    ):
        return DocumentStatus.APPROVED
    return DocumentStatus.REJECTED


def _recipient(actor: User | None, document: Document, contact: Contact) -> str:
    deal = document.deal
    linked = contact.company_id == deal.company_id or deal.contacts.filter(pk=contact.pk).exists()
    if contact.is_deleted or not linked:
        raise DomainError(
            DocumentsError.NO_RECIPIENT,
            _("Send to a contact of the deal's client."),
            details={"field": "contact_id"},
        )
    emails = [e for e in (contact.emails or []) if e]
    if not emails:
        raise DomainError(
            DocumentsError.NO_RECIPIENT,
            _("%(name)s has no e-mail address.") % {"name": contact.full_name},
            details={"field": "contact_id"},
        )
    return str(emails[0])


def download_name(document: Document, version: DocumentVersion, extension: str) -> str:
    label = context_mod.RU_TITLES[document.kind]
    return f"{label} № {document.number} (версия {version.version}).{extension}"


@transaction.atomic
def document_send(
    *, actor: User | None, document: Document, contact: Contact, message: str = ""
) -> Document:
    """E-mail the current version (DOCX, and the PDF when there is one) to a contact of the
    client through the configured mail backend, and log it on the deal's timeline. A contract
    goes out only approved; a document put on approval only once approved."""
    from django.conf import settings
    from django.core.mail import EmailMessage

    _require_visible(actor, document, _("Document not found."))
    require_document_writer(actor, document)
    document = Document.objects.select_for_update().select_related("deal").get(pk=document.pk)
    state = approval_state(document)
    needs_approval = document.kind == NumberedKind.CONTRACT or document.approval_instance_id
    if needs_approval and state not in (DocumentStatus.APPROVED, DocumentStatus.SENT):
        raise DomainError(
            DocumentsError.NOT_APPROVED,
            _("The document is not approved yet: send it for approval first.")
            if state == DocumentStatus.DRAFT
            else _("The document is not approved (%(state)s).")
            % {"state": DocumentStatus(state).label},
            status=409,
        )
    address = _recipient(actor, document, contact)
    message = str(message or "").strip()[:5000]
    version = document.versions.get(version=document.current_version)
    seller = document.legal_entity
    title = context_mod.RU_TITLES[document.kind]
    subject = f"{title} № {document.number} — {seller.name}"
    body = message or (
        f"Здравствуйте, {contact.full_name}!\n\n"
        f"Направляем документ «{title}» № {document.number} "
        f"по сделке «{document.deal.title}».\n\nС уважением,\n{seller.name}"
    )
    mail = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    with version.docx.open("rb") as handle:
        mail.attach(
            download_name(document, version, "docx"),
            handle.read(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    if version.pdf:
        with version.pdf.open("rb") as handle:
            mail.attach(download_name(document, version, "pdf"), handle.read(), "application/pdf")
    try:
        mail.send(fail_silently=False)
    except Exception as exc:  # SMTP refusals and network failures alike
        raise DomainError(
            DocumentsError.SEND_FAILED,
            _("The mail server did not accept the message: %(error)s") % {"error": str(exc)[:200]},
            status=409,
        ) from exc
    document.status = DocumentStatus.SENT
    document.sent_at = timezone.now()
    document.save(update_fields=["status", "sent_at", "updated_at"])
    event_append_for(
        document,
        activity=events.DOCUMENT_SENT,
        actor=actor,
        payload={
            "kind": document.kind,
            "number": document.number,
            "version": version.version,
            "to": address,
            "contact_id": contact.pk,
            "attachments": 2 if version.pdf else 1,
        },
        objects=[*_document_objects(document), ObjectRef("contact", str(contact.pk), "to")],
    )
    return document


def documents_record_approvals() -> int:
    """Periodic job: documents whose approval run has ended get their state written down and
    a `document_approved`/`document_rejected` event (the run's own events stay in bpm's
    case). Returns how many changed."""
    changed = 0
    waiting = Document.objects.filter(status=DocumentStatus.ON_APPROVAL).select_related("deal")
    for document in waiting.order_by("pk")[:500]:
        state = approval_state(document)
        if state == DocumentStatus.ON_APPROVAL:
            continue
        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            if locked.status != DocumentStatus.ON_APPROVAL:
                continue
            locked.status = state
            locked.save(update_fields=["status", "updated_at"])
            activity = {
                DocumentStatus.APPROVED: events.DOCUMENT_APPROVED,
                DocumentStatus.REJECTED: events.DOCUMENT_REJECTED,
            }.get(DocumentStatus(state), events.DOCUMENT_APPROVAL_CANCELLED)
            event_append_for(
                locked,
                activity=activity,
                actor=None,
                payload={
                    "process": locked.approval_process,
                    "instance": locked.approval_instance_id,
                },
                objects=_document_objects(document),
            )
            changed += 1
    return changed


# --- PDF by the worker ----------------------------------------------------------------------

logger = logging.getLogger(__name__)
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


# --- the client's bank details --------------------------------------------------------------

CLIENT_BANK_FIELDS = ("bank_name", "bik", "corr_account", "account")


def _client_bank_snapshot(account: ClientBankAccount | None) -> dict[str, Any]:
    return {f: getattr(account, f) if account else "" for f in CLIENT_BANK_FIELDS}


def _clean_client_bank(data: dict[str, Any]) -> dict[str, str]:
    """The same rules as our legal entity's bank details (each error names its field)."""
    bank_name = str(data.get("bank_name") or "").strip()
    if not bank_name:
        raise DomainError(
            CoreError.VALIDATION,
            _("Fill in: %(field)s.") % {"field": _("bank")},
            details={"field": "bank_name"},
        )
    if len(bank_name) > 255:
        raise DomainError(
            CoreError.VALIDATION,
            _("At most %(n)s characters.") % {"n": 255},
            details={"field": "bank_name"},
        )
    bik = normalize_bik(str(data.get("bik") or ""))
    return {
        "bank_name": bank_name,
        "bik": bik,
        "corr_account": normalize_corr_account(str(data.get("corr_account") or ""), bik=bik),
        "account": normalize_account(str(data.get("account") or ""), bik=bik),
    }


def client_bank_account_of(company: Company) -> ClientBankAccount | None:
    return ClientBankAccount.objects.filter(company=company).first()


@transaction.atomic
def client_bank_account_set(
    *, actor: User | None, company: Company, data: dict[str, Any]
) -> ClientBankAccount | None:
    """Save the client's bank details (bank, BIK, correspondent and settlement accounts), all
    four together; all four left empty remove them. Written by whoever may change the client;
    the change goes to the client's timeline."""
    _require_visible(actor, company, _("Client not found."))
    require_write(actor, company)
    current = ClientBankAccount.objects.select_for_update().filter(company=company).first()
    before = _client_bank_snapshot(current)
    if not any(str(data.get(f) or "").strip() for f in CLIENT_BANK_FIELDS):
        if current is not None:
            current.delete()
            current = None
    else:
        clean = _clean_client_bank(data)
        if current is None:
            current = ClientBankAccount(company=company)
        for field, value in clean.items():
            setattr(current, field, value)
        if changes_between(before, clean):
            current.updated_by = actor
            current.save()
    changes = changes_between(before, _client_bank_snapshot(current))
    if changes:
        event_append_for(
            company,
            activity=events.CLIENT_BANK_ACCOUNT_SET,
            actor=actor,
            payload={"changes": changes},
        )
    return current


def client_bank_account_merge(*, actor: User | None, source: Company, target: Company) -> None:
    """Client base merge hook: the merged-away client's bank details go to the kept one unless
    it has its own."""
    if ClientBankAccount.objects.filter(company=target).exists():
        ClientBankAccount.objects.filter(company=source).delete()
    else:
        ClientBankAccount.objects.filter(company=source).update(company=target)
