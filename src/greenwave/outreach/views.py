"""HTML pages of outreach: segments (list, builder with a live count and preview), campaigns
(list, editor, page with statistics and a preview per recipient), and the public pages the
links in a letter open (unsubscribe, open pixel, tracked click)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.scoping import require_write
from greenwave.core.crud import to_page
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post, form_post
from greenwave.core.list_pages import ListPage
from greenwave.core.pages import request_page
from greenwave.crm.selectors import contact_get

from . import selectors, services
from .api import preview_message
from .forms import CampaignForm, SegmentForm, add_domain_error
from .messages import render_message
from .models import Campaign, CampaignStatus, Segment

View = Callable[..., HttpResponse]
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _require_change(actor: Any, record: Any) -> None:
    """Up front, so that a refusal is a 403 page and not a form error."""
    services.require_outreach_role(actor)
    if record is not None:
        require_write(actor, record)


def _editor_post(
    request: AuthedRequest, form: Any, save: Callable[[], Any], page: str, success: str
) -> HttpResponse | None:
    """The POST of a segment or campaign editor: saved, on to the record's `page`; a refusal
    next to the fields it names, except a 403, which stays the error page."""
    return form_post(
        request,
        form,
        save,
        to=to_page(page),
        success=success,
        show_error=add_domain_error,
        refusals=(403,),
    )


# --- segments -------------------------------------------------------------------------------


segment_list = ListPage.of(
    selectors,
    "segment",
    gettext_lazy("Segments"),
    empty=gettext_lazy("No segments yet: build one from filters over your contacts."),
    create=gettext_lazy("New segment"),
).view()


def _preview_context(request: AuthedRequest, filters: dict[str, Any]) -> dict[str, Any]:
    preview = selectors.segment_preview(actor=request.user, filters=filters)
    return {
        "preview": preview,
        "preview_message": preview_message(preview.count, preview.mailable),
    }


@login_required
def segment_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    segment = selectors.segment_get(actor=actor, pk=pk) if pk is not None else None
    if request.method == "POST":
        _require_change(actor, segment)
        form = SegmentForm(request.POST, actor=actor)
    else:
        initial = SegmentForm.initial_from(segment) if segment else {"consent_only": True}
        form = SegmentForm(initial=initial, actor=actor)

    def save() -> Segment:
        data = form.cleaned_data
        fields = {"name": data["name"], "description": data["description"]}
        if segment is None:
            return services.segment_create(actor=actor, filters=form.filters(), **fields)
        services.segment_update(actor=actor, segment=segment, filters=form.filters(), **fields)
        return segment

    saved = _editor_post(request, form, save, "outreach:segment_edit", _("Segment saved."))
    if saved is not None:
        return saved
    context: dict[str, Any] = {
        "title": segment.name if segment else _("New segment"),
        "segment": segment,
        "form": form,
        "campaigns": list(segment.campaigns.order_by("-pk")[:10]) if segment else [],
    }
    if segment is not None:
        context |= _preview_context(request, segment.filters)
    return render(request, "outreach/segment_edit.html", context)


@require_POST
@login_required
def segment_count(request: AuthedRequest) -> HttpResponse:
    """The live count and preview of the builder's current filters (htmx, nothing saved)."""
    form = SegmentForm(request.POST, actor=request.user)
    context: dict[str, Any] = {"error": ""}
    if not form.is_valid():
        errors = {k: v for k, v in form.errors.items() if k != "name"}
        if errors:
            context["error"] = "; ".join(
                f"{form.fields[k].label}: {v[0]}" for k, v in errors.items() if k in form.fields
            )
        else:
            form.cleaned_data.setdefault("name", "")
    if not context["error"]:
        try:
            context |= _preview_context(request, form.filters())
        except DomainError as exc:
            context["error"] = exc.message
    return render(request, "outreach/partials/segment_preview.html", context)


# --- campaigns ------------------------------------------------------------------------------


campaign_list = ListPage.of(
    selectors,
    "campaign",
    gettext_lazy("Mailings"),
    empty=gettext_lazy("No campaigns yet: write a letter to a segment of your contacts."),
    create=gettext_lazy("New campaign"),
).view()


# What the campaign form sets on both a new and an existing campaign (a kind only on a new one).
CAMPAIGN_FIELDS = ("name", "segment", "subject", "body", "track_opens", "trigger_stage")


