"""The plan chart writes its figures as the page's language does: the axis of a Russian page
read «1,000,000» (ECharts groups thousands with commas whatever the language)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_FORMATTERS = """() => {
  const el = document.querySelector("[data-plan-chart]");
  const option = window.echarts.getInstanceByDom(el).getOption();
  return [option.yAxis[0].axisLabel.formatter(1000000), option.tooltip[0].valueFormatter(2500.5)];
}"""


@pytest.mark.parametrize(
    ("language", "axis", "tooltip"),
    [("ru", "1 000 000", "2 500,5"), ("en", "1,000,000", "2,500.5")],
)
def test_the_plan_chart_groups_thousands_as_the_language_does(
    page: Any, live_server: Any, two_teams: dict[str, Any], language: str, axis: str, tooltip: str
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    sign_in(page, live_server, hunter.username)
    page.goto(f"{live_server.url}/planning/plan/")
    page.wait_for_function(
        "() => window.echarts && document.querySelector('[data-plan-chart] canvas')"
    )
    shown = [
        text.replace("\u00a0", " ").replace("\u202f", " ") for text in page.evaluate(_FORMATTERS)
    ]
    assert shown == [axis, tooltip]
