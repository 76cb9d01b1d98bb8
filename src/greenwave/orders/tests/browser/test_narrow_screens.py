"""The payments list at a 1024 px wide screen (a laptop with the sidebar open): the table fits
its card — secondary columns step aside — instead of scrolling sideways. Screenshot in
test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.core.tests.browser.journey import screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm.models import Company
from greenwave.orders import fulfilment, services
from greenwave.orders.models import LateReason, Order
from greenwave.sales.models import Deal, DealStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => [...document.querySelectorAll('.table-responsive')]
    .map(e => e.scrollWidth - e.clientWidth)"""


def test_the_payments_list_fits_a_1024_px_screen_without_scrolling_sideways(
    page: Any, live_server: Any, make_invoice: Any, finance: Any
) -> None:
    for amount in ("1729500.00", "43200.00", "811600.00"):
        invoice = make_invoice(amount)
        services.payment_record(actor=finance, invoice=invoice, amount="40000")
    page.set_viewport_size({"width": 1024, "height": 900})
    sign_in(page, live_server, finance.username)
    page.goto(f"{live_server.url}/money/payments/")
    page.wait_for_selector("[data-testid=payments]")
    screenshot(page, "payments_1024")
    assert page.evaluate(OVERFLOW) == [0]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == [0]
    assert page.is_visible("th:has-text('Платёжное поручение')")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_orders_list_fits_a_1024_px_screen_without_scrolling_sideways(
    page: Any, live_server: Any, deal: Any, two_teams: Any, language: str
) -> None:
    Deal.objects.filter(pk=deal.pk).update(
        status=DealStatus.WON, closed_at=timezone.now(), title="Поставка офисной мебели, сентябрь"
    )
    Company.objects.filter(pk=deal.company_id).update(name="ООО «Техноинвестмаш-Центр»")
    order = fulfilment.order_create_from_deal(actor=None, deal=Deal.objects.get(pk=deal.pk))
    Order.objects.filter(pk=order.pk).update(  # shipped late: the reason's badge in the row
        shipped_date=order.promised_date + timedelta(days=3), late_reason=LateReason.SUPPLIER_DELAY
    )
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    page.set_viewport_size({"width": 1024, "height": 900})
    sign_in(page, live_server, hunter.username)
    page.goto(f"{live_server.url}/money/orders/")
    page.wait_for_selector("[data-testid=orders]")
    screenshot(page, f"orders_1024_{language}")
    assert page.evaluate(OVERFLOW) == [0]
