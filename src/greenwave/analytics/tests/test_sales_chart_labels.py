"""The sales chart's steps are dates as the page's language writes them, not ISO dates
(«2026-03-01» on a Russian page)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client


@pytest.mark.parametrize(("language", "first_day"), [("ru", "05.03.2026"), ("en", "03/05/2026")])
def test_the_steps_of_the_sales_chart_are_dates_of_the_pages_language(
    client: Client, history: dict[str, Any], language: str, first_day: str
) -> None:
    director = history["director"]
    director.language = language
    director.save(update_fields=["language"])
    client.force_login(director)
    page = client.get("/analytics/sales/?date_from=2026-03-01&date_to=2026-03-31&group_by=day")
    assert page.status_code == 200
    [source] = re.findall(
        r'<script id="chart-steps" type="application/json">(.*?)</script>', page.content.decode()
    )
    steps = json.loads(source)["xAxis"]["data"]
    assert steps[0] == first_day  # the first day with a sale: d2, 2026-03-05
