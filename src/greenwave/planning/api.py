"""REST endpoints of the planning app (mounted under /api/v1/ by config/api.py):
`/my-day` (today's plan with suggestions; items; close), `/teams/{id}/days`."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.activities.selectors import activity_get
from greenwave.core.api import IsoDate, scoped_row_of_id
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import DomainError
from greenwave.crm.selectors import company_get
from greenwave.sales.selectors import deal_get

from . import selectors, services
from .errors import PlanningError
from .kpis import Month
from .models import DayPlanItem
from .presenters import day_view, day_views
from .schemas import (
    CloseIn,
    CommissionOut,
    DayOut,
    ItemIn,
    ItemOut,
    KpiChangeIn,
    KpiIn,
    KpiOut,
    MyDayOut,
    PlanIn,
    PlanOut,
    SchemeIn,
    SchemeOut,
    SettingsIO,
    SplitIn,
    SplitOut,
)

router = Router(tags=["planning"])
ENDPOINTS = Endpoints(router, __name__)
DAY_ITEM = Entity(DayPlanItem, "item", selectors.day_item_get, delete=services.day_plan_remove_item)


def _suggestion(s: selectors.Suggestion) -> dict[str, Any]:
    return {
        "source": s.source,
        "goal": s.goal,
        "priority": s.priority,
        "company_id": s.company.pk if s.company else None,
        "activity_id": s.activity.pk if s.activity else None,
        "deal_id": s.deal.pk if s.deal else None,
    }


@router.get("/my-day", response=MyDayOut, summary="My plan of the day with suggestions")
def my_day(request: AuthedRequest, date: IsoDate | None = None) -> Any:
    actor = request.user
    day = date or services.today_for(actor)
    plan = selectors.day_plan_find(actor=actor, user=actor, day=day)
    return {
        "day": day_view(plan, user=actor, day=day),
        "suggestions": [_suggestion(s) for s in selectors.suggestions(actor=actor, day=day)],
    }


@router.post("/my-day/items", response={201: ItemOut}, summary="Add a client and goal to my day")
def my_day_add(request: AuthedRequest, payload: ItemIn) -> Any:
    actor = request.user
    plan = services.day_plan_open(actor=actor, day=payload.date)
    item = services.day_plan_add_item(
        actor=actor,
        plan=plan,
        goal=payload.goal,
        priority=payload.priority,
        source=payload.source,
        company=scoped_row_of_id(company_get, actor, payload.company_id),
        activity=scoped_row_of_id(activity_get, actor, payload.activity_id),
        deal=scoped_row_of_id(deal_get, actor, payload.deal_id),
    )
    view = day_view(selectors.day_plan_get(actor=actor, pk=plan.pk), user=actor, day=plan.date)
    return Status(201, next(i for i in view["items"] if i["id"] == item.pk))


ENDPOINTS.delete(DAY_ITEM, "/my-day/items/{item_id}", name="my_day_remove")


@router.post("/my-day/close", response=DayOut, summary="Close my day into plan vs fact")
def my_day_close(request: AuthedRequest, payload: CloseIn) -> Any:
    actor = request.user
    day = payload.date or services.today_for(actor)
    plan = selectors.day_plan_find(actor=actor, user=actor, day=day)
    if plan is None:
        plan = services.day_plan_open(actor=actor, day=day)
    services.day_plan_close(
        actor=actor, plan=plan, miss_comments=payload.miss_comments, comment=payload.comment
    )
    return day_view(selectors.day_plan_get(actor=actor, pk=plan.pk), user=actor, day=day)


@router.get("/teams/{team_id}/days", response=list[DayOut], summary="The team's days")
def team_days(request: AuthedRequest, team_id: int, date: IsoDate | None = None) -> Any:
    actor = request.user
    team = selectors.team_get(actor=actor, pk=team_id)
    day = date or services.today_for(actor)
    board = selectors.team_board(actor=actor, team=team, day=day)
    return day_views([(row.user, row.plan) for row in board], day)


# --- monthly plans and KPIs ----------------------------------------------------------------


def _period(value: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise DomainError(
            PlanningError.BAD_PERIOD,
            _("The period is a month: YYYY-MM."),
            details={"period": value[:20]},
            status=422,
        ) from exc


def _plan_out(report: selectors.PlanReport) -> dict[str, Any]:
    figures = report.figures
    subject = report.subject
    return {
        "period": report.month.key,
        "user_id": subject.user.pk if subject.user else None,
        "team_id": subject.team.pk if subject.team else None,
        "locked": report.locked,
        "working_days": report.working_days,
        "working_days_gone": report.working_days_gone,
        "targets": {f.kpi.key: f.target for f in figures},
        "actuals": {f.kpi.key: f.actual for f in figures},
        "percent": {f.kpi.key: f.percent for f in figures},
        "forecast": {f.kpi.key: f.forecast for f in figures},
        "pipeline_forecast": {f.kpi.key: f.pipeline for f in figures if f.kpi.key == "revenue"},
        "light": {f.kpi.key: f.light for f in figures},
        "previous": {f.kpi.key: f.previous for f in figures},
        "assisted": [_assisted_out(a, report.month) for a in report.assisted],
    }


def _assisted_out(a: Any, month: Month) -> dict[str, Any]:
    split = a.split
    return {
        "split_id": split.pk,
        "manager_id": split.manager_id,
        "manager": str(split.manager),
        "share_percent": split.share_percent,
        "valid_from": split.valid_from,
        "valid_until": split.valid_until,
        "revenue": a.revenue,
        "revenue_share": a.revenue_share,
        "commission": a.commission,
        "facts_url": f"{reverse('planning:kpi_facts')}?split={split.pk}&period={month.key}",
    }


@router.get("/kpis", response=list[KpiOut], summary="The KPI catalogue with definitions")
def kpis_list(request: AuthedRequest) -> Any:
    return selectors.kpi_catalogue(actor=request.user)


def _kpi_spec(payload: KpiChangeIn) -> services.KpiSpec:
    data = payload.dict(exclude={"key", "field", "active"})
    return services.KpiSpec(**data, field_name=payload.field, is_active=payload.active)


@router.post(
    "/kpis",
    response={201: KpiOut},
    summary="Add a KPI from building blocks (heads, directors, administrators)",
)
def kpi_create(request: AuthedRequest, payload: KpiIn) -> Any:
    kpi = services.kpi_create(actor=request.user, key=payload.key, spec=_kpi_spec(payload))
    return Status(201, kpi)


@router.put("/kpis/{key}", response=KpiOut, summary="Change a KPI added from building blocks")
def kpi_update(request: AuthedRequest, key: str, payload: KpiChangeIn) -> Any:
    selectors.require_planner(request.user)
    kpi = selectors.kpi_any(actor=request.user, key=key)
    return services.kpi_update(actor=request.user, kpi=kpi, spec=_kpi_spec(payload))


@router.get(
    "/planning-settings",
    response=SettingsIO,
    summary="The company's rules of plans: what revenue is (paid or won)",
)
def settings_get(request: AuthedRequest) -> Any:
    selectors.require_planner(request.user)
    return {"revenue_basis": services.planning_settings().revenue_basis}


@router.put("/planning-settings", response=SettingsIO, summary="Set what revenue is")
def settings_put(request: AuthedRequest, payload: SettingsIO) -> Any:
    rules = services.planning_settings_update(
        actor=request.user, revenue_basis=payload.revenue_basis
    )
    return {"revenue_basis": rules.revenue_basis}


def _scheme_save(request: AuthedRequest, payload: SchemeIn, scheme: Any = None) -> Any:
    """A new scheme (`scheme` None) or that scheme's rules changed, as the API shows it."""
    return services.commission_scheme_save(actor=request.user, scheme=scheme, **payload.dict())


