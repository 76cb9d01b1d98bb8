"""Pages of the integrations app (administrators only): webhooks with their delivery log and
the 1C exchange with its last exchanges and a manual import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from greenwave.accounts.http import AuthedRequest
from greenwave.core.crud import Back, form_view, saving, to_page
from greenwave.core.errors import DomainError
from greenwave.core.guards import admin_required, require_admin
from greenwave.core.pages import render_list_page

from . import selectors, services
from .catalogue import EVENT_LABELS
from .commerceml import MAX_FILE_BYTES
from .exchange import FILE_LIMIT
from .forms import CommerceMLUploadForm, WebhookForm
from .models import ExchangeSource


@admin_required
def webhook_list(request: AuthedRequest) -> HttpResponse:
    return render_list_page(
        request,
        spec=selectors.WEBHOOK_SPEC,
        selector=lambda query: selectors.webhook_list(actor=request.user, query=query),
        title=_("Webhooks"),
        table_template="integrations/partials/webhook_table.html",
        create_url=reverse("integrations:webhook_create"),
        create_label=_("New webhook"),
        empty_message=_("No webhooks yet: subscribe a URL to deal, lead, invoice or task events."),
        extra={"event_labels": EVENT_LABELS},
    )


@admin_required
def webhook_create(request: AuthedRequest) -> HttpResponse:
    return form_view(
        request,
        WebhookForm(request.POST or None),
        saving(request, services.webhook_create),
        title=_("New webhook"),
        back=Back(reverse("integrations:webhook_list"), _("Webhooks")),
        done=to_page("integrations:webhook_detail"),
        message=_("Webhook created. Give its secret to the receiver."),
    )


@login_required
def webhook_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    sub = selectors.webhook_get(actor=request.user, pk=pk)
    require_admin(request)
    initial = {
        "url": sub.url,
        "events": sub.events,
        "description": sub.description,
        "is_active": sub.is_active,
    }
    return form_view(
        request,
        WebhookForm(request.POST or None, initial=initial, creating=False),
        saving(request, services.webhook_update, subscription=sub),
        title=_("Edit webhook"),
        back=Back(reverse("integrations:webhook_detail", args=[sub.pk]), _("Webhooks")),
    )


@login_required
def webhook_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    sub = selectors.webhook_get(actor=request.user, pk=pk)
    require_admin(request)
    deliveries = selectors.delivery_list(actor=request.user, subscription=sub)
    page = Paginator(deliveries, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "sub": sub,
            "page": page,
            "event_labels": EVENT_LABELS,
            "title": sub.url,
            "back_url": reverse("integrations:webhook_list"),
            "back_label": _("Webhooks"),
        },
    )


@login_required
@require_POST
def webhook_test(request: AuthedRequest, pk: int) -> HttpResponse:
    sub = selectors.webhook_get(actor=request.user, pk=pk)
    require_admin(request)
    try:
        delivery = services.webhook_test_send_now(actor=request.user, subscription=sub)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if delivery.status == "delivered":
            messages.success(
                request, _("Test delivered: answer %(code)s.") % {"code": delivery.response_status}
            )
        else:
            last = delivery.log.first()
            messages.warning(
                request,
                _("Test not delivered (%(why)s); it will be retried.")
                % {"why": (last.error or last.status_code) if last else _("queued")},
            )
    return redirect("integrations:webhook_detail", pk=sub.pk)


@admin_required
def onec(request: AuthedRequest) -> HttpResponse:
    """Settings of the 1C exchange, its last exchanges, and a manual import of files."""
    form = CommerceMLUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("documents")
        too_big = [f.name or "" for f in uploads if (f.size or 0) > MAX_FILE_BYTES]
        if too_big:
            form.add_error("documents", _("Too large: %(names)s.") % {"names": ", ".join(too_big)})
        else:
            files = [(f.name or "upload.xml", f.read()) for f in uploads]
            try:
                services.onec_import_files(
                    actor=request.user, files=files, source=ExchangeSource.UPLOAD
                )
            except DomainError as exc:
                messages.error(request, _("Nothing was imported: %(why)s") % {"why": exc.message})
            else:
                messages.success(request, _("Imported: %(n)d files.") % {"n": len(files)})
            return redirect("integrations:onec")
    exchanges = selectors.exchange_list(actor=request.user)
    page = Paginator(exchanges, 15).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/onec.html",
        {
            "form": form,
            "page": page,
            "title": _("1C exchange"),
            "exchange_url": request.build_absolute_uri(reverse("integrations:onec_exchange")),
            "configured": services.onec_configured(),
            "username": services.onec_username(),
            "file_limit": FILE_LIMIT,
        },
    )


@login_required
@require_safe
def product_picture(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """A product picture from 1C, to whoever reads the product; served as the image type it
    was validated as, never sniffed into anything else."""
    picture = selectors.product_picture_get(actor=request.user, pk=pk)
    response = FileResponse(picture.file.open("rb"), content_type=picture.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
