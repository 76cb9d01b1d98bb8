"""HTML views of sales: kanban, deal list and card, leads, pipelines, the public web form."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import can_write, require_write, scope_users
from greenwave.bpm.library.texts import library_text
from greenwave.core.create_pages import create_view
from greenwave.core.crud import Back, form_view, saving, to_page
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.event_labels import activity_label
from greenwave.core.form_posts import show_on_top
from greenwave.core.forms import initial_of
from greenwave.core.guards import admin_required
from greenwave.core.list_pages import ListPage
from greenwave.core.listing import ListQuery
from greenwave.core.money import CURRENCY_SYMBOLS
from greenwave.core.ratelimit import rate_limited
from greenwave.core.selectors import event_list_for_object
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Product, Segment
from greenwave.crm.tabular import write_csv

from . import selectors, services
from .contracts import contract_next_step
from .forms import (
    ApprovalForm,
    CloserHandoffForm,
    ConvertForm,
    DealEditForm,
    DealForm,
    DealItemForm,
    DiscountRulesForm,
    DisqualifyForm,
    DocumentForm,
    FunnelForm,
    LeadForm,
    LoseForm,
    LossReasonForm,
    PipelineForm,
    PriceListForm,
    StageForm,
    WebLeadForm,
    checklist_choices,
)
from .funnel import funnel
from .gates import evaluate_stage, unmet
from .lead_import import (
    lead_import_apply,
    lead_import_headers,
    lead_import_plan,
    lead_import_sample_table,
)
from .models import Lead, LeadSource, LeadStatus, Stage
from .periods import PeriodFigures, period_over_period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _users(actor: User) -> Any:
    return scope_users(User.objects.filter(is_active=True), actor=actor)


def _board_context(request: AuthedRequest, pipeline_id: str | None) -> dict[str, Any]:
    pipeline = (
        selectors.pipeline_get(pk=int(pipeline_id))
        if pipeline_id and pipeline_id.isdigit()
        else selectors.pipeline_default()
    )
    if pipeline is None:
        return {"board": None, "pipelines": selectors.pipeline_list()}
    query = ListQuery.from_params(
        {k: v for k, v in request.GET.items() if k != "pipeline"},
        selectors.DEAL_LIST_SPEC,
        page_size=1,
        max_page_size=1,
    )
    return {
        "board": selectors.deal_board(actor=request.user, pipeline=pipeline, query=query),
        "pipelines": selectors.pipeline_list(),
        "filters": query.filters,
        "responsibles": _users(request.user),
        "products": Product.objects.filter(is_active=True).only("pk", "name"),
        "teams": Team.objects.only("pk", "name"),
    }


@login_required
def board(request: AuthedRequest) -> HttpResponse:
    try:
        context = _board_context(request, request.GET.get("pipeline"))
    except DomainError as exc:
        messages.warning(request, exc.message)
        return redirect("sales:board")
    template = (
        "sales/partials/board.html" if request.headers.get("HX-Request") else "sales/board.html"
    )
    return render(request, template, {"title": _("Deals"), **context})


@login_required
@require_POST
def deal_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Kanban drop or card form: move, and answer with the re-rendered board or card."""
    deal = selectors.deal_get(actor=request.user, pk=pk)
    require_write(request.user, deal)  # a refusal is a 403 page, not a flash message
    stage = Stage.objects.filter(pk=request.POST.get("stage") or 0).first()
    version = request.POST.get("version")
    try:
        if stage is None:
            raise DomainError(CoreError.VALIDATION, _("Choose a stage."))
        services.deal_move(
            actor=request.user,
            deal=deal,
            stage=stage,
            expected_version=int(version) if version and version.isdigit() else None,
            override_comment=request.POST.get("override_comment", ""),
        )
        feedback = {
            "ok": True,
            "message": _("%(deal)s moved to %(stage)s.") % {"deal": deal, "stage": stage},
        }
    except DomainError as exc:
        feedback = {"ok": False, "message": exc.message, "missing": exc.details.get("missing", [])}
    if request.POST.get("from") == "board":
        context = _board_context(request, str(deal.pipeline_id))
        return render(request, "sales/partials/board.html", {**context, "feedback": feedback})
    (messages.success if feedback["ok"] else messages.error)(request, str(feedback["message"]))
    return redirect("sales:deal_detail", pk=pk)