@router.get("/commission-schemes", response=list[SchemeOut], summary="Commission schemes")
def schemes_list(request: AuthedRequest) -> Any:
    return selectors.commission_schemes(actor=request.user)


@router.post(
    "/commission-schemes",
    response={201: SchemeOut},
    summary="A new commission scheme; it applies from now on",
)
def scheme_create(request: AuthedRequest, payload: SchemeIn) -> Any:
    return Status(201, _scheme_save(request, payload))


@router.put(
    "/commission-schemes/{scheme_id}", response=SchemeOut, summary="Change a commission scheme"
)
def scheme_update(request: AuthedRequest, scheme_id: int, payload: SchemeIn) -> Any:
    selectors.require_planner(request.user)
    scheme = selectors.commission_scheme_get(actor=request.user, pk=scheme_id)
    return _scheme_save(request, payload, scheme)


@router.post(
    "/commission-schemes/{scheme_id}/activate",
    response=SchemeOut,
    summary="Make a scheme the one that applies",
)
def scheme_activate(request: AuthedRequest, scheme_id: int) -> Any:
    selectors.require_planner(request.user)
    scheme = selectors.commission_scheme_get(actor=request.user, pk=scheme_id)
    return services.commission_scheme_activate(actor=request.user, scheme=scheme)


