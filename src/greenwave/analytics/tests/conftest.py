"""A small built history with known answers (see `history` below)."""

from __future__ import annotations

import importlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from greenwave.crm.models import Company, Competitor, CompetitorPresence, Product, ProductGroup
from greenwave.sales.models import Deal, DealItem, DealStatus, Lead, LeadSource, Pipeline

from .. import rollups
from ..models import ProductCost

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def history(db: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    """Team A (hunter_a) and team B (hunter_b) sales; the period is March 2026.

    C1 (A): won 2025-03-10 100 (d1), won 2026-03-05 300 (d2, lines P1 2×100 + P2 1×100),
            lost 2026-03-20 (d7); competitor K1 is recorded at C1.
    C2 (A): won 2026-03-10 200 (d3, line P1 1×200), won 2026-03-31 23:00 100 (d4, no lines).
    C3 (A): won 2026-02-15 500 (d5), won 2026-04-01 00:30 999 (d6, after the period).
    C5 (A): won 2025-09-20 50 (d9): falls silent (180 days) during March 2026.
    C4 (B): won 2026-03-12 1000 (d8); lost 2026-03-15 (d10) with "ушли к Конкурент-2".
    P1 (group G1) costs 60, P2 (group G2) has no cost price.
    Leads of hunter_a in March: web form/yandex → d3, web form/yandex without a deal,
    a call → d7.
    """
    _DEFAULTS.create(apps, None)
    pipeline = Pipeline.objects.get(code="b2b")
    stage = pipeline.stages.order_by("order").first()
    a, b = two_teams["hunter_a"], two_teams["hunter_b"]

    def company(name: str, owner: Any) -> Company:
        return Company.objects.create(name=name, responsible=owner, team=owner.team, region="R")

    c1, c2, c3, c5 = (company(n, a) for n in ("Alpha", "Beta", "Gamma", "Epsilon"))
    c4 = company("Delta", b)

    def deal(name: str, client: Company, when: datetime, amount: str, **extra: Any) -> Deal:
        owner = a if client.responsible_id == a.pk else b
        return Deal.objects.create(
            title=name,
            pipeline=pipeline,
            stage=stage,
            status=extra.pop("status", DealStatus.WON),
            company=client,
            amount=Decimal(amount),
            responsible=owner,
            team=owner.team,
            stage_entered_at=when,
            closed_at=when,
            **extra,
        )

    g1, g2 = ProductGroup.objects.create(name="G1"), ProductGroup.objects.create(name="G2")
    p1 = Product.objects.create(name="P1", sku="P1", group=g1)
    p2 = Product.objects.create(name="P2", sku="P2", group=g2)
    ProductCost.objects.create(product=p1, cost=Decimal("60"))
    deals = {
        "d1": deal("d1", c1, at(date(2025, 3, 10)), "100"),
        "d2": deal("d2", c1, at(date(2026, 3, 5)), "300"),
        "d3": deal("d3", c2, at(date(2026, 3, 10)), "200"),
        "d4": deal("d4", c2, at(date(2026, 3, 31), 23), "100"),
        "d5": deal("d5", c3, at(date(2026, 2, 15)), "500"),
        "d6": deal("d6", c3, at(date(2026, 4, 1), 0, 30), "999"),
        "d7": deal("d7", c1, at(date(2026, 3, 20)), "700", status=DealStatus.LOST),
        "d8": deal("d8", c4, at(date(2026, 3, 12)), "1000"),
        "d9": deal("d9", c5, at(date(2025, 9, 20)), "50"),
        "d10": deal(
            "d10",
            c4,
            at(date(2026, 3, 15)),
            "400",
            status=DealStatus.LOST,
            loss_comment="ушли к Конкурент-2",
        ),
    }
    DealItem.objects.create(deal=deals["d2"], product=p1, quantity=2, price=Decimal("100"))
    DealItem.objects.create(deal=deals["d2"], product=p2, quantity=1, price=Decimal("100"))
    DealItem.objects.create(deal=deals["d3"], product=p1, quantity=1, price=Decimal("200"))
    for title, source, utm, linked in (
        ("L1", LeadSource.WEB_FORM, "yandex", deals["d3"]),
        ("L2", LeadSource.WEB_FORM, "yandex", None),
        ("L3", LeadSource.CALL, "", deals["d7"]),
    ):
        lead = Lead.objects.create(
            title=title, source=source, utm_source=utm, deal=linked, responsible=a, team=a.team
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=at(date(2026, 3, 3)))
    k1 = Competitor.objects.create(name="Конкурент-1", price_level="lower")
    k2 = Competitor.objects.create(name="Конкурент-2")
    CompetitorPresence.objects.create(competitor=k1, company=c1)
    rollups.rebuild()  # the worker's job in production: the portfolio reads the rollups
    return {
        **two_teams,
        **deals,
        "c1": c1,
        "c2": c2,
        "c3": c3,
        "c4": c4,
        "c5": c5,
        "p1": p1,
        "p2": p2,
        "g1": g1,
        "g2": g2,
        "k1": k1,
        "k2": k2,
    }