deal_list = ListPage.of(
    selectors,
    "deal",
    gettext_lazy("Deal list"),
    empty=gettext_lazy("No deals yet."),
    create=gettext_lazy("New deal"),
).view()


@login_required
def deal_create(request: AuthedRequest) -> HttpResponse:
    form = DealForm(
        request.POST or None,
        users=_users(request.user),
        companies=crm_selectors.company_list(actor=request.user),
        initial={
            "pipeline": selectors.pipeline_default(),
            "responsible": request.user,
            "company": request.GET.get("company"),
        },
    )
    return form_view(
        request,
        form,
        saving(request, services.deal_create),
        title=_("New deal"),
        back=Back(reverse("sales:board"), _("Deals")),
        done=to_page("sales:deal_detail"),
        message=_("Deal created."),
        show_error=show_on_top,
    )


@login_required
def deal_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get(actor=request.user, pk=pk)
    gate = evaluate_stage(deal, deal.stage)
    stages = list(deal.pipeline.stages.all())
    approval_kinds = services.approval_kinds_for(request.user)
    runs = services.deal_process_runs(deal=deal)
    context = {
        "title": str(deal),
        "deal": deal,
        **Back(reverse("sales:board") + f"?pipeline={deal.pipeline_id}", _("Deals")).context(),
        "gate": gate,
        "stages": stages,
        # «Mark as won» only where it can succeed: the last stage with its output met.
        "can_win": bool(stages) and stages[-1].pk == deal.stage_id and not unmet(gate),
        "edit_form": DealEditForm(
            initial={
                "title": deal.title,
                "amount": deal.amount,
                "expected_close_date": deal.expected_close_date,
                "description": deal.description,
            }
        ),
        "lose_form": LoseForm(pipeline=deal.pipeline),
        "document_form": DocumentForm(),
        "approval_form": ApprovalForm(kinds=approval_kinds) if approval_kinds else None,
        "item_form": DealItemForm(),
        "price_list_form": PriceListForm(initial={"price_list": deal.price_list}),
        "discount_form": DiscountRulesForm(),
        "documents": deal.documents.all(),
        "approvals": deal.approvals.select_related("approved_by"),
        "timeline": event_list_for_object(object_type="deal", object_id=deal.pk)[:50],
        "can_override": request.user.is_greenwave_admin or request.user.has_role("head_of_sales"),
        # A reader (a lawyer, another team's head) sees the card without the forms they would
        # only be refused on; approvals and documents stay theirs (READER_ACTIONS).
        "can_change": can_write(request.user, deal),
        "processes": services.deal_processes() if deal.status == "open" else [],
        "process_runs": runs,
        "approved_runs": any(r.outcome == "approved" for r in runs),
        "next_step": contract_next_step(deal, gate, runs),
        "closer_handoff": selectors.deal_closer_handoff(deal=deal),
        "handoff_form": CloserHandoffForm(),
    }
    return render(request, "sales/deal_detail.html", context)


@login_required
@require_POST
def deal_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """The card's buttons: edit, win, lose, reopen, attach a document, approve."""
    deal = selectors.deal_get(actor=request.user, pk=pk)
    if action not in READER_ACTIONS:
        require_write(request.user, deal)  # a refusal is a 403 page, not a flash message
    try:
        _run_deal_action(request, deal, action)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales:deal_detail", pk=pk)


# What a reader of the deal may do without the right to change it: approvers approve and
# document keepers attach papers (the services check their roles).
READER_ACTIONS = frozenset({"approve", "document"})


