"""Money pages: payments (list, entry, refund, bank statement import) and receivables."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import upload_bytes
from greenwave.core.crud import Back, form_data, form_view, saving
from greenwave.core.errors import DomainError, permission_denied
from greenwave.core.form_posts import form_post, show_on_top
from greenwave.core.guards import allowed_only
from greenwave.core.list_pages import ListPage

from . import fulfilment, selectors, services, statement
from .forms import (
    ClaimAdvanceForm,
    ClaimForm,
    PaymentForm,
    RefundForm,
    ShipmentForm,
    SupplierOrderForm,
    SupplierReceiveForm,
)
from .models import ClaimKind


def _cashier_links(request: AuthedRequest) -> dict[str, Any]:
    cashier = services.can_enter_payments(request.user)
    return {
        "import_url": reverse("orders:statement_import") if cashier else None,
        "cashier": cashier,
    }


def _today(_request: AuthedRequest) -> dict[str, Any]:
    return {"today": timezone.localdate()}


payment_list = ListPage.of(
    selectors,
    "payment",
    gettext_lazy("Payments"),
    empty=gettext_lazy("No payments yet. Finance enters them by hand or imports a bank statement."),
    create=gettext_lazy("Enter a payment"),
).view(may_create=services.can_enter_payments, extra=_cashier_links)


PAYMENTS = "orders:payment_list"


def _payments() -> Back:
    return Back(reverse(PAYMENTS), _("Payments"))


def _require_cashier(request: AuthedRequest) -> None:
    if not services.can_enter_payments(request.user):
        raise permission_denied(_("Only finance and accounting enter payments."))


@login_required
def payment_create(request: AuthedRequest) -> HttpResponse:
    _require_cashier(request)
    initial = {}
    if request.GET.get("invoice", "").isdigit():
        initial["invoice"] = int(request.GET["invoice"])
    return form_view(
        request,
        PaymentForm(request.POST or None, actor=request.user, initial=initial),
        saving(request, services.payment_record),
        title=_("Enter a payment"),
        back=_payments(),
        message=_("Payment entered."),
        show_error=show_on_top,
    )


@login_required
def payment_refund(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_cashier(request)
    payment = selectors.payment_get(actor=request.user, pk=pk)
    title = _("Refund of payment %(amount)s to invoice %(number)s") % {
        "amount": payment.amount,
        "number": payment.invoice.number,
    }
    return form_view(
        request,
        RefundForm(request.POST or None),
        saving(request, services.payment_refund, payment=payment),
        title=title,
        back=_payments(),
        message=_("Refund entered."),
        show_error=show_on_top,
    )


@login_required
def statement_import(request: AuthedRequest) -> HttpResponse:
    """Upload → dry run (what would be paid, what is ambiguous or unknown) → confirm: all
    matched payments in one transaction, or none."""
    _require_cashier(request)
    context: dict[str, Any] = {
        "title": _("Import a bank statement"),
        "back_url": reverse("orders:payment_list"),
        "max_mb": statement.MAX_BYTES // (1024 * 1024),
    }
    upload = request.FILES.get("file")
    encoded = request.POST.get("content", "")
    if request.method == "POST" and (upload or encoded):
        try:
            too_large = DomainError(
                statement.OrdersError.STATEMENT_TOO_LARGE,
                _("The file is larger than %(mb)s MB.") % {"mb": context["max_mb"]},
            )
            if upload:
                raw = upload_bytes(upload, statement.MAX_BYTES, too_large)
            else:
                raw = base64.b64decode(encoded)
            confirm = bool(request.POST.get("confirm")) and upload is None
            result = statement.statement_import(actor=request.user, raw=raw, dry_run=not confirm)
            if confirm:
                messages.success(
                    request,
                    _("%(n)s payments recorded from the statement.") % {"n": result["written"]},
                )
                return redirect("orders:payment_list")
            context.update(result=result, content=base64.b64encode(raw).decode())
        except binascii.Error:
            messages.error(request, _("The file was lost on the way: upload it again."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "orders/statement_import.html", context)


@login_required
def receivables(request: AuthedRequest) -> HttpResponse:
    group_by = request.GET.get("group_by", "client")
    if group_by not in selectors.GROUPS:
        group_by = "client"
    rows, total = selectors.receivables(actor=request.user, group_by=group_by)
    return render(
        request,
        "orders/receivables.html",
        {
            "title": _("Receivables"),
            "group_by": group_by,
            "groups": [
                ("client", _("By client")),
                ("manager", _("By manager")),
                ("team", _("By team")),
            ],
            "buckets": [(key, label) for key, label, *_r in selectors.BUCKETS],
            "rows": rows,
            "total": total,
            "today": timezone.localdate(),
        },
    )


@login_required
def receivable_invoices(request: AuthedRequest) -> HttpResponse:
    """The invoices behind one cell of the receivables table."""
    group_by = request.GET.get("group_by", "client")
    bucket = request.GET.get("bucket", "")
    key = request.GET.get("key", "")
    invoices = selectors.receivable_invoices(
        actor=request.user, group_by=group_by, key=key, bucket=bucket
    )
    labels = {k: label for k, label, *_r in selectors.BUCKETS} | {selectors.OVERDUE: _("Overdue")}
    return render(
        request,
        "orders/receivable_invoices.html",
        {
            "title": _("Invoices waiting for payment"),
            "bucket_label": labels.get(bucket, _("All ages")),
            "invoices": invoices[:500],
            "cashier": services.can_enter_payments(request.user),
            "today": timezone.localdate(),
        },
    )


# --- orders and claims --------------------------------------------------------------------


order_list = ListPage.of(
    selectors,
    "order",
    gettext_lazy("Orders"),
    empty=gettext_lazy("No orders yet. A deal becomes an order when it is won."),
).view(extra=_today)


@login_required
def order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The order with its two forms, a shipment and a claim: a POST's `action` names the one
    sent, which alone is bound and saved (`form_post`, a refusal on top of that form)."""
    order = selectors.order_get(actor=request.user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    shipment_form = ShipmentForm(request.POST if action == "ship" else None, order=order)
    claim_form = ClaimForm(request.POST if action == "claim" else None)
    posted: dict[str, tuple[Any, Callable[..., Any], str]] = {
        "ship": (shipment_form, fulfilment.shipment_create, _("Shipment recorded.")),
        "claim": (claim_form, fulfilment.claim_create, _("Claim registered.")),
    }
    if action in posted:
        form, service, success = posted[action]
        saved = form_post(
            request,
            form,
            lambda: service(actor=request.user, order=order, **form_data(form)),
            to=reverse("orders:order_detail", args=[order.pk]),
            success=success,
            show_error=show_on_top,
        )
        if saved is not None:
            return saved
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "title": _("Order %(order)s") % {"order": order},
            "shipment_form": shipment_form,
            "claim_form": claim_form,
            "lines": list(order.lines.all()),
            "shipments": list(order.shipments.all()),
            "claims": list(order.claims.all()),
            "can_purchase": fulfilment.can_order_from_suppliers(request.user),
        },
    )


