"""The DMN editor speaks the user's language: «Если / То / Правило выбора», not When/Then."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.accounts import services as account_services
from greenwave.conftest import PASSWORD
from greenwave.decisions.services import decisions_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ("Правило выбора:", "Если", "То")), ("en", ("Hit policy:", "When", "Then"))],
)
def test_the_decision_table_editor_is_in_the_users_language(
    page: Any, live_server: Any, two_teams: dict[str, Any], language: str, words: tuple[str, ...]
) -> None:
    decisions_seed(actor=None)
    head = two_teams["head_a"]
    account_services.user_update(actor=None, user=head, language=language)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", head.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=greeting]")

    page.goto(f"{live_server.url}/decisions/discount_price_list/edit/")
    page.wait_for_selector("[data-testid=dmn-modeler][data-rendered=true]")
    table = page.locator("[data-testid=dmn-modeler]")
    hit_policy, when, then = words
    assert table.locator(".hit-policy .dms-label").inner_text().strip() == hit_policy
    headers = table.locator("th").all_inner_texts()
    assert any(h.startswith(when) for h in headers), headers
    assert any(h.startswith(then) for h in headers), headers
