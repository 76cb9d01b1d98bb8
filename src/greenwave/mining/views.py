"""Pages of process mining: the process map, variants, conformance (thin: parse, read, render)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import scope_users
from greenwave.bpm.library.texts import library_text
from greenwave.bpm.models import ProcessDefinition
from greenwave.core.case_access import case_type_label
from greenwave.core.durations import duration_text
from greenwave.core.errors import CoreError, DomainError
from greenwave.crm.models import ProductGroup
from greenwave.sales.models import LeadSource, Pipeline

from . import selectors
from .log import DEAL, LEAD, PROCESS, CaseLog, case_log, label_name, present_case_types

CASES_SHOWN = 50
MAX_VARIANTS = 50
MAX_AMOUNT = Decimal(10) ** 15


def page(view: Any) -> Any:
    @wraps(view)
    @login_required
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.code == CoreError.NOT_FOUND:
                raise Http404(exc.message) from exc
            if exc.code == CoreError.PERMISSION_DENIED:
                raise PermissionDenied(exc.message) from exc
            return render(request, "mining/error.html", {"message": exc.message}, status=400)

    return wrapper


def _int(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise DomainError(CoreError.VALIDATION, _("Choose a value from the list."))
    return int(value)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DomainError(CoreError.VALIDATION, _("Enter dates as YYYY-MM-DD.")) from exc


def _amount(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise DomainError(CoreError.VALIDATION, _("Enter the amount as a number.")) from exc
    if not amount.is_finite() or not 0 <= amount < MAX_AMOUNT:
        raise DomainError(CoreError.VALIDATION, _("Enter the amount as a number."))
    return amount


def _filters(request: AuthedRequest) -> tuple[CaseLog, dict[str, Any]]:
    """The log chosen by the filter form: `source` is pipeline:ID, lead, process:KEY, type:T;
    the cases' attributes (amount, lead source, product group) and the chosen variants."""
    get = request.GET
    source = get.get("source", "")[:120]
    kind, _sep, value = source.partition(":")
    args: dict[str, Any] = {"case_type": DEAL}
    if kind == "pipeline":
        args["pipeline_id"] = _int(value)
    elif kind == "process":
        args.update(case_type=PROCESS, process=value)
    elif kind == "type" and value:
        args["case_type"] = value
    elif kind == LEAD:
        args["case_type"] = LEAD
    log = case_log(
        **args,
        date_from=_date(get.get("from")),
        date_to=_date(get.get("to")),
        team_id=_int(get.get("team")),
        user_id=_int(get.get("user")),
        amount_min=_amount(get.get("amount_min")),
        amount_max=_amount(get.get("amount_max")),
        source=get.get("lead_source", "")[:20],
        product_group_id=_int(get.get("product_group")),
        variants=[v[:40] for v in get.getlist("variant")[:MAX_VARIANTS]],
    )
    if not source:
        source = f"pipeline:{log.pipeline.pk}" if log.pipeline else ""
    fields = ("from", "to", "team", "user", "amount_min", "amount_max")
    values = {k: get.get(k, "")[:20] for k in (*fields, "lead_source", "product_group")}
    without = get.copy()
    without.pop("variant", None)
    chosen = {"source": source, "variants": sorted(log.variants), "log": log, **values}
    return log, {**chosen, "without_variants": without.urlencode()}


def _choices(request: AuthedRequest) -> dict[str, Any]:
    actor: User = request.user
    others = [
        (t, case_type_label(t))
        for t in present_case_types()
        if t not in (DEAL, LEAD, "process_instance")
    ]
    keys = ProcessDefinition.objects.order_by("key", "-version").values_list("key", "name")
    processes = dict(reversed(list(keys)))
    return {
        "sources": LeadSource.choices,
        "product_groups": ProductGroup.objects.order_by("name"),
        "pipelines": Pipeline.objects.filter(is_active=True).order_by("order"),
        "processes": [(key, library_text(key, name)) for key, name in sorted(processes.items())],
        "other_types": others,
        "teams": Team.objects.order_by("name"),
        "people": scope_users(User.objects.filter(is_active=True), actor=actor).order_by(
            "last_name", "first_name", "username"
        ),
    }


