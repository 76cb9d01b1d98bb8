"""Writers of the orders app: payments and refunds against invoices, the bank statement
import, the overdue reminders.

The invoice belongs to the documents app: the status change an incoming payment causes
(issued → partially_paid → paid and back on a refund) is written by its service
`documents.payments.invoice_apply_payment`, under the row lock `invoice_lock_for_payment`
takes (`SELECT … FOR UPDATE`), so two payments entered at once are applied one after the
other and never pay an invoice beyond its total.
Overpayment is refused (no advances are kept): the message says how much is still due.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.activities import services as activity_services
from greenwave.core.errors import DomainError, permission_denied
from greenwave.core.jobs import claim_each
from greenwave.core.services import ObjectRef
from greenwave.documents.invoice_events import invoice_event
from greenwave.documents.models import AWAITING_PAYMENT, Invoice
from greenwave.documents.payments import invoice_apply_payment, invoice_lock_for_payment
from greenwave.sales import services as sales_services
from greenwave.sales.models import DealStatus

from . import events
from .errors import OrdersError, invalid
from .models import OverdueReminder, Payment, PaymentKind, PaymentSource

logger = logging.getLogger(__name__)

CENTS = Decimal("0.01")
# Who enters money: finance and accounting (and the administrator).
CASHIER_ROLES = (RoleCode.FINANCE, RoleCode.ACCOUNTANT, RoleCode.ADMIN)
# An invoice overdue by more than this many days reminds its responsible manager (seed 003,
# KPI 10: «просроченные платежи более чем на 5 дней»).
REMINDER_GRACE_DAYS = 5
# The stage of the B2B pipeline reached when the deal's invoice is paid («Деньги»).
PAYMENT_STAGE = "payment"


def can_enter_payments(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*CASHIER_ROLES)


def _require_cashier(actor: User | None) -> None:
    if not can_enter_payments(actor):
        raise permission_denied(_("Only finance and accounting enter payments."))


def clean_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount in roubles with at most two decimals (kopecks)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        raise invalid(field, _("Enter an amount, e.g. 12500.50.")) from None
    if not amount.is_finite() or amount <= 0:
        raise invalid(field, _("The amount must be greater than zero."))
    if amount != amount.quantize(CENTS):
        raise invalid(field, _("At most two decimals (kopecks)."))
    if amount >= Decimal("1e16"):
        raise invalid(field, _("The amount is too large."))
    return amount.quantize(CENTS)


def _clean_date(value: date | None, field: str) -> date:
    today = timezone.localdate()
    if value is None:
        return today
    if value > today:
        raise invalid(field, _("The payment date cannot be in the future."))
    if value.year < 2000:
        raise invalid(field, _("The payment date is too old."))
    return value


def _money(value: Decimal) -> str:
    return str(value.quantize(CENTS))


def _advance_deal(invoice: Invoice) -> None:
    """The deal of a paid invoice reaches «Деньги» (the sales gates decide whether it may:
    from «Счёт» the issued invoice meets the output, so the move is allowed)."""
    if not invoice.deal_id:
        return
    deal = invoice.deal
    if deal is None or deal.status != DealStatus.OPEN:
        return
    stage = deal.pipeline.stages.filter(code=PAYMENT_STAGE).first()
    if stage is None or stage.order <= deal.stage.order:
        return
    try:
        sales_services.deal_move(actor=None, deal=deal, stage=stage)
    except DomainError as error:  # an unmet output of an earlier stage: the deal stays put
        logger.info("deal %s stays at its stage after payment: %s", deal.pk, error.message)


_PAYMENT_EVENTS: dict[str, str] = {
    PaymentKind.PAYMENT: events.PAYMENT_RECEIVED,
    PaymentKind.REFUND: events.PAYMENT_REFUNDED,
}


def _payment_book(
    actor: User | None,
    invoice: Invoice,
    amount: Decimal,
    comment: str,
    payload: dict[str, Any],
    *,
    kind: str,
    payment_date: date,
    **fields: Any,
) -> tuple[Payment, bool]:
    """Money moved on the locked invoice (a payment, or a refund taking it back): its row,
    owned like the invoice (its responsible and team are whom the KPIs credit), the invoice's
    received amount and status, and the event `{amount, payment_date, payment_id, **payload}`.
    Also whether this made the invoice paid in full."""
    row = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        comment=str(comment or "").strip()[:500],
        responsible_id=invoice.responsible_id,
        team_id=invoice.team_id,
        created_by=actor,
        kind=kind,
        payment_date=payment_date,
        **fields,
    )
    paid = invoice_apply_payment(invoice, -amount if kind == PaymentKind.REFUND else amount)
    invoice_event(
        invoice,
        _PAYMENT_EVENTS[kind],
        actor,
        {
            "amount": _money(amount),
            "payment_date": payment_date.isoformat(),
            "payment_id": row.pk,
            **payload,
        },
    )
    return row, paid


@transaction.atomic
def payment_record(  # noqa: PLR0913 -- keyword-only: the fields of a payment, each by name
    *,
    actor: User | None,
    invoice: Invoice,
    amount: Any,
    payment_date: date | None = None,
    document_number: str = "",
    payer_inn: str = "",
    payer_name: str = "",
    purpose: str = "",
    comment: str = "",
    source: str = PaymentSource.MANUAL,
    bank_key: str | None = None,
) -> Payment:
    """Money received for an issued invoice: partial payments add up; a payment beyond what
    is still due is refused (say how much is due), nothing is kept as an advance."""
    _require_cashier(actor)
    amount = clean_amount(amount)
    payment_date = _clean_date(payment_date, "payment_date")
    invoice = invoice_lock_for_payment(invoice.pk)
    if invoice.status not in AWAITING_PAYMENT:
        raise DomainError(
            OrdersError.NOT_PAYABLE,
            _("Invoice %(number)s is %(status)s: only an issued invoice takes payments.")
            % {"number": invoice, "status": invoice.get_status_display().lower()},
        )
    if amount > invoice.outstanding:
        raise DomainError(
            OrdersError.OVERPAYMENT,
            _(
                "Overpayment refused: %(amount)s exceeds what is still due on invoice "
                "%(number)s (%(due)s). Enter at most %(due)s and return the rest to the payer."
            )
            % {"amount": amount, "number": invoice, "due": invoice.outstanding},
            details={"outstanding": _money(invoice.outstanding)},
        )
    payment, paid = _payment_book(
        actor,
        invoice,
        amount,
        comment,
        {"invoice_number": invoice.number},
        kind=PaymentKind.PAYMENT,
        payment_date=payment_date,
        document_number=str(document_number or "").strip()[:40],
        payer_inn=str(payer_inn or "").strip()[:12],
        payer_name=str(payer_name or "").strip()[:255],
        purpose=str(purpose or "").strip()[:1000],
        source=source,
        bank_key=bank_key,
    )
    if paid:
        invoice_event(
            invoice,
            events.INVOICE_PAID,
            actor,
            {
                "number": invoice.number,
                "total": _money(invoice.total),
                "paid_date": payment_date.isoformat(),
            },
        )
        _advance_deal(invoice)
    return payment


@transaction.atomic
def payment_refund(
    *,
    actor: User | None,
    payment: Payment,
    amount: Any,
    refund_date: date | None = None,
    comment: str = "",
) -> Payment:
    """Return (part of) a payment to the payer: the invoice waits for that money again."""
    _require_cashier(actor)
    amount = clean_amount(amount)
    refund_date = _clean_date(refund_date, "refund_date")
    invoice = invoice_lock_for_payment(payment.invoice_id)
    payment = Payment.objects.get(pk=payment.pk)
    if payment.kind != PaymentKind.PAYMENT:
        raise DomainError(OrdersError.REFUND_TOO_LARGE, _("A refund cannot be refunded."))
    if refund_date < payment.payment_date:
        raise invalid("refund_date", _("A refund cannot precede the payment."))
    refunded = sum((r.amount for r in payment.refunds.all()), Decimal(0))
    left = min(payment.amount - refunded, invoice.paid_amount)
    if amount > left:
        raise DomainError(
            OrdersError.REFUND_TOO_LARGE,
            _("At most %(left)s of this payment can still be refunded.") % {"left": left},
            details={"refundable": _money(left)},
        )
    refund, _paid = _payment_book(
        actor,
        invoice,
        amount,
        comment,
        {"refund_of": payment.pk},
        kind=PaymentKind.REFUND,
        payment_date=refund_date,
        payer_inn=payment.payer_inn,
        payer_name=payment.payer_name,
        refund_of=payment,
    )
    return refund


def payment_record_bank(
    *, actor: User | None, invoice: Invoice, row: dict[str, Any], bank_key: str
) -> Payment:
    """One matched document of a bank statement (inside the import's transaction); a key
    already taken by a concurrent import is a conflict, not a second payment."""
    try:
        with transaction.atomic():
            return payment_record(
                actor=actor,
                invoice=invoice,
                amount=row["amount"],
                payment_date=row["date"],
                document_number=row["number"],
                payer_inn=row["payer_inn"],
                payer_name=row["payer_name"],
                purpose=row["purpose"],
                source=PaymentSource.BANK,
                bank_key=bank_key,
            )
    except IntegrityError:
        raise DomainError(
            OrdersError.IMPORT_CONFLICT,
            _("Payment order %(number)s of %(date)s has just been imported by someone else.")
            % {"number": row["number"], "date": date_format(row["date"], "SHORT_DATE_FORMAT")},
        ) from None


# --- overdue reminders (the worker) -------------------------------------------------------


def overdue_reminders_send(*, today: date | None = None, limit: int = 200) -> int:
    """A reminder activity for the responsible manager of each invoice overdue by more than
    REMINDER_GRACE_DAYS days — once per invoice, whatever the number of workers: the invoice
    rows are claimed with SKIP LOCKED and the reminder row is unique per invoice."""
    today = today or timezone.localdate()
    limit_date = today - timedelta(days=REMINDER_GRACE_DAYS)
    overdue = Invoice.objects.filter(
        status__in=AWAITING_PAYMENT,
        due_date__lt=limit_date,
        overdue_reminder__isnull=True,
        responsible__isnull=False,
    ).order_by("due_date", "pk")
    unreminded = Invoice.objects.filter(overdue_reminder__isnull=True).select_related(
        "responsible", "deal", "buyer"
    )
    return claim_each(overdue, limit, unreminded, lambda invoice: _remind(invoice, today))


def _remind(invoice: Invoice, today: date) -> bool:
    if invoice.responsible is None:
        return False
    assert invoice.due_date is not None
    days = (today - invoice.due_date).days
    subject = _("Overdue payment: invoice %(number)s, %(days)s days") % {
        "number": invoice.number,
        "days": days,
    }
    description = _(
        "Invoice %(number)s of %(client)s for %(total)s was due %(due)s; still due: %(left)s. "
        "Call the client about the payment."
    ) % {
        "number": invoice.number,
        "client": invoice.buyer.name,
        "total": invoice.total,
        "due": invoice.due_date.strftime("%d.%m.%Y"),
        "left": invoice.outstanding,
    }
    due_at = timezone.make_aware(datetime.combine(today, time(10, 0)))
    activity = activity_services.activity_create(
        actor=None,
        kind="task",
        subject=subject[:255],
        description=description,
        responsible=invoice.responsible,
        company=invoice.buyer,
        deal=invoice.deal if invoice.deal_id else None,
        due_at=max(due_at, timezone.now()),
        priority="high",
    )
    OverdueReminder.objects.create(invoice=invoice, activity_id=activity.pk)
    invoice_event(
        invoice,
        events.OVERDUE_REMINDED,
        None,
        {
            "number": invoice.number,
            "days_overdue": days,
            "outstanding": _money(invoice.outstanding),
            "activity_id": activity.pk,
            "responsible_id": invoice.responsible_id,
        },
        objects=[ObjectRef("activity", str(activity.pk), "reminder")],
    )
    return True


def overdue_reminders_job() -> int:
    return overdue_reminders_send()
