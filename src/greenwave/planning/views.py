"""HTML pages of "My day": the plan with suggestions and the live fact, the evening close,
the head's team board, one day's card and the history of days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
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
from greenwave.accounts.selectors import user_get
from greenwave.activities.selectors import activity_get, reminders_due
from greenwave.core.errors import DomainError
from greenwave.sales.selectors import deal_get

from . import selectors, services
from .errors import PlanningError
from .forms import ItemForm
from .presenters import day_view, day_views

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


def _day(request: AuthedRequest) -> date:
    value = request.POST.get("date") or request.GET.get("date") or ""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return services.today_for(request.user)


def _back(day: date) -> HttpResponse:
    return redirect(reverse("planning:my_day") + f"?date={day.isoformat()}")


@login_required
def my_day(request: AuthedRequest) -> HttpResponse:
    actor, day = request.user, _day(request)
    plan = selectors.day_plan_find(actor=actor, user=actor, day=day)
    context = {
        "title": _("My day"),
        "day": day_view(plan, user=actor, day=day),
        "suggestions": selectors.suggestions(actor=actor, day=day)
        if not plan or plan.is_open
        else [],
        "form": ItemForm(actor=actor),
        "date": day,
        "today": services.today_for(actor),
        "reminders": list(reminders_due(actor=actor)[:10]),
    }
    return render(request, "planning/my_day.html", context)


@require_POST
@login_required
def my_day_add(request: AuthedRequest) -> HttpResponse:
    actor, day, data = request.user, _day(request), request.POST
    form = ItemForm(data, actor=actor)
    try:
        if not form.is_valid():
            raise DomainError(
                PlanningError.GOAL_REQUIRED,
                _("Say what you want to achieve with this client today."),
            )
        services.day_plan_add_item(
            actor=actor,
            plan=services.day_plan_open(actor=actor, day=day),
            goal=form.cleaned_data["goal"],
            priority=form.cleaned_data["priority"],
            company=form.cleaned_data["company"],
            source=data.get("source") or "manual",
            activity=activity_get(actor=actor, pk=int(data["activity"]))
            if data.get("activity", "").isdigit()
            else None,
            deal=deal_get(actor=actor, pk=int(data["deal"]))
            if data.get("deal", "").isdigit()
            else None,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(day)


@require_POST
@login_required
def my_day_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.day_item_get(actor=request.user, pk=pk)
    day = item.plan.date
    try:
        services.day_plan_remove_item(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(day)


@require_POST
@login_required
def my_day_close(request: AuthedRequest) -> HttpResponse:
    actor, day = request.user, _day(request)
    comments = {k[5:]: str(v) for k, v in request.POST.items() if k.startswith("miss-")}
    try:
        plan = services.day_plan_open(actor=actor, day=day)
        services.day_plan_close(
            actor=actor, plan=plan, miss_comments=comments, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The day is closed."))
    return _back(day)


@login_required
def team_board(request: AuthedRequest) -> HttpResponse:
    actor, day = request.user, _day(request)
    teams = selectors.visible_teams(actor=actor)
    team_id = request.GET.get("team", "")
    team = (
        selectors.team_get(actor=actor, pk=int(team_id))
        if team_id.isdigit()
        else (actor.team or (teams[0] if teams else None))
    )
    if team is None:
        raise Http404(_("Team not found."))
    board = selectors.team_board(actor=actor, team=team, day=day)
    views = day_views([(r.user, r.plan) for r in board], day)
    rows = [{"user": r.user, "day": v} for r, v in zip(board, views, strict=True)]
    context = {
        "title": _("Team days"),
        "rows": rows,
        "team": team,
        "teams": teams,
        "date": day,
        "rolled_up": len({r.user.team_id for r in board}) > 1,
    }
    return render(request, "planning/team_board.html", context)


@login_required
def day_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = selectors.day_plan_get(actor=request.user, pk=pk)
    context = {
        "title": str(plan),
        "day": day_view(plan, user=plan.user, day=plan.date),
        "back_url": reverse("planning:history") + f"?user={plan.user_id}",
        "back_label": _("History of days"),
    }
    return render(request, "planning/day_detail.html", context)


@login_required
def history(request: AuthedRequest) -> HttpResponse:
    user_id = request.GET.get("user", "")
    user = user_get(actor=request.user, pk=int(user_id)) if user_id.isdigit() else request.user
    context = {
        "title": _("History of days"),
        "subject": user,
        "plans": selectors.day_history(actor=request.user, user=user),
    }
    return render(request, "planning/history.html", context)