def _cleaned(form: Any, message: str) -> dict[str, Any]:
    """The cleaned data of a valid form; an invalid one is a validation error saying ``message``."""
    if not form.is_valid():
        raise DomainError(CoreError.VALIDATION, message)
    return dict(form.cleaned_data)


def _form_action(
    form_class: type[BaseForm],
    invalid: StrOrPromise,
    service: Callable[..., Any],
    done: StrOrPromise,
) -> Callable[[AuthedRequest, Any], None]:
    """A deal action that is one form: its cleaned data to `service(actor=, deal=, **data)`,
    then `done` flashed; an invalid form is a validation error saying `invalid`."""

    def act(request: AuthedRequest, deal: Any) -> None:
        data = _cleaned(form_class(request.POST, request.FILES), str(invalid))
        service(actor=request.user, deal=deal, **data)
        messages.success(request, str(done))

    return act


def _deal_win(request: AuthedRequest, deal: Any) -> None:
    services.deal_win(actor=request.user, deal=deal)
    messages.success(request, _("The deal is won."))


def _deal_lose(request: AuthedRequest, deal: Any) -> None:
    lose_form = LoseForm(request.POST, pipeline=deal.pipeline)
    reason = lose_form.cleaned_data["reason"] if lose_form.is_valid() else None
    services.deal_lose(
        actor=request.user, deal=deal, reason=reason, comment=request.POST.get("comment", "")
    )
    messages.info(request, _("The deal is lost."))


def _deal_item_remove(request: AuthedRequest, deal: Any) -> None:
    line = deal.items.filter(pk=request.POST.get("item") or 0).first()
    if line is not None:
        services.deal_remove_item(actor=request.user, item=line)
        messages.success(request, _("Line removed."))


def _deal_discount_rules(request: AuthedRequest, deal: Any) -> None:
    data = _cleaned(
        DiscountRulesForm(request.POST), _("Choose the client segment and payment history.")
    )
    deal = services.deal_apply_discount_rules(actor=request.user, deal=deal, **data)
    messages.success(
        request,
        _("The rules chose %(list)s; the deal is re-priced.") % {"list": deal.price_list},
    )


def _deal_reopen(request: AuthedRequest, deal: Any) -> None:
    services.deal_reopen(actor=request.user, deal=deal)
    messages.success(request, _("The deal is reopened."))


def _deal_process(request: AuthedRequest, deal: Any) -> None:
    instance_id = services.deal_process_start(
        actor=request.user, deal=deal, process_key=request.POST.get("process", "")
    )
    messages.success(
        request,
        _("Process started (#%(pk)s): its tasks are in the inboxes.") % {"pk": instance_id},
    )


# The actions of the deal page by the ``action`` field of its forms.
DEAL_ACTIONS: dict[str, Callable[[AuthedRequest, Any], None]] = {
    "edit": _form_action(
        DealEditForm,
        gettext_lazy("Check the deal fields."),
        services.deal_update,
        gettext_lazy("Changes saved."),
    ),
    "win": _deal_win,
    "lose": _deal_lose,
    "item": _form_action(
        DealItemForm,
        gettext_lazy("Choose a product and a positive quantity."),
        services.deal_add_item,
        gettext_lazy("Line added."),
    ),
    "item-remove": _deal_item_remove,
    "price-list": _form_action(
        PriceListForm,
        gettext_lazy("Choose a price list."),
        services.deal_set_price_list,
        gettext_lazy("The deal is re-priced."),
    ),
    "discount-rules": _deal_discount_rules,
    "reopen": _deal_reopen,
    "document": _form_action(
        DocumentForm,
        gettext_lazy("Choose a document kind and its file."),
        services.deal_attach_document,
        gettext_lazy("Document attached."),
    ),
    "process": _deal_process,
    "handoff": _form_action(
        CloserHandoffForm,
        gettext_lazy("Choose a closer."),
        services.closer_handoff,
        gettext_lazy("The deal is handed to the closer."),
    ),
    "approve": _form_action(
        ApprovalForm,
        gettext_lazy("Choose an approval."),
        services.deal_approve,
        gettext_lazy("Approval recorded."),
    ),
}