def _api_query(log: CaseLog) -> str:
    """The same log in the API's parameters (for the export links and the edge's cases)."""
    from urllib.parse import urlencode

    params = {
        "case_type": log.case_type,
        "pipeline": log.pipeline.pk if log.pipeline else "",
        "process": log.process_key,
        "from": log.date_from or "",
        "to": log.date_to or "",
        "team": log.team_id or "",
        "user": log.user_id or "",
        "amount_min": "" if log.amount_min is None else log.amount_min,
        "amount_max": "" if log.amount_max is None else log.amount_max,
        "lead_source": log.source,
        "product_group": log.product_group_id or "",
    }
    pairs = [(k, v) for k, v in params.items() if v != ""]
    pairs += [("variant", v) for v in sorted(log.variants)]
    return urlencode(pairs)


def _deviation_name(log: CaseLog, deviation: str) -> str:
    kind, _sep, activity = deviation.partition(":")
    kinds = {"skipped": _("skipped"), "inserted": _("inserted"), "out_of_order": _("out of order")}
    return f"{kinds.get(kind, kind)}: {label_name(log, activity)}"


@page
def process_map(request: AuthedRequest) -> HttpResponse:
    log, chosen = _filters(request)
    actor = request.user
    graph = selectors.dfg(actor=actor, log=log)
    # The rework loops (a pass over the log's events) and the approvers' waits (every
    # process) come after the map, each from its own request (`map_panel`).
    context = {
        "title": _("Process map"),
        "chosen": chosen,
        "query": _api_query(log),
        "filter_query": request.GET.urlencode(),
        "dfg": graph,
        "map_data": _map_data(graph),
        "bottlenecks": selectors.bottlenecks(actor=actor, log=log, data=graph),
        **_choices(request),
    }
    return render(request, "mining/map.html", context)


def _map_data(graph: dict[str, Any]) -> dict[str, Any]:
    """The map's JSON: the graph, each edge with its median time written out in the reader's
    language (the map's performance labels)."""
    edges = [{**e, "median_text": duration_text(e["median_seconds"])} for e in graph["edges"]]
    return {**graph, "edges": edges}


MAP_PANELS = ("rework", "waits")


@require_GET
@page
def map_panel(request: AuthedRequest, panel: str) -> HttpResponse:
    """One of the map page's slower panels for the same filters: the rework loops of the
    mined cases, or the waiting time per approver across every process."""
    if panel not in MAP_PANELS:
        raise Http404(panel)
    log, _chosen = _filters(request)
    actor = request.user
    context: dict[str, Any] = {"panel": panel}
    if panel == "rework":
        context["rework"] = selectors.rework(actor=actor, log=log)[:10]
    else:
        context["waits"] = selectors.approver_waits(
            actor=actor, date_from=log.date_from, date_to=log.date_to, limit=15
        )
    return render(request, "mining/partials/map_panel.html", context)


@page
def variants(request: AuthedRequest) -> HttpResponse:
    log, chosen = _filters(request)
    data = selectors.variants(actor=request.user, log=log, limit=100)
    context = {
        "title": _("Variants"),
        "chosen": chosen,
        "data": data,
        **_choices(request),
    }
    return render(request, "mining/variants.html", context)


@page
def conformance(request: AuthedRequest) -> HttpResponse:
    log, chosen = _filters(request)
    data = selectors.conformance(actor=request.user, log=log, limit=CASES_SHOWN)
    ids = [c["case_id"] for c in data["case_fitness"]]
    links = selectors.case_refs(actor=request.user, log=log, case_ids=ids)
    for row in data["case_fitness"]:
        row["title"], row["url"] = links[row["case_id"]]
        row["named"] = [_deviation_name(log, d) for d in row["deviations"]]
    overlays: dict[str, dict[str, int]] = {}
    for d in data["deviations"]:
        if d["activity"].startswith("el:"):
            element = overlays.setdefault(d["activity"][3:], {})
            element[d["kind"]] = element.get(d["kind"], 0) + d["count"]
    context = {
        "title": _("Conformance"),
        "chosen": chosen,
        "data": data,
        "definition": log.definition,
        "overlays": overlays,
        **_choices(request),
    }
    return render(request, "mining/conformance.html", context)
