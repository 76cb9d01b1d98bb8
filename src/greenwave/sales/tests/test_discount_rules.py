"""Seed 001 + issue 8: the head's discount choice is made by the editable decision table, and
a new deployed version of the table is what the next deal uses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.crm.models import PriceList
from greenwave.decisions import services as decision_services
from greenwave.sales import services

pytestmark = pytest.mark.django_db
LIBRARY = Path(decision_services.__file__).parent / "library" / "discount_price_list.dmn"


@pytest.fixture
def priced_deal(two_teams, b2b):
    decision_services.decision_save(
        actor=None, xml=LIBRARY.read_bytes(), key="discount_price_list", deploy=True
    )
    pump = crm_services.product_create(actor=None, name="Насос", sku="P-1")
    base = PriceList.objects.get(kind="base")
    crm_services.prices_set(actor=None, price_list=base, prices={pump.pk: "100000"})
    for level in range(1, 6):
        price_list = PriceList.objects.get(kind="discount", level=level)
        crm_services.prices_set(
            actor=None, price_list=price_list, prices={pump.pk: str(100000 - level * 5000)}
        )
    deal = services.deal_create(actor=two_teams["hunter_a"], title="Торг", pipeline=b2b)
    services.deal_add_item(
        actor=two_teams["hunter_a"], deal=deal, product=pump, quantity=Decimal(12)
    )
    deal.refresh_from_db()
    return deal


def test_the_decision_table_chooses_the_discount_list_and_reprices(two_teams, priced_deal):
    deal = services.deal_apply_discount_rules(
        actor=two_teams["head_a"],
        deal=priced_deal,
        client_segment="ключевой",
        payment_history="хорошая",
    )
    assert deal.price_list.level == 5  # key account, order of 1.2M
    assert deal.amount == Decimal("12") * Decimal("75000")
    event = Event.objects.get(activity="deal_discount_chosen")
    assert event.payload["decision"] == "discount_price_list"
    assert event.payload["level"] == "5"


def test_overdue_payers_get_only_the_minimal_discount(two_teams, priced_deal):
    deal = services.deal_apply_discount_rules(
        actor=two_teams["head_a"],
        deal=priced_deal,
        client_segment="ключевой",
        payment_history="с просрочками",
    )
    assert deal.price_list.level == 1


def test_a_hunter_cannot_apply_discount_rules(two_teams, priced_deal):
    from greenwave.core.errors import DomainError

    with pytest.raises(DomainError):
        services.deal_apply_discount_rules(
            actor=two_teams["hunter_a"],
            deal=priced_deal,
            client_segment="ключевой",
            payment_history="хорошая",
        )
    priced_deal.refresh_from_db()
    assert priced_deal.price_list is None


def test_an_edited_table_is_used_by_the_next_deal(two_teams, priced_deal):
    edited = LIBRARY.read_bytes().replace(
        b'<outputEntry id="discount_table_r3_o1"><text>5</text>',
        b'<outputEntry id="discount_table_r3_o1"><text>2</text>',
    )
    assert edited != LIBRARY.read_bytes()
    decision_services.decision_save(
        actor=two_teams["admin"], xml=edited, key="discount_price_list", deploy=True
    )
    deal = services.deal_apply_discount_rules(
        actor=two_teams["head_a"],
        deal=priced_deal,
        client_segment="ключевой",
        payment_history="хорошая",
    )
    assert deal.price_list.level == 2