@login_required
def campaign_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    actor = request.user
    campaign = selectors.campaign_get(actor=actor, pk=pk) if pk is not None else None
    _require_change(actor, campaign)
    initial: dict[str, Any] = {"track_opens": True, "kind": "one_off"}
    if campaign is not None:
        initial = {
            "name": campaign.name,
            "kind": campaign.kind,
            "segment": campaign.segment_id,
            "trigger_stage": campaign.trigger_stage_id,
            "subject": campaign.subject,
            "body": campaign.body,
            "track_opens": campaign.track_opens,
        }
    elif request.GET.get("segment", "").isdigit():
        initial["segment"] = int(request.GET["segment"])
    form = CampaignForm(request.POST or None, initial=initial, actor=actor)
    if campaign is not None:
        # The kind of a campaign is fixed once made: the browser does not send a disabled
        # field, so the form takes the kind from `initial` (on the POST too).
        form.fields["kind"].disabled = True

    def save() -> Campaign:
        fields = {name: form.cleaned_data[name] for name in CAMPAIGN_FIELDS}
        if campaign is None:
            kind = form.cleaned_data["kind"]
            return services.campaign_create(actor=actor, kind=kind, **fields)
        services.campaign_update(actor=actor, campaign=campaign, **fields)
        return campaign

    saved = _editor_post(request, form, save, "outreach:campaign_detail", _("Campaign saved."))
    if saved is not None:
        return saved
    return render(
        request,
        "outreach/campaign_edit.html",
        {
            "title": campaign.name if campaign else _("New campaign"),
            "campaign": campaign,
            "form": form,
        },
    )


@login_required
def campaign_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, pk=pk)
    segment = campaign.segment
    recipients = (
        list(selectors.segment_contacts(actor=request.user, filters=segment.filters)[:50])
        if segment is not None
        else []
    )
    page = request_page(request, selectors.campaign_deliveries(campaign=campaign), 25)
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "title": campaign.name,
            "campaign": campaign,
            "stats": selectors.campaign_stats(campaign=campaign),
            "page": page,
            "recipients": recipients,
            "editable": campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PAUSED),
            "now": timezone.localtime(),
        },
    )


@login_required
def campaign_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The letter as one recipient would get it (htmx partial)."""
    campaign = selectors.campaign_get(actor=request.user, pk=pk)
    raw = request.GET.get("contact", "")
    if not raw.isdigit():
        return render(request, "outreach/partials/letter_preview.html", {"rendered": None})
    contact = contact_get(actor=request.user, pk=int(raw))
    return render(
        request,
        "outreach/partials/letter_preview.html",
        {"rendered": render_message(campaign, contact), "contact": contact},
    )


def _campaign_button(
    request: AuthedRequest,
    campaign: Any,
    service: Callable[..., Any],
    *,
    success: Any = None,
    **fields: Any,
) -> HttpResponse:
    """A button of the campaign card: `service(actor=, campaign=, **fields)` through
    `action_post` (a 403 is the error page, another refusal a message; `success` as it takes
    it), then back to the card."""
    action_post(
        request,
        lambda: service(actor=request.user, campaign=campaign, **fields),
        success=success,
        refusals=(403,),
    )
    return redirect("outreach:campaign_detail", pk=campaign.pk)


@require_POST
@login_required
def campaign_send(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, pk=pk)
    scheduled_at = None
    raw = request.POST.get("scheduled_at", "").strip()
    if raw:
        try:
            scheduled_at = timezone.make_aware(datetime.fromisoformat(raw))
        except ValueError:
            messages.error(request, _("Give the date and time as YYYY-MM-DDTHH:MM."))
            return redirect("outreach:campaign_detail", pk=pk)
    return _campaign_button(
        request,
        campaign,
        services.campaign_send,
        scheduled_at=scheduled_at,
        success=_("Done: the worker sends the letters."),
    )


@require_POST
@login_required
def campaign_pause(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, pk=pk)
    return _campaign_button(request, campaign, services.campaign_pause)


@require_POST
@login_required
def campaign_bounce(request: AuthedRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get(actor=request.user, pk=pk)
    return _campaign_button(
        request,
        campaign,
        services.delivery_bounce,
        email=request.POST.get("email", ""),
        reason=request.POST.get("reason", ""),
        success=lambda marked: _("Bounce recorded (%(n)d letters).") % {"n": marked},
    )


# --- public: the links of a letter ------------------------------------------------------------


@csrf_exempt  # RFC 8058 one-click: the mail client POSTs without a session or a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: AuthedRequest, token: str) -> HttpResponse:
    try:
        delivery = services.unsubscribe(token=token)
    except DomainError as exc:
        return render(request, "outreach/unsubscribed.html", {"error": exc.message}, status=400)
    return render(request, "outreach/unsubscribed.html", {"email": delivery.email})


def track_open(request: AuthedRequest, token: str) -> HttpResponse:
    services.record_open(token=token)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


def track_click(request: AuthedRequest, token: str) -> HttpResponse:
    try:
        url = services.record_click(token=token)
    except DomainError as exc:
        return render(request, "outreach/unsubscribed.html", {"error": exc.message}, status=400)
    return HttpResponseRedirect(url)
