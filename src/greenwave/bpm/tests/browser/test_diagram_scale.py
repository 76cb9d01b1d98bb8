"""The diagram of a process at a scale people read: fitted to the width of its card, the contract
approval's labels were drawn too small to read in a box much taller than the drawing. It is now
drawn at a readable scale in a box as tall as the drawing, and the card's buttons show it whole
or zoom it."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const el = document.querySelector('[data-bpmn-viewer]');
  const layer = el.querySelector('.viewport');
  const scale = layer.transform.baseVal.consolidate().matrix.a;
  return { scale: scale, drawn: layer.getBoundingClientRect().height,
           box: el.getBoundingClientRect().height };
}"""


def test_the_contract_approval_is_drawn_readable_and_zooms(
    page: Any, live_server: Any, two_teams: dict[str, Any], library: dict[str, Any]
) -> None:
    definition = library["contract_approval"]
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, two_teams["head_a"].username)
    page.goto(f"{live_server.url}/processes/definitions/{definition.pk}/")
    page.wait_for_selector("[data-bpmn-viewer][data-rendered=true]")
    start = page.evaluate(MEASURE)
    assert start["scale"] >= 0.8 - 1e-6, start  # the labels readable
    assert start["box"] <= start["drawn"] + 60, start  # no empty band under the drawing

    page.click("[data-testid=bpmn-fit]")
    whole = page.evaluate(MEASURE)
    assert whole["scale"] < start["scale"], whole  # the whole drawing in the box
    page.click("[data-map-zoom=in]")
    assert page.evaluate(MEASURE)["scale"] > whole["scale"]