def _run_deal_action(request: AuthedRequest, deal: Any, action: str) -> None:
    handler = DEAL_ACTIONS.get(action)
    if handler is None:
        raise PermissionDenied
    handler(request, deal)


LEADS = ListPage.of(
    selectors,
    "lead",
    gettext_lazy("Leads"),
    empty=gettext_lazy("No leads yet. Leads arrive from the web form, the API, import or by hand."),
    create=gettext_lazy("New lead"),
)
lead_list = LEADS.view(extra=lambda _request: {"import_url": reverse("sales:lead_import")})
lead_create = create_view(
    LEADS,
    LeadForm,
    services.lead_create,
    message=gettext_lazy("Lead created."),  # a refusal shows next to the field it names (INN)
)


@login_required
def lead_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(actor=request.user, pk=pk)
    open_ = lead.status not in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
    return render(
        request,
        "sales/lead_detail.html",
        {
            "title": str(lead),
            "lead": lead,
            **Back(reverse("sales:lead_list"), _("Leads")).context(),
            "open": open_,
            "can_change": can_write(request.user, lead),
            # the deal went to a hunter of another team: no link to a 404
            "deal_visible": lead.deal_id is not None
            and selectors.deal_list(actor=request.user, lookups=False)
            .filter(pk=lead.deal_id)
            .exists(),
            "disqualify_form": DisqualifyForm(),
            "convert_form": ConvertForm(initial={"pipeline": selectors.pipeline_default()}),
            "reused_contact": open_
            and selectors.lead_conversion_contact(lead=lead, actor=request.user),
            "timeline": event_list_for_object(object_type="lead", object_id=lead.pk)[:50],
        },
    )


@login_required
def lead_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The lead's card by hand: the same service and checks as PATCH /api/v1/leads/{id}."""
    lead = selectors.lead_get(actor=request.user, pk=pk)
    require_write(request.user, lead)  # a reader gets the 403 page, not a form to be refused
    initial = initial_of(lead, LeadForm.base_fields)
    return form_view(
        request,
        LeadForm(request.POST or None, initial=initial),
        saving(request, services.lead_update, lead=lead),
        title=_("Edit lead"),
        back=Back(reverse("sales:lead_detail", args=[lead.pk]), str(lead)),
        done=to_page("sales:lead_detail"),
        message=_("Changes saved."),
    )


def _converted_message(actor: User, lead: Lead) -> str:
    reused = selectors.lead_reused_contact(lead=lead, actor=actor)
    if reused is None:
        return _("Lead converted to a deal.")
    return _(
        "Lead converted to a deal. The base already had this person: the deal is linked to "
        "the existing contact %(name)s."
    ) % {"name": reused.full_name}


@login_required
@require_POST
def lead_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    lead = selectors.lead_get(actor=request.user, pk=pk)
    require_write(request.user, lead)  # a refusal is a 403 page, not a flash message
    try:
        if action in ("mql", "sql"):
            services.lead_qualify(actor=request.user, lead=lead, level=action)
            messages.success(request, _("Lead qualified."))
        elif action == "disqualify":
            form = DisqualifyForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.lead_disqualify(
                actor=request.user,
                lead=lead,
                reason=reason,
                comment=request.POST.get("comment", ""),
            )
            messages.info(request, _("Lead disqualified."))
        elif action == "convert":
            convert_form = ConvertForm(request.POST)
            if convert_form.is_valid():
                deal = services.lead_convert(
                    actor=request.user, lead=lead, **convert_form.cleaned_data
                )
                messages.success(request, _converted_message(request.user, lead))
                return redirect("sales:deal_detail", pk=deal.pk)
            messages.error(request, _("Choose a pipeline and a valid amount."))
        else:
            raise PermissionDenied
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales:lead_detail", pk=pk)


