"""The morning plan suggests moving a deal on once it sits in its stage longer than the stage's
expected duration — the same «stuck» as the funnel, the home cards and the deal's card — not
after a fixed fortnight whatever the stage."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from greenwave.planning import selectors, services
from greenwave.sales import services as sales_services
from greenwave.sales.models import Pipeline, Stage
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401

pytestmark = pytest.mark.django_db


def _deal_in(hunter: Any, code: str, *, expected: int, days: int) -> Any:
    pipeline = Pipeline.objects.get(code="b2b")
    stage = Stage.objects.get(pipeline=pipeline, code=code)
    Stage.objects.filter(pk=stage.pk).update(expected_days=expected)
    deal = sales_services.deal_create(
        actor=hunter, title=f"Сделка {code}", pipeline=pipeline, amount=Decimal(1)
    )
    deal.stage = stage
    deal.stage_entered_at = timezone.now() - timedelta(days=days)
    deal.save(update_fields=["stage", "stage_entered_at"])
    return deal


def test_a_deal_is_suggested_once_over_its_stages_expected_days(
    two_teams: Any,
    default_pipelines: None,  # noqa: F811
) -> None:
    hunter = two_teams["hunter_a"]
    late = _deal_in(hunter, "qualification", expected=3, days=5)
    in_time = _deal_in(hunter, "payment", expected=30, days=20)
    found = selectors.suggestions(actor=hunter, day=services.today_for(hunter))
    stuck = [s.deal for s in found if s.source == "stuck_deal"]
    assert late in stuck
    assert in_time not in stuck
