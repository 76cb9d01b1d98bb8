"""REST endpoints of the client base (mounted under /api/v1/ by config/api.py).

Lists share their `ListSpec` with the HTML pages; a record outside the actor's scope is a 404.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.accounts.models import Team, User
from greenwave.accounts.selectors import user_get
from greenwave.core.api import Page, list_query, paginate
from greenwave.core.errors import not_found

from . import selectors, services
from .schemas import (
    CompanyIn,
    CompanyOut,
    CompanyPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    DecisionMakerIn,
    DecisionMakerOut,
    DecisionMakerPatch,
    DuplicateOut,
    EventOut,
    ReassignIn,
)

router = Router(tags=["crm"])


def _team(actor: User, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise not_found(_("Team not found."))
    return team


@router.get("/companies", response=Page[CompanyOut], summary="Companies visible to me")
def company_list(request: AuthedRequest) -> Any:
    spec = selectors.COMPANY_LIST_SPEC
    query = selectors.fold_query(list_query(request, spec), "tag")
    return paginate(selectors.company_list(actor=request.user), spec, query)


@router.post("/companies", response={201: CompanyOut})
def company_create(request: AuthedRequest, payload: CompanyIn) -> Any:
    data = payload.dict()
    responsible_id = data.pop("responsible_id")
    responsible = user_get(actor=request.user, pk=responsible_id) if responsible_id else None
    company = services.company_create(actor=request.user, responsible=responsible, **data)
    return Status(201, company)


@router.get("/companies/duplicates", response=list[DuplicateOut])
def company_duplicates(
    request: AuthedRequest, inn: str = "", phone: str = "", email: str = "", name: str = ""
) -> Any:
    return services.company_find_duplicates(
        actor=request.user, inn=inn, phone=phone, email=email, name=name
    )


@router.get("/companies/{company_id}", response=CompanyOut)
def company_detail(request: AuthedRequest, company_id: int) -> Any:
    return selectors.company_get(actor=request.user, pk=company_id)


@router.patch("/companies/{company_id}", response=CompanyOut)
def company_update(request: AuthedRequest, company_id: int, payload: CompanyPatch) -> Any:
    company = selectors.company_get(actor=request.user, pk=company_id)
    fields = payload.dict(exclude_unset=True)
    return services.company_update(actor=request.user, company=company, **fields)


@router.post("/companies/{company_id}/reassign", response=CompanyOut)
def company_reassign(request: AuthedRequest, company_id: int, payload: ReassignIn) -> Any:
    company = selectors.company_get(actor=request.user, pk=company_id)
    responsible = user_get(actor=request.user, pk=payload.responsible_id)
    team = _team(request.user, payload.team_id)
    return services.company_reassign(
        actor=request.user, company=company, responsible=responsible, team=team
    )


@router.get("/companies/{company_id}/history", response=list[EventOut])
def company_history(request: AuthedRequest, company_id: int) -> Any:
    company = selectors.company_get(actor=request.user, pk=company_id)
    return list(selectors.company_history(actor=request.user, company=company)[:200])


@router.get("/companies/{company_id}/decision-makers", response=list[DecisionMakerOut])
def decision_maker_list(request: AuthedRequest, company_id: int) -> Any:
    return list(selectors.company_get(actor=request.user, pk=company_id).decision_makers.all())


@router.post("/companies/{company_id}/decision-makers", response={201: DecisionMakerOut})
def decision_maker_add(request: AuthedRequest, company_id: int, payload: DecisionMakerIn) -> Any:
    company = selectors.company_get(actor=request.user, pk=company_id)
    data = payload.dict()
    contact = selectors.contact_get(actor=request.user, pk=data.pop("contact_id"))
    dm = services.decision_maker_add(actor=request.user, company=company, contact=contact, **data)
    return Status(201, dm)


@router.patch("/decision-makers/{dm_id}", response=DecisionMakerOut)
def decision_maker_update(request: AuthedRequest, dm_id: int, payload: DecisionMakerPatch) -> Any:
    dm = selectors.decision_maker_get(actor=request.user, pk=dm_id)
    fields = payload.dict(exclude_unset=True)
    return services.decision_maker_update(actor=request.user, decision_maker=dm, **fields)


@router.delete("/decision-makers/{dm_id}", response={204: None})
def decision_maker_remove(request: AuthedRequest, dm_id: int) -> Any:
    dm = selectors.decision_maker_get(actor=request.user, pk=dm_id)
    services.decision_maker_remove(actor=request.user, decision_maker=dm)
    return Status(204, None)


@router.get("/contacts", response=Page[ContactOut], summary="Contacts visible to me")
def contact_list(request: AuthedRequest) -> Any:
    spec = selectors.CONTACT_LIST_SPEC
    query = selectors.fold_query(list_query(request, spec))
    return paginate(selectors.contact_list(actor=request.user), spec, query)


@router.post("/contacts", response={201: ContactOut})
def contact_create(request: AuthedRequest, payload: ContactIn) -> Any:
    data = payload.dict()
    company_id = data.pop("company_id")
    company = selectors.company_get(actor=request.user, pk=company_id) if company_id else None
    contact = services.contact_create(actor=request.user, company=company, **data)
    return Status(201, contact)


@router.get("/contacts/{contact_id}", response=ContactOut)
def contact_detail(request: AuthedRequest, contact_id: int) -> Any:
    return selectors.contact_get(actor=request.user, pk=contact_id)


@router.patch("/contacts/{contact_id}", response=ContactOut)
def contact_update(request: AuthedRequest, contact_id: int, payload: ContactPatch) -> Any:
    contact = selectors.contact_get(actor=request.user, pk=contact_id)
    fields = payload.dict(exclude_unset=True)
    company: Any = False
    if "company_id" in fields:
        company_id = fields.pop("company_id")
        company = selectors.company_get(actor=request.user, pk=company_id) if company_id else None
    return services.contact_update(actor=request.user, contact=contact, company=company, **fields)


@router.get("/contacts/{contact_id}/history", response=list[EventOut])
def contact_history(request: AuthedRequest, contact_id: int) -> Any:
    contact = selectors.contact_get(actor=request.user, pk=contact_id)
    return list(selectors.contact_history(actor=request.user, contact=contact)[:200])
