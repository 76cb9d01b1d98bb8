"""POST /api/v1/deals/{id}/move: a stage move through the API takes a fixed, small number of
queries (the issue measured 23: the deal row read three times, the stage three times)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.core.services import ObjectRef, event_append
from greenwave.sales import services

pytestmark = pytest.mark.django_db


def test_a_stage_move_through_the_api_takes_a_fixed_number_of_queries(
    two_teams: dict[str, Any], bearer: Any, b2b: Any, stages: dict[str, Any]
) -> None:
    head = two_teams["head_a"]
    deal = services.deal_create(actor=head, title="Насосы", pipeline=b2b)
    # The qualification stage's output: a completed call on the deal.
    event_append(
        case_type="activity",
        case_id=1,
        activity="call_completed",
        actor=None,
        objects=[ObjectRef("deal", str(deal.pk))],
    )
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
    # The caller's token (its roles and teams kept since the first request); the deal read at
    # the door with its contacts and lines (they make the answer); the target stage; the deal
    # locked; its current and passed stages in one read; the gate's event-log read; the
    # update; the event (one statement on PostgreSQL; the previous event, the event and its
    # link on SQLite). The test's transaction adds a savepoint and its release around the
    # service.
    expected = {"postgresql": 12, "sqlite": 14}[connection.vendor]
    assert len(sql) == expected, sql
    own = [q for q in sql[1:] if "SAVEPOINT" not in q]
    assert len(own) <= 11
    assert sum('FROM "sales_deal"' in q for q in sql) == 2  # the scoped read, the lock
    assert sum('FROM "sales_stage"' in q for q in sql) == 2  # the target, the passed ones
