"""HTML pages of the activities app: the list, the card with complete / move / cancel, the
create form, the timeline partial other apps include with htmx, and the reminders badge."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.core.errors import DomainError
from greenwave.core.pages import render_list_page
from greenwave.crm.forms import show_domain_error

from . import selectors, services
from .forms import ActivityForm, CancelForm, CompleteForm, RescheduleForm
from .links import links_from_params
from .models import ActivityKind

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    """Sign-in required; a record outside the actor's scope is a 404, a refused act a 403."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            if exc.status == 403:
                raise PermissionDenied(exc.message) from exc
            raise

    return django_login_required(wrapper)


@login_required
def activity_list(request: AuthedRequest) -> HttpResponse:
    return render_list_page(
        request,
        spec=selectors.ACTIVITY_LIST_SPEC,
        selector=lambda query: selectors.activity_list(actor=request.user, query=query),
        title=_("Activities"),
        table_template="activities/partials/activity_table.html",
        create_url=reverse("activities:activity_create"),
        create_label=_("New activity"),
        empty_message=_("No activities yet: plan a call or a meeting."),
    )


@login_required
def activity_create(request: AuthedRequest) -> HttpResponse:
    links = links_from_params(request.user, request.GET)
    initial = {"kind": request.GET.get("kind", ActivityKind.CALL), "company": links.get("company")}
    form = ActivityForm(
        request.POST or None, request.FILES or None, initial=initial, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = {**form.service_data(), **{k: v for k, v in links.items() if k != "company"}}
            activity = services.activity_create(actor=request.user, **data)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Saved: %(subject)s.") % {"subject": activity})
            return redirect(
                request.GET.get("next") or reverse("activities:activity_detail", args=[activity.pk])
            )
    context = {
        "form": form,
        "title": _("New activity"),
        "links": links,
        "back_url": reverse("activities:activity_list"),
        "back_label": _("Activities"),
    }
    return render(request, "activities/activity_form.html", context)


@login_required
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    context = {
        "activity": activity,
        "title": activity.subject,
        "back_url": reverse("activities:activity_list"),
        "back_label": _("Activities"),
        "complete_form": CompleteForm().for_kind(activity.kind),
        "reschedule_form": RescheduleForm(),
        "cancel_form": CancelForm(),
        "history": selectors.activity_history(actor=request.user, activity=activity)[:50],
    }
    return render(request, "activities/activity_detail.html", context)


def _act(
    request: AuthedRequest, pk: int, form: Any, action: Callable[..., Any], done: str
) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    if form.is_valid():
        try:
            action(actor=request.user, activity=activity, **form.service_data())
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(request.POST.get("next") or reverse("activities:activity_detail", args=[pk]))


@require_POST
@login_required
def activity_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    form = CompleteForm(request.POST, request.FILES)
    return _act(request, pk, form, services.activity_complete, _("Marked as done."))


@require_POST
@login_required
def activity_reschedule(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, RescheduleForm(request.POST), services.activity_reschedule, _("Moved.")
    )


@require_POST
@login_required
def activity_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, CancelForm(request.POST), services.activity_cancel, _("Cancelled."))


@require_POST
@login_required
def checklist_toggle(request: AuthedRequest, pk: int, index: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    activity = services.checklist_toggle(actor=request.user, activity=activity, index=index)
    return render(request, "activities/partials/checklist.html", {"activity": activity})


@login_required
def timeline(request: AuthedRequest, object_type: str, object_id: int) -> HttpResponse:
    """The feed partial: `hx-get="/activities/timeline/company/5/"` from any card."""
    if not selectors.timeline_subject_visible(
        actor=request.user, object_type=object_type, object_id=object_id
    ):
        raise Http404(_("Not found."))
    kind = request.GET.get("type", "")
    page = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    feed = selectors.timeline(
        actor=request.user, object_type=object_type, object_id=object_id, kind=kind, page=page
    )
    context = {
        "feed": feed,
        "object_type": object_type,
        "object_id": object_id,
        "filters": selectors.TIMELINE_FILTERS,
        "url": reverse("activities:timeline", args=[object_type, object_id]),
    }
    return render(request, "activities/partials/timeline.html", context)


@login_required
def reminders_badge(request: AuthedRequest) -> HttpResponse:
    reminders = list(selectors.reminders_due(actor=request.user)[:10])
    count = selectors.reminders_due_count(request.user)
    return render(
        request,
        "activities/partials/reminders_badge.html",
        {"reminders": reminders, "count": count},
    )


@require_POST
@login_required
def reminders_dismiss(request: AuthedRequest) -> HttpResponse:
    services.reminders_mark_seen(actor=request.user)
    return reminders_badge(request)
