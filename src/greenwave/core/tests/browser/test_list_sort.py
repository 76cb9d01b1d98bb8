"""The sort of a list page shows its whole label and arrow at 1024 px: the activities'
«Запланировано на ↑» used to read «Запланир», hiding which way the list was sorted."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.journey import select_shows_its_value_whole
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("path", ["/activities/", "/clients/companies/"])
def test_the_sort_shows_its_label_and_arrow_at_1024(
    page: Any, live_server: Any, two_teams: dict[str, Any], path: str
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}{path}")
    for index in range(page.locator("#list-sort option").count()):
        page.locator("#list-sort").evaluate(f"(s) => {{ s.selectedIndex = {index}; }}")
        select_shows_its_value_whole(page, "#list-sort")
