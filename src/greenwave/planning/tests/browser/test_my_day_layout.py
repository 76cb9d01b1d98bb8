"""The «Add a client to the plan» form of My day at the widths people use: each field shows its
value whole (the priority used to be squeezed to «О» at 1024 px and «Norma» at 1440 px)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.journey import select_shows_its_value_whole
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1024, 1440])
def test_my_day_priority_shows_its_value_whole(
    page: Any, live_server: Any, two_teams: dict[str, Any], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/planning/my-day/")
    select_shows_its_value_whole(page, "form[action$='/my-day/items/'] select[name=priority]")
