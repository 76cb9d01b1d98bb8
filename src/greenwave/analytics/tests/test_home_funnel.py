"""The funnel card of the home page: this quarter's funnel of the default pipeline for a head
(the team) and the director (all), from the rollups; each figure opens the deals behind it."""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import reverse

from greenwave.crm.models import Company
from greenwave.sales import selectors as sales_selectors
from greenwave.sales import services as sales_services

from .. import rollups
from ..home_funnel import home_funnel, quarter_start

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")


def _built(two_teams: dict[str, Any]) -> dict[str, Any]:
    _DEFAULTS.create(apps, None)
    pipeline = sales_selectors.pipeline_default(with_stages=False)
    assert pipeline is not None
    made = {}
    for title, owner in (("a1", "hunter_a"), ("a2", "hunter_a"), ("b1", "hunter_b")):
        user = two_teams[owner]
        client = Company.objects.create(name=title, responsible=user, team=user.team)
        made[title] = sales_services.deal_create(
            actor=user, title=title, pipeline=pipeline, company=client, amount=Decimal(100)
        )
    reason = pipeline.loss_reasons.filter(is_active=True).first()
    sales_services.deal_lose(actor=two_teams["hunter_b"], deal=made["b1"], reason=reason)
    rollups.refresh()
    return {"pipeline": pipeline, **made}


def test_head_sees_the_team_and_the_director_all(two_teams: dict[str, Any]) -> None:
    built = _built(two_teams)
    assert home_funnel(two_teams["hunter_a"]) is None  # a manager has their deals' card
    head = home_funnel(two_teams["head_a"])
    director = home_funnel(two_teams["director"])
    assert head is not None
    assert director is not None
    assert head["pipeline"] == built["pipeline"]
    assert (head["summary"].incoming, head["summary"].lost) == (2, 0)
    assert (director["summary"].incoming, director["summary"].lost) == (3, 1)
    first = director["summary"].stages[0]
    assert (first.stage_id, first.entered) == (built["pipeline"].stages.order_by("order")[0].pk, 3)
    # The card's figures are the funnel overview's for the same quarter.
    page = rollups.rollup_funnel(
        actor=two_teams["director"],
        pipeline=built["pipeline"],
        date_from=director["date_from"],
        date_to=director["date_to"],
    )
    assert [s.entered for s in page.stages] == [s.entered for s in director["summary"].stages]
    assert director["date_from"] == quarter_start(director["date_to"])
    assert director["chart"]["links"][0][0].endswith(
        f"?pipeline={built['pipeline'].pk}&stage={first.stage_id}"
    )


def test_figures_click_through_to_their_deals(two_teams: dict[str, Any]) -> None:
    _built(two_teams)
    client = Client()
    client.force_login(two_teams["head_a"])
    page = client.get("/").content.decode()
    assert 'data-testid="home-funnel"' in page
    card = home_funnel(two_teams["head_a"])
    assert card is not None
    deals = reverse("sales:deal_list")
    pipeline = card["pipeline"].pk
    start, end = card["date_from"].isoformat(), card["date_to"].isoformat()
    incoming = client.get(
        deals, {"pipeline": pipeline, "created_from": start, "created_to": end}
    ).content.decode()
    assert ">a1<" in incoming
    assert ">a2<" in incoming
    assert ">b1<" not in incoming
    client.force_login(two_teams["director"])
    lost = client.get(
        deals, {"pipeline": pipeline, "status": "lost", "closed_from": start, "closed_to": end}
    ).content.decode()
    assert ">b1<" in lost
    assert ">a1<" not in lost
