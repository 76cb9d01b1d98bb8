"""Ids inside request bodies (issue #15, "Done when": the IDOR walk covers ids in bodies).

The item-path walk (`test_idor_walk.py`) checks the record a URL names. Here an outsider of
team B names team A's records *inside the body* of a call on their own records: a contact
placed at team A's company, a deal on team A's client, a task on team A's deal, a decision
maker made of team A's contact, team A's company merged into their own. Each must be
refused with a 4xx and change nothing; the same body naming team B's own records (the
control) must pass, so the refusal is about the foreign id, not about the body.

Every body property of the OpenAPI that names a record is listed in `NAMED_IDS`; a new one
fails `test_every_body_id_is_walked_or_excused` until it is walked or excused with a reason.
Process and task bodies are walked by `bpm/tests/test_scope.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from greenwave.config.api import api
from greenwave.crm import services as crm_services
from greenwave.outreach import services as outreach_services
from greenwave.sales import services as sales_services

from .conftest import World, snapshot
from .test_idor_walk import _isolated

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Own:
    """Team B's own records: the control bodies name them."""

    company: Any
    other_company: Any
    contact: Any
    deal: Any
    mail_segment: Any


@dataclass(frozen=True)
class BodyCall:
    method: str
    path: Callable[[Own], str]
    template: str  # the OpenAPI path, to match NAMED_IDS
    field: str
    body: Callable[[Any, Any], dict[str, Any]]  # (records named, own) → body


def _company_id(r: Any, o: Own) -> dict[str, Any]:
    return {"full_name": "Ivan Sidorov", "company_id": r.company.pk}


CALLS: list[BodyCall] = [
    BodyCall("post", lambda o: "/api/v1/contacts", "/api/v1/contacts", "company_id", _company_id),
    BodyCall(
        "patch",
        lambda o: f"/api/v1/contacts/{o.contact.pk}",
        "/api/v1/contacts/{contact_id}",
        "company_id",
        lambda r, o: {"company_id": r.company.pk},
    ),
    BodyCall(
        "post",
        lambda o: f"/api/v1/companies/{o.company.pk}/decision-makers",
        "/api/v1/companies/{company_id}/decision-makers",
        "contact_id",
        lambda r, o: {"contact_id": r.contact.pk, "role": "CEO"},
    ),
    BodyCall(
        "post",
        lambda o: f"/api/v1/companies/{o.company.pk}/merge",
        "/api/v1/companies/{company_id}/merge",
        "source_id",
        lambda r, o: {"source_id": r.other_company.pk},
    ),
    BodyCall(
        "post",
        lambda o: "/api/v1/deals",
        "/api/v1/deals",
        "company_id",
        lambda r, o: {"title": "Supply", "company_id": r.company.pk},
    ),
    BodyCall(
        "post",
        lambda o: "/api/v1/deals",
        "/api/v1/deals",
        "contact_ids",
        lambda r, o: {
            "title": "Supply",
            "company_id": o.company.pk,
            "contact_ids": [r.contact.pk],
        },
    ),
    *[
        BodyCall(
            "post",
            lambda o: "/api/v1/activities",
            "/api/v1/activities",
            field,
            lambda r, o, f=field, k=key: {"kind": "task", "subject": "Call", f: getattr(r, k).pk},
        )
        for field, key in (
            ("company_id", "company"),
            ("contact_id", "contact"),
            ("deal_id", "deal"),
        )
    ],
    BodyCall(
        "post",
        lambda o: "/api/v1/invoices",
        "/api/v1/invoices",
        "company_id",
        lambda r, o: {
            "company_id": r.company.pk,
            "lines": [{"name": "Монтаж", "quantity": "1", "price": "1000"}],
        },
    ),
    BodyCall(
        "post",
        lambda o: "/api/v1/invoices",
        "/api/v1/invoices",
        "deal_id",
        lambda r, o: {
            "deal_id": r.deal.pk,
            "lines": [{"name": "Монтаж", "quantity": "1", "price": "1000"}],
        },
    ),
    BodyCall(
        "post",
        lambda o: "/api/v1/campaigns",
        "/api/v1/campaigns",
        "segment_id",
        lambda r, o: {
            "name": "Новости",
            "segment_id": r.mail_segment.pk,
            "subject": "Здравствуйте",
            "body": "Новости месяца",
        },
    ),
    *[
        BodyCall(
            "post",
            lambda o: "/api/v1/my-day/items",
            "/api/v1/my-day/items",
            field,
            lambda r, o, f=field, k=key: {"goal": "Agree the price", f: getattr(r, k).pk},
        )
        for field, key in (("company_id", "company"), ("deal_id", "deal"))
    ],
]

