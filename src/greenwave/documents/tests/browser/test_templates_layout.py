"""The document templates page at 1024 px: the variables' long names
(`buyer.signatory_position_genitive`) used to push their table out of its card and the page
wider than the window."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_variables_fit_the_window_at_1024(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/documents/templates/")
    assert page.locator("[data-testid=variables]").count() == 1
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths
