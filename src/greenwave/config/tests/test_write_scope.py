"""«All» access is read access (issue #15, item 2).

Lawyer, finance and accountant read every record (record access *all*) but change only their
own: each class of write on team A's records — through the service, the API and the HTML
view — is refused to them and changes nothing. What their job needs on other teams' deals
(approvals, documents, the tasks given to them) keeps working, and the sales roles keep
writing within their teams.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from greenwave.activities import services as activity_services
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company
from greenwave.sales import services as sales_services
from greenwave.sales.models import DealStatus

from .conftest import World, snapshot

pytestmark = pytest.mark.django_db


def _second_stage(w: World) -> Any:
    return w.pipeline.stages.order_by("order")[1]


def _lose(w: World) -> None:
    sales_services.deal_lose(actor=w.hunter_a, deal=w.deal, reason=w.loss_reason)
    w.deal.refresh_from_db()


@dataclass
class WriteCase:
    name: str
    service: Callable[[World, Any], Any]
    api: Callable[[World], tuple[str, str, dict[str, Any] | None]]
    html: Callable[[World], tuple[str, dict[str, Any]]]
    prepare: Callable[[World], None] = field(default=lambda w: None)

    def __str__(self) -> str:
        return self.name


CASES = [
    WriteCase(
        "rename company",
        lambda w, a: crm_services.company_update(actor=a, company=w.company, name="Renamed"),
        lambda w: ("patch", f"/api/v1/companies/{w.company.pk}", {"name": "Renamed"}),
        lambda w: (f"/clients/companies/{w.company.pk}/edit/", {"name": "Renamed"}),
    ),
    WriteCase(
        "delete company",
        lambda w, a: crm_services.company_delete(actor=a, company=w.company),
        lambda w: ("delete", f"/api/v1/companies/{w.company.pk}", None),
        lambda w: (f"/clients/companies/{w.company.pk}/delete/", {}),
    ),
    WriteCase(
        "hand a company over",
        lambda w, a: crm_services.company_reassign(
            actor=a, company=w.company, responsible=w.hunter_a
        ),
        lambda w: (
            "post",
            f"/api/v1/companies/{w.company.pk}/reassign",
            {"responsible_id": w.head_a.pk},
        ),
        lambda w: (f"/clients/companies/{w.company.pk}/reassign/", {"responsible": w.head_a.pk}),
    ),
    WriteCase(
        "merge companies",
        lambda w, a: crm_services.company_merge(actor=a, target=w.company, source=w.other_company),
        lambda w: (
            "post",
            f"/api/v1/companies/{w.company.pk}/merge",
            {"source_id": w.other_company.pk},
        ),
        lambda w: (f"/clients/companies/{w.company.pk}/merge/", {"source": w.other_company.pk}),
    ),
    WriteCase(
        "edit the client profile",
        lambda w, a: crm_services.client_profile_update(
            actor=a, company=w.company, goals_note="Shrink"
        ),
        lambda w: ("patch", f"/api/v1/companies/{w.company.pk}/profile", {"goals_note": "X"}),
        lambda w: (f"/clients/companies/{w.company.pk}/profile/", {"goals_note": "X"}),
    ),
    WriteCase(
        "edit a contact",
        lambda w, a: crm_services.contact_update(actor=a, contact=w.contact, full_name="Anna K"),
        lambda w: ("patch", f"/api/v1/contacts/{w.contact.pk}", {"full_name": "Anna K"}),
        lambda w: (f"/clients/contacts/{w.contact.pk}/edit/", {"full_name": "Anna K"}),
    ),
    WriteCase(
        "add a decision maker",
        lambda w, a: crm_services.contact_create(
            actor=a, company=w.company, full_name="Ivan Sidorov"
        ),
        lambda w: (
            "post",
            f"/api/v1/companies/{w.company.pk}/decision-makers",
            {"contact_id": w.contact.pk, "role": "CFO"},
        ),
        lambda w: (
            f"/clients/companies/{w.company.pk}/decision-makers/new/",
            {"contact": w.contact.pk, "role": "CFO", "influence_level": 3},
        ),
    ),
    WriteCase(
        "edit a decision maker",
        lambda w, a: crm_services.decision_maker_update(
            actor=a, decision_maker=w.decision_maker, role="Owner"
        ),
        lambda w: ("patch", f"/api/v1/decision-makers/{w.decision_maker.pk}", {"role": "Owner"}),
        lambda w: (
            f"/clients/decision-makers/{w.decision_maker.pk}/",
            {"role": "Owner", "influence_level": 3, "attitude": "neutral"},
        ),
    ),
    WriteCase(
        "delete a decision maker",
        lambda w, a: crm_services.decision_maker_remove(actor=a, decision_maker=w.decision_maker),
        lambda w: ("delete", f"/api/v1/decision-makers/{w.decision_maker.pk}", None),
        lambda w: (f"/clients/decision-makers/{w.decision_maker.pk}/remove/", {}),
    ),
    WriteCase(
        "unlink a competitor",
        lambda w, a: crm_services.competitor_unlink(
            actor=a, competitor=w.competitor, company=w.company
        ),
        lambda w: (
            "delete",
            f"/api/v1/companies/{w.company.pk}/competitors/{w.competitor.pk}",
            None,
        ),
        lambda w: (f"/clients/companies/{w.company.pk}/competitors/{w.competitor.pk}/remove/", {}),
    ),
    WriteCase(
        "edit a deal",
        lambda w, a: sales_services.deal_update(actor=a, deal=w.deal, title="Renamed"),
        lambda w: ("patch", f"/api/v1/deals/{w.deal.pk}", {"title": "Renamed"}),
        lambda w: (f"/sales/deals/{w.deal.pk}/edit/", {"title": "Renamed", "amount": "1"}),
    ),
    WriteCase(
        "move a deal",
        lambda w, a: sales_services.deal_move(actor=a, deal=w.deal, stage=_second_stage(w)),
        lambda w: ("post", f"/api/v1/deals/{w.deal.pk}/move", {"stage_id": _second_stage(w).pk}),
        lambda w: (f"/sales/deals/{w.deal.pk}/move/", {"stage": _second_stage(w).pk}),
    ),
    WriteCase(
        "lose a deal",
        lambda w, a: sales_services.deal_lose(actor=a, deal=w.deal, reason=w.loss_reason),
        lambda w: ("post", f"/api/v1/deals/{w.deal.pk}/lose", {"reason_id": w.loss_reason.pk}),
        lambda w: (f"/sales/deals/{w.deal.pk}/lose/", {"reason": w.loss_reason.pk}),
    ),
    WriteCase(
        "reopen a deal",
        lambda w, a: sales_services.deal_reopen(actor=a, deal=w.deal),
        lambda w: ("post", f"/api/v1/deals/{w.deal.pk}/reopen", None),
        lambda w: (f"/sales/deals/{w.deal.pk}/reopen/", {}),
        prepare=_lose,
    ),
    WriteCase(
        "add a product line",
        lambda w, a: sales_services.deal_remove_item(actor=a, item=w.deal_item),
        lambda w: (
            "post",
            f"/api/v1/deals/{w.deal.pk}/items",
            {"product_id": w.product.pk, "quantity": "1", "price": "5"},
        ),
        lambda w: (f"/sales/deals/{w.deal.pk}/item-remove/", {"item": w.deal_item.pk}),
    ),
    WriteCase(
        "qualify a lead",
        lambda w, a: sales_services.lead_qualify(actor=a, lead=w.lead, level="mql"),
        lambda w: ("post", f"/api/v1/leads/{w.lead.pk}/qualify", {"level": "mql"}),
        lambda w: (f"/sales/leads/{w.lead.pk}/mql/", {}),
    ),
    WriteCase(
        "convert a lead",
        lambda w, a: sales_services.lead_convert(actor=a, lead=w.lead, pipeline=w.pipeline),
        lambda w: ("post", f"/api/v1/leads/{w.lead.pk}/convert", {"pipeline_id": w.pipeline.pk}),
        lambda w: (f"/sales/leads/{w.lead.pk}/convert/", {"pipeline": w.pipeline.pk, "amount": 0}),
    ),
    WriteCase(
        "disqualify a lead",
        lambda w, a: sales_services.lead_disqualify(actor=a, lead=w.lead, reason="no_need"),
        lambda w: ("post", f"/api/v1/leads/{w.lead.pk}/disqualify", {"reason": "no_need"}),
        lambda w: (f"/sales/leads/{w.lead.pk}/disqualify/", {"reason": "no_need"}),
    ),
    WriteCase(
        "cancel an activity",
        lambda w, a: activity_services.activity_cancel(actor=a, activity=w.activity),
        lambda w: ("post", f"/api/v1/activities/{w.activity.pk}/cancel", {"reason": "x"}),
        lambda w: (f"/activities/{w.activity.pk}/cancel/", {"reason": "x"}),
    ),
    WriteCase(
        "log a meeting on a deal",
        lambda w, a: activity_services.activity_create(
            actor=a, kind="note", subject="Met them", deal=w.deal
        ),
        lambda w: (
            "post",
            "/api/v1/activities",
            {"kind": "meeting", "subject": "Met", "deal_id": w.deal.pk, "done": True},
        ),
        lambda w: (f"/sales/deals/{w.deal.pk}/win/", {}),
    ),
]


def _api_call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_back_office_of_another_team_cannot_write_team_records(
    case: WriteCase, world: World, bearer: Any
) -> None:
    """Service, API and HTML each refuse (403, the record stays readable) and change nothing."""
    from greenwave.core.errors import DomainError

    case.prepare(world)
    clients = {}
    for role, user in world.back_officers().items():
        browser = Client()
        browser.force_login(user)
        clients[role] = (bearer(user), browser)
    before = snapshot()
    for role, user in world.back_officers().items():
        with pytest.raises(DomainError) as refused:
            case.service(world, user)
        assert refused.value.status == 403, (role, "service", refused.value.as_dict())

        api, browser = clients[role]
        method, url, body = case.api(world)
        response = _api_call(api, method, url, body)
        assert response.status_code == 403, (role, "api", response.content[:300])

        html_url, data = case.html(world)
        page = browser.post(html_url, data)
        assert page.status_code == 403, (role, "html", page.status_code)
        assert snapshot() == before, (role, case.name)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_owner_still_writes(case: WriteCase, world: World) -> None:
    """The rule refuses by reach, not by kind of write: the responsible hunter is never
    refused for access (a stage gate may still say no to the move)."""
    from greenwave.core.errors import DomainError

    case.prepare(world)
    status = 200
    try:
        case.service(world, world.hunter_a)
    except DomainError as exc:
        status = exc.status
    assert status not in (403, 404)


def test_a_head_writes_in_the_teams_below_and_not_beside(world: World, two_teams: Any) -> None:
    crm_services.company_update(actor=two_teams["director"], company=world.company, region="Kazan")
    crm_services.company_update(actor=world.head_a, company=world.company, region="Tula")
    from greenwave.core.errors import DomainError

    with pytest.raises(DomainError) as hidden:
        crm_services.company_update(actor=two_teams["head_b"], company=world.company, name="X")
    assert hidden.value.status == 404
    assert Company.objects.get(pk=world.company.pk).region == "Tula"


def test_a_lawyer_still_changes_their_own_client(world: World) -> None:
    own = crm_services.company_create(actor=world.lawyer, name="Law firm client")
    crm_services.company_update(actor=world.lawyer, company=own, name="Law firm client 2")
    assert own.team_id == world.back_office.pk


def test_a_lawyer_cannot_hand_out_work_in_another_team(world: World) -> None:
    from greenwave.core.errors import DomainError

    before = snapshot()
    for make in (
        lambda: crm_services.company_create(
            actor=world.lawyer, name="Planted", responsible=world.hunter_a
        ),
        lambda: sales_services.deal_create(
            actor=world.lawyer, title="Planted", pipeline=world.pipeline, company=world.company
        ),
        lambda: sales_services.lead_create(
            actor=world.lawyer, contact_name="Planted", responsible=world.hunter_a
        ),
        lambda: activity_services.activity_create(
            actor=world.lawyer, kind="task", subject="Do it", responsible=world.hunter_a
        ),
    ):
        with pytest.raises(DomainError) as refused:
            make()
        assert refused.value.status == 403
    assert snapshot() == before


def test_back_office_keeps_approvals_documents_and_their_tasks(world: World, bearer: Any) -> None:
    """Their job on another team's deal: approve, attach the papers, complete their task."""
    deal = world.deal
    lawyer_api, finance_api = bearer(world.lawyer), bearer(world.finance)
    assert (
        lawyer_api.post(
            f"/api/v1/deals/{deal.pk}/approvals",
            data={"kind": "contract"},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        lawyer_api.post(
            f"/api/v1/deals/{deal.pk}/documents/note",
            data={"kind": "contract", "title": "Signed contract"},
            content_type="application/json",
        ).status_code
        == 201
    )
    browser = Client()
    browser.force_login(world.finance)
    upload = SimpleUploadedFile("po.pdf", b"%PDF-1.4 order", content_type="application/pdf")
    page = browser.post(
        f"/sales/deals/{deal.pk}/document/", {"kind": "payment", "title": "PO", "file": upload}
    )
    assert page.status_code == 302
    assert set(deal.documents.values_list("kind", flat=True)) == {"contract", "payment"}
    assert browser.get(f"/sales/deals/{deal.pk}/").status_code == 200  # and read it all

    task = activity_services.activity_create(
        actor=world.admin,
        kind="task",
        subject="Check the payment",
        responsible=world.finance,
        deal=deal,
    )
    done = finance_api.post(
        f"/api/v1/activities/{task.pk}/complete", data={}, content_type="application/json"
    )
    assert done.status_code == 200, done.content
    deal.refresh_from_db()
    assert deal.status == DealStatus.OPEN
