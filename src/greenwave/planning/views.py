"""HTML pages of "My day": the plan with suggestions and the live fact, the evening close,
the head's team board, one day's card and the history of days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.selectors import user_get
from greenwave.activities.selectors import activity_get, reminders_due
from greenwave.core.crud import Back, form_view, saving
from greenwave.core.errors import DomainError
from greenwave.core.form_posts import action_post, form_post
from greenwave.core.guards import allowed_only
from greenwave.core.pages import request_page
from greenwave.sales.selectors import deal_get

from . import kpis, selectors, services
from .errors import PlanningError
from .forms import AssistantSplitForm, CommissionSchemeForm, ItemForm, KpiForm, SettingsForm
from .presenters import day_view, day_views

View = Callable[..., HttpResponse]


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
        "contribution": selectors.day_contribution(actor=actor, user=actor, day=day)
        if plan is not None and not plan.is_open
        else [],
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
    action_post(
        request,
        lambda: services.day_plan_remove_item(actor=request.user, item=item),
        refusals=(),
    )
    return _back(day)


@require_POST
@login_required
def my_day_close(request: AuthedRequest) -> HttpResponse:
    actor, day = request.user, _day(request)
    comments = {k[5:]: str(v) for k, v in request.POST.items() if k.startswith("miss-")}
    action_post(
        request,
        lambda: services.day_plan_close(
            actor=actor,
            plan=services.day_plan_open(actor=actor, day=day),
            miss_comments=comments,
            comment=request.POST.get("comment", ""),
        ),
        success=_("The day is closed."),
        refusals=(),
    )
    return _back(day)


@login_required
def team_board(request: AuthedRequest) -> HttpResponse:
    actor, day = request.user, _day(request)
    if (empty := _no_teams_page(request, _("Team days"))) is not None:
        return empty
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
        **Back(
            reverse("planning:history") + f"?user={plan.user_id}", _("History of days")
        ).context(),
        "contribution": selectors.day_contribution(
            actor=request.user, user=plan.user, day=plan.date
        )
        if not plan.is_open
        else [],
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


# --- monthly plans: «Мой план», the team grid, the department, plan entry ----------------


def _month(request: AuthedRequest) -> kpis.Month:
    try:
        return kpis.Month.parse(request.GET.get("period") or request.POST.get("period") or "")
    except ValueError:
        return kpis.Month.of(kpis.today())


def _int_param(request: AuthedRequest, name: str) -> int | None:
    value = request.GET.get(name) or request.POST.get(name) or ""
    return int(value) if value.isdigit() and len(value) < 18 else None


def _no_teams_page(request: AuthedRequest, title: Any) -> HttpResponse | None:
    """A new installation has no team yet: the team pages say so instead of «not found»."""
    actor = request.user
    if actor.team is not None or _int_param(request, "team") is not None:
        return None
    if selectors.visible_teams(actor=actor):
        return None
    return render(request, "planning/no_teams.html", {"title": title})


def _team_of(request: AuthedRequest, *, top: bool = False) -> Any:
    """The team asked for, or the actor's own (the department: the top team they head)."""
    actor = request.user
    team_id = _int_param(request, "team")
    if team_id is not None:
        return selectors.team_get(actor=actor, pk=team_id)
    if top:
        root = selectors.headed_root_team(actor=actor)
        if root is not None:
            return root
    if actor.team is not None:
        return actor.team
    teams = selectors.visible_teams(actor=actor)
    if not teams:
        raise Http404(_("Team not found."))
    return teams[0]


def _month_nav(month: kpis.Month) -> dict[str, Any]:
    return {"month": month, "prev_period": month.previous.key, "next_period": month.next.key}


