"""Pages of analytics: sales figures, client portfolio, segments, competitors, cost prices.

Every table exports to XLSX with `?export=xlsx` (the same parameters as the page).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import DomainError
from greenwave.core.guards import is_admin
from greenwave.core.listing import ListQuery
from greenwave.core.pages import render_list_page, request_page
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company, Product
from greenwave.crm.tabular import write_xlsx
from greenwave.sales.models import Deal, DealStatus
from greenwave.sales.selectors import pipeline_default, pipeline_list

from . import inputs, selectors, services
from .client_rollups import segment_page
from .competitors import competitor_portfolio, lost_to
from .figures import DRILLS, FIGURES, report_dict, sales_report
from .forms import (
    CostForm,
    NpsAnswerForm,
    NpsPeriodForm,
    NpsRecordForm,
    SalesForm,
    SegmentForm,
    SegmentSaveForm,
)
from .models import ProductCost
from .nps import KIND_LABELS as NPS_KIND_LABELS
from .nps import KINDS as NPS_KINDS
from .nps import answers as nps_answers
from .nps import nps_by, nps_changes, nps_periods
from .portfolio import (
    PORTFOLIO_SPEC,
    ContactPerson,
    enrich,
    portfolio_rows,
    status_definitions,
)
from .rollups import cursor_state, rollup_funnel
from .segments import KINDS, SegmentParams, definitions, segment_clients, summary, window_of

# The first visit shows the last 90 days by week: the previous 90 days and the same quarter
# a year ago are both there to compare with (a year is one click away: "This year").
DEFAULT_DAYS = 90
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(name: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(write_xlsx(name, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _export_url(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params["export"] = "xlsx"
    params.pop("page", None)
    return f"{request.path}?{params.urlencode()}"


def _period_labels() -> dict[str, str]:
    return {
        "current": _("This period"),
        "previous": _("Previous period"),
        "year_ago": _("A year ago"),
    }


# --- Sales figures ---


def _drill(figure: str, start: date, end: date, key: str = "") -> str:
    params = {"figure": figure, "from": start.isoformat(), "to": end.isoformat()}
    if key:
        params["key"] = key
    return f"{reverse('analytics:figure_deals')}?{urlencode(params)}"


FIGURE_DRILLS = {
    "sales_volume": "sales_volume",
    "orders": "orders",
    "average_check": "average_check",
    "average_check_change": "average_check",
    "repeat_share": "repeat",
    "profit_per_deal": "profit",
    "new_client_revenue": "new_client_revenue",
    "old_client_revenue": "old_client_revenue",
}
CLIENT_FIGURES = {"new_clients": "new", "regular_clients": "regular", "lost_clients": "lost"}


def _charts(data: dict[str, Any], links: dict[str, Any]) -> dict[str, Any]:
    """ECharts options: sales and average check per step, revenue by product group."""
    current = data["series"]["current"]
    labels = [date_format(p["bucket"], "SHORT_DATE_FORMAT") for p in current]
    by_step = {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Sales volume"), _("Average check")]},
        "grid": {"left": 5, "right": 5, "top": 40, "bottom": 5, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value"}, {"type": "value"}],
        "series": [
            {
                "name": _("Sales volume"),
                "type": "bar",
                "data": [float(p["volume"]) for p in current],
            },
            {
                "name": _("Average check"),
                "type": "line",
                "yAxisIndex": 1,
                "data": [float(p["average_check"] or 0) for p in current],
            },
        ],
        "links": [links["steps"], links["steps"]],
    }
    groups = data["breakdowns"]["groups"]["rows"]
    pie = {
        "tooltip": {"trigger": "item"},  # charts.js writes «name: value (share %)»
        "legend": {"type": "scroll", "bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["30%", "62%"],
                "center": ["50%", "42%"],
                "label": {"show": False},
                "data": [
                    {"name": r["label"], "value": float(r["values"]["current"] or 0)}
                    for r in groups
                ],
            }
        ],
        "links": [[links["group"](r["key"]) for r in groups]],
    }
    return {"by_step": by_step, "groups": pie}


@login_required
def sales_page(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    form = SalesForm(
        request.GET or None,
        initial={
            "date_from": today - timedelta(days=DEFAULT_DAYS - 1),
            "date_to": today,
            "group_by": "week",
        },
    )
    if form.is_bound and not form.is_valid():
        return render(request, "analytics/sales.html", {"title": _("Sales figures"), "form": form})
    cleaned = form.cleaned_data if form.is_bound else form.initial
    if cleaned.get("preset"):
        # A preset becomes its dates in the address: the form shows them, a link keeps them.
        start, end = inputs.preset_period(cleaned["preset"])
        params = request.GET.copy()
        params.pop("preset", None)
        params["date_from"], params["date_to"] = start.isoformat(), end.isoformat()
        return redirect(f"{request.path}?{params.urlencode()}")
    try:
        start, end = inputs.period(cleaned.get("date_from"), cleaned.get("date_to"))
        lost_days = cleaned.get("lost_after_days") or inputs.DEFAULTS["lost_after_days"]
        report = sales_report(
            actor=request.user,
            date_from=start,
            date_to=end,
            group_by=cleaned.get("group_by") or "month",
            lost_after_days=lost_days,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return render(request, "analytics/sales.html", {"title": _("Sales figures"), "form": form})
    data = report_dict(report, compare=None)
    if request.GET.get("export") == "xlsx":
        return _sales_xlsx(data)
    periods = {p["period"]: p for p in data["periods"]}
    for figure in data["figures"]:
        drill = FIGURE_DRILLS.get(figure["key"])
        status = CLIENT_FIGURES.get(figure["key"])
        figure["links"] = {
            key: (
                _drill(drill, p["date_from"], p["date_to"])
                if drill
                else f"{reverse('analytics:portfolio')}?status={status}"
                if status and key == "current"
                else ""
            )
            for key, p in periods.items()
        }
    for name, drill in (("groups", "group"), ("products", "product"), ("channels", "channel")):
        for row in data["breakdowns"][name]["rows"]:
            row["link"] = _drill(drill, start, end, row["key"])
    group_by = report.group_by
    steps = [
        _drill("sales_volume", p["bucket"], _step_end(p["bucket"], group_by, end))
        for p in data["series"]["current"]
    ]
    charts = _charts(data, {"steps": steps, "group": lambda key: _drill("group", start, end, key)})
    return render(
        request,
        "analytics/sales.html",
        {
            "title": _("Sales figures"),
            "form": form,
            "data": data,
            "period_labels": _period_labels(),
            "charts": charts,
            "export_url": _export_url(request),
            "nps": nps_summary(request.user, start, end),
        },
    )


def _step_end(bucket: date, group_by: str, end: date) -> date:
    if group_by == "day":
        last = bucket
    elif group_by == "week":
        last = bucket + timedelta(days=6)
    else:
        following = date(bucket.year + (bucket.month == 12), bucket.month % 12 + 1, 1)
        last = following - timedelta(days=1)
    return min(last, end)


def _sales_xlsx(data: dict[str, Any]) -> HttpResponse:
    labels = _period_labels()
    keys = [p["period"] for p in data["periods"]]
    headers = [
        _("No."),
        _("Figure"),
        *[labels[k] for k in keys],
        *[_("Change vs %(period)s") % {"period": labels[k]} for k in keys[1:]],
        _("Definition"),
    ]
    rows: list[list[Any]] = []
    for f in data["figures"]:
        rows.append(
            [
                f["number"],
                f["label"],
                *[f["values"][k] for k in keys],
                *[f["changes"][k] for k in keys[1:]],
                f["definition"],
            ]
        )
        if f["shares"]:
            rows.append(
                [f["number"], f["label"] + " — " + _("share"), *[f["shares"][k] for k in keys]]
            )
    rows.extend(
        [
            table["number"],
            f"{table['label']}: {r['label']}",
            *[r["values"][k] for k in keys],
            *[r["changes"][k] for k in keys[1:]],
            table["definition"],
        ]
        for table in data["breakdowns"].values()
        for r in table["rows"]
    )
    return _xlsx("sales", headers, rows)


@login_required
def figure_deals_page(request: AuthedRequest) -> HttpResponse:
    """The deals behind a figure of the sales page."""
    from .figures import figure_deals

    figure = request.GET.get("figure", "")
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
        end = date.fromisoformat(request.GET.get("to", ""))
        inputs.period(start, end)
    except (ValueError, DomainError):
        messages.error(request, _("Choose a period."))
        return redirect("analytics:sales")
    if figure not in DRILLS:
        messages.error(request, _("Unknown figure."))
        return redirect("analytics:sales")
    deals = figure_deals(
        actor=request.user,
        figure=figure,
        date_from=start,
        date_to=end,
        key=request.GET.get("key", "")[:40],
    )
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            "deals",
            [_("Deal"), _("Client"), _("Responsible"), _("Won"), _("Amount")],
            (
                [
                    d.title,
                    d.company.name if d.company else "",
                    str(d.responsible or ""),
                    d.closed_at,
                    d.amount,
                ]
                for d in deals.iterator()
            ),
        )
    page = request_page(request, deals)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "analytics/figure_deals.html",
        {
            "title": _("Deals behind the figure"),
            "figure_label": _drill_label(figure),
            "page": page,
            "base_params": params.urlencode(),
            "date_from": start,
            "date_to": end,
            "export_url": _export_url(request),
        },
    )


def _drill_label(figure: str) -> str:
    labels = {spec.key: str(spec.label) for spec in FIGURES}
    labels.update(
        {
            "repeat": str(labels["repeat_share"]),
            "profit": str(labels["profit_per_deal"]),
            "group": _("Product group"),
            "product": _("Product"),
            "channel": _("Advertising channel"),
        }
    )
    return labels.get(figure, "")


# --- Client portfolio ---


class _Enriched:
    """The portfolio rows as the paginator sees them: counted in SQL, one page enriched."""

    def __init__(self, request: AuthedRequest, rows: Any) -> None:
        self.request, self.rows = request, rows

    def count(self) -> int:
        return int(self.rows.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        figures = enrich(self.request.user, list(self.rows[index]))
        cards = crm_selectors.company_list(actor=self.request.user)
        ids = set(cards.filter(pk__in=[f.company_id for f in figures]).values_list("pk", flat=True))
        for figure in figures:
            figure.openable = figure.company_id in ids
        return figures


@login_required
def portfolio_page(request: AuthedRequest) -> HttpResponse:
    if request.GET.get("export") == "xlsx":
        return _portfolio_xlsx(request)

    def select(query: Any) -> Any:
        return cast(Any, _Enriched(request, portfolio_rows(actor=request.user, query=query)))

    return render_list_page(
        request,
        spec=PORTFOLIO_SPEC,
        selector=select,
        title=_("Client portfolio"),
        table_template="analytics/partials/portfolio_table.html",
        empty_message=_("No client has bought yet."),
        extra={
            "definitions": status_definitions(
                inputs.DEFAULTS["new_within_days"], inputs.DEFAULTS["lost_after_days"]
            ),
            "export_url": _export_url(request),
        },
    )


def _contact_cells(person: ContactPerson | None) -> list[Any]:
    if person is None:
        return ["", "", "", None, None, "", ""]
    return [
        person.full_name,
        person.position,
        person.gender_label,
        person.age,
        person.birthday,
        person.email,
        person.phone_display,
    ]


def _portfolio_xlsx(request: AuthedRequest) -> HttpResponse:
    params = request.GET.copy()
    params.pop("export", None)
    try:
        query = ListQuery.from_params(params, PORTFOLIO_SPEC, page_size=25, max_page_size=200)
    except DomainError:
        query = ListQuery(sort=PORTFOLIO_SPEC.default_sort)
    rows = enrich(request.user, list(portfolio_rows(actor=request.user, query=query)))
    headers = [
        _("Client"),
        _("Region"),
        _("Contact person"),
        _("Position"),
        _("Gender"),
        _("Age"),
        _("Birthday"),
        _("E-mail"),
        _("Phone"),
        _("First contact"),
        _("First purchase"),
        _("Last purchase"),
        _("Purchases"),
        _("Days between purchases"),
        _("Average check"),
        _("Lifetime revenue"),
        _("Maturation, days"),
        _("Product groups"),
        _("Status"),
    ]
    return _xlsx(
        "portfolio",
        headers,
        (
            [
                c.name,
                c.region,
                *_contact_cells(c.contact),
                c.first_contact,
                c.first_purchase,
                c.last_purchase,
                c.orders,
                c.days_between_purchases,
                c.average_check,
                c.revenue,
                c.maturation_days,
                ", ".join(c.groups),
                c.status_label,
            ]
            for c in rows
        ),
    )


# --- Segments ---


def _segment_choice(request: AuthedRequest) -> tuple[SegmentForm, str, SegmentParams]:
    """The form of the page, the kind of analysis and the window asked for."""
    form = SegmentForm(request.GET or None)
    kind = "abc"
    params = inputs.segment_params({})
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data.get("kind") or "abc"
        try:
            params = inputs.segment_params(form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
    return form, kind, params


def _segment_save(
    request: AuthedRequest, save_form: SegmentSaveForm, kind: str, params: SegmentParams
) -> HttpResponse | None:
    """Save the chosen classes as a named segment (a POST); the redirect to it, or None."""
    if request.method != "POST" or not save_form.is_valid():
        return None
    try:
        segment = services.segment_save(
            actor=request.user,
            name=save_form.cleaned_data["name"],
            kind=kind,
            classes=save_form.cleaned_data["classes"],
            params=params,
        )
    except DomainError as error:
        save_form.add_error(None, error.message)
        return None
    messages.success(request, _("Segment saved: %(count)s clients.") % {"count": segment.size})
    return redirect("analytics:saved_segment", pk=segment.pk)


def _segments_xlsx(request: AuthedRequest, kind: str, params: SegmentParams) -> HttpResponse:
    """Every visible client of the window with its classes, as a spreadsheet."""
    clients = segment_clients(actor=request.user, params=params)
    headers = [
        _("Client"),
        _("Revenue"),
        _("Purchases"),
        "ABC",
        _("Cumulative share"),
        "XYZ",
        _("Variation"),
        _("Days since last purchase"),
        "R",
        "F",
        "M",
    ]
    return _xlsx(
        f"segments-{kind}",
        headers,
        (
            [
                c.name,
                c.revenue,
                c.orders,
                c.abc,
                c.cumulative_share,
                c.xyz,
                c.variation,
                c.recency_days,
                c.r,
                c.f,
                c.m,
            ]
            for c in clients
        ),
    )


def _segments_listed(
    request: AuthedRequest, kind: str, params: SegmentParams
) -> tuple[list[dict[str, Any]], Any]:
    """The summary per class and the page of clients: a reader of every client reads the
    client rollups (only the shown page's clients), anyone else the raw won deals."""
    number = request.GET.get("page") or "1"
    first = (int(number) - 1) * 50 if number.isdigit() and int(number) > 0 else 0
    fast = segment_page(actor=request.user, params=params, kind=kind, offset=first, limit=50)
    listed: Any
    if fast is not None:
        classes, listed = fast.summary, fast
    else:
        listed = segment_clients(actor=request.user, params=params)
        classes = summary(listed, kind)
    return classes, request_page(request, listed, 50)


def _segments_chart(classes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 5, "right": 5, "top": 20, "bottom": 5, "containLabel": True},
        "xAxis": {"type": "category", "data": [c["segment"] for c in classes]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": _("Revenue"), "type": "bar", "data": [float(c["revenue"]) for c in classes]}
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def segments_page(request: AuthedRequest) -> HttpResponse:
    form, kind, params = _segment_choice(request)
    save_form = SegmentSaveForm(request.POST or None, kind=kind)
    saved = _segment_save(request, save_form, kind, params)
    if saved is not None:
        return saved
    if request.GET.get("export") == "xlsx":
        return _segments_xlsx(request, kind, params)
    classes, page = _segments_listed(request, kind, params)
    base = request.GET.copy()
    base.pop("page", None)
    start, end = window_of(params)
    return render(
        request,
        "analytics/segments.html",
        {
            "title": _("Segments ABC/XYZ/RFM"),
            "form": form,
            "save_form": save_form,
            "kind": kind,
            "kinds": KINDS,
            "classes": classes,
            "page": page,
            "base_params": base.urlencode(),
            "definition": definitions(kind, params),
            "date_from": start,
            "date_to": end,
            "chart": _segments_chart(classes),
            "saved": selectors.segment_list(actor=request.user)[:20],
            "export_url": _export_url(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def saved_segment_page(request: AuthedRequest, pk: int) -> HttpResponse:
    segment = selectors.segment_get(actor=request.user, pk=pk)
    if request.method == "POST":
        services.segment_delete(actor=request.user, segment=segment)
        messages.success(request, _("Segment deleted."))
        return redirect("analytics:segments")
    companies = Company.objects.filter(pk__in=segment.company_ids).order_by("name")
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            "segment",
            [_("Client"), _("INN"), _("Region"), _("E-mail"), _("Phone")],
            ([c.name, c.inn, c.region, c.email, c.phone] for c in companies),
        )
    page = request_page(request, companies)
    return render(
        request,
        "analytics/saved_segment.html",
        {
            "title": segment.name,
            "segment": segment,
            "page": page,
            "base_params": "",
            "export_url": _export_url(request),
        },
    )


# --- Competitors ---


@login_required
def competitors_page(request: AuthedRequest) -> HttpResponse:
    items = competitor_portfolio(actor=request.user)
    if request.GET.get("export") == "xlsx":
        return _xlsx(
            "competitors",
            [
                _("Competitor"),
                _("Price level"),
                _("Assortment"),
                _("Special conditions"),
                _("Marketing activity"),
                _("Clients"),
                _("Deals won"),
                _("Deals lost"),
                _("Lost amount"),
                _("Last met"),
            ],
            (
                [
                    i.competitor.name,
                    i.competitor.get_price_level_display(),
                    i.competitor.assortment,
                    i.competitor.special_conditions,
                    i.competitor.marketing_activity,
                    i.clients,
                    i.won,
                    i.lost,
                    i.lost_amount,
                    i.last_met,
                ]
                for i in items
            ),
        )
    return render(
        request,
        "analytics/competitors.html",
        {"title": _("Competitors"), "items": items, "export_url": _export_url(request)},
    )


@login_required
def competitor_deals_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The visible lost deals that met a competitor."""
    competitor = crm_selectors.competitor_get(actor=request.user, pk=pk)
    deals = (
        lost_to(actor=request.user, competitor=competitor)
        .select_related("company", "responsible")
        .order_by("-closed_at", "-pk")
    )
    page = request_page(request, deals)
    return render(
        request,
        "analytics/figure_deals.html",
        {
            "title": _("Deals lost where %(name)s was met") % {"name": competitor.name},
            "page": page,
            "base_params": "",
            "date_label": _("Closed"),
        },
    )


# --- Cost prices ---


@login_required
@require_http_methods(["GET", "POST"])
def costs_page(request: AuthedRequest) -> HttpResponse:
    form = CostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.product_cost_set(
                actor=request.user,
                product=form.cleaned_data["product"],
                cost=form.cleaned_data["cost"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Cost price saved."))
            return redirect("analytics:costs")
    costs = {c.product_id: c.cost for c in ProductCost.objects.all()}
    products = list(Product.objects.select_related("group").order_by("name", "pk"))
    for product in products:
        product.cost_price = costs.get(product.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "analytics/costs.html",
        {
            "title": _("Cost prices"),
            "form": form,
            "products": products,
            "may_edit": request.user.has_role(*services.COST_ROLES),
            "zero": Decimal(0),
        },
    )


# --- NPS ----------------------------------------------------------------------------------------


def _nps_link(start: date, end: date, kind: str = "") -> str:
    params = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    if kind:
        params["kind"] = kind
    return f"{reverse('analytics:nps')}?{urlencode(params)}#answers"


def nps_summary(actor: Any, start: date, end: date) -> dict[str, Any]:
    """The NPS of a period with both comparisons; every number links to its answers."""
    figures = nps_periods(actor=actor, date_from=start, date_to=end)
    changes = nps_changes(figures)
    labels = _period_labels()
    rows: list[dict[str, Any]] = [
        {
            "key": "nps",
            "label": _("NPS"),
            "cells": [
                {
                    "value": f.nps,
                    "link": _nps_link(f.date_from, f.date_to),
                    "delta": changes.get(f.key),
                }
                for f in figures
            ],
        }
    ]
    rows.extend(
        {
            "key": kind,
            "label": NPS_KIND_LABELS[kind],
            "cells": [
                {"value": getattr(f, kind), "link": _nps_link(f.date_from, f.date_to, kind)}
                for f in figures
            ],
        }
        for kind in NPS_KINDS
    )
    rows.append(
        {
            "key": "responses",
            "label": _("Answers"),
            "cells": [
                {"value": f.responses, "link": _nps_link(f.date_from, f.date_to)} for f in figures
            ],
        }
    )
    return {
        "headers": [labels[f.key] for f in figures],
        "rows": rows,
        "figures": [f.as_dict() for f in figures],
    }


def _nps_period(request: AuthedRequest) -> tuple[NpsPeriodForm, date, date]:
    """The period form of the NPS page and its dates (the last DEFAULT_DAYS when it is empty
    or invalid; the form then carries the error)."""
    today = timezone.localdate()
    default = today - timedelta(days=DEFAULT_DAYS - 1), today
    period = NpsPeriodForm(request.GET or None, initial={"date_from": default[0], "date_to": today})
    if period.is_bound and not period.is_valid():
        return period, *default
    cleaned = period.cleaned_data if period.is_bound else period.initial
    try:
        start, end = inputs.period(cleaned.get("date_from"), cleaned.get("date_to"))
    except DomainError as error:
        period.add_error(None, error.message)
        return period, *default
    return period, start, end


def _nps_record_form(request: AuthedRequest) -> NpsRecordForm:
    """The form recording an answer (or making a survey link) for one of the 200 deals won
    last that the user sees."""
    won = scope_records(Deal.objects.filter(status=DealStatus.WON), actor=request.user)
    recent = list(won.order_by("-closed_at", "-pk").values_list("pk", flat=True)[:200])
    deals = Deal.objects.filter(pk__in=recent).select_related("company").order_by("-closed_at")
    return NpsRecordForm(request.POST or None, deals=deals)


def _nps_submit(request: AuthedRequest, form: NpsRecordForm) -> tuple[str, HttpResponse | None]:
    """A valid posted form: a survey link (returned, to show) or a recorded answer (a
    redirect); a refusal becomes the form's error."""
    deal = form.cleaned_data["deal"]
    contact = deal.contacts.order_by("pk").first()
    contact_id = contact.pk if contact else None
    try:
        if request.POST.get("action") == "link":
            survey = services.nps_survey_create(
                actor=request.user, deal_id=deal.pk, contact_id=contact_id
            )
            messages.success(request, _("The survey link is ready: send it to the client."))
            link = reverse("analytics:nps_answer", args=[survey.token])
            return request.build_absolute_uri(link), None
        services.nps_record(
            actor=request.user,
            deal_id=deal.pk,
            contact_id=contact_id,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return "", None
    messages.success(request, _("The answer is recorded."))
    return "", redirect(request.get_full_path())


def _nps_xlsx(listed: Any) -> HttpResponse:
    """The answers of the page (10 000 at most) as a workbook."""
    return _xlsx(
        "nps",
        [_("Answered"), _("Score"), _("Deal"), _("Client"), _("Responsible"), _("Comment")],
        (
            [
                timezone.localtime(s.answered_at).strftime("%Y-%m-%d %H:%M")
                if s.answered_at
                else "",
                s.score,
                s.deal.title if s.deal else "",
                s.company.name if s.company else "",
                str(s.responsible or ""),
                s.comment,
            ]
            for s in listed[:10_000]
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def nps_page(request: AuthedRequest) -> HttpResponse:
    period, start, end = _nps_period(request)
    form = _nps_record_form(request)
    created_link = ""
    if request.method == "POST" and form.is_valid():
        created_link, done = _nps_submit(request, form)
        if done is not None:
            return done
    kind = request.GET.get("kind", "")
    kind = kind if kind in NPS_KINDS else ""
    listed = nps_answers(actor=request.user, date_from=start, date_to=end, kind=kind or None)
    if request.GET.get("export") == "xlsx":
        return _nps_xlsx(listed)
    return render(
        request,
        "analytics/nps.html",
        {
            "title": _("NPS"),
            "period": period,
            "form": form,
            "created_link": created_link,
            "summary": nps_summary(request.user, start, end),
            "by_manager": nps_by(
                actor=request.user, date_from=start, date_to=end, by="responsible"
            ),
            "by_team": nps_by(actor=request.user, date_from=start, date_to=end, by="team"),
            "page": request_page(request, listed, 50),
            "kind": kind,
            "kind_labels": {k: str(v) for k, v in NPS_KIND_LABELS.items()},
            "export_url": _export_url(request),
            "start": start,
            "end": end,
        },
    )


@require_http_methods(["GET", "POST"])
def nps_answer_page(request: Any, token: str) -> HttpResponse:
    """The public page of a survey link: one answer, no sign-in."""
    try:
        survey = selectors.nps_by_token(token)
    except DomainError:
        return render(request, "analytics/nps_answer.html", {"missing": True}, status=404)
    form = NpsAnswerForm(request.POST or None)
    done = survey.answered_at is not None
    if request.method == "POST" and not done and form.is_valid():
        try:
            services.nps_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
            done = True
        except DomainError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "analytics/nps_answer.html",
        {"form": form, "done": done, "survey": survey, "scores": list(range(11))},
    )


# --- the funnel from the rollups ------------------------------------------------------------


@login_required
def funnel_overview_page(request: AuthedRequest) -> HttpResponse:
    """The funnel of a pipeline with the measures of seed 000, all time by default."""
    pipelines = list(pipeline_list())
    chosen = next(
        (p for p in pipelines if str(p.pk) == request.GET.get("pipeline")),
        pipeline_default() or (pipelines[0] if pipelines else None),
    )
    period = NpsPeriodForm(request.GET or None)
    start = end = None
    if period.is_bound and period.is_valid():
        start, end = period.cleaned_data.get("date_from"), period.cleaned_data.get("date_to")
        if start and end and end < start:
            period.add_error(None, _("The end of the period is before its start."))
            start = end = None
    summary = (
        rollup_funnel(actor=request.user, pipeline=chosen, date_from=start, date_to=end)
        if chosen
        else None
    )
    deals_url = reverse("sales:deal_list")
    return render(
        request,
        "analytics/funnel.html",
        {
            "title": _("Funnel overview"),
            "period": period,
            "pipelines": pipelines,
            "chosen": chosen,
            "summary": summary,
            "deals_url": deals_url,
            "state": cursor_state(),
            "operator": is_admin(request.user) or request.user.is_staff,
        },
    )
