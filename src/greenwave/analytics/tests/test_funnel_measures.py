"""The funnel's measures of seed 000 (from the rollups) and the target-audience slice."""

from __future__ import annotations

import importlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from greenwave.crm.models import Company
from greenwave.sales import services as sales_services
from greenwave.sales.funnel import funnel
from greenwave.sales.models import Pipeline

from .. import rollups

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")


def test_measures_and_audience_slice(two_teams: dict[str, Any], client: Client) -> None:
    _DEFAULTS.create(apps, None)
    b2b = Pipeline.objects.get(code="b2b")
    a = two_teams["hunter_a"]

    def company(name: str, industry: str) -> Company:
        return Company.objects.create(name=name, industry=industry, responsible=a, team=a.team)

    retail, mining = company("Shop", "Retail"), company("Mine", "Mining")
    deals = [
        sales_services.deal_create(
            actor=a, title=t, pipeline=b2b, company=c, amount=Decimal(amount)
        )
        for t, c, amount in (("d1", retail, "100"), ("d2", retail, "300"), ("d3", mining, "50"))
    ]
    reason = b2b.loss_reasons.filter(is_active=True).first()
    sales_services.deal_lose(actor=a, deal=deals[2], reason=reason, comment="too dear")
    rollups.refresh()

    first = b2b.stages.order_by("order").first()
    assert first is not None
    sliced = {
        r.group: r.entered
        for r in funnel(actor=a, pipeline=b2b, group_by="audience")
        if r.stage_id == first.pk
    }
    assert sliced == {"Mining": 1, "Retail": 2}

    today = timezone.localdate()
    week = rollups.rollup_funnel(
        actor=a, pipeline=b2b, date_from=today - timedelta(days=6), date_to=today
    )
    assert (week.incoming, week.closed, week.won, week.lost) == (3, 1, 0, 1)
    assert week.overall_conversion == 0.0
    assert week.per_week == 1.0  # one deal closed in seven days
    assert week.deal_days is not None
    assert week.deal_days < 0.01  # lost right after it was created
    assert week.average_amount is None  # nothing won
    assert week.stages[0].entered == 3
    assert week.stages[0].lost == 1
    outsider = rollups.rollup_funnel(actor=two_teams["hunter_b"], pipeline=b2b)
    assert (outsider.incoming, outsider.closed) == (0, 0)

    client.force_login(a)
    page = client.get(reverse("analytics:funnel"))
    assert page.status_code == 200
    assert b'data-testid="funnel-measures"' in page.content
    # The pipeline is named in the reader's language; days are written to one place.
    b2b.name_en = "B2B sale (English)"
    b2b.save(update_fields=["name_en"])
    a.language = "en"
    a.save(update_fields=["language"])
    english = client.get(reverse("analytics:funnel")).content.decode()
    assert ">B2B sale (English)</option>" in english
    assert ">0.0</div>" in english  # the deal length: lost right after it was created
    api = client.get("/api/v1/analytics/funnel/overview", {"pipeline_id": b2b.pk})
    assert api.status_code == 200, api.content
    assert api.json()["incoming"] == 3
    assert api.json()["stages"][0]["lost"] == 1


def test_the_overview_conversion_of_a_period_never_passes_100_percent() -> None:
    """«Договор» of the demo: 109 entered, 123 moved on, 8 lost — the 123 include deals that
    entered before the period. The conversion is of the decided exits: 123 / 131."""
    stage = rollups.RollupStage(stage_id=1, stage="Договор", entered=109, forward=123, lost=8)
    assert stage.conversion == round(123 / 131, 4)
    assert rollups.RollupStage(stage_id=2, stage="Новый", entered=5).conversion is None
