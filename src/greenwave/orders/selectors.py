"""Readers of the orders app: payments and receivables, scoped like deals (a payment and an
invoice belong to the deal's responsible and team)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import scope_records
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.selectors import row_get, row_visible
from greenwave.documents.models import AWAITING_PAYMENT, Invoice

from .models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    LateReason,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentSource,
    SupplierOrder,
    claim_number_id,
    order_number_id,
)

PAYMENT_LIST_SPEC = ListSpec(
    search_fields=("invoice__number", "payer_name", "payer_inn", "document_number", "purpose"),
    sorts=(
        SortSpec("date", _("Date"), ("payment_date", "id")),
        SortSpec("amount", _("Amount"), ("amount", "id")),
    ),
    default_sort="-date",
    filters=(
        choice_filter("kind", _("Kind"), PaymentKind),
        choice_filter("source", _("Source"), PaymentSource),
        FilterSpec("invoice", _("Invoice"), "invoice_id", kind="int"),
        FilterSpec("date_from", _("From"), "payment_date", kind="date_from"),
        FilterSpec("date_to", _("To"), "payment_date", kind="date_to"),
    ),
)


def payment_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Payment]:
    qs = scope_records(Payment.objects.all(), actor=actor)
    qs = apply_list_query(qs, PAYMENT_LIST_SPEC, query)
    return qs.select_related("invoice", "invoice__buyer", "responsible")


def payment_get(*, actor: User, pk: int) -> Payment:
    return row_get(payment_list(actor=actor), pk, _("Payment not found."))


def payable_invoices(*, actor: User) -> QuerySet[Invoice]:
    """Issued invoices still waiting for money that the actor can see (the entry form)."""
    return (
        scope_records(Invoice.objects.filter(status__in=AWAITING_PAYMENT), actor=actor)
        .select_related("buyer")
        .order_by("due_date", "pk")
    )


def payable_invoice_get(*, actor: User, pk: int) -> Invoice:
    return row_get(scope_records(Invoice.objects.all(), actor=actor), pk, _("Invoice not found."))


# --- receivables --------------------------------------------------------------------------

# (key, label, lowest days overdue, highest days overdue) — days = today − due date.
BUCKETS: tuple[tuple[str, Any, int | None, int | None], ...] = (
    ("not_due", _("Not due"), None, 0),
    ("d1_5", _("1–5 days"), 1, 5),
    ("d6_30", _("6–30 days"), 6, 30),
    ("d31_90", _("31–90 days"), 31, 90),
    ("d90_plus", _("Over 90 days"), 91, None),
)
OVERDUE = "overdue"  # all four overdue buckets at once (the narrow screens' column)
GROUPS = {
    "client": ("buyer_id", "buyer__name"),
    "manager": ("responsible_id", "responsible__last_name"),
    "team": ("team_id", "team__name"),
}


@dataclass
class ReceivableRow:
    key: int | None
    name: str
    invoices: int
    total: Decimal
    buckets: dict[str, Decimal] = field(default_factory=dict)

    @property
    def overdue(self) -> Decimal:
        """What is past its due date: the narrow screens' one column for the four buckets."""
        return self.total - self.buckets.get("not_due", Decimal(0))


def _bucket_q(low: int | None, high: int | None, today: date) -> Q:
    """Invoices whose days overdue fall in [low, high]: due_date in [today−high, today−low]."""
    from datetime import timedelta

    q = Q()
    if high is not None:
        q &= Q(due_date__gte=today - timedelta(days=high))
    if low is not None:
        q &= Q(due_date__lte=today - timedelta(days=low))
    return q


