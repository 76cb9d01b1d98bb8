"""The DMN editor speaks the user's language: «Если / То / Правило выбора», not When/Then, and a
built-in table's labels and annotations in English for an English user, saved as the library's
Russian."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.accounts import services as account_services
from greenwave.core.tests.browser.signing import sign_in
from greenwave.decisions.library_texts import readable_texts
from greenwave.decisions.models import DecisionDefinition
from greenwave.decisions.services import decisions_seed
from greenwave.decisions.tests.conftest import library_xml

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_editor(page: Any, live_server: Any, head: Any, language: str, key: str) -> Any:
    """The seeded decision `key` in the editor of a head of sales reading `language`."""
    decisions_seed(actor=None)
    account_services.user_update(actor=None, user=head, language=language)
    sign_in(page, live_server, head.username)
    page.goto(f"{live_server.url}/decisions/{key}/edit/")
    page.wait_for_selector("[data-testid=dmn-modeler][data-rendered=true]")
    return page.locator("[data-testid=dmn-modeler]")


@pytest.mark.parametrize(
    ("language", "words"),
    [("ru", ("Правило выбора:", "Если", "То")), ("en", ("Hit policy:", "When", "Then"))],
)
def test_the_decision_table_editor_is_in_the_users_language(
    page: Any, live_server: Any, two_teams: dict[str, Any], language: str, words: tuple[str, ...]
) -> None:
    head = two_teams["head_a"]
    table = _open_editor(page, live_server, head, language, "discount_price_list")
    hit_policy, when, then = words
    assert table.locator(".hit-policy .dms-label").inner_text().strip() == hit_policy
    headers = table.locator("th").all_inner_texts()
    assert any(h.startswith(when) for h in headers), headers
    assert any(h.startswith(then) for h in headers), headers


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [
        ("en", ("Client risk", "A risky client: to the lawyer"), "Риск клиента"),
        ("ru", ("Риск клиента", "Рискованный клиент — к юристу"), "Client risk"),
    ],
)
def test_a_built_in_table_reads_in_the_users_language_and_is_saved_as_the_library_wrote_it(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    language: str,
    shown: tuple[str, str],
    hidden: str,
) -> None:
    table = _open_editor(page, live_server, two_teams["head_a"], language, "contract_approval")
    page.click("#dmn-tabs button:has-text('approval_rules')")
    table.locator(".tjs-table").wait_for()
    text = table.inner_text()
    label, annotation = shown
    assert label in text
    assert annotation in text
    assert hidden not in text

    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=dmn-saved]")
    saved = DecisionDefinition.objects.get(key="contract_approval", version=2)
    assert readable_texts(saved.xml_bytes) == readable_texts(library_xml("contract_approval"))
    assert b"client_risk" in saved.xml_bytes
