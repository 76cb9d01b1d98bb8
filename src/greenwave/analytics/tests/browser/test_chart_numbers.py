"""The analytics charts write their figures as the page's language does: ECharts
groups thousands with commas whatever the language («7,000,000» on a Russian page)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_FORMATTERS = """() => {
  const option = (chart) => window.echarts.getInstanceByDom(
    document.querySelector(`[data-chart="${chart}"]`)).getOption();
  const steps = option("chart-steps"), groups = option("chart-groups");
  return [
    steps.yAxis[0].axisLabel.formatter(7000000),
    steps.yAxis[1].axisLabel.formatter(650000),
    steps.tooltip[0].valueFormatter(2500.5),
    groups.tooltip[0].formatter({marker: "", name: "Services", value: 1234567, percent: 12.5}),
  ];
}"""


@pytest.mark.parametrize(
    ("language", "figures"),
    [("ru", ["7 000 000", "650 000", "2 500,5"]), ("en", ["7,000,000", "650,000", "2,500.5"])],
)
def test_the_sales_charts_write_figures_as_the_language_does(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    language: str,
    figures: list[str],
) -> None:
    director = two_teams["director"]
    director.language = language
    director.save(update_fields=["language"])
    sign_in(page, live_server, director.username)
    page.goto(
        f"{live_server.url}/analytics/sales/?date_from=2026-09-01&date_to=2026-09-30&group_by=month"
    )
    page.wait_for_function(
        "() => window.echarts && document.querySelector('[data-chart=\"chart-groups\"] canvas')"
    )
    shown = [
        text.replace("\u00a0", " ").replace("\u202f", " ") for text in page.evaluate(_FORMATTERS)
    ]
    share = "12,5 %" if language == "ru" else "12.5 %"
    pie = "Services: " + ("1 234 567" if language == "ru" else "1,234,567") + f" ({share})"
    assert shown == [*figures, pie]


def test_the_home_sales_chart_writes_figures_as_the_language_does(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    # The home card loads charts.js inside the page, before app.js defines the formatter.
    sign_in(page, live_server, two_teams["director"].username)
    page.goto(f"{live_server.url}/")
    page.wait_for_function(
        "() => window.echarts && document.querySelector('[data-chart=\"home-sales-chart\"] canvas')"
    )
    shown = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.querySelector(
             '[data-chart="home-sales-chart"]')).getOption().yAxis[0].axisLabel.formatter(7000000)"""
    )
    assert shown.replace("\u00a0", " ").replace("\u202f", " ") == "7 000 000"
