"""Browser journey (issue 14, item 5): type in the header's search, pick a deal with the
keyboard, log a call from its feed in one line; the quick «+» and the favicon are there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from greenwave.activities.models import Activity
from greenwave.core.tests.browser.conftest import ARTIFACTS
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services
from greenwave.sales import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"search_journey_{name}.png"))


def test_header_search_opens_a_deal_and_a_call_is_logged_from_its_feed(
    page: Any, live_server: Any, two_teams, b2b
) -> None:
    hunter_a, hunter_b = two_teams["hunter_a"], two_teams["hunter_b"]
    company = crm_services.company_create(
        actor=hunter_a, name="ООО «Ромашка»", inn="7707083893", phone="+7 495 123-45-67"
    )
    deal = services.deal_create(
        actor=hunter_a, title="Насосы для Ромашки", pipeline=b2b, company=company
    )
    services.deal_create(actor=hunter_b, title="Насосы для команды Б", pipeline=b2b)

    sign_in(page, live_server, "hunter_a")
    assert page.get_attribute("link[rel=icon]", "href").endswith("favicon.svg")
    page.click("[data-testid=quick-add]")
    offered = page.locator("[data-quick-add]").evaluate_all(
        "els => els.map(e => e.dataset.quickAdd)"
    )
    assert offered == ["lead", "deal", "company", "task"]
    page.keyboard.press("Escape")

    search = page.locator("[data-testid=global-search]")
    search.click()
    search.press_sequentially("насосы", delay=40)
    page.wait_for_selector("[data-testid=search-hit]")
    hits = page.locator("[data-testid=search-hit]").all_inner_texts()
    assert any("Насосы для Ромашки" in h for h in hits)
    assert not any("команды Б" in h for h in hits)  # team B's deal is not found
    shot(page, "1_dropdown")

    # The phone typed with 8 finds the client; Esc closes the dropdown.
    search.fill("")
    search.press_sequentially("8 495 123", delay=40)
    page.wait_for_selector("[data-testid=search-hit][data-type=company]")
    search.press("Escape")
    assert not page.locator("[data-testid=search-results]").is_visible()

    search.fill("")
    search.press_sequentially("ромашки", delay=40)
    page.wait_for_selector("[data-testid=search-hit][data-type=deal]")
    search.press("ArrowDown")
    assert page.locator(".gw-search-hit.active").inner_text().startswith("Насосы для Ромашки")
    shot(page, "2_keyboard")
    search.press("Enter")
    page.wait_for_url(f"**/sales/deals/{deal.pk}/")

    form = page.locator("[data-testid=log-call]")
    form.locator("select[name=call_result]").select_option("proposal_requested")
    form.locator("input[name=outcome]").fill("Ждут КП до пятницы")
    form.locator("[data-testid=log-call-submit]").click()
    page.wait_for_selector("[data-testid=timeline-entry] >> text=Ждут КП до пятницы")
    first = page.locator("[data-testid=timeline-entry]").first.inner_text()
    assert "Звонок совершён" in first or "Ждут КП до пятницы" in first
    page.locator("[data-testid=timeline]").screenshot(
        path=str(Path(ARTIFACTS) / "search_journey_3_call_logged.png")
    )
    call = Activity.objects.get(deal=deal)
    assert call.call_result == "proposal_requested"
