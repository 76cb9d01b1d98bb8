"""The money lists and the deals list at a 1024 px wide screen (a laptop with the sidebar
open): the table fits its card — secondary columns step aside — instead of scrolling
sideways. Screenshot in test-artifacts/."""

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


def _open_at_1024(
    page: Any, live_server: Any, user: Any, language: str, path: str, testid: str
) -> None:
    """Sign `user` in, reading `language`, and open `path` on a 1024 px screen (screenshot
    `<testid>_1024_<language>`)."""
    user.language = language
    user.save(update_fields=["language"])
    page.set_viewport_size({"width": 1024, "height": 900})
    sign_in(page, live_server, user.username)
    page.goto(f"{live_server.url}{path}")
    page.wait_for_selector(f"[data-testid={testid}]")
    screenshot(page, f"{testid}_1024_{language}")


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
    _open_at_1024(page, live_server, two_teams["hunter_a"], language, "/money/orders/", "orders")
    assert page.evaluate(OVERFLOW) == [0]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_receivables_fit_1024_and_1280_px_screens_the_buckets_one_overdue_column_there(
    page: Any, live_server: Any, make_invoice: Any, finance: Any, client_company: Any, language: str
) -> None:
    Company.objects.filter(pk=client_company.pk).update(name="ООО «Спецэлектротерминал»")
    today = timezone.localdate()
    for days_late, amount in ((-5, "811600.00"), (3, "1214800.00"), (20, "2078400.00"),
                              (60, "960600.00"), (120, "1155000.00")):  # fmt: skip
        make_invoice(
            amount,
            issue_date=today - timedelta(days=130),
            due_date=today - timedelta(days=days_late),
        )
    _open_at_1024(page, live_server, finance, language, "/money/receivables/", "receivables")
    assert page.evaluate(OVERFLOW) == [0]
    overdue = "Просрочено" if language == "ru" else "Overdue"
    assert page.is_visible(f"th:has-text('{overdue}')")
    assert not page.is_visible("th:has-text('90')")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == [0]
    page.set_viewport_size({"width": 1440, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == [0]  # the four overdue buckets apart, the sum hidden
    assert page.is_visible("th:has-text('90')")
    assert not page.is_visible(f"th:has-text('{overdue}')")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_deals_list_fits_1024_and_1280_px_screens_without_scrolling_sideways(
    page: Any, live_server: Any, deal: Any, two_teams: Any, language: str
) -> None:
    Deal.objects.filter(pk=deal.pk).update(title="Поставка программного обеспечения, декабрь 2026")
    Company.objects.filter(pk=deal.company_id).update(name="ООО «Трансэлектрорезерв»")
    _open_at_1024(page, live_server, two_teams["hunter_a"], language, "/sales/deals/", "deals")
    assert page.evaluate(OVERFLOW) == [0]
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert page.evaluate(OVERFLOW) == [0]