@require_safe
@login_required
def my_plan(request: AuthedRequest) -> HttpResponse:
    actor, month = request.user, _month(request)
    subject = selectors.plan_subject(
        actor=actor, user_id=_int_param(request, "user"), team_id=_int_param(request, "team")
    )
    report = selectors.plan_report(actor=actor, month=month, subject=subject)
    key = request.GET.get("kpi") or "revenue"
    figure = next((f for f in report.figures if f.kpi.key == key), report.figures[0])
    chart = selectors.kpi_daily(
        actor=actor, month=month, subject=subject, kpi=figure.kpi, target=figure.target
    )
    chart["labels"] = {"fact": str(_("Fact")), "plan": str(_("Target")), "title": figure.kpi.label}
    owner = f"user={subject.user.pk}" if subject.user else f"team={subject.team.pk}"  # type: ignore[union-attr]
    context = {
        "title": _("My plan") if subject.user == actor else _("Plan: %(s)s") % {"s": subject.name},
        "report": report,
        "chart": chart,
        "chart_kpi": figure.kpi,
        "owner": owner,
        **_month_nav(month),
    }
    return render(request, "planning/my_plan.html", context)


class _Grid(NamedTuple):
    """A plan grid page: the department's (the top team the actor heads) or a team's."""

    top: bool
    rows: Callable[..., Any]
    title: Promise
    url_name: str


TEAM_GRID = _Grid(False, selectors.team_grid, gettext_lazy("Team plan"), "planning:team_plan")
DEPARTMENT_GRID = _Grid(
    True, selectors.department_grid, gettext_lazy("Department plan"), "planning:department_plan"
)


def _plan_grid_page(request: AuthedRequest, grid: _Grid) -> HttpResponse:
    actor, month = request.user, _month(request)
    if not selectors.is_planner(actor):
        raise Http404(_("Team not found."))
    if (empty := _no_teams_page(request, grid.title)) is not None:
        return empty
    team = _team_of(request, top=grid.top)
    context = {
        "title": str(grid.title),
        "grid": grid.rows(actor=actor, month=month, team=team),
        "team": team,
        "teams": selectors.visible_teams(actor=actor),
        "url_name": grid.url_name,
        **_month_nav(month),
    }
    return render(request, "planning/plan_grid.html", context)


@require_safe
@login_required
def team_plan(request: AuthedRequest) -> HttpResponse:
    return _plan_grid_page(request, TEAM_GRID)


@require_safe
@login_required
def department_plan(request: AuthedRequest) -> HttpResponse:
    return _plan_grid_page(request, DEPARTMENT_GRID)


def _back_to_entry(team: Any, month: kpis.Month) -> HttpResponse:
    return redirect(reverse("planning:plan_entry") + f"?team={team.pk}&period={month.key}")


@login_required
def plan_entry(request: AuthedRequest) -> HttpResponse:
    """The plan grid of a team: a row per person and one for the team (top-down)."""
    actor, month = request.user, _month(request)
    if not selectors.is_planner(actor):
        raise Http404(_("Team not found."))
    if request.method != "POST" and (empty := _no_teams_page(request, _("Plan entry"))):
        return empty
    team = _team_of(request)
    people = list(selectors.team_members(actor=actor, team=team))
    kpi_list = selectors.kpi_catalogue(actor=actor)
    if request.method == "POST":
        cells = {k: v for k, v in request.POST.items() if k.startswith("t-")}
        action_post(
            request,
            lambda: services.plan_grid_save(
                actor=actor, month=month, team=team, people=people, cells=cells
            ),
            success=_("The plan is saved."),
        )
        return _back_to_entry(team, month)
    targets = selectors.plan_targets(month=month, people=people, team=team)
    rows = [
        {
            "prefix": f"t-u{p.pk}",
            "name": str(p),
            "cells": [(k, targets.get(("u", p.pk), {}).get(k.key)) for k in kpi_list],
        }
        for p in people
    ]
    team_row = {
        "prefix": f"t-t{team.pk}",
        "name": _("Team (top-down)"),
        "cells": [(k, targets.get(("t", team.pk), {}).get(k.key)) for k in kpi_list],
    }
    context = {
        "title": _("Plan entry"),
        "team": team,
        "teams": selectors.visible_teams(actor=actor),
        "kpis": kpi_list,
        "rows": rows,
        "team_row": team_row,
        "locked": month.last < kpis.today(),
        **_month_nav(month),
    }
    return render(request, "planning/plan_entry.html", context)


