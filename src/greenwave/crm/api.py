"""REST endpoints of the client base (mounted under /api/v1/ by config/api.py).

Lists share their `ListSpec` with the HTML pages; a record outside the actor's scope is a 404.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import Team
from greenwave.accounts.selectors import user_get
from greenwave.core.api import (
    Page,
    document_list,
    list_query,
    paginate,
    patch_fields,
    row_of_id,
    scoped_row_of_id,
)
from greenwave.core.crud import Entity, created
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import not_found

from . import selectors, services
from .models import (
    ClientProfile,
    Company,
    Competitor,
    Contact,
    DecisionMaker,
    ImportJob,
    PriceList,
    Product,
    ProductGroup,
)
from .schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    CompetitorIn,
    CompetitorOut,
    CompetitorPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    DecisionMakerIn,
    DecisionMakerOut,
    DecisionMakerPatch,
    DuplicateOut,
    HistoryEventOut,
    ImportCheckIn,
    ImportConfirmIn,
    ImportOut,
    MergeIn,
    PresenceIn,
    PresenceOut,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    PriceOut,
    PricesIn,
    ProductGroupIn,
    ProductGroupOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProfileOut,
    ProfilePatch,
    ReassignIn,
)
from .tabular import write_csv, write_xlsx

router = Router(tags=["crm"])
ENDPOINTS = Endpoints(router, __name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The records as the plain handlers reach them: the scoped selector and the services.
COMPANY = Entity(
    Company,
    "company",
    selectors.company_get,
    update=services.company_update,
    delete=services.company_delete,
    restore=services.company_restore,
    history=selectors.company_history,
)
CONTACT = Entity(
    Contact,
    "contact",
    selectors.contact_get,
    delete=services.contact_delete,
    restore=services.contact_restore,
    history=selectors.contact_history,
)
DECISION_MAKER = Entity(
    DecisionMaker,
    "decision_maker",
    selectors.decision_maker_get,
    update=services.decision_maker_update,
    delete=services.decision_maker_remove,
)
COMPETITOR = Entity(
    Competitor,
    "competitor",
    selectors.competitor_get,
    update=services.competitor_update,
    history=selectors.competitor_history,
    reread=True,
)
PRODUCT = Entity(Product, "product", selectors.product_get)
IMPORT = Entity(ImportJob, "job", selectors.import_get)
PRICE_LIST = Entity(
    PriceList,
    "price_list",
    selectors.price_list_get,
    update=services.price_list_update,
    reread=True,
)


def _live_or_deleted(
    request: AuthedRequest, rows: Any, spec: Any, deleted: bool, *folded: str
) -> Any:
    """One page of the live records of `rows(actor=, deleted=)`, or of the soft-deleted ones;
    the search and the `folded` filters lower-cased as stored (`selectors.fold_query`)."""
    query = selectors.fold_query(list_query(request, spec, extra_params=("deleted",)), *folded)
    return paginate(rows(actor=request.user, deleted=deleted), spec, query)


@router.get(
    "/companies",
    response=Page[CompanyOut],
    summary="Companies visible to me",
    openapi_extra=document_list(selectors.COMPANY_LIST_SPEC),
)
def company_list(request: AuthedRequest, deleted: bool = False) -> Any:
    """`?deleted=true` lists the soft-deleted companies (to restore them)."""
    rows, spec = selectors.company_api_list, selectors.COMPANY_LIST_SPEC
    return _live_or_deleted(request, rows, spec, deleted, "tag")


@router.post("/companies", response={201: CompanyOut})
def company_create(request: AuthedRequest, payload: CompanyIn) -> Any:
    data = payload.dict()
    responsible_id = data.pop("responsible_id")
    responsible = scoped_row_of_id(user_get, request.user, responsible_id)
    return created(services.company_create(actor=request.user, responsible=responsible, **data))


@router.get("/companies/duplicates", response=list[DuplicateOut])
def company_duplicates(
    request: AuthedRequest, inn: str = "", phone: str = "", email: str = "", name: str = ""
) -> Any:
    return services.company_find_duplicates(
        actor=request.user, inn=inn, phone=phone, email=email, name=name
    )


# The file of an export (any other `format` is a 400, not silently a CSV).
ExportFormat = Literal["csv", "xlsx"]


def _export_file(request: AuthedRequest, name: str, rows: Any, spec: Any, fmt: ExportFormat) -> Any:
    """The filtered list as `name.xlsx` or `name.csv`."""
    query = list_query(request, spec, extra_params=("format",))
    headers, data = rows(actor=request.user, query=query)
    if fmt == "xlsx":
        response = HttpResponse(write_xlsx(name, headers, data), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(b"".join(write_csv(headers, data)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@router.get(
    "/companies/export",
    summary="The filtered company list as CSV or XLSX",
    openapi_extra=document_list(selectors.COMPANY_LIST_SPEC, paged=False),
)
def company_export(request: AuthedRequest, format: ExportFormat = "csv") -> Any:
    rows, spec = selectors.company_export_rows, selectors.COMPANY_LIST_SPEC
    return _export_file(request, "companies", rows, spec, format)


@router.get(
    "/contacts/export",
    summary="The filtered contact list as CSV or XLSX",
    openapi_extra=document_list(selectors.CONTACT_LIST_SPEC, paged=False),
)
def contact_export(request: AuthedRequest, format: ExportFormat = "csv") -> Any:
    rows, spec = selectors.contact_export_rows, selectors.CONTACT_LIST_SPEC
    return _export_file(request, "contacts", rows, spec, format)


ENDPOINTS.entity(
    COMPANY,
    "/companies/{company_id}",
    *("detail", "update", "delete", "restore"),
    out=CompanyOut,
    patch=CompanyPatch,
)


@router.post("/companies/{company_id}/reassign", response=CompanyOut)
def company_reassign(request: AuthedRequest, company_id: int, payload: ReassignIn) -> Any:
    company = COMPANY.row(request, company_id)
    responsible = user_get(actor=request.user, pk=payload.responsible_id)
    team = row_of_id(Team, payload.team_id, not_found(_("Team not found.")))
    return services.company_reassign(
        actor=request.user, company=company, responsible=responsible, team=team
    )


@router.post("/companies/{company_id}/merge", response=CompanyOut)
def company_merge(request: AuthedRequest, company_id: int, payload: MergeIn) -> Any:
    """Fold a duplicate into this company; its contacts, profile and history move here."""
    target = COMPANY.row(request, company_id)
    source = selectors.company_get(actor=request.user, pk=payload.source_id)
    return services.company_merge(actor=request.user, target=target, source=source)


ENDPOINTS.entity(COMPANY, "/companies/{company_id}", "history", history=HistoryEventOut)


@router.get("/companies/{company_id}/decision-makers", response=list[DecisionMakerOut])
def decision_maker_list(request: AuthedRequest, company_id: int) -> Any:
    return list(COMPANY.row(request, company_id).decision_makers.all())


@router.post("/companies/{company_id}/decision-makers", response={201: DecisionMakerOut})
def decision_maker_add(request: AuthedRequest, company_id: int, payload: DecisionMakerIn) -> Any:
    company = COMPANY.row(request, company_id)
    data = payload.dict()
    contact = selectors.contact_get(actor=request.user, pk=data.pop("contact_id"))
    return created(
        services.decision_maker_add(actor=request.user, company=company, contact=contact, **data)
    )


ENDPOINTS.entity(
    DECISION_MAKER,
    "/decision-makers/{dm_id}",
    *("update", "remove"),
    out=DecisionMakerOut,
    patch=DecisionMakerPatch,
)


@router.get(
    "/contacts",
    response=Page[ContactOut],
    summary="Contacts visible to me",
    openapi_extra=document_list(selectors.CONTACT_LIST_SPEC),
)
def contact_list(request: AuthedRequest, deleted: bool = False) -> Any:
    rows, spec = selectors.contact_api_list, selectors.CONTACT_LIST_SPEC
    return _live_or_deleted(request, rows, spec, deleted)


DUPLICATE_CONTACT_DOC = (
    "A phone or e-mail that another live contact of the base has is refused with 409 "
    "`crm.duplicate`: `details` give the `field`, the `value` and `duplicates` — the existing "
    "contact's id, or `hidden: 1` when it is another team's; the message names it. Send "
    "`allow_duplicate: true` to save anyway (the web form's tick box); the contacts import "
    "skips such rows."
)


@router.post(
    "/contacts",
    response={201: ContactOut},
    summary="Add a contact",
    description=DUPLICATE_CONTACT_DOC,
)
def contact_create(request: AuthedRequest, payload: ContactIn) -> Any:
    data = payload.dict()
    company_id = data.pop("company_id")
    company = scoped_row_of_id(COMPANY.get, request.user, company_id)
    return created(services.contact_create(actor=request.user, company=company, **data))


ENDPOINTS.entity(CONTACT, "/contacts/{contact_id}", "detail", out=ContactOut)


@router.patch(
    "/contacts/{contact_id}",
    response=ContactOut,
    summary="Change a contact (only the fields sent)",
    description="A phone or e-mail the contact gains is checked as on creation. "
    + DUPLICATE_CONTACT_DOC,
)
def contact_update(request: AuthedRequest, contact_id: int, payload: ContactPatch) -> Any:
    contact = CONTACT.row(request, contact_id)
    fields = patch_fields(payload, Contact)
    company: Any = False
    if "company_id" in fields:
        company_id = fields.pop("company_id")
        company = scoped_row_of_id(COMPANY.get, request.user, company_id)
    return services.contact_update(actor=request.user, contact=contact, company=company, **fields)


ENDPOINTS.entity(
    CONTACT,
    "/contacts/{contact_id}",
    *("delete", "restore", "history"),
    out=ContactOut,
    history=HistoryEventOut,
)


# --- Client profile and competitors -------------------------------------------------------


@router.get("/companies/{company_id}/profile", response=ProfileOut)
def profile_detail(request: AuthedRequest, company_id: int) -> Any:
    company = COMPANY.row(request, company_id)
    return selectors.client_profile_of(actor=request.user, company=company) or ProfileOut()


@router.patch("/companies/{company_id}/profile", response=ProfileOut)
def profile_update(request: AuthedRequest, company_id: int, payload: ProfilePatch) -> Any:
    company = COMPANY.row(request, company_id)
    fields = patch_fields(payload, ClientProfile)
    return services.client_profile_update(actor=request.user, company=company, **fields)


@router.get("/companies/{company_id}/competitors", response=list[PresenceOut])
def company_competitors(request: AuthedRequest, company_id: int) -> Any:
    company = COMPANY.row(request, company_id)
    return list(selectors.company_competitors(actor=request.user, company=company))


@router.post("/companies/{company_id}/competitors", response={201: PresenceOut})
def company_competitor_link(request: AuthedRequest, company_id: int, payload: PresenceIn) -> Any:
    company = COMPANY.row(request, company_id)
    competitor = COMPETITOR.row(request, payload.competitor_id)
    presence = services.competitor_link(
        actor=request.user, competitor=competitor, company=company, note=payload.note
    )
    return Status(201, presence)


@router.delete("/companies/{company_id}/competitors/{competitor_id}", response={204: None})
def company_competitor_unlink(request: AuthedRequest, company_id: int, competitor_id: int) -> Any:
    company = COMPANY.row(request, company_id)
    competitor = COMPETITOR.row(request, competitor_id)
    services.competitor_unlink(actor=request.user, competitor=competitor, company=company)
    return Status(204, None)


ENDPOINTS.list(
    "/competitors",
    selectors.competitor_list,
    selectors.COMPETITOR_LIST_SPEC,
    CompetitorOut,
    name="competitor_list",
    shape=selectors.fold_query,
)


ENDPOINTS.create(
    "/competitors", services.competitor_create, CompetitorIn, CompetitorOut, reread=COMPETITOR
)


ENDPOINTS.entity(
    COMPETITOR,
    "/competitors/{competitor_id}",
    *("detail", "update", "history"),
    out=CompetitorOut,
    patch=CompetitorPatch,
    history=HistoryEventOut,
)


# --- Products and price lists -------------------------------------------------------------


def _group(group_id: int | None) -> ProductGroup | None:
    return row_of_id(ProductGroup, group_id, not_found(_("Product group not found.")))


@router.get("/product-groups", response=list[ProductGroupOut])
def product_group_list(request: AuthedRequest) -> Any:
    return list(selectors.product_group_list(actor=request.user))


@router.post("/product-groups", response={201: ProductGroupOut})
def product_group_create(request: AuthedRequest, payload: ProductGroupIn) -> Any:
    parent = _group(payload.parent_id)
    return created(
        services.product_group_create(actor=request.user, name=payload.name, parent=parent)
    )


ENDPOINTS.list(
    "/products",
    selectors.product_list,
    selectors.PRODUCT_LIST_SPEC,
    ProductOut,
    name="product_list",
    shape=selectors.fold_query,
)


@router.post("/products", response={201: ProductOut})
def product_create(request: AuthedRequest, payload: ProductIn) -> Any:
    data = payload.dict()
    group = _group(data.pop("group_id"))
    return created(services.product_create(actor=request.user, group=group, **data))


ENDPOINTS.entity(PRODUCT, "/products/{product_id}", "detail", out=ProductOut)


@router.patch("/products/{product_id}", response=ProductOut)
def product_update(request: AuthedRequest, product_id: int, payload: ProductPatch) -> Any:
    product = PRODUCT.row(request, product_id)
    fields = patch_fields(payload, Product)
    if "group_id" in fields:
        fields["group"] = _group(fields.pop("group_id"))
    return services.product_update(actor=request.user, product=product, **fields)


ENDPOINTS.list(
    "/price-lists",
    selectors.price_list_list,
    selectors.PRICE_LIST_SPEC,
    PriceListOut,
    name="price_list_list",
)


ENDPOINTS.create(
    "/price-lists", services.price_list_create, PriceListIn, PriceListOut, reread=PRICE_LIST
)


ENDPOINTS.entity(
    PRICE_LIST,
    "/price-lists/{price_list_id}",
    *("detail", "update"),
    out=PriceListOut,
    patch=PriceListPatch,
)


@router.get("/price-lists/{price_list_id}/prices", response=list[PriceOut])
def price_list_prices(request: AuthedRequest, price_list_id: int) -> Any:
    price_list = PRICE_LIST.row(request, price_list_id)
    return list(selectors.price_list_prices(actor=request.user, price_list=price_list))


@router.put("/price-lists/{price_list_id}/prices", response=list[PriceOut])
def price_list_prices_set(request: AuthedRequest, price_list_id: int, payload: PricesIn) -> Any:
    price_list = PRICE_LIST.row(request, price_list_id)
    services.prices_set(actor=request.user, price_list=price_list, prices=payload.prices)
    return list(selectors.price_list_prices(actor=request.user, price_list=price_list))


# --- Import and export --------------------------------------------------------------------


@router.post(
    "/imports",
    response={201: ImportOut},
    summary="Upload a CSV/XLSX file to import",
    description="The file is kept and read by the worker: the answer has the status `reading`; "
    "poll `GET /imports/{id}` until `uploaded` (headers and a suggested mapping) or `failed` "
    "(the reason in `message`).",
)
def import_upload(
    request: AuthedRequest,
    file: UploadedFile = File(...),
    kind: str = Form("companies"),
    responsible_id: int | None = Form(None),
) -> Any:
    responsible = scoped_row_of_id(user_get, request.user, responsible_id)
    job = services.import_upload(
        actor=request.user,
        kind=kind,
        file_name=file.name or "import.csv",
        content=file.read(services.MAX_IMPORT_BYTES + 1),
        responsible=responsible,
    )
    return Status(201, job)


ENDPOINTS.detail(
    "/imports/{import_id}", selectors.import_get, ImportOut, summary="Status, report and progress"
)


@router.post(
    "/imports/{import_id}/check",
    response=ImportOut,
    summary="Dry run with a mapping",
    description="The mapping is checked at once; the rows are checked by the worker: the answer "
    "has the status `checking`; poll `GET /imports/{id}` until `checked` (the report) or "
    "`failed`.",
)
def import_check(request: AuthedRequest, import_id: int, payload: ImportCheckIn) -> Any:
    return IMPORT.act(request, import_id, services.import_check, mapping=payload.mapping)


@router.post("/imports/{import_id}/confirm", response=ImportOut, summary="Start the import job")
def import_confirm(request: AuthedRequest, import_id: int, payload: ImportConfirmIn) -> Any:
    IMPORT.act(request, import_id, services.import_confirm, skip_invalid=payload.skip_invalid)
    return IMPORT.row(request, import_id)  # as `GET /imports/{id}` answers it
