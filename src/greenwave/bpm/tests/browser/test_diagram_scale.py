"""The diagram of a process at a scale people read: fitted to the width of its card, the contract
approval's labels were drawn too small to read in a box much taller than the drawing. It is now
drawn at a readable scale in a box as tall as the drawing, and the card's buttons show it whole
or zoom it."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import services
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


# The first legend entry and the scale buttons: on one row, the buttons inside the card.
BESIDE = """() => {
  const first = document.querySelector('.gw-legend-done').parentElement.getBoundingClientRect();
  const buttons = document.querySelector('[data-map-zoom=fit]').closest('.btn-group')
    .getBoundingClientRect();
  const card = document.querySelector('[data-bpmn-viewer]').closest('.card')
    .getBoundingClientRect();
  return { same_row: buttons.top < first.bottom && first.top < buttons.bottom,
           inside: buttons.right <= card.right + 0.5, first: first.top, buttons: buttons.top };
}"""


@pytest.mark.parametrize(("width", "language"), [(1024, "ru"), (1400, "en")])
def test_the_task_page_s_scale_buttons_stay_beside_the_legend(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    library: dict[str, Any],
    width: int,
    language: str,
) -> None:
    """On the task page (the diagram in the narrower main column) the scale buttons wrapped
    under the legend at 1400 and 1024 px: the legend wraps in its own box now."""
    head = two_teams["head_a"]
    head.language = language
    head.save(update_fields=["language"])
    instance = services.instance_start(
        actor=head,
        definition=library["acknowledgement"],
        variables={"readers": [head.username], "deadline": "P5D"},
    )
    task = instance.tasks.filter(status="open").first()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, head.username)
    page.goto(f"{live_server.url}/processes/tasks/{task.pk}/")
    page.wait_for_selector("[data-bpmn-viewer][data-rendered=true]")
    found = page.evaluate(BESIDE)
    assert found["same_row"], found
    assert found["inside"], found