@require_POST
@login_required
def plan_import(request: AuthedRequest) -> HttpResponse:
    actor, month = request.user, _month(request)
    team = _team_of(request)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(PlanningError.BAD_FILE, _("Choose an XLSX file."))
        people = selectors.team_members(actor=actor, team=team)
        count = services.plan_import_xlsx(
            actor=actor,
            month=month,
            file=upload,
            size=upload.size or 0,
            users={p.username: p for p in people},
        )
    except DomainError as exc:
        rows = exc.details.get("errors") if isinstance(exc.details, dict) else None
        detail = "; ".join(
            _("row %(n)s: %(e)s") % {"n": e.get("row"), "e": e.get("error", "")}
            for e in (rows or [])[:10]
        )
        messages.error(request, f"{exc.message} {detail}".strip())
    else:
        messages.success(request, _("Imported plans: %(n)s.") % {"n": count})
    return _back_to_entry(team, month)


@require_POST
@login_required
def plan_copy(request: AuthedRequest) -> HttpResponse:
    return _plans_written(
        request,
        lambda actor, month, team: services.plan_copy_previous(actor=actor, month=month, team=team),
        _("Copied from last month: %(n)s plans."),
    )


@require_POST
@login_required
def plan_split(request: AuthedRequest) -> HttpResponse:
    return _plans_written(
        request,
        lambda actor, month, team: services.plan_split_team(
            actor=actor,
            month=month,
            team=team,
            members=list(selectors.team_members(actor=actor, team=team)),
        ),
        _("The team plan is split among %(n)s people."),
    )


def _plans_written(
    request: AuthedRequest, write: Callable[[Any, kpis.Month, Any], int], done: str
) -> HttpResponse:
    """Run `write(actor, month, team)` on the plans of the month and team asked for: flash how
    many it wrote (`done`) or why it was refused, and go back to the plan entry."""
    actor, month = request.user, _month(request)
    team = _team_of(request)
    action_post(
        request,
        lambda: write(actor, month, team),
        success=lambda count: done % {"n": count},
        refusals=(),
    )
    return _back_to_entry(team, month)


@require_safe
@login_required
def kpi_facts(request: AuthedRequest) -> HttpResponse:
    """The records behind one figure (the click-through of every number)."""
    actor, month = request.user, _month(request)
    split_id = _int_param(request, "split")
    if split_id is not None:
        # The revenue an assistant shares in: the manager's payments on the split's days.
        split = selectors.assisted_split_get(actor=actor, pk=split_id)
        facts = selectors.assisted_facts(actor=actor, month=month, split=split)
        kpi = selectors.kpi_get(actor=actor, key="revenue")
        title = _("Revenue of %(manager)s shared with %(assistant)s") % {
            "manager": split.manager,
            "assistant": split.assistant,
        }
        definition = _(
            "The manager's payments of the month (minus refunds) dated on the days the "
            "assistant split covers: the revenue whose commission the assistant shares."
        )
        return _facts_page(request, month, facts, kpi, title, definition)
    subject = selectors.plan_subject(
        actor=actor, user_id=_int_param(request, "user"), team_id=_int_param(request, "team")
    )
    kpi = selectors.kpi_get(actor=actor, key=request.GET.get("kpi", ""))
    facts = selectors.kpi_facts(actor=actor, month=month, subject=subject, kpi=kpi)
    title = f"{kpi.label} · {subject.name}"
    return _facts_page(request, month, facts, kpi, title, kpi.definition_text, subject=subject)


def _facts_page(
    request: AuthedRequest,
    month: kpis.Month,
    facts: Any,
    kpi: Any,
    title: str,
    definition: str,
    **extra: Any,
) -> HttpResponse:
    """A page of the records behind a figure of the month."""
    context = {
        "title": f"{title} · {month.key}",
        "definition": definition,
        "kpi": kpi,
        **extra,
        "page": request_page(request, facts, 50),
        "query": request.GET.copy(),
        **_month_nav(month),
    }
    return render(request, "planning/kpi_facts.html", context)


@require_safe
@login_required
def kpi_list(request: AuthedRequest) -> HttpResponse:
    context = {
        "title": _("KPIs"),
        "kpis": selectors.kpi_catalogue(actor=request.user, active_only=False),
        "basis": services.planning_settings().get_revenue_basis_display(),
        "can_edit": selectors.is_planner(request.user),
    }
    return render(request, "planning/kpi_list.html", context)