# Body properties naming a record that this walk does not send, and why.
EXCUSED: dict[tuple[str, str, str], str] = {
    **{
        (m, p, "responsible_id"): "assigning a person is checked by the role rules "
        "(test_write_scope), not by record scope"
        for m, p in (
            ("post", "/api/v1/companies"),
            ("post", "/api/v1/companies/{company_id}/reassign"),
            ("post", "/api/v1/imports"),
            ("post", "/api/v1/deals"),
            ("post", "/api/v1/leads"),
            ("post", "/api/v1/activities"),
        )
    },
    ("post", "/api/v1/companies/{company_id}/reassign", "team_id"): "role rules, as above",
    ("post", "/api/v1/deals/{deal_id}/closer-handoff", "closer_id"): "a person, as above: "
    "sales/tests/test_closer_handoff.py refuses a closer of another team",
    ("post", "/api/v1/companies/{company_id}/competitors", "competitor_id"): "shared catalogue",
    ("post", "/api/v1/product-groups", "parent_id"): "shared catalogue",
    ("post", "/api/v1/products", "group_id"): "shared catalogue",
    ("patch", "/api/v1/products/{product_id}", "group_id"): "shared catalogue",
    ("post", "/api/v1/deals", "pipeline_id"): "shared catalogue",
    ("post", "/api/v1/deals", "stage_id"): "shared catalogue",
    ("post", "/api/v1/deals/{deal_id}/move", "stage_id"): "shared catalogue",
    ("post", "/api/v1/deals/{deal_id}/lose", "reason_id"): "shared catalogue",
    ("post", "/api/v1/leads/{lead_id}/convert", "pipeline_id"): "shared catalogue",
    ("post", "/api/v1/deals/{deal_id}/items", "product_id"): "shared catalogue",
    ("post", "/api/v1/deals/{deal_id}/price-list", "price_list_id"): "shared catalogue",
    ("post", "/api/v1/activities", "lead_id"): "walked below: leads have no team B twin here",
    **{
        (m, p, "legal_entity_id"): "our legal entities are a shared catalogue"
        for m, p in (
            ("patch", "/api/v1/invoices/{invoice_id}"),
            ("post", "/api/v1/deals/{deal_id}/documents"),
            ("post", "/api/v1/document-templates"),
            ("post", "/api/v1/invoices"),
        )
    },
    ("post", "/api/v1/deals/{deal_id}/documents", "template_id"): "shared catalogue",
    ("post", "/api/v1/documents/{document_id}/approval", "approver_ids"): "people, not "
    "records: documents/tests/test_approvers.py refuses an approver who cannot open the deal",
    ("put", "/api/v1/plans/{period}", "user_id"): "planning/tests/test_plans.py: another "
    "team's person is a 404 (test_head_sets_a_plan_and_the_manager_sees_only_their_own)",
    ("put", "/api/v1/plans/{period}", "team_id"): "planning/tests/test_plans.py, as above",
    **{
        (m, p, f): "people, not records: planning.services.assistant_split_save checks "
        "can_write_for_user for both (planning/tests/test_rules.py::test_rules_through_the_api: "
        "another team's head naming team A's people gets 404)"
        for m, p in (
            ("post", "/api/v1/assistant-splits"),
            ("put", "/api/v1/assistant-splits/{split_id}"),
        )
        for f in ("manager_id", "assistant_id")
    },
    ("post", "/api/v1/campaigns", "trigger_stage_id"): "shared catalogue (pipeline stages)",
    **{
        ("post", "/api/v1/payments", f): "only finance, accountants and admins enter payments, "
        "and they read every team's invoices (a manager is refused by role: orders/tests)"
        for f in ("invoice_id", "refund_of_id")
    },
    ("post", "/api/v1/orders", "deal_id"): "walked below (a won deal has no team B twin here)",
    ("post", "/api/v1/claims", "order_id"): "walked below",
    ("post", "/api/v1/claims", "shipment_id"): "always with its order_id, walked below",
    ("post", "/api/v1/supplier-orders", "line_id"): "walked below",
    ("post", "/api/v1/claims/{claim_id}/advance", "task_id"): "only a task of the claim in the "
    "path, which is walked by the path walk (orders/tests/test_claim_api.py: another claim's "
    "task is a 422 and changes nothing)",
    ("post", "/api/v1/documents/{document_id}/send", "contact_id"): "documents/tests: a "
    "contact of another client is refused (test_a_contact_of_another_client_is_refused)",
    ("post", "/api/v1/my-day/items", "activity_id"): "walked below with the activity",
    ("post", "/api/v1/analytics/nps", "deal_id"): "walked below (NPS needs a won deal, which "
    "has no team B twin here)",
    ("post", "/api/v1/analytics/nps", "contact_id"): "analytics/tests/test_nps.py: a contact "
    "of another client is refused (test_recording_writes_the_event_and_refuses_bad_input)",
}
SKIPPED_PREFIXES = ("/api/v1/processes/", "/api/v1/tasks/")


