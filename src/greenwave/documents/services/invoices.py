"""Invoices: lines with VAT, creation (from a deal too), changes, issue and cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import require_visible, require_write
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.record_change import changes_log
from greenwave.core.services import changes_between
from greenwave.crm.models import Company, Product, VatRate
from greenwave.sales.models import Deal

from .. import events
from ..errors import DocumentsError
from ..invoice_events import invoice_event, invoice_links
from ..models import (
    AWAITING_PAYMENT,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LegalEntity,
    NumberedKind,
)
from .common import (
    CENTS,
    DEFAULT_PAYMENT_DAYS,
    INVOICE_KEEPERS,
    document_number_next,
)
from .entities import (
    legal_entity_default,
)

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


def _bad_line(position: int, message: str) -> DomainError:
    """The refusal of an invoice line: `message` names the line by its number (`%(n)s`)."""
    return DomainError(
        DocumentsError.INVALID_LINE, message % {"n": position}, details={"line": position}
    )


def _build_lines(lines: Sequence[LineInput], *, vat_payer: bool) -> list[InvoiceLine]:
    if not lines:
        raise DomainError(DocumentsError.NO_LINES, _("An invoice needs at least one line."))
    if len(lines) > 500:
        raise DomainError(DocumentsError.INVALID_LINE, _("At most 500 lines."))
    built = []
    for position, line in enumerate(lines, start=1):
        name = str(line.name or "").strip()
        if not name:
            raise _bad_line(position, _("Line %(n)s: name it."))
        quantity = _decimal(line.quantity, "quantity")
        price = _decimal(line.price, "price")
        discount = _decimal(line.discount_percent, "discount_percent")
        if (
            quantity <= 0
            or quantity >= Decimal("1e11")
            or quantity != quantity.quantize(Decimal("0.001"))
        ):
            raise _bad_line(
                position, _("Line %(n)s: the quantity must be positive, with at most 3 decimals.")
            )
        if price < 0 or price >= Decimal("1e15") or price != price.quantize(CENTS):
            raise _bad_line(
                position, _("Line %(n)s: the price cannot be negative and has at most 2 decimals.")
            )
        if not Decimal(0) <= discount <= Decimal(100) or discount != discount.quantize(CENTS):
            raise _bad_line(position, _("Line %(n)s: the discount is a percentage from 0 to 100."))
        rate = str(line.vat_rate) if vat_payer else VatRate.NONE
        if rate not in VatRate.values:
            raise _bad_line(position, _("Line %(n)s: VAT rate is one of 20, 10, 0 or none."))
        amount = (quantity * price * (Decimal(100) - discount) / Decimal(100)).quantize(
            CENTS, rounding=ROUND_HALF_UP
        )
        if amount >= Decimal("1e15"):
            raise _bad_line(position, _("Line %(n)s: the amount is too large."))
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


def require_invoice_writer(actor: User | None, record: Any) -> None:
    """The deal's (or client's) people within their write reach, or finance/accounting."""
    if actor is not None and actor.has_role(*INVOICE_KEEPERS):
        return
    require_write(
        actor,
        record,
        message=_("You can read this but not invoice it: it belongs to someone else's deal."),
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
        require_visible(actor, deal, _("Deal not found."))
        require_invoice_writer(actor, deal)
        if deal.company_id and deal.company_id != buyer.pk:
            raise DomainError(
                DocumentsError.NO_BUYER, _("The buyer must be the client of the deal.")
            )
    else:
        require_visible(actor, buyer, _("Client not found."))
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
    invoice_event(
        invoice,
        events.INVOICE_CREATED,
        actor,
        {
            "total": str(invoice.total),
            "deal_id": invoice.deal_id,
            "company_id": invoice.buyer_id,
        },
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
    require_visible(actor, deal, _("Deal not found."))
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
    require_visible(actor, invoice, _("Invoice not found."))
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
    changes_log(
        invoice,
        changes_between(before, _invoice_snapshot(invoice)),
        activity=events.INVOICE_CHANGED,
        actor=actor,
        payload={"number": invoice.number},
        objects=invoice_links(invoice),
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
    require_visible(actor, invoice, _("Invoice not found."))
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
    invoice_event(
        invoice,
        events.INVOICE_ISSUED,
        actor,
        {
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
    )
    return invoice


@transaction.atomic
def invoice_cancel(*, actor: User | None, invoice: Invoice, reason: str) -> Invoice:
    """Issued or draft → cancelled; the number stays taken (a gap-free journal keeps it)."""
    require_visible(actor, invoice, _("Invoice not found."))
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
    invoice_event(
        invoice, events.INVOICE_CANCELLED, actor, {"number": invoice.number, "reason": reason}
    )
    return invoice
