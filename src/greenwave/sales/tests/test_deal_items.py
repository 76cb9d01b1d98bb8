"""Deal lines from price lists; a discount list is the head's choice and re-prices the deal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greenwave.core.errors import DomainError
from greenwave.crm import services as crm_services
from greenwave.crm.models import PriceList
from greenwave.sales import services
from greenwave.sales.errors import SalesError

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    pump = crm_services.product_create(actor=None, name="Насос ЦН-100", sku="CN-100")
    base = PriceList.objects.get(kind="base")
    discount3 = PriceList.objects.get(kind="discount", level=3)
    crm_services.prices_set(actor=None, price_list=base, prices={pump.pk: "10000.00"})
    crm_services.prices_set(actor=None, price_list=discount3, prices={pump.pk: "8500.00"})
    return {"pump": pump, "base": base, "discount3": discount3}


def test_lines_are_priced_from_the_base_list_and_sum_to_the_amount(two_teams, b2b, catalogue):
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Насосы", pipeline=b2b)
    services.deal_add_item(actor=hunter, deal=deal, product=catalogue["pump"], quantity=Decimal(3))
    deal.refresh_from_db()
    assert deal.amount == Decimal("30000.00")


def test_only_a_head_chooses_a_discount_list_which_reprices_the_lines(two_teams, b2b, catalogue):
    hunter, head = two_teams["hunter_a"], two_teams["head_a"]
    deal = services.deal_create(actor=hunter, title="Торг", pipeline=b2b)
    services.deal_add_item(actor=hunter, deal=deal, product=catalogue["pump"], quantity=Decimal(2))
    with pytest.raises(DomainError) as caught:
        services.deal_set_price_list(actor=hunter, deal=deal, price_list=catalogue["discount3"])
    assert caught.value.code == SalesError.APPROVAL_NOT_ALLOWED
    deal.refresh_from_db()
    assert deal.amount == Decimal("20000.00")

    services.deal_set_price_list(actor=head, deal=deal, price_list=catalogue["discount3"])
    deal.refresh_from_db()
    assert deal.amount == Decimal("17000.00")
    assert deal.price_list == catalogue["discount3"]


def test_bad_lines_are_refused_and_change_nothing(two_teams, b2b, catalogue, bearer):
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Ошибки", pipeline=b2b)
    unpriced = crm_services.product_create(actor=None, name="Без цены", sku="NOPRICE")
    with pytest.raises(DomainError):
        services.deal_add_item(actor=hunter, deal=deal, product=unpriced, quantity=Decimal(1))
    api = bearer(hunter)
    zero = api.post(
        f"/api/v1/deals/{deal.pk}/items",
        {"product_id": catalogue["pump"].pk, "quantity": "0"},
        content_type="application/json",
    )
    assert zero.status_code == 400
    ok = api.post(
        f"/api/v1/deals/{deal.pk}/items",
        {"product_id": catalogue["pump"].pk, "quantity": "1.5"},
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert ok.json()["amount"] == "15000.00"
    assert len(ok.json()["items"]) == 1


def test_board_filters_by_product_without_inflating_totals(client, two_teams, b2b, catalogue):
    hunter = two_teams["hunter_a"]
    deal = services.deal_create(actor=hunter, title="Два насоса", pipeline=b2b)
    for _ in range(2):
        services.deal_add_item(
            actor=hunter, deal=deal, product=catalogue["pump"], quantity=Decimal(1)
        )
    services.deal_create(actor=hunter, title="Без товаров", pipeline=b2b, amount=Decimal(5))
    client.force_login(hunter)
    page = client.get(f"/sales/?pipeline={b2b.pk}&product={catalogue['pump'].pk}").content.decode()
    assert "Два насоса" in page
    assert "Без товаров" not in page
    assert "20 000" in page.replace("\xa0", " ")


def test_deal_page_offers_the_price_its_refusal_asks_for(client, two_teams, b2b) -> None:
    """A product missing from the price list is refused with "give the price": the page asks it."""
    hunter = two_teams["hunter_a"]
    unpriced = crm_services.product_create(actor=None, name="Кран шаровой", sku="KR-1")
    deal = services.deal_create(actor=hunter, title="Краны", pipeline=b2b)
    client.force_login(hunter)
    url = f"/sales/deals/{deal.pk}/"
    page = client.get(url).content.decode()
    assert 'name="price"' in page
    refused = client.post(f"{url}item/", {"product": unpriced.pk, "quantity": "2"}, follow=True)
    assert "нет цены в прайс-листе: укажите цену" in refused.content.decode()
    client.post(f"{url}item/", {"product": unpriced.pk, "quantity": "2", "price": "1500"})
    deal.refresh_from_db()
    assert deal.amount == Decimal("3000.00")
