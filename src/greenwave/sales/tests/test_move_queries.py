"""POST /api/v1/deals/{id}/move: a stage move through the API takes a fixed, small number of
queries (the issue measured 23: the deal row read three times, the stage three times; 14 before
the deal and the stage were each read once, by id, in the service)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.crm.models import Contact, Product
from greenwave.sales import services
from greenwave.sales.tests.conftest import log_a_call

pytestmark = pytest.mark.django_db


def test_a_stage_move_through_the_api_takes_a_fixed_number_of_queries(
    two_teams: dict[str, Any], bearer: Any, b2b: Any, stages: dict[str, Any]
) -> None:
    head = two_teams["head_a"]
    contacts = [
        Contact.objects.create(full_name=name, responsible=head, team=head.team)
        for name in ("Яков", "Анна")
    ]
    deal = services.deal_create(actor=head, title="Насосы", pipeline=b2b, contacts=contacts)
    for name in ("Насос", "Клапан"):
        services.deal_add_item(
            actor=head,
            deal=deal,
            product=Product.objects.create(name=name, sku=name),
            quantity=Decimal("1.5"),
            price=Decimal(10),
        )
    deal.refresh_from_db()
    # The qualification stage's output: a completed call on the deal.
    log_a_call(deal)
    api = bearer(head)
    api.get("/api/v1/deals")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as queries:
        answer = api.post(
            f"/api/v1/deals/{deal.pk}/move",
            {"stage_id": stages["needs"].pk, "version": deal.version},
            content_type="application/json",
        )
    assert answer.status_code == 200, answer.content
    assert answer.json()["stage_id"] == stages["needs"].pk
    sql = [q["sql"] for q in queries.captured_queries]
    # The caller's token (its roles and teams kept since the first request); the target's pipeline's
    # stages; the deal locked, with the gate's activities done on it; the update; the event
    # (one statement on PostgreSQL; the previous event, the event and its link on SQLite); the
    # deal's contacts and lines for the answer, in one read. The test's transaction adds a
    # savepoint and its release around the service.
    expected = {"postgresql": 8, "sqlite": 10}[connection.vendor]
    assert len(sql) == expected, sql
    assert sum('FROM "sales_deal"' in q for q in sql) == 1  # the lock
    assert sum('FROM "sales_stage"' in q for q in sql) == 1  # the pipeline's stages
    # The answer is the deal as it reads afterwards: contacts by name, lines in order.
    after = api.get(f"/api/v1/deals/{deal.pk}").json()
    assert answer.json() == after
    assert after["contact_ids"] == [contacts[1].pk, contacts[0].pk]
    assert [line["product"] for line in after["items"]] == ["Насос", "Клапан"]
