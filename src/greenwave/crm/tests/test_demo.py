"""The demo client base: valid requisites, both teams, idempotent."""

from __future__ import annotations

import pytest
from stdnum.ru import inn, ogrn

from greenwave.crm.demo import seed_clients
from greenwave.crm.models import Company

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_valid_companies_in_both_teams_once(demo_clients) -> None:
    seed_clients(demo_clients)

    companies = list(Company.objects.select_related("team"))
    assert len(companies) == 15
    for company in companies:
        assert inn.is_valid(company.inn), company.inn
        assert ogrn.is_valid(company.ogrn), company.ogrn
    assert {c.team.name for c in companies} >= {"Отдел продаж «Север»", "Отдел продаж «Юг»"}
    assert sum(c.decision_makers.count() for c in companies) == 30


def test_demo_catalog_prices_every_product_in_base_and_discount_lists(demo_clients) -> None:
    from greenwave.crm.demo import DEMO_PRODUCTS, seed_catalog
    from greenwave.crm.models import ClientProfile, Competitor, Price, PriceList

    seed_catalog(demo_clients)
    seed_catalog(demo_clients)

    assert Price.objects.count() == len(DEMO_PRODUCTS) * 6
    cheapest = PriceList.objects.get(kind="discount", level=5)
    base = PriceList.objects.get(kind="base")
    for price in Price.objects.filter(price_list=cheapest):
        assert price.amount < Price.objects.get(price_list=base, product=price.product).amount
    assert Competitor.objects.count() == 3
    assert ClientProfile.objects.count() == 1