@login_required
def kpi_invoice(request: AuthedRequest, pk: int) -> HttpResponse:
    """The invoice and payment events behind a revenue or receivables figure."""
    events_ = selectors.invoice_events(actor=request.user, case_id=pk)
    number = next(
        (e.payload.get("number") for e in events_ if isinstance(e.payload, dict)), str(pk)
    )
    context = {"title": _("Invoice %(n)s") % {"n": number}, "events": events_}
    return render(request, "planning/kpi_invoice.html", context)


def _statement(request: AuthedRequest) -> tuple[kpis.Month, Any, Any]:
    """The month asked for, whose statement (the actor's unless `user` names another) and it."""
    month = _month(request)
    user, statement = selectors.commission_statement(
        actor=request.user, month=month, user_id=_int_param(request, "user")
    )
    return month, user, statement


@require_safe
@login_required
def commissions(request: AuthedRequest) -> HttpResponse:
    """The monthly commission statement: every line is a payment of an invoice."""
    month, user, statement = _statement(request)
    clients = selectors.invoice_clients(
        actor=request.user, invoice_ids=[line.invoice_id for line in statement.lines]
    )
    context = {
        "title": _("Commission: %(s)s") % {"s": user},
        "subject": user,
        "statement": statement,
        "lines": [(line, clients.get(line.invoice_id)) for line in statement.lines],
        **_month_nav(month),
    }
    return render(request, "planning/commissions.html", context)


@require_safe
@login_required
def commissions_export(request: AuthedRequest) -> HttpResponse:
    """The statement as XLSX for payroll."""
    from openpyxl import Workbook

    month, user, statement = _statement(request)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(month.key)
    sheet.append([str(_("Commission: %(s)s") % {"s": user}), month.key])
    sheet.append(
        [
            str(_("Payment date")),
            str(_("Invoice")),
            str(_("Line")),
            str(_("Payment")),
            str(_("Base")),
            str(_("Percent")),
            str(_("Multiplier")),
            str(_("Commission")),
        ]
    )
    for line in statement.lines:
        sheet.append(
            [
                line.payment_date,
                line.invoice,
                line.kind,
                line.amount,
                line.base,
                line.percent,
                line.multiplier,
                line.commission,
            ]
        )
    sheet.append(["", "", "", "", "", "", str(_("Total")), statement.total])
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="commission-{user.username}-{month.key}.xlsx"'
    )
    book.save(response)
    return response


# --- the rules of plans and motivation: settings, KPIs, schemes, assistant splits ----------


# The rules' pages are a head's (a head of sales, a director, an administrator): others get a 403.
planner_required = allowed_only(selectors.is_planner)


def _settings() -> Back:
    """Where the form of a motivation rule (a scheme, a split) comes from and leads back to."""
    return Back(reverse("planning:settings"), _("Plans and motivation"))


@planner_required
def planning_settings(request: AuthedRequest) -> HttpResponse:
    """The company's rules of plans: what revenue is; links to KPIs, schemes and splits."""
    rules = services.planning_settings()
    form = SettingsForm(request.POST or None, initial={"revenue_basis": rules.revenue_basis})
    saved = form_post(
        request,
        form,
        lambda: services.planning_settings_update(
            actor=request.user, revenue_basis=form.cleaned_data["revenue_basis"]
        ),
        success=_("Changes saved."),
        to="planning:settings",
    )
    if saved is not None:
        return saved
    context = {
        "title": _("Plans and motivation"),
        "form": form,
        "kpi_count": len(selectors.kpi_catalogue(actor=request.user, active_only=False)),
        "schemes": selectors.commission_schemes(actor=request.user),
        "splits": selectors.assistant_splits(actor=request.user),
    }
    return render(request, "planning/settings.html", context)


def _kpi_spec(data: dict[str, Any]) -> services.KpiSpec:
    values = {k: v for k, v in data.items() if k not in ("field", "key")}
    return services.KpiSpec(**values, field_name=data.get("field") or "")