@admin_required
def pipeline_settings(request: AuthedRequest) -> HttpResponse:
    pipelines = list(selectors.pipeline_list(active_only=False))
    labels = dict(checklist_choices())
    processes = {p.key: library_text(p.key, p.name) for p in services.deal_processes()}
    for pipeline in pipelines:
        for stage in pipeline.stages.all():  # prefetched: the template reads the same rows
            stage.checklist_labels = [  # type: ignore[attr-defined]
                labels.get(f"{i['kind']}:{i.get(i['kind'])}")
                or (
                    f"{pgettext('event log', 'Activity')}: {activity_label(i['activity'])}"
                    if i["kind"] == "activity"
                    else f"{i['kind']}: {i.get(i['kind'])}"
                )
                for i in stage.output_checklist or []
            ]
            stage.opening_process_name = processes.get(  # type: ignore[attr-defined]
                stage.opening_process, stage.opening_process
            )
    return render(
        request,
        "sales/pipeline_list.html",
        {
            "title": _("Pipelines"),
            "pipelines": pipelines,
            "web_form_url": request.build_absolute_uri(reverse("sales:web_form")),
        },
    )


def _pipelines() -> Back:
    return Back(reverse("sales:pipeline_settings"), _("Pipelines"))


@admin_required
def stage_edit(request: AuthedRequest, pipeline_pk: int, pk: int | None = None) -> HttpResponse:
    pipeline = selectors.pipeline_get(pk=pipeline_pk)
    stage = pipeline.stages.filter(pk=pk).first() if pk else None
    form = StageForm(
        request.POST or None,
        initial=StageForm.initial_for(stage) if stage else None,
        processes=services.deal_processes(),
        stage=stage,
    )

    def save(data: dict[str, Any]) -> None:
        fields = {k: v for k, v in data.items() if k not in ("checklist", "activities")}
        services.stage_save(
            actor=request.user,
            pipeline=pipeline,
            stage=stage,
            output_checklist=form.checklist_items(),
            **fields,
        )

    return form_view(
        request,
        form,
        save,
        title=stage.label if stage else _("New stage"),
        back=_pipelines(),
        message=_("Stage saved."),
        show_error=show_on_top,
    )


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@csp_replace({"frame-ancestors": ["*"]})
@csrf_exempt  # embedded on other sites; protected by a honeypot and a rate limit instead
@xframe_options_exempt
def web_form(request: HttpRequest) -> HttpResponse:
    """The public lead form (seed 001 «веб-лид»), embeddable with an iframe."""
    form = WebLeadForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST":
        ip = _client_ip(request)
        limited = rate_limited(
            f"web_form:{ip}",
            limit=settings.WEB_FORM_RATE_LIMIT,
            window_seconds=settings.WEB_FORM_RATE_WINDOW,
        )
        if limited:
            return render(
                request, "sales/web_form.html", {"form": form, "limited": True}, status=429
            )
        if form.is_valid():
            if not form.cleaned_data.get("website"):  # a filled honeypot is a bot: thank, drop
                services.lead_from_web_form(data=form.cleaned_data, client_ip=ip)
            return render(request, "sales/web_form.html", {"sent": True})
    return render(request, "sales/web_form.html", {"form": form})


FUNNEL_DEFAULT_DAYS = 90


