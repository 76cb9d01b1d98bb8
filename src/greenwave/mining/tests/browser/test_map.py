"""The process map draws without console warnings (cytoscape warned of a custom wheel
sensitivity: the map zoomed unlike every other page under a mainstream mouse; and of the
deprecated `width: label` / `height: label` node style)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_process_map_draws_without_a_console_warning(
    page: Any,
    live_server: Any,
    two_teams: Any,
    deal_log: Any,
) -> None:
    deal_log(["needs", "presentation", "cp_preparation"])
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    sign_in(page, live_server, two_teams["head_a"].username)
    page.goto(f"{live_server.url}/mining/")
    page.wait_for_selector("#mining-map[data-rendered=true]")
    assert warnings == []
