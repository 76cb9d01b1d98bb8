"""HTML pages of the activities app: the list, the card with complete / move / cancel, the
create form, the timeline partial other apps include with htmx, and the reminders badge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.scoping import can_write, require_write
from greenwave.core.crud import Back, form_view
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post, show_form_error
from greenwave.core.list_pages import ListPage

from . import selectors, services
from .forms import (
    ActivityForm,
    CancelForm,
    CapacityForm,
    CompleteForm,
    LogCallForm,
    PlanForm,
    RebalanceForm,
    RescheduleForm,
)
from .links import GETTERS, links_from_params
from .models import ActivityKind

View = Callable[..., HttpResponse]


activity_list = ListPage.of(
    selectors,
    "activity",
    gettext_lazy("Activities"),
    empty=gettext_lazy("No activities yet: plan a call or a meeting."),
    create=gettext_lazy("New activity"),
).view()


@login_required
def activity_create(request: AuthedRequest) -> HttpResponse:
    links = links_from_params(request.user, request.GET)
    initial = {"kind": request.GET.get("kind", ActivityKind.CALL), "company": links.get("company")}
    form = ActivityForm(
        request.POST or None, request.FILES or None, initial=initial, actor=request.user
    )
    linked = {k: v for k, v in links.items() if k != "company"}
    return form_view(
        request,
        form,
        save=lambda data: services.activity_create(actor=request.user, **{**data, **linked}),
        done=lambda activity: (
            request.GET.get("next") or reverse("activities:activity_detail", args=[activity.pk])
        ),
        message=lambda activity: _("Saved: %(subject)s.") % {"subject": activity},
        title=_("New activity"),
        back=Back(reverse("activities:activity_list"), _("Activities")),
        template="activities/activity_form.html",
        extra={"links": links},
    )


@login_required
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(actor=request.user, pk=pk)
    context = {
        "activity": activity,
        "title": activity.subject,
        **Back(reverse("activities:activity_list"), _("Activities")).context(),
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
    services.activity_require_can_change(actor=request.user, activity=activity)
    if form.is_valid():
        action_post(  # a refusal is a 403/404 page, not a flash message
            request,
            lambda: action(actor=request.user, activity=activity, **form.service_data()),
            success=done,
        )
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
    return _render_timeline(request, object_type, object_id, kind=kind, page=page)


def _render_timeline(
    request: AuthedRequest,
    object_type: str,
    object_id: int,
    *,
    kind: str = "",
    page: int = 1,
    call_form: LogCallForm | None = None,
) -> HttpResponse:
    feed = selectors.timeline(
        actor=request.user, object_type=object_type, object_id=object_id, kind=kind, page=page
    )
    getter = GETTERS.get(object_type)
    # A reader (a lawyer, another team's head) sees the feed without the forms that would
    # only be refused: logging a call or planning an activity changes the record's work.
    writable = getter is not None and can_write(
        request.user, getter(actor=request.user, pk=object_id)
    )
    context = {
        "writable": writable,
        "feed": feed,
        "object_type": object_type,
        "object_id": object_id,
        "filters": selectors.TIMELINE_FILTERS,
        "url": reverse("activities:timeline", args=[object_type, object_id]),
        "call_form": (call_form or LogCallForm(auto_id=f"call-{object_type}-{object_id}-%s"))
        if writable
        else None,
        "call_url": reverse("activities:timeline_call", args=[object_type, object_id]),
    }
    return render(request, "activities/partials/timeline.html", context)


@require_POST
@login_required
def timeline_log_call(request: AuthedRequest, object_type: str, object_id: int) -> HttpResponse:
    """Log a call that just happened from the one-line form of a feed; answer the new feed."""
    getter = GETTERS.get(object_type)
    if getter is None:
        raise Http404(_("Not found."))
    record = getter(actor=request.user, pk=object_id)
    require_write(request.user, record)  # a call logged on a record counts for its gates
    form = LogCallForm(request.POST, auto_id=f"call-{object_type}-{object_id}-%s")
    if form.is_valid():
        try:
            services.activity_create(
                actor=request.user,
                kind=ActivityKind.CALL,
                subject=_("Call: %(subject)s") % {"subject": record},
                done=True,
                **{object_type: record},
                **form.service_data(),
            )
        except DomainError as exc:
            show_form_error(form, exc)
        else:
            return _render_timeline(request, object_type, object_id)
    return _render_timeline(request, object_type, object_id, call_form=form)


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


def _planner_window(request: AuthedRequest) -> tuple[date, int, int | None]:
    params = request.POST or request.GET
    try:
        start = date.fromisoformat(str(params.get("start")))
    except ValueError:
        start = timezone.localdate()
    days_param = str(params.get("days", ""))
    days = min(int(days_param), 60) if days_param.isdigit() and int(days_param) > 0 else 10
    team = str(params.get("team", ""))
    return start, days, int(team) if team.isdigit() else None


@login_required
def planner(request: AuthedRequest) -> HttpResponse:
    """Call planning by load: open calls per manager per working day, overload, rebalance."""
    start, days, team = _planner_window(request)
    managers = selectors.planner_managers(actor=request.user, team_id=team)
    initial = {"start": start, "days": days}
    context = {
        "title": _("Call planning"),
        "load": selectors.call_load(
            actor=request.user, managers=list(managers), start=start, days=days
        ),
        "start": start,
        "days": days,
        "team": team,
        "teams": selectors.planner_teams(actor=request.user),
        "plan_form": PlanForm(initial=initial),
        "rebalance_form": RebalanceForm(initial=initial, managers=managers),
        "capacity_form": CapacityForm(
            managers=managers,
            initial={"calls_per_day": 30, "work_start": "09:00", "work_end": "18:00"},
        ),
        "is_head": len(managers) > 1 or request.user.has_role("head_of_sales"),
    }
    return render(request, "activities/planner.html", context)


def _back_to_planner(start: date, days: int, team: int | None) -> HttpResponse:
    query = f"?start={start.isoformat()}&days={days}" + (f"&team={team}" if team else "")
    return redirect(reverse("activities:planner") + query)


@require_POST
@login_required
def planner_plan(request: AuthedRequest) -> HttpResponse:
    start, days, team = _planner_window(request)
    managers = selectors.planner_managers(actor=request.user, team_id=team)
    manager_id = str(request.POST.get("manager", ""))
    if manager_id.isdigit():
        managers = managers.filter(pk=int(manager_id))
    planned = overflow = 0
    for manager in managers:
        result = services.calls_plan(actor=request.user, manager=manager, start=start, days=days)
        planned, overflow = planned + len(result.planned), overflow + len(result.overflow)
    messages.success(
        request,
        _("Planned %(n)s calls; %(over)s did not fit (overload).")
        % {"n": planned, "over": overflow},
    )
    return _back_to_planner(start, days, team)


@require_POST
@login_required
def planner_rebalance(request: AuthedRequest) -> HttpResponse:
    start, days, team = _planner_window(request)
    managers = selectors.planner_managers(actor=request.user, team_id=team)
    form = RebalanceForm(request.POST, managers=managers)
    if form.is_valid():
        data = form.cleaned_data
        action_post(
            request,
            lambda: services.calls_rebalance(
                actor=request.user,
                source=data["source"],
                target=data["target"],
                count=data["count"],
                start=start,
                days=days,
            ),
            success=lambda moved: _("%(n)s calls handed over and re-planned.") % {"n": moved},
            refusals=(),
        )
    else:
        messages.error(request, _("Choose two managers and the number of calls."))
    return _back_to_planner(start, days, team)


@require_POST
@login_required
def planner_capacity(request: AuthedRequest) -> HttpResponse:
    start, days, team = _planner_window(request)
    form = CapacityForm(
        request.POST, managers=selectors.planner_managers(actor=request.user, team_id=team)
    )
    if form.is_valid():
        action_post(
            request,
            lambda: services.call_capacity_set(actor=request.user, **form.cleaned_data),
            success=_("Capacity saved."),
            refusals=(),
        )
    else:
        messages.error(request, _("Check the capacity: calls per day and working hours."))
    return _back_to_planner(start, days, team)