def _kpi_of(request: AuthedRequest, key: str) -> Any:
    kpi = next(
        (k for k in selectors.kpi_catalogue(actor=request.user, active_only=False) if k.key == key),
        None,
    )
    if kpi is None:
        raise Http404(_("KPI not found."))
    return kpi


def _kpi_anchor(kpi: Any) -> str:
    return f"{reverse('planning:kpi_list')}#kpi-{kpi.key}"


@planner_required
def kpi_create(request: AuthedRequest) -> HttpResponse:
    return form_view(
        request,
        KpiForm(request.POST or None),
        lambda data: services.kpi_create(actor=request.user, key=data["key"], spec=_kpi_spec(data)),
        title=_("New KPI"),
        back=Back(reverse("planning:kpi_list"), _("KPIs")),
        done=_kpi_anchor,
        message=lambda kpi: _("KPI «%(n)s» added.") % {"n": kpi.name},
    )


@planner_required
def kpi_edit(request: AuthedRequest, key: str) -> HttpResponse:
    kpi = _kpi_of(request, key)
    if kpi.source == "builtin":
        raise Http404(_("KPI not found."))
    return form_view(
        request,
        KpiForm(request.POST or None, initial=KpiForm.initial_of(kpi), editing=True),
        lambda data: services.kpi_update(actor=request.user, kpi=kpi, spec=_kpi_spec(data)),
        title=kpi.name,
        back=Back(reverse("planning:kpi_list"), _("KPIs")),
        done=_kpi_anchor(kpi),
        message=_("Changes saved."),
    )


@require_POST
@planner_required
def kpi_toggle(request: AuthedRequest, key: str) -> HttpResponse:
    """Show or hide a KPI (a built-in one too) in plans and grids."""
    kpi = _kpi_of(request, key)
    services.kpi_set_active(actor=request.user, kpi=kpi, is_active=not kpi.is_active)
    return redirect(_kpi_anchor(kpi))


def _scheme_form(
    request: AuthedRequest, title: str, scheme: Any = None, **page: Any
) -> HttpResponse:
    """A commission scheme's form (a new one without `scheme`), back to the settings."""
    initial = CommissionSchemeForm.initial_of(scheme) if scheme else None
    form = CommissionSchemeForm(request.POST or None, initial=initial)
    return form_view(
        request,
        form,
        lambda data: services.commission_scheme_save(
            actor=request.user,
            scheme=scheme,
            name=data["name"],
            default_percent=data["default_percent"],
            group_percents=form.group_percents(),
            steps=data["steps"],
        ),
        title=title,
        back=_settings(),
        **page,
    )


@planner_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    return _scheme_form(
        request, _("New commission scheme"), message=_("The new scheme applies from now on.")
    )


@planner_required
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = selectors.commission_scheme_get(actor=request.user, pk=pk)
    return _scheme_form(request, scheme.name, scheme, message=_("Changes saved."))


@require_POST
@planner_required
def scheme_activate(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = selectors.commission_scheme_get(actor=request.user, pk=pk)
    services.commission_scheme_activate(actor=request.user, scheme=scheme)
    messages.success(request, _("«%(n)s» applies from now on.") % {"n": scheme.name})
    return redirect("planning:settings")


@planner_required
def split_create(request: AuthedRequest) -> HttpResponse:
    initial = {"valid_from": kpis.today()}
    return form_view(
        request,
        AssistantSplitForm(request.POST or None, actor=request.user, initial=initial),
        saving(request, services.assistant_split_save),
        title=_("New assistant split"),
        back=_settings(),
        message=_("Assistant split saved."),
    )


@planner_required
def split_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    split = selectors.assistant_split_get(actor=request.user, pk=pk)
    initial = {
        "manager": split.manager,
        "assistant": split.assistant,
        "share_percent": split.share_percent,
        "valid_from": split.valid_from,
        "valid_until": split.valid_until,
    }
    return form_view(
        request,
        AssistantSplitForm(request.POST or None, actor=request.user, initial=initial),
        saving(request, services.assistant_split_save, split=split),
        title=str(split),
        back=_settings(),
        message=_("Changes saved."),
    )