claim_list = ListPage.of(
    selectors,
    "claim",
    gettext_lazy("Claims and returns"),
    empty=gettext_lazy("No claims. A claim is registered on its order's page."),
).view(extra=_today)


@login_required
def claim_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_get(actor=request.user, pk=pk)
    instance, tasks = selectors.claim_process(claim)
    by_process = fulfilment.claim_process_running(claim)
    if request.method == "POST" and by_process:
        messages.error(
            request, _("This claim follows its process: complete its open step instead.")
        )
        return redirect("orders:claim_detail", pk=claim.pk)
    form = ClaimAdvanceForm(request.POST or None)
    saved = form_post(
        request,
        form,
        lambda: fulfilment.claim_advance(actor=request.user, claim=claim, **form.cleaned_data),
        success=_("Claim moved on."),
        to=reverse("orders:claim_detail", args=[claim.pk]),
        show_error=show_on_top,
    )
    if saved is not None:
        return saved
    return render(
        request,
        "orders/claim_detail.html",
        {
            "claim": claim,
            "title": (
                _("Return %(claim)s") if claim.kind == ClaimKind.RETURN else _("Claim %(claim)s")
            )
            % {"claim": claim},
            "form": form,
            "next_steps": () if by_process else fulfilment.NEXT_STATUS[claim.status],  # type: ignore[index]
            "instance": instance,
            "tasks": tasks,
            "today": timezone.localdate(),
        },
    )


# --- supplier orders ----------------------------------------------------------------------


supplier_order_list = ListPage.of(
    selectors,
    "supplier_order",
    gettext_lazy("Supplier orders"),
    empty=gettext_lazy(
        "No supplier orders. Order the lines that are not in stock from their supplier."
    ),
    create=gettext_lazy("Order from a supplier"),
).view(extra=_today, guard=allowed_only(fulfilment.can_order_from_suppliers))


def _supplier_order_url(purchase: Any) -> str:
    return reverse("orders:supplier_order_detail", args=[purchase.pk])


@allowed_only(fulfilment.can_order_from_suppliers)
def supplier_order_create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    line_id = request.GET.get("line", "")
    if line_id.isdigit():
        line = selectors.purchasable_lines(actor=request.user).filter(pk=int(line_id)).first()
        if line is not None:
            initial = {"line": line.pk, "quantity": format(line.remaining.normalize(), "f")}
    return form_view(
        request,
        SupplierOrderForm(request.POST or None, actor=request.user, initial=initial),
        saving(request, fulfilment.supplier_order_create),
        title=_("Order from a supplier"),
        back=Back(reverse("orders:supplier_order_list"), _("Supplier orders")),
        done=_supplier_order_url,
        message=_("Supplier order placed."),
    )


@login_required
def supplier_order_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    purchase = selectors.supplier_order_get(actor=request.user, pk=pk)
    if not fulfilment.can_change_order(request.user, purchase.line.order):
        raise permission_denied(_("You can read this order but not change it."))
    return form_view(
        request,
        SupplierOrderForm(request.POST or None, actor=request.user, purchase=purchase),
        saving(request, fulfilment.supplier_order_update, purchase=purchase),
        title=_("Supplier order %(number)s") % {"number": purchase.pk},
        back=Back(_supplier_order_url(purchase), _("Supplier orders")),
        message=_("Supplier order saved."),
    )


@login_required
def supplier_order_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    purchase = selectors.supplier_order_get(actor=request.user, pk=pk)
    form = SupplierReceiveForm(request.POST or None)
    saved = form_post(
        request,
        form,
        lambda: fulfilment.supplier_order_receive(
            actor=request.user, purchase=purchase, received_on=form.cleaned_data["received_on"]
        ),
        success=_("Delivery from the supplier recorded."),
        to=_supplier_order_url(purchase),
    )
    if saved is not None:
        return saved
    return render(
        request,
        "orders/supplier_order_detail.html",
        {
            "purchase": purchase,
            "title": _("Supplier order %(number)s") % {"number": purchase.pk},
            **Back(reverse("orders:supplier_order_list"), _("Supplier orders")).context(),
            "form": form,
            "can_change": fulfilment.can_change_order(request.user, purchase.line.order),
            "today": timezone.localdate(),
        },
    )
