"""The deal page's product forms at the widths people use: «Re-price» used to break mid-word
(«Пересчит / ать») and the price list's name was cut short beside it; with the price field beside
it, «Количество» ran into «Цена, ₽» at 1024 px."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from greenwave.core.tests.browser.journey import (
    button_label_lines,
    pumps_at_the_contract,
    select_shows_its_value_whole,
)
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1024, 1440])
def test_product_forms_keep_their_labels_whole_and_apart(
    page: Any, live_server: Any, two_teams: dict[str, Any], default_pipelines: None, width: int
) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Ромашка»")
    deal = pumps_at_the_contract(hunter, company)
    wholesale = crm_services.price_list_create(actor=None, name="Оптовый прайс-лист, регионы")

    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, hunter.username)
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    page.select_option("select[name=price_list]", str(wholesale.pk))
    repricing = f"form[action$='/deals/{deal.pk}/price-list/']"
    assert button_label_lines(page, f"{repricing} button[type=submit]") == 1
    assert button_label_lines(page, f"form[action$='/deals/{deal.pk}/item/'] button") == 1
    select_shows_its_value_whole(page, f"{repricing} select[name=price_list]")
    form = f"form[action$='/deals/{deal.pk}/item/']:has(select[name=product])"
    labels = [
        page.locator(f"{form} label[for$='{name}']").bounding_box()
        for name in ("product", "quantity", "price")
    ]
    for left, right in pairwise(labels):
        assert left is not None
        assert right is not None
        side_by_side = abs(left["y"] - right["y"]) < left["height"]
        if side_by_side:
            assert left["x"] + left["width"] <= right["x"], (left, right)