def _body_ids() -> set[tuple[str, str, str]]:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = set()
    for path, operations in schema["paths"].items():
        if path.startswith(SKIPPED_PREFIXES):
            continue
        for method, spec in operations.items():
            for content in spec.get("requestBody", {}).get("content", {}).values():
                body = content["schema"]
                if "$ref" in body:
                    body = components[body["$ref"].rsplit("/", 1)[-1]]
                for name in body.get("properties", {}):
                    if name.endswith(("_id", "_ids")):
                        found.add((method, path, name))
    return found


def test_every_body_id_is_walked_or_excused() -> None:
    walked = {(c.method, c.template, c.field) for c in CALLS}
    missing = _body_ids() - walked - set(EXCUSED)
    assert not missing, "\n".join(f"{m.upper()} {p}: {f}" for m, p, f in sorted(missing))


def _own(w: World) -> Own:
    hunter_b = w.hunter_b
    company = crm_services.company_create(actor=hunter_b, name="Beta LLC", region="Kazan")
    other = crm_services.company_create(actor=hunter_b, name="Beta Trading", region="Kazan")
    contact = crm_services.contact_create(actor=hunter_b, company=company, full_name="Oleg Beta")
    deal = sales_services.deal_create(
        actor=hunter_b, title="Beta supply", pipeline=w.pipeline, company=company
    )
    segment = outreach_services.segment_create(
        actor=hunter_b, name="Kazan", filters={"regions": ["Kazan"]}
    )
    return Own(
        company=company, other_company=other, contact=contact, deal=deal, mail_segment=segment
    )


def _send(client: Client, call: BodyCall, named: Any, own: Own) -> Any:
    body = call.body(named, own)
    return getattr(client, call.method)(
        call.path(own), data=json.dumps(body), content_type="application/json"
    )


def test_foreign_ids_in_bodies_are_refused_and_change_nothing(world: World, bearer: Any) -> None:
    own = _own(world)
    outsider = bearer(world.hunter_b)
    before = snapshot()
    problems = []
    for call in CALLS:
        label = f"{call.method.upper()} {call.template} with team A's {call.field}"
        response = _isolated(lambda c=call: _send(outsider, c, world, own))  # type: ignore[misc]
        if not 400 <= response.status_code < 500 or response.status_code == 401:
            problems.append(f"{label}: {response.status_code} {response.content[:160]!r}")
        elif snapshot() != before:
            problems.append(f"{label}: changed data")
        control = _isolated(lambda c=call: _send(outsider, c, own, own))  # type: ignore[misc]
        if control.status_code >= 300:
            problems.append(
                f"control {call.method.upper()} {call.template} with own {call.field}: "
                f"{control.status_code} {control.content[:160]!r}"
            )
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_foreign_lead_and_activity_in_bodies_are_refused(world: World, bearer: Any) -> None:
    outsider = bearer(world.hunter_b)
    before = snapshot()
    for path, body in (
        ("/api/v1/activities", {"kind": "task", "subject": "Call", "lead_id": world.lead.pk}),
        ("/api/v1/my-day/items", {"goal": "Call back", "activity_id": world.activity.pk}),
    ):
        response = outsider.post(path, data=json.dumps(body), content_type="application/json")
        assert 400 <= response.status_code < 500, (path, response.content)
        assert response.status_code != 401
    assert snapshot() == before


def test_foreign_deals_and_orders_in_money_bodies_are_refused(world: World, bearer: Any) -> None:
    outsider = bearer(world.hunter_b)
    before = snapshot()
    claim = {"order_id": world.order.pk, "kind": "claim", "subject": "Брак"}
    for path, body in (
        ("/api/v1/orders", {"deal_id": world.deal.pk}),
        ("/api/v1/claims", {**claim, "deadline": "2031-01-10"}),
        ("/api/v1/analytics/nps", {"deal_id": world.deal.pk, "score": 9}),
        (
            "/api/v1/supplier-orders",
            {
                "line_id": world.order.lines.first().pk,
                "supplier": "ООО «Трубы»",
                "quantity": "1",
                "expected_date": "2031-01-10",
            },
        ),
    ):
        response = outsider.post(path, data=json.dumps(body), content_type="application/json")
        # refused for the record (404), not for a malformed body (422)
        assert response.status_code in (403, 404), (path, response.content)
    assert snapshot() == before
