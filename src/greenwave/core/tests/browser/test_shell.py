"""Browser journeys of the shell: sign in by role, switch language, see the navigation."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hunter_signs_in_switches_language_and_back(page: Any, live_server: Any, two_teams) -> None:
    sign_in(page, live_server, "hunter_a")

    assert "Здравствуйте" in page.inner_text("[data-testid=greeting]")
    assert page.inner_text("[data-testid=role]") == "Охотник"
    assert page.locator("[data-nav=users]").count() == 0  # no administration for a hunter

    page.click("[data-testid=language-switcher] button[value=en]")
    page.wait_for_selector("text=Hello,")
    assert page.inner_text("[data-testid=role]") == "Hunter"
    assert page.get_attribute("html", "lang") == "en"

    page.click("[data-testid=language-switcher] button[value=ru]")
    page.wait_for_selector("text=Здравствуйте,")
    assert page.get_attribute("html", "lang") == "ru"


def test_head_and_admin_see_their_navigation(page: Any, live_server: Any, two_teams) -> None:
    sign_in(page, live_server, "head_a")
    assert "Руководитель отдела продаж" in page.inner_text("[data-testid=role]")
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_selector("[data-testid=login-submit]")

    sign_in(page, live_server, "admin")
    page.click("[data-nav=users]")
    page.wait_for_selector("[data-testid=list-count]")
    page.fill("input[name=q]", "hunter")
    page.wait_for_function(
        "() => !document.querySelector('#list-results').innerText.includes('head_a')"
    )
    rows = page.inner_text("#list-results")
    assert "hunter_a" in rows
    assert "hunter_b" in rows


def test_the_demo_first_steps_can_be_hidden_for_good(
    page: Any, live_server: Any, two_teams
) -> None:
    from greenwave.accounts.services import demo_company_mark_seeded

    demo_company_mark_seeded()
    sign_in(page, live_server, "head_a")
    assert page.locator("[data-testid=home-tour] li").count() == 5
    page.click("[data-gw-dismiss=tour]")
    # the card goes when the server has stored the choice: wait for it, not for the click
    page.wait_for_selector("[data-testid=home-tour]", state="detached")
    page.reload()
    page.wait_for_selector("[data-testid=greeting]")
    assert page.locator("[data-testid=home-tour]").count() == 0