def _cents(value: Decimal | None) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def receivables(
    *, actor: User, group_by: str = "client", today: date | None = None
) -> tuple[list[ReceivableRow], ReceivableRow]:
    """What clients owe on the invoices the actor can see, per client, manager or team, in
    the ageing buckets; the rows (largest debt first) and the total row."""
    today = today or timezone.localdate()
    key_field, name_field = GROUPS[group_by]
    qs = scope_records(
        Invoice.objects.filter(status__in=AWAITING_PAYMENT, due_date__isnull=False), actor=actor
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)
    left = F("total") - F("paid_amount")
    aggregates: dict[str, Any] = {
        "left": Sum(left, output_field=money),
        "count": Sum(Value(1), output_field=IntegerField()),
    }
    for key, _label, low, high in BUCKETS:
        aggregates[key] = Sum(
            Case(
                When(_bucket_q(low, high, today), then=left), default=Value(0), output_field=money
            ),
            output_field=money,
        )
    values = [key_field, name_field]
    if group_by == "manager":
        values.append("responsible__first_name")
    rows = []
    total = ReceivableRow(
        None, str(_("Total")), 0, _cents(None), {k: _cents(None) for k, *_r in BUCKETS}
    )
    for item in qs.values(*values).annotate(**aggregates).order_by("-left", key_field):
        name = item[name_field] or ""
        if group_by == "manager":
            name = f"{item['responsible__first_name'] or ''} {name}".strip()
        row = ReceivableRow(
            key=item[key_field],
            name=name or str(_("(nobody)")),
            invoices=item["count"] or 0,
            total=_cents(item["left"]),
            buckets={k: _cents(item[k]) for k, *_r in BUCKETS},
        )
        rows.append(row)
        total.invoices += row.invoices
        total.total += row.total
        for k in row.buckets:
            total.buckets[k] += row.buckets[k]
    return rows, total


def bucket_due_range(key: str, today: date | None = None) -> tuple[date | None, date | None]:
    """The due dates of a bucket (for the link to the invoices it holds)."""
    from datetime import timedelta

    today = today or timezone.localdate()
    for bucket, _label, low, high in BUCKETS:
        if bucket == key:
            start = today - timedelta(days=high) if high is not None else None
            end = today - timedelta(days=low) if low is not None else None
            return start, end
    return None, None


def receivable_invoices(
    *, actor: User, group_by: str, key: str, bucket: str, today: date | None = None
) -> QuerySet[Invoice]:
    """The invoices of one receivables cell (a group's key, an ageing bucket); unknown
    parameters select nothing more than what the actor may see."""
    today = today or timezone.localdate()
    qs = payable_invoices(actor=actor).filter(due_date__isnull=False)
    if group_by in GROUPS:
        field_name = GROUPS[group_by][0]
        if key.isdigit():
            qs = qs.filter(**{field_name: int(key)})
        elif key == "none":
            qs = qs.filter(**{f"{field_name}__isnull": True})
    for name, _label, low, high in BUCKETS:
        if name == bucket:
            qs = qs.filter(_bucket_q(low, high, today))
    if bucket == OVERDUE:
        qs = qs.filter(_bucket_q(1, None, today))
    return qs.select_related("buyer", "responsible", "deal")


# --- orders and claims --------------------------------------------------------------------

ORDER_LIST_SPEC = ListSpec(
    search_fields=("deal__title", "company__name", "company__inn"),
    search_id=order_number_id,
    sorts=(
        SortSpec("created", _("Created"), ("created_at", "id")),
        SortSpec("promised", _("Promised date"), ("promised_date", "id")),
    ),
    default_sort="-created",
    filters=(
        choice_filter("status", _("Status"), OrderStatus),
        choice_filter("late_reason", _("Reason of the delay"), LateReason),
        FilterSpec("deal", _("Deal"), "deal_id", kind="int"),
    ),
)
CLAIM_LIST_SPEC = ListSpec(
    search_fields=("subject", "order__company__name"),
    search_id=claim_number_id,
    sorts=(
        SortSpec("created", _("Created"), ("created_at", "id")),
        SortSpec("deadline", _("Deadline"), ("deadline", "id")),
    ),
    default_sort="-created",
    filters=(
        choice_filter("status", _("Status"), ClaimStatus),
        choice_filter("kind", _("Kind"), ClaimKind),
        FilterSpec("order", pgettext_lazy("client order", "Order"), "order_id", kind="int"),
    ),
)


