"""Pages of the integrations app (administrators only): webhooks with their delivery log and
the 1C exchange with its last exchanges and a manual import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from greenwave.accounts.http import AuthedRequest
from greenwave.core.create_pages import create_view
from greenwave.core.crud import Back, form_view, saving
from greenwave.core.errors import DomainError
from greenwave.core.guards import admin_required, require_admin
from greenwave.core.list_pages import ListPage
from greenwave.core.pages import request_page

from . import selectors, services
from .catalogue import EVENT_LABELS
from .commerceml import MAX_FILE_BYTES
from .exchange import FILE_LIMIT
from .forms import CommerceMLUploadForm, WebhookForm
from .models import ExchangeSource

WEBHOOKS = ListPage.of(
    selectors,
    "webhook",
    gettext_lazy("Webhooks"),
    empty=gettext_lazy("No webhooks yet: subscribe a URL to deal, lead, invoice or task events."),
    create=gettext_lazy("New webhook"),
    spec=selectors.WEBHOOK_SPEC,
)
webhook_list = WEBHOOKS.view(
    guard=admin_required, extra=lambda _request: {"event_labels": EVENT_LABELS}
)
webhook_create = create_view(
    WEBHOOKS,
    WebhookForm,
    services.webhook_create,
    message=gettext_lazy("Webhook created. Give its secret to the receiver."),
    guard=admin_required,
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
    page = request_page(request, selectors.delivery_list(actor=request.user, subscription=sub), 20)
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "sub": sub,
            "page": page,
            "event_labels": EVENT_LABELS,
            "title": sub.url,
            **Back(reverse("integrations:webhook_list"), _("Webhooks")).context(),
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


@login_required
@require_POST
def webhook_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """The card's delete button (asked to confirm): the webhook, its deliveries and their
    attempts go for good, as DELETE /api/v1/webhooks/{id}; the event log keeps the deletion."""
    sub = selectors.webhook_get(actor=request.user, pk=pk)
    require_admin(request)
    services.webhook_delete(actor=request.user, subscription=sub)
    messages.success(request, _("Webhook %(url)s deleted.") % {"url": sub.url})
    return redirect("integrations:webhook_list")


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
    page = request_page(request, selectors.exchange_list(actor=request.user), 15)
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