@router.get(
    "/assistant-splits",
    response=list[SplitOut],
    summary="Assistant splits (seed 002) the caller may see",
)
def splits_list(request: AuthedRequest) -> Any:
    return selectors.assistant_splits(actor=request.user)


def _split_people(request: AuthedRequest, payload: SplitIn) -> dict[str, Any]:
    selectors.require_planner(request.user)
    return {
        "manager": selectors.person_get(actor=request.user, pk=payload.manager_id),
        "assistant": selectors.person_get(actor=request.user, pk=payload.assistant_id),
        "share_percent": payload.share_percent,
        "valid_from": payload.valid_from,
        "valid_until": payload.valid_until,
    }


@router.post(
    "/assistant-splits",
    response={201: SplitOut},
    summary="A manager's assistant takes a part of the manager's commission",
)
def split_create(request: AuthedRequest, payload: SplitIn) -> Any:
    split = services.assistant_split_save(actor=request.user, **_split_people(request, payload))
    return Status(201, split)


@router.put("/assistant-splits/{split_id}", response=SplitOut, summary="Change a split")
def split_update(request: AuthedRequest, split_id: int, payload: SplitIn) -> Any:
    selectors.require_planner(request.user)
    split = selectors.assistant_split_get(actor=request.user, pk=split_id)
    split = services.assistant_split_save(
        actor=request.user, split=split, **_split_people(request, payload)
    )
    return split


@router.get(
    "/plans/{period}",
    response=PlanOut,
    summary="Targets, actuals, % of plan and forecast of a month (mine, a person's or a team's)",
)
def plan_get(
    request: AuthedRequest,
    period: str,
    user_id: int | None = Query(None, ge=1, le=2**62),
    team_id: int | None = Query(None, ge=1, le=2**62),
) -> Any:
    month = _period(period)
    subject = selectors.plan_subject(actor=request.user, user_id=user_id, team_id=team_id)
    return _plan_out(selectors.plan_report(actor=request.user, month=month, subject=subject))


@router.put("/plans/{period}", response=PlanOut, summary="Set targets of a person or a team")
def plan_put(request: AuthedRequest, period: str, payload: PlanIn) -> Any:
    actor, month = request.user, _period(period)
    if (payload.user_id is None) == (payload.team_id is None):
        raise DomainError(PlanningError.INVALID, _("Give either user_id or team_id."), status=422)
    subject = selectors.plan_subject(actor=actor, user_id=payload.user_id, team_id=payload.team_id)
    if payload.user_id is not None and subject.user is None:
        raise DomainError(PlanningError.INVALID, _("Unknown person."), status=422)
    services.plan_targets_set(
        actor=actor, month=month, targets=payload.targets, user=subject.user, team=subject.team
    )
    return _plan_out(selectors.plan_report(actor=actor, month=month, subject=subject))


def _commission_out(user_id: int, st: Any) -> dict[str, Any]:
    return {
        "period": st.month.key,
        "user_id": user_id,
        "scheme": st.scheme.name if st.scheme else None,
        "paid": st.paid,
        "revenue_target": st.target,
        "achievement": st.achievement,
        "multiplier": st.multiplier,
        "total": st.total,
        "lines": [vars(line) for line in st.lines],
    }


@router.get(
    "/commissions/{period}",
    response=CommissionOut,
    summary="A person's commission statement of a month, line by payment",
)
def commissions_get(
    request: AuthedRequest, period: str, user_id: int | None = Query(None, ge=1, le=2**62)
) -> Any:
    user, st = selectors.commission_statement(
        actor=request.user, month=_period(period), user_id=user_id
    )
    return _commission_out(user.pk, st)