def order_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Order]:
    qs = scope_records(Order.objects.all(), actor=actor)
    qs = apply_list_query(qs, ORDER_LIST_SPEC, query)
    return qs.select_related("company", "deal", "responsible")


def order_get(*, actor: User, pk: int) -> Order:
    order = (
        order_list(actor=actor)
        .prefetch_related("lines", "shipments__lines", "lines__supplier_orders")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise not_found(_("Order not found."))
    return order


def order_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, order_list, actor)


def claim_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Claim]:
    qs = scope_records(Claim.objects.all(), actor=actor)
    qs = apply_list_query(qs, CLAIM_LIST_SPEC, query)
    return qs.select_related("order", "order__company", "shipment", "responsible")


def claim_get(*, actor: User, pk: int) -> Claim:
    return row_get(claim_list(actor=actor), pk, _("Claim not found."))


def claim_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, claim_list, actor)


# --- supplier orders ----------------------------------------------------------------------

SUPPLIER_ORDER_LIST_SPEC = ListSpec(
    search_fields=("supplier", "line__name", "line__order__company__name"),
    sorts=(
        SortSpec("expected", _("Expected"), ("expected_date", "id")),
        SortSpec("created", _("Created"), ("created_at", "id")),
    ),
    default_sort="expected",
    filters=(
        FilterSpec("waiting", _("Waiting for delivery"), "received_on__isnull", kind="bool"),
        FilterSpec("order", pgettext_lazy("client order", "Order"), "line__order_id", kind="int"),
    ),
)


def supplier_order_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[SupplierOrder]:
    """Purchases for the lines of the orders the actor sees (owned like the order)."""
    qs = scope_records(
        SupplierOrder.objects.all(),
        actor=actor,
        owner_field="line__order__responsible",
        team_field="line__order__team",
    )
    qs = apply_list_query(qs, SUPPLIER_ORDER_LIST_SPEC, query)
    return qs.select_related("line", "line__order", "line__order__company", "created_by")


def supplier_order_get(*, actor: User, pk: int) -> SupplierOrder:
    return row_get(supplier_order_list(actor=actor), pk, _("Supplier order not found."))


def purchasable_lines(*, actor: User) -> QuerySet[Any]:
    """Lines that may still be bought from a supplier: of the visible orders not yet shipped
    or cancelled."""
    from .models import OrderLine

    orders = order_list(actor=actor).exclude(
        status__in=[OrderStatus.SHIPPED, OrderStatus.CANCELLED]
    )
    return (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .select_related("order", "order__company")
        .order_by("-order_id", "position")
    )


def claim_process(claim: Claim) -> tuple[Any, list[Any]]:
    """The latest run of the claim's process and its open tasks (the claim page's steps)."""
    instance = (
        ProcessInstance.objects.filter(object_type="claim", object_id=str(claim.pk))
        .select_related("definition")
        .order_by("-created_at", "-pk")
        .first()
    )
    if instance is None:
        return None, []
    tasks = list(
        HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("pk")
    )

    labels = dict(RoleCode.choices)
    for task in tasks:
        task.role_label = labels.get(task.candidate_role, task.candidate_role)  # type: ignore[attr-defined]
    return instance, tasks


def order_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Title and page of each order (the event log's and the process pages' links)."""
    from django.urls import reverse

    rows = Order.objects.filter(pk__in=ids).select_related("company")
    return {
        o.pk: (f"{o} · {o.company.name}", reverse("orders:order_detail", args=[o.pk])) for o in rows
    }


def claim_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    from django.urls import reverse

    rows = Claim.objects.filter(pk__in=ids).only("pk", "subject")
    return {c.pk: (f"{c} · {c.subject}", reverse("orders:claim_detail", args=[c.pk])) for c in rows}