@login_required
def funnel_page(request: AuthedRequest) -> HttpResponse:
    """Funnel by stage with conversion, time in stage and stuck deals (seed 000)."""
    pipeline = selectors.pipeline_default()
    # The first visit shows the last 90 days (clearing the dates shows all time): a funnel
    # over every event of a large base takes seconds, a quarter's a fraction of that.
    today = timezone.localdate()
    params = request.GET or {
        "pipeline": pipeline.pk if pipeline else "",
        "date_from": (today - timedelta(days=FUNNEL_DEFAULT_DAYS - 1)).isoformat(),
        "date_to": today.isoformat(),
    }
    form = FunnelForm(params)
    rows: list[Any] = []
    if form.is_valid() and form.cleaned_data.get("pipeline"):
        pipeline = form.cleaned_data["pipeline"]
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # All time without a slice: the counts and averages from the daily rollups (the same
    # numbers in milliseconds instead of a scan of the whole log); no medians then.
    all_time = bool(data) and not (
        data.get("date_from") or data.get("date_to") or data.get("group_by")
    )
    if pipeline is not None:
        rows = funnel(
            actor=request.user,
            pipeline=pipeline,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            group_by=data.get("group_by") or None,
            medians=not all_time,
        )
    peak = max((r.entered for r in rows), default=0) or 1
    period_to = data.get("date_to") or today
    period_from = data.get("date_from") or period_to - timedelta(days=29)
    comparison = (
        _comparison_rows(
            period_over_period(
                actor=request.user, date_from=period_from, date_to=period_to, pipeline=pipeline
            )
        )
        if period_from <= period_to
        else None
    )
    return render(
        request,
        "sales/funnel.html",
        {
            "title": _("Sales funnel"),
            "comparison": comparison,
            "form": form,
            "rows": rows,
            "peak": peak,
            "pipeline": pipeline,
            "all_time": all_time and all(r.median_days is None for r in rows),
            "group_names": _group_names(
                rows,
                form.cleaned_data.get("group_by") if form.is_bound and form.is_valid() else None,
            ),
        },
    )


def _comparison_rows(figures: list[PeriodFigures]) -> dict[str, Any]:
    """The period-over-period card: one row per measure, the change against each period."""

    def change(current: Any, other: Any, percent: bool) -> float | None:
        if current is None or other is None:
            return None
        if percent:  # a rate changes by percentage points
            return round((current - other) * 100, 1)
        return round((current - other) * 100 / other, 1) if other else None

    def row(label: str, values: list[Any], percent: bool = False) -> dict[str, Any]:
        cells = [
            {"value": other, "change": change(values[0], other, percent) if n else None}
            for n, other in enumerate(values)
        ]
        return {"label": label, "cells": cells, "percent": percent}

    currencies = sorted({c for f in figures for c in f.won_amount})
    measures = [
        row(_("Deals created"), [f.created for f in figures]),
        row(_("Deals won"), [f.won for f in figures]),
        row(_("Deals lost"), [f.lost for f in figures]),
        row(_("Win rate"), [f.win_rate for f in figures], percent=True),
        *(
            row(
                _("Won, %(currency)s") % {"currency": CURRENCY_SYMBOLS.get(currency, currency)},
                [f.won_amount.get(currency, Decimal(0)) for f in figures],
            )
            for currency in currencies
        ),
    ]
    return {"periods": figures, "rows": measures}


def _group_names(rows: list[Any], group_by: str | None) -> dict[str | None, str]:
    names: dict[str | None, str] = {None: str(_("not set"))}
    values = {r.group for r in rows if r.group}
    if group_by in ("responsible", "team"):
        ids = {int(v) for v in values if v.isdigit()}
        model = Team if group_by == "team" else User
        names.update({str(obj.pk): str(obj) for obj in model.objects.filter(pk__in=ids)})
    elif group_by == "segment":
        names.update({k: str(v) for k, v in Segment.choices})
    elif group_by == "channel":
        names.update({k: str(v) for k, v in LeadSource.choices})
    elif group_by == "product":
        ids = {int(v) for v in values if v.isdigit()}
        names.update({str(p.pk): p.name for p in Product.objects.filter(pk__in=ids)})
    names.update({v: v for v in values if v not in names})
    return names


