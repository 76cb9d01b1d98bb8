"""REST endpoints of the sales app: pipelines, deals (move/win/lose), leads."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import User
from greenwave.accounts.selectors import user_get
from greenwave.core.api import (
    IsoDate,
    Page,
    document_list,
    list_query,
    object_response,
    page_response,
    scoped_row_of_id,
)
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import CoreError, DomainError
from greenwave.crm.selectors import company_get, contact_get, price_list_get, product_get

from . import selectors, services
from .funnel import GROUPS, funnel
from .gates import GateItem, evaluate_stage
from .models import Deal, Lead, LossReason, Pipeline
from .periods import check_period_order, period_over_period
from .schemas import (
    ApproveIn,
    CloserHandoffIn,
    CloserHandoffOut,
    ConvertIn,
    DealIn,
    DealItemIn,
    DealOut,
    DealPatch,
    DealPriceListIn,
    DealProcessIn,
    DealProcessRunOut,
    DealProcessStartedOut,
    DisqualifyIn,
    DocumentIn,
    FunnelOut,
    GateItemOut,
    LeadIn,
    LeadOut,
    LeadPatch,
    LoseIn,
    MoveIn,
    PeriodOverPeriodOut,
    PipelineOut,
    QualifyIn,
    StageOut,
    StageParticipantsIn,
    StageProcessIn,
    WinIn,
    deal_out_dict,
    deal_out_of_row,
)

router = Router(tags=["sales"])
ENDPOINTS = Endpoints(router, __name__)
# The deal as its plain handlers answer it (no lookups joined); a write answers it read again.
DEAL = Entity(
    Deal,
    "deal",
    partial(selectors.deal_get, lookups=False),
    update=services.deal_update,
    reread=True,
)
LEAD = Entity(Lead, "lead", selectors.lead_get, update=services.lead_update)


def _pipeline(pk: int | None, *, with_stages: bool = True) -> Pipeline:
    if pk is None:
        default = selectors.pipeline_default(with_stages=with_stages)
        if default is None:
            raise DomainError(CoreError.NOT_FOUND, _("No pipeline is configured."))
        return default
    return selectors.pipeline_get(pk=pk, with_stages=with_stages)


def _stage(pipeline_id: int, stage_id: int) -> dict[str, Any]:
    """The pipeline and the stage a stage endpoint names (the service checks they belong)."""
    return {
        "pipeline": _pipeline(pipeline_id, with_stages=False),
        "stage": selectors.stage_get(pk=stage_id),
    }


def _user(actor: User, pk: int | None) -> User | None:
    if pk is None or pk == actor.pk:  # everyone sees themselves: no lookup
        return actor if pk is not None else None
    return user_get(actor=actor, pk=pk)


@router.get("/pipelines", response=list[PipelineOut], summary="Pipelines with their stages")
def pipelines(request: AuthedRequest) -> Any:
    return list(selectors.pipeline_list())


@router.get("/pipelines/{pipeline_id}", response=PipelineOut)
def pipeline_detail(request: AuthedRequest, pipeline_id: int) -> Any:
    return selectors.pipeline_get(pk=pipeline_id)


@router.get(
    "/deals",
    response=Page[DealOut],
    summary="Deals visible to me",
    openapi_extra=document_list(selectors.DEAL_LIST_SPEC),
)
def deals(request: AuthedRequest) -> Any:
    query = list_query(request, selectors.DEAL_LIST_SPEC)
    page = selectors.deal_page_rows(actor=request.user, query=query)
    # Rendered from plain rows: no model per deal, nothing validated or dumped again.
    return page_response(
        request,
        items=[deal_out_dict(row) for row in page.rows],
        count=page.count,
        page=page.page,
        page_size=page.page_size,
        next=page.next,
    )


@router.post("/deals", response={201: DealOut})
def deal_create(request: AuthedRequest, payload: DealIn) -> Any:
    actor = request.user
    first = None
    if payload.stage_id is None:  # the first stage with its pipeline, kept between requests
        first = selectors.stage_first_kept(actor=actor, pipeline_id=payload.pipeline_id)
    pipeline = (
        first.pipeline if first is not None else _pipeline(payload.pipeline_id, with_stages=False)
    )
    stage = selectors.stage_get(pk=payload.stage_id) if payload.stage_id else first
    responsible = _user(actor, payload.responsible_id)
    company = scoped_row_of_id(company_get, actor, payload.company_id)
    contacts = [contact_get(actor=actor, pk=pk) for pk in payload.contact_ids]
    deal = services.deal_create(
        actor=actor,
        title=payload.title,
        pipeline=pipeline,
        stage=stage,
        amount=payload.amount,
        currency=payload.currency,
        expected_close_date=payload.expected_close_date,
        responsible=responsible,
        description=payload.description,
        company=company,
        contacts=contacts,
    )
    row = selectors.deal_created_row(deal=deal, contacts=contacts)
    if row is None:
        return Status(201, selectors.deal_get(actor=actor, pk=deal.pk, lookups=False))
    # Rendered from the row: no `DealOut` validated from the model and dumped again.
    return object_response(request, deal_out_dict(row), status=201)


ENDPOINTS.detail("/deals/{deal_id}", DEAL.get, DealOut)


@router.patch("/deals/{deal_id}", response=DealOut)
def deal_patch(request: AuthedRequest, deal_id: int, payload: DealPatch) -> Any:
    version = payload.version
    return DEAL.patch(request, deal_id, payload, exclude={"version"}, expected_version=version)


@router.get("/deals/{deal_id}/gate", response=list[GateItemOut], summary="Output of its stage")
def deal_gate(request: AuthedRequest, deal_id: int) -> Any:
    deal = DEAL.row(request, deal_id)
    return [item.as_dict() for item in evaluate_stage(deal, deal.stage)]


@router.post("/deals/{deal_id}/move", response=DealOut, summary="Move to a stage (gated)")
def deal_move(request: AuthedRequest, deal_id: int, payload: MoveIn) -> Any:
    moved = services.deal_move(  # reads the deal (under its lock) and the stage by their ids
        actor=request.user,
        deal=deal_id,
        stage=payload.stage_id,
        expected_version=payload.version,
        override_comment=payload.override_comment,
    )
    return deal_out_of_row(selectors.deal_written_row(moved))


@router.get(
    "/deals/{deal_id}/processes", response=list[DealProcessRunOut], summary="Its process runs"
)
def deal_process_runs(request: AuthedRequest, deal_id: int) -> Any:
    deal = DEAL.row(request, deal_id)
    return services.deal_process_runs(deal=deal)


@router.post(
    "/deals/{deal_id}/processes",
    response={201: DealProcessStartedOut},
    summary="Start a deal process (e.g. contract_approval) bound to this deal",
)
def deal_process_start(request: AuthedRequest, deal_id: int, payload: DealProcessIn) -> Any:
    deal = DEAL.row(request, deal_id)
    pk = services.deal_process_start(actor=request.user, deal=deal, process_key=payload.key)
    return Status(201, {"instance_id": pk})


@router.put(
    "/pipelines/{pipeline_id}/stages/{stage_id}/process",
    response=StageOut,
    summary="Name the process a deal entering the stage starts (admin)",
)
def stage_process(
    request: AuthedRequest, pipeline_id: int, stage_id: int, payload: StageProcessIn
) -> Any:
    return services.stage_set_opening_process(
        actor=request.user, **_stage(pipeline_id, stage_id), opening_process=payload.opening_process
    )


@router.put(
    "/pipelines/{pipeline_id}/stages/{stage_id}/participants",
    response=StageOut,
    summary="Set the roles taking part in the stage and its target conversion, % (admin)",
)
def stage_participants(
    request: AuthedRequest, pipeline_id: int, stage_id: int, payload: StageParticipantsIn
) -> Any:
    return services.stage_set_participants_and_target(
        actor=request.user,
        **_stage(pipeline_id, stage_id),
        participants=[str(role) for role in payload.participants],
        target_conversion=payload.target_conversion,
    )


@router.post("/deals/{deal_id}/win", response=DealOut)
def deal_win(request: AuthedRequest, deal_id: int, payload: WinIn) -> Any:
    return DEAL.act(request, deal_id, services.deal_win, expected_version=payload.version)


@router.post("/deals/{deal_id}/lose", response=DealOut)
def deal_lose(request: AuthedRequest, deal_id: int, payload: LoseIn) -> Any:
    deal = DEAL.row(request, deal_id)
    reason = LossReason.objects.filter(pk=payload.reason_id).first()
    services.deal_lose(
        actor=request.user,
        deal=deal,
        reason=reason,
        comment=payload.comment,
        expected_version=payload.version,
    )
    return DEAL.row(request, deal_id)


ENDPOINTS.action(DEAL, "/deals/{deal_id}/reopen", services.deal_reopen, DealOut)


@router.post(
    "/deals/{deal_id}/closer-handoff",
    response={201: CloserHandoffOut},
    summary="Hand an open deal from the hunter to a closer (once per deal)",
    description="Seed 001: the hunter passes a deal with a formed need to a closer, who closes "
    "it. Without `closer_id` the least loaded closer of the deal's team (else of any team) is "
    "chosen. The closer becomes the responsible; the hunter stays the deal's hunter. A second "
    "hand-over is refused (409 `sales.deal_handed_over`), a closed deal too "
    "(409 `sales.deal_closed`).",
)
def deal_closer_handoff(request: AuthedRequest, deal_id: int, payload: CloserHandoffIn) -> Any:
    deal = DEAL.row(request, deal_id)
    handoff = services.closer_handoff(
        actor=request.user,
        deal=deal,
        closer=_user(request.user, payload.closer_id),
        comment=payload.comment,
    )
    return Status(201, handoff)


@router.post("/deals/{deal_id}/approvals", response={201: GateItemOut})
def deal_approve(request: AuthedRequest, deal_id: int, payload: ApproveIn) -> Any:
    deal = DEAL.row(request, deal_id)
    approval = services.deal_approve(
        actor=request.user, deal=deal, kind=payload.kind, comment=payload.comment
    )
    label = approval.get_kind_display()
    return Status(201, GateItem("approval", approval.kind, label, met=True).as_dict())


def _document_attached(request: AuthedRequest, deal_id: int, **document: Any) -> Any:
    """Attach a document to the deal: 201 with its gate item, met when it has a file."""
    deal = DEAL.row(request, deal_id)
    row = services.deal_attach_document(actor=request.user, deal=deal, **document)
    return Status(201, GateItem("document", row.kind, row.title, met=bool(row.file)).as_dict())


@router.post(
    "/deals/{deal_id}/documents/note",
    response={201: GateItemOut},
    summary="Note a document by title only (it meets no gate until its file is attached)",
)
def deal_document(request: AuthedRequest, deal_id: int, payload: DocumentIn) -> Any:
    return _document_attached(request, deal_id, **payload.dict())


@router.post(
    "/deals/{deal_id}/documents/file",
    response={201: GateItemOut},
    summary="Attach a document with its file (multipart); only such a document meets a gate",
)
def deal_document_file(
    request: AuthedRequest,
    deal_id: int,
    kind: Form[str],
    file: File[UploadedFile],
    title: Form[str] = "",
) -> Any:
    return _document_attached(request, deal_id, kind=kind, title=title, file=file)


ENDPOINTS.list(
    "/leads",
    selectors.lead_list,
    selectors.LEAD_LIST_SPEC,
    LeadOut,
    name="leads",
    summary="Leads visible to me",
)


@router.post("/leads", response={201: LeadOut})
def lead_create(request: AuthedRequest, payload: LeadIn) -> Any:
    data = payload.dict(exclude={"responsible_id", "source", "title"})
    lead = services.lead_create(
        actor=request.user,
        title=payload.title,
        source=payload.source,
        responsible=_user(request.user, payload.responsible_id),
        **data,
    )
    return Status(201, lead)


ENDPOINTS.detail("/leads/{lead_id}", LEAD.get, LeadOut)


@router.patch(
    "/leads/{lead_id}",
    response=LeadOut,
    summary="Change an open lead (only the fields sent)",
    description="Checked as on creation (the INN's length and check digit, the source); "
    "a lead that is converted or disqualified is refused (`sales.lead_closed`). The "
    "responsible changes through the web card's reassignment, not here.",
)
def lead_update(request: AuthedRequest, lead_id: int, payload: LeadPatch) -> Any:
    return LEAD.patch(request, lead_id, payload)


ENDPOINTS.action(
    LEAD, "/leads/{lead_id}/qualify", services.lead_qualify, LeadOut, payload=QualifyIn
)
ENDPOINTS.action(
    LEAD, "/leads/{lead_id}/disqualify", services.lead_disqualify, LeadOut, payload=DisqualifyIn
)


@router.post(
    "/leads/{lead_id}/convert",
    response={201: DealOut},
    description="The client is a company of the base that looks like the lead's, else a new "
    "one. A contact of that client (without a company: of the base) with the lead's person's "
    "name, phone or e-mail is linked to the deal instead of a new contact; the lead's "
    "`lead_converted` event names it in `reused_contact`.",
)
def lead_convert(request: AuthedRequest, lead_id: int, payload: ConvertIn) -> Any:
    lead = LEAD.row(request, lead_id)
    deal = services.lead_convert(
        actor=request.user,
        lead=lead,
        pipeline=_pipeline(payload.pipeline_id),
        title=payload.title,
        amount=payload.amount,
    )
    return Status(201, DEAL.row(request, deal.pk))


@router.get("/analytics/funnel", response=FunnelOut, summary="Funnel by stage from the event log")
def analytics_funnel(
    request: AuthedRequest,
    pipeline: int | None = None,
    date_from: IsoDate | None = Query(None, alias="from"),
    date_to: IsoDate | None = Query(None, alias="to"),
    group_by: str | None = None,
) -> Any:
    if group_by is not None and group_by not in GROUPS:
        raise DomainError(
            CoreError.VALIDATION,
            _("group_by must be one of: %(choices)s.") % {"choices": ", ".join(GROUPS)},
            details={"fields": {"group_by": list(GROUPS)}},
        )
    chosen = _pipeline(pipeline)
    rows = funnel(
        actor=request.user,
        pipeline=chosen,
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
    )
    return {
        "pipeline_id": chosen.pk,
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "stages": [row.as_dict() for row in rows],
    }


@router.get(
    "/analytics/period-over-period",
    response=PeriodOverPeriodOut,
    summary="Deals created, won and lost in a period vs the previous period and a year ago",
)
def analytics_period_over_period(
    request: AuthedRequest,
    date_from: IsoDate = Query(..., alias="from"),
    date_to: IsoDate = Query(..., alias="to"),
    pipeline: int | None = None,
) -> Any:
    check_period_order(date_from, date_to)
    chosen = _pipeline(pipeline) if pipeline is not None else None
    figures = period_over_period(
        actor=request.user, date_from=date_from, date_to=date_to, pipeline=chosen
    )
    return {
        "pipeline_id": chosen.pk if chosen else None,
        "periods": [item.as_dict() for item in figures],
    }


@router.post("/deals/{deal_id}/items", response={201: DealOut}, summary="Add a product line")
def deal_item_add(request: AuthedRequest, deal_id: int, payload: DealItemIn) -> Any:
    deal = DEAL.row(request, deal_id)
    services.deal_add_item(
        actor=request.user,
        deal=deal,
        product=product_get(actor=request.user, pk=payload.product_id),
        quantity=payload.quantity,
        price=payload.price,
    )
    return Status(201, DEAL.row(request, deal_id))


@router.delete("/deals/{deal_id}/items/{item_id}", response=DealOut)
def deal_item_remove(request: AuthedRequest, deal_id: int, item_id: int) -> Any:
    deal = DEAL.row(request, deal_id)
    item = deal.items.filter(pk=item_id).first()
    if item is None:
        raise DomainError(CoreError.NOT_FOUND, _("Line not found."))
    services.deal_remove_item(actor=request.user, item=item)
    return DEAL.row(request, deal_id)


@router.post("/deals/{deal_id}/price-list", response=DealOut, summary="Re-price from a list")
def deal_price_list(request: AuthedRequest, deal_id: int, payload: DealPriceListIn) -> Any:
    deal = DEAL.row(request, deal_id)
    price_list = price_list_get(actor=request.user, pk=payload.price_list_id)
    services.deal_set_price_list(actor=request.user, deal=deal, price_list=price_list)
    return DEAL.row(request, deal_id)
