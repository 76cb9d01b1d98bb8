"""REST endpoints of analytics: sales figures, client portfolio, segments, competitors."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import Page, PeriodFilter, document_list, list_query
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import not_found
from greenwave.sales.periods import check_period_order
from greenwave.sales.selectors import pipeline_default, pipeline_get

from . import inputs, selectors, services
from .client_rollups import segment_page
from .competitors import competitor_portfolio
from .figures import report_dict, sales_report
from .models import SavedSegment
from .nps import nps_by, nps_changes, nps_periods
from .portfolio import PORTFOLIO_SPEC, client_portfolio, enrich, portfolio_rows
from .rollups import rollup_funnel, sales_overview
from .schemas import (
    ClientOut,
    CompetitorFiguresOut,
    FunnelOverviewOut,
    NpsIn,
    NpsOut,
    NpsSurveyOut,
    OverviewOut,
    SalesOut,
    SavedSegmentIn,
    SavedSegmentOut,
    SegmentsOut,
)
from .segments import SegmentParams, definitions, segment_clients, summary, window_of

router = Router(tags=["analytics"])
ENDPOINTS = Endpoints(router, __name__)
SAVED_SEGMENT = Entity(
    SavedSegment, "segment", selectors.segment_get, delete=services.segment_delete
)


@router.get(
    "/analytics/sales",
    response=SalesOut,
    summary="The sales figures of seed 003 for a period, against the previous period and last year",
    operation_id="analytics_sales",
)
def sales(
    request: AuthedRequest,
    period: Query[PeriodFilter],
    compare: str | None = None,
    group_by: str | None = None,
    lost_after_days: int | None = None,
) -> Any:
    start, end = inputs.period(period.date_from, period.date_to)
    chosen = inputs.compare(compare)
    report = sales_report(
        actor=request.user,
        date_from=start,
        date_to=end,
        compare=chosen,
        group_by=inputs.group_by(group_by),
        lost_after_days=inputs.days(lost_after_days, "lost_after_days", 180),
    )
    return report_dict(report, compare=chosen)


@router.get(
    "/analytics/portfolio",
    response=Page[ClientOut],
    summary="Client portfolio: per client the main contact person, first/last purchase, "
    "frequency, groups, average check, maturation, geography, lifetime revenue, status",
    operation_id="analytics_portfolio",
    openapi_extra=document_list(PORTFOLIO_SPEC),
)
def portfolio(
    request: AuthedRequest,
    company_id: int | None = None,
    new_within_days: int | None = None,
    lost_after_days: int | None = None,
) -> Any:
    new_days = inputs.days(new_within_days, "new_within_days", 90)
    lost_days = inputs.days(lost_after_days, "lost_after_days", 180)
    query = list_query(
        request,
        PORTFOLIO_SPEC,
        extra_params=("company_id", "new_within_days", "lost_after_days"),
    )
    if company_id is not None:
        one = client_portfolio(
            actor=request.user, company_id=company_id, new_days=new_days, lost_days=lost_days
        )
        items, count, page = [one], 1, 1
    else:
        rows = portfolio_rows(
            actor=request.user, query=query, new_days=new_days, lost_days=lost_days
        )
        count, page = rows.count(), query.page
        start = (page - 1) * query.page_size
        items = enrich(request.user, list(rows[start : start + query.page_size]))
    return {
        "items": [item.as_dict() for item in items],
        "count": count,
        "page": page,
        "page_size": query.page_size,
    }


@router.get(
    "/analytics/segments",
    response=SegmentsOut,
    summary="ABC by revenue, XYZ by regularity or RFM scores of the visible clients",
    operation_id="analytics_segments",
)
def segments(
    request: AuthedRequest,
    kind: str | None = None,
    months: int | None = None,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(50, ge=1, le=500),
) -> Any:
    chosen = inputs.kind(kind)
    params = inputs.segment_params({"months": months})
    start, end = window_of(params)
    offset = (page - 1) * page_size
    # A reader of every client: the summary and one page from the client × month rollup.
    fast = segment_page(
        actor=request.user, params=params, kind=chosen, offset=offset, limit=page_size
    )
    if fast is not None:
        classes, items, count = fast.summary, fast[offset : offset + page_size], fast.count()
    else:
        clients = segment_clients(actor=request.user, params=params)
        classes, items = summary(clients, chosen), clients[offset : offset + page_size]
        count = len(clients)
    return {
        "kind": chosen,
        "date_from": start,
        "date_to": end,
        "definition": definitions(chosen, params),
        "summary": classes,
        "items": [c.as_dict() for c in items],
        "count": count,
        "page": page,
        "page_size": page_size,
    }


@router.get(
    "/analytics/segments/saved",
    response=list[SavedSegmentOut],
    summary="Saved segments visible to me",
    operation_id="analytics_saved_segments",
)
def saved_segments(request: AuthedRequest) -> Any:
    return list(selectors.segment_list(actor=request.user)[:500])


@router.post(
    "/analytics/segments/saved",
    response={201: SavedSegmentOut},
    summary="Save the clients of some classes as a named segment",
    operation_id="analytics_saved_segment_create",
)
def saved_segment_create(request: AuthedRequest, payload: SavedSegmentIn) -> Any:
    segment = services.segment_save(
        actor=request.user,
        name=payload.name,
        kind=payload.kind,
        classes=payload.classes,
        params=SegmentParams(months=payload.months),
    )
    return Status(201, segment)


ENDPOINTS.detail(
    "/analytics/segments/saved/{segment_id}",
    selectors.segment_get,
    SavedSegmentOut,
    summary="One saved segment",
    operation_id="analytics_saved_segment",
    name="saved_segment",
)


ENDPOINTS.delete(
    SAVED_SEGMENT,
    "/analytics/segments/saved/{segment_id}",
    summary="Delete a saved segment",
    operation_id="analytics_saved_segment_delete",
    name="saved_segment_delete",
)


@router.get(
    "/analytics/competitors",
    response=list[CompetitorFiguresOut],
    summary="Competitor portfolio with the deals that met each competitor",
    operation_id="analytics_competitors",
)
def competitors(request: AuthedRequest) -> Any:
    return [item.as_dict() for item in competitor_portfolio(actor=request.user)]


@router.get(
    "/analytics/nps",
    response=NpsOut,
    summary="NPS of a period against the previous period and last year, by manager and team",
    operation_id="analytics_nps",
)
def nps(
    request: AuthedRequest,
    period: Query[PeriodFilter],
) -> Any:
    start, end = inputs.period(period.date_from, period.date_to)
    figures = nps_periods(actor=request.user, date_from=start, date_to=end)
    return {
        "periods": [f.as_dict() for f in figures],
        "changes": nps_changes(figures),
        "by_manager": nps_by(actor=request.user, date_from=start, date_to=end, by="responsible"),
        "by_team": nps_by(actor=request.user, date_from=start, date_to=end, by="team"),
    }


def _survey_out(request: AuthedRequest, survey: Any) -> dict[str, Any]:
    link = None
    if survey.answered_at is None:
        link = request.build_absolute_uri(reverse("analytics:nps_answer", args=[survey.token]))
    return {
        "id": survey.pk,
        "channel": survey.channel,
        "deal_id": survey.deal_id,
        "company_id": survey.company_id,
        "contact_id": survey.contact_id,
        "score": survey.score,
        "comment": survey.comment,
        "answered_at": survey.answered_at,
        "link": link,
    }


@router.post(
    "/analytics/nps",
    response={201: NpsSurveyOut},
    summary="Record a client's NPS answer (score given) or create a survey link (no score)",
    operation_id="analytics_nps_create",
)
def nps_create(request: AuthedRequest, payload: NpsIn) -> Any:
    if payload.score is None:
        survey = services.nps_survey_create(
            actor=request.user, deal_id=payload.deal_id, contact_id=payload.contact_id
        )
    else:
        survey = services.nps_record(
            actor=request.user,
            deal_id=payload.deal_id,
            contact_id=payload.contact_id,
            score=payload.score,
            comment=payload.comment,
        )
    return Status(201, _survey_out(request, survey))


@router.get(
    "/analytics/funnel/overview",
    response=FunnelOverviewOut,
    summary="The funnel of a pipeline from the daily rollups with seed 000's measures "
    "(overall conversion, deal length, average amount, throughput, incoming/closed)",
    operation_id="analytics_funnel_overview",
)
def funnel_overview(
    request: AuthedRequest,
    pipeline_id: int | None = None,
    *,  # the period after the pipeline, as the published parameters are ordered
    period: Query[PeriodFilter],
) -> Any:
    pipeline = _pipeline(pipeline_id)
    date_from, date_to = period.date_from, period.date_to
    check_period_order(date_from, date_to)
    found = rollup_funnel(
        actor=request.user, pipeline=pipeline, date_from=date_from, date_to=date_to
    )
    return {
        "pipeline_id": pipeline.pk,
        "date_from": date_from,
        "date_to": date_to,
        "stages": [{**vars(s), "conversion": s.conversion} for s in found.stages],
        "incoming": found.incoming,
        "closed": found.closed,
        "won": found.won,
        "lost": found.lost,
        "overall_conversion": found.overall_conversion,
        "average_amount": found.average_amount,
        "deal_days": found.deal_days,
        "per_week": found.per_week,
    }


def _pipeline(pipeline_id: int | None) -> Any:
    if pipeline_id is None:
        found = pipeline_default()
        if found is None:
            raise not_found(_("Pipeline not found."))
        return found
    return pipeline_get(pk=pipeline_id)


@router.get(
    "/analytics/overview",
    response=list[OverviewOut],
    summary="Deals created, won (volume, average check), lost and deal length in a period, "
    "the previous period and last year (daily rollups)",
    operation_id="analytics_overview",
)
def overview(
    request: AuthedRequest,
    period: Query[PeriodFilter],
) -> Any:
    start, end = inputs.period(period.date_from, period.date_to)
    return [o.as_dict() for o in sales_overview(actor=request.user, date_from=start, date_to=end)]