@login_required
def abandoned(request: AuthedRequest) -> HttpResponse:
    """Clients nobody has worked with for too long, and how many each manager has (seed 004)."""
    return render(
        request,
        "sales/abandoned.html",
        {
            "title": _("Abandoned clients"),
            "by_manager": selectors.abandoned_by_manager(actor=request.user),
            "clients": selectors.abandoned_clients(actor=request.user)[:200],
            "rules": services.sales_settings(),
        },
    )


@admin_required
def pipeline_create(request: AuthedRequest) -> HttpResponse:
    return form_view(
        request,
        PipelineForm(request.POST or None),
        save=lambda data: services.pipeline_create(actor=request.user, **data),
        done=lambda _pipeline: _pipelines().url,
        message=_("Pipeline created: now add its stages."),
        title=_("New pipeline"),
        back=_pipelines(),
        show_error=lambda form, exc: form.add_error("code", exc.message),
    )


@admin_required
@require_POST
def pipeline_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """Settings page buttons: add a loss reason, move a stage up or down."""
    pipeline = selectors.pipeline_get(pk=pk)
    try:
        if action == "loss-reason":
            form = LossReasonForm(request.POST)
            if not form.is_valid():
                raise DomainError(CoreError.VALIDATION, _("Name the loss reason."))
            services.loss_reason_add(actor=request.user, pipeline=pipeline, **form.cleaned_data)
        elif action in ("up", "down"):
            order = [s.pk for s in pipeline.stages.all()]
            stage_id = int(request.POST.get("stage") or 0)
            if stage_id in order:
                i = order.index(stage_id)
                j = i - 1 if action == "up" else i + 1
                if 0 <= j < len(order):
                    order[i], order[j] = order[j], order[i]
                    services.stage_reorder(actor=request.user, pipeline=pipeline, stage_ids=order)
        else:
            raise PermissionDenied
        messages.success(request, _("Pipeline saved."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sales:pipeline_settings")


@login_required
def lead_import(request: AuthedRequest) -> HttpResponse:
    """Upload → preview with every row's problems → import all rows or none."""
    context: dict[str, Any] = {
        "title": _("Import leads"),
        "back_url": reverse("sales:lead_list"),
        "columns": ", ".join(lead_import_headers()),
        "sample_url": reverse("sales:lead_import_sample"),
    }
    upload = request.FILES.get("file")
    encoded = request.POST.get("content", "")
    if request.method == "POST" and (upload or encoded):
        try:
            content = upload.read() if upload else base64.b64decode(encoded)
            name = upload.name if upload else request.POST.get("file_name", "")
            plan = lead_import_plan(content=content, file_name=name or "")
            if request.POST.get("confirm") and not upload:
                created = lead_import_apply(actor=request.user, plan=plan)
                messages.success(request, _("%(n)s leads imported.") % {"n": created})
                return redirect("sales:lead_list")
            context.update(
                plan=plan,
                content=base64.b64encode(content).decode(),
                file_name=name,
            )
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
    return render(request, "sales/lead_import.html", context)


@require_safe
@login_required
def lead_import_sample(request: AuthedRequest) -> HttpResponse:
    """The sample file of the lead import: the columns it recognises and an example row, as the
    `;`-separated UTF-8 CSV that Russian Excel opens (and the import reads back)."""
    headers, row = lead_import_sample_table()
    response = HttpResponse(b"".join(write_csv(headers, [row])), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="import-leads-sample.csv"'
    return response


@login_required
def company_deals(request: AuthedRequest, company_pk: int) -> HttpResponse:
    """The client card's deals (loaded by htmx into the client base's card)."""
    company = crm_selectors.company_get(actor=request.user, pk=company_pk)
    deals = selectors.deal_list(actor=request.user).filter(company=company).order_by("-created_at")
    return render(
        request, "sales/partials/company_deals.html", {"company": company, "deals": deals[:50]}
    )
