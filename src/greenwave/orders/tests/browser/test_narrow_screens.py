"""The payments list at a 1024 px wide screen (a laptop with the sidebar open): the table fits
its card — secondary columns step aside — instead of scrolling sideways. Screenshot in
test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.journey import screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.orders import services

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
