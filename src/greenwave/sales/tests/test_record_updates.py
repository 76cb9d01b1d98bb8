"""Leads and deals change through `core.record_update`: only the changed columns are written,
one event carries the changes, and nothing changed writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from greenwave.core.models import Event
from greenwave.sales import services

pytestmark = pytest.mark.django_db


def _updates(queries: CaptureQueriesContext, table: str) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{table}"')]


def test_a_deal_change_writes_only_its_columns_and_bumps_the_version(
    two_teams: dict[str, Any], b2b: Any
) -> None:
    deal = services.deal_create(actor=two_teams["hunter_a"], title="Трубы", pipeline=b2b)
    with CaptureQueriesContext(connection) as queries:
        changed = services.deal_update(
            actor=two_teams["hunter_a"], deal=deal, expected_version=1, title="Трубы ПНД"
        )
    (update,) = _updates(queries, "sales_deal")
    assert '"title"' in update
    assert '"version"' in update
    assert '"amount"' not in update
    assert '"description"' not in update
    assert changed.version == 2
    event = Event.objects.get(case_type="deal", activity="deal_changed")
    assert event.payload == {"changes": {"title": ["Трубы", "Трубы ПНД"]}}


def test_a_deal_given_its_own_values_writes_nothing(two_teams: dict[str, Any], b2b: Any) -> None:
    deal = services.deal_create(actor=two_teams["hunter_a"], title="Трубы", pipeline=b2b)
    with CaptureQueriesContext(connection) as queries:
        same = services.deal_update(actor=two_teams["hunter_a"], deal=deal, title="Трубы")
    assert _updates(queries, "sales_deal") == []
    assert same.version == 1
    assert not Event.objects.filter(activity="deal_changed").exists()


def test_a_lead_change_writes_only_its_columns(two_teams: dict[str, Any]) -> None:
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна")
    with CaptureQueriesContext(connection) as queries:
        services.lead_update(actor=two_teams["hunter_a"], lead=lead, need="Насосы")
    (update,) = _updates(queries, "sales_lead")
    assert '"need"' in update
    assert '"contact_name"' not in update
    event = Event.objects.get(case_type="lead", activity="lead_changed")
    assert event.payload == {"changes": {"need": ["", "Насосы"]}}


def test_an_unknown_field_is_refused(two_teams: dict[str, Any], b2b: Any) -> None:
    deal = services.deal_create(actor=two_teams["hunter_a"], title="Трубы", pipeline=b2b)
    with pytest.raises(TypeError):
        services.deal_update(actor=two_teams["hunter_a"], deal=deal, stage_id=3)  # type: ignore[call-arg]
