"""The kanban shows every stage of a pipeline at 1440 px: columns share the width, an empty
stage folds into a strip that still takes a dropped card (issue 14, screens that fit)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in
from greenwave.sales import services
from greenwave.sales.models import Deal, Pipeline

from .test_sales_journey import drag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_all_stages_fit_at_1440_and_a_folded_stage_takes_a_card(
    page: Any, live_server: Any, two_teams: dict[str, Any], default_pipelines: None
) -> None:
    head = two_teams["head_a"]
    pipeline = Pipeline.objects.get(code="b2b")
    stages = list(pipeline.stages.order_by("order"))
    filled = [stages[0], stages[2], stages[3]]  # the second stage stays empty: folded
    for stage in filled:
        title = f"Сделка: {stage.name}"
        services.deal_create(actor=head, title=title, pipeline=pipeline, stage=stage)

    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server, head.username)
    page.goto(f"{live_server.url}/sales/?pipeline={pipeline.pk}")
    board = page.locator(".gw-board")
    columns = page.locator("[data-testid=column]")
    assert columns.count() == len(stages)
    right_edge = board.bounding_box()["x"] + board.bounding_box()["width"]
    for i in range(columns.count()):
        box = columns.nth(i).bounding_box()
        assert box["x"] + box["width"] <= right_edge + 1, f"stage {i + 1} is out of view"
    folded = page.locator(".gw-column-empty")
    assert folded.count() == len(stages) - 3
    assert folded.first.bounding_box()["width"] < 60  # a strip, not a column
    page.screenshot(path="test-artifacts/kanban_1440.png", full_page=True)

    # A card dropped on the folded stage goes there (a move back needs no gate).
    classes = [columns.nth(i).get_attribute("class") for i in range(columns.count())]
    assert "gw-column-empty" in (classes[1] or ""), classes
    card = page.locator(".gw-card", has_text=stages[2].name)
    target = page.locator(f".gw-cards[data-stage='{stages[1].pk}']")
    drag(page, card, target)
    page.wait_for_selector("[data-testid=board-feedback]")
    moved = Deal.objects.get(title=f"Сделка: {stages[2].name}")
    assert moved.stage_id == stages[1].pk


_TITLE_LINES = """(el) => {
  const style = getComputedStyle(el);
  return [Math.round(el.getBoundingClientRect().height / parseFloat(style.lineHeight)),
          el.scrollWidth <= el.clientWidth, el.title];
}"""


def test_a_long_deal_title_reads_on_two_lines_of_its_card(
    page: Any, live_server: Any, two_teams: dict[str, Any], default_pipelines: None
) -> None:
    """At 1366 px nine stages leave a card ~9 rem: a title cut to one line («Поставка каб…»)
    told the deals of one client apart by nothing; it now takes two lines, then an ellipsis."""
    head = two_teams["head_a"]
    pipeline = Pipeline.objects.get(code="b2b")
    first = pipeline.stages.order_by("order").first()
    title = "Поставка кабельной продукции и монтажных материалов, ноябрь 2026, второй этап"
    services.deal_create(actor=head, title=title, pipeline=pipeline, stage=first)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server, head.username)
    page.goto(f"{live_server.url}/sales/?pipeline={pipeline.pk}")
    link = page.locator(".gw-card a", has_text="Поставка кабельной")
    assert link.evaluate(_TITLE_LINES) == [2, True, title]
