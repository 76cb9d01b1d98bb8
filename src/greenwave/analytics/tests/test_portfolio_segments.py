"""Known answers of the client portfolio, the segments and the competitor portfolio."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.crm.models import Company

from .. import services
from ..competitors import competitor_portfolio
from ..models import SavedSegment
from ..portfolio import client_portfolio, enrich, portfolio_rows
from ..segments import SegmentParams, segment_clients
from .conftest import at

APRIL_10 = at(date(2026, 4, 10))


def test_portfolio_of_a_manager(history: dict[str, Any]) -> None:
    rows = enrich(
        history["hunter_a"], list(portfolio_rows(actor=history["hunter_a"], now=APRIL_10))
    )
    by_name = {c.name: c for c in rows}
    assert set(by_name) == {"Alpha", "Beta", "Gamma", "Epsilon"}  # not Delta (team B)
    alpha = by_name["Alpha"]
    assert (alpha.orders, alpha.revenue, alpha.average_check) == (
        2,
        Decimal("400.00"),
        Decimal("200.00"),
    )
    assert alpha.first_purchase == at(date(2025, 3, 10))
    assert alpha.last_purchase == at(date(2026, 3, 5))
    assert alpha.days_between_purchases == Decimal("360.0")
    assert alpha.groups == ["G1", "G2"]
    assert alpha.status == "regular"
    assert by_name["Beta"].status == "new"
    assert by_name["Gamma"].status == "new"
    assert by_name["Gamma"].revenue == Decimal("1499.00")
    assert by_name["Epsilon"].status == "lost"
    assert by_name["Epsilon"].days_between_purchases is None
    assert alpha.maturation_days == 0  # the card was created after the first purchase


def test_portfolio_sorts_filters_and_hides_other_teams(history: dict[str, Any]) -> None:
    from greenwave.core.listing import ListQuery

    rows = portfolio_rows(
        actor=history["director"],
        now=APRIL_10,
        query=ListQuery(sort="-revenue", filters={"status": "new"}),
    )
    assert [r["company__name"] for r in rows] == ["Gamma", "Delta", "Beta"]
    with pytest.raises(DomainError):
        client_portfolio(actor=history["hunter_a"], company_id=history["c4"].pk)
    one = client_portfolio(actor=history["head_b"], company_id=history["c4"].pk, now=APRIL_10)
    assert (one.orders, one.revenue, one.status) == (1, Decimal("1000.00"), "new")


def test_abc_xyz_rfm(history: dict[str, Any]) -> None:
    params = SegmentParams(months=12, as_of=date(2026, 3, 31))
    clients = {c.name: c for c in segment_clients(actor=history["hunter_a"], params=params)}
    # April 2025 – March 2026: Gamma 500, Alpha 300, Beta 300, Epsilon 50 (total 1150).
    assert {n: (c.revenue, c.abc) for n, c in clients.items()} == {
        "Gamma": (Decimal("500.00"), "A"),
        "Alpha": (Decimal("300.00"), "A"),
        "Beta": (Decimal("300.00"), "A"),
        "Epsilon": (Decimal("50.00"), "C"),
    }
    assert clients["Beta"].cumulative_share == Decimal("0.9565")
    # One month with sales out of twelve: the coefficient of variation is √11.
    assert {c.variation for c in clients.values()} == {Decimal("3.3166")}
    assert {c.xyz for c in clients.values()} == {"Z"}
    assert {n: (c.recency_days, c.rfm) for n, c in clients.items()} == {
        "Beta": (0, "442"),
        "Alpha": (26, "312"),
        "Gamma": (44, "214"),
        "Epsilon": (192, "111"),
    }


def test_saved_segment(history: dict[str, Any]) -> None:
    params = SegmentParams(months=12, as_of=date(2026, 3, 31))
    segment = services.segment_save(
        actor=history["hunter_a"], name="Top", kind="abc", classes=["A"], params=params
    )
    assert sorted(segment.company_ids) == sorted(
        [history["c1"].pk, history["c2"].pk, history["c3"].pk]
    )
    assert segment.rule["classes"] == ["A"]
    assert segment.rule["as_of"] == "2026-03-31"
    with pytest.raises(DomainError):
        services.segment_save(
            actor=history["hunter_a"], name="None", kind="abc", classes=["B"], params=params
        )
    assert SavedSegment.objects.count() == 1


def test_competitors(history: dict[str, Any]) -> None:
    mine = {i.competitor.name: i for i in competitor_portfolio(actor=history["hunter_a"])}
    assert (mine["Конкурент-1"].clients, mine["Конкурент-1"].won, mine["Конкурент-1"].lost) == (
        1,
        2,
        1,
    )
    assert mine["Конкурент-1"].lost_amount == Decimal("700.00")
    assert mine["Конкурент-2"].lost == 0  # named in team B's loss comment
    everyone = {i.competitor.name: i for i in competitor_portfolio(actor=history["director"])}
    assert everyone["Конкурент-2"].lost == 1
    assert everyone["Конкурент-2"].lost_amount == Decimal("400.00")


def test_the_portfolio_page_links_only_the_client_cards_the_reader_may_open(
    history: dict[str, Any],
) -> None:
    """A client handed on to another team's manager stays in the hunter's portfolio (their
    won deals) but its card is not theirs: the link was a 403/404."""
    b = history["hunter_b"]
    Company.objects.filter(pk=history["c1"].pk).update(responsible=b, team=b.team)
    alpha, beta = history["c1"].pk, history["c2"].pk
    client = Client()
    client.force_login(history["hunter_a"])
    page = client.get("/analytics/portfolio/").content.decode()
    assert ">Alpha<" in page
    assert f'href="/clients/companies/{alpha}/"' not in page
    assert f'href="/clients/companies/{beta}/"' in page
