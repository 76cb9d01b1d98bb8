"""Known answers of every sales figure on the built history (conftest `history`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .. import sales_rollups
from ..figures import figure_deals, report_dict, sales_report

MARCH = {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}


def figures_of(actor: Any, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = report_dict(sales_report(actor=actor, **{**MARCH, **kwargs}), compare=None)
    return {f["key"]: f for f in data["figures"]}, data


def _by_period(current: Any, previous: Any, year_ago: Any) -> dict[str, Any]:
    """A figure's values in the three periods of the report."""
    return {"current": current, "previous": previous, "year_ago": year_ago}


def test_periods_are_the_month_the_previous_31_days_and_last_year(history: dict[str, Any]) -> None:
    _f, data = figures_of(history["hunter_a"])
    assert [(p["period"], p["date_from"], p["date_to"]) for p in data["periods"]] == [
        ("current", date(2026, 3, 1), date(2026, 3, 31)),
        ("previous", date(2026, 1, 29), date(2026, 2, 28)),
        ("year_ago", date(2025, 3, 1), date(2025, 3, 31)),
    ]


def test_every_figure_of_a_manager(history: dict[str, Any]) -> None:
    f, _data = figures_of(history["hunter_a"], group_by="day")
    values = {key: item["values"] for key, item in f.items()}
    # d2, d3 and d4 (31 March 23:00 counts; d6 at 00:30 on 1 April does not).
    assert values["sales_volume"] == _by_period(
        Decimal("600.00"), Decimal("500.00"), Decimal("100.00")
    )
    assert f["sales_volume"]["changes"] == {
        "previous": Decimal("20.0"),
        "year_ago": Decimal("500.0"),
    }
    assert values["orders"] == _by_period(3, 1, 1)
    assert values["average_check"] == _by_period(
        Decimal("200.00"), Decimal("500.00"), Decimal("100.00")
    )
    # d2 (C1 bought in 2025) and d4 (C2 bought on 10 March) are repeat sales.
    assert values["repeat_share"] == _by_period(Decimal("0.6667"), Decimal(0), Decimal(0))
    assert f["repeat_share"]["changes"]["previous"] == Decimal("66.7")  # points
    # Only d3 has every line costed: 200 − 60.
    assert values["profit_per_deal"] == _by_period(Decimal("140.00"), None, None)
    # Daily average checks 300 (5th), 200 (10th), 100 (31st): −66.67 %.
    assert values["average_check_change"]["current"] == Decimal("-0.6667")
    assert values["new_clients"] == _by_period(1, 1, 1)
    assert f["new_clients"]["shares"]["current"] == Decimal("0.5000")
    assert values["regular_clients"] == _by_period(1, 0, 0)
    assert f["regular_clients"]["shares"]["current"] == Decimal("0.5000")
    # C5 last bought on 20 Sept 2025: 180 days later falls in March. Alive: C1, C2, C3, C5.
    assert values["lost_clients"] == _by_period(1, 0, 0)
    assert f["lost_clients"]["shares"]["current"] == Decimal("0.2500")
    assert values["new_client_revenue"] == _by_period(
        Decimal("300.00"), Decimal("500.00"), Decimal("100.00")
    )
    assert values["old_client_revenue"] == _by_period(
        Decimal("300.00"), Decimal("0.00"), Decimal("0.00")
    )


def test_breakdowns_groups_products_channels(history: dict[str, Any]) -> None:
    _f, data = figures_of(history["hunter_a"])
    groups = {r["key"]: r["rows"]["current"] for r in data["breakdowns"]["groups"]["rows"]}
    assert {k: (v["revenue"], v["share"]) for k, v in groups.items() if v} == {
        str(history["g1"].pk): (Decimal("400.00"), Decimal("0.6667")),
        str(history["g2"].pk): (Decimal("100.00"), Decimal("0.1667")),
        "none": (Decimal("100.00"), Decimal("0.1667")),
    }
    products = {r["label"]: r["rows"]["current"] for r in data["breakdowns"]["products"]["rows"]}
    assert products["P1"]["revenue"] == Decimal("400.00")
    assert products["P1"]["quantity"] == Decimal("3.000")
    assert products["P1"]["orders"] == 2
    assert products["P2"]["revenue"] == Decimal("100.00")
    channels = {r["key"]: r["rows"]["current"] for r in data["breakdowns"]["channels"]["rows"]}
    assert channels["web_form"] | {"name": ""} == {
        "name": "",
        "leads": 2,
        "deals": 1,
        "won": 1,
        "conversion": Decimal("0.5000"),
    }
    assert channels["call"]["conversion"] == Decimal("0.0000")
    utm = {r["key"]: r["rows"]["current"] for r in data["breakdowns"]["utm"]["rows"]}
    assert set(utm) == {"yandex"}
    assert utm["yandex"]["won"] == 1


def test_scoping_another_team_is_excluded(history: dict[str, Any]) -> None:
    f_b, _ = figures_of(history["head_b"])
    assert f_b["sales_volume"]["values"]["current"] == Decimal("1000.00")
    assert f_b["orders"]["values"]["current"] == 1
    assert f_b["new_clients"]["values"]["current"] == 1
    f_a, _ = figures_of(history["head_a"])
    assert f_a["sales_volume"]["values"]["current"] == Decimal("600.00")
    f_all, _ = figures_of(history["director"])
    assert f_all["sales_volume"]["values"]["current"] == Decimal("1600.00")
    assert f_all["orders"]["values"]["current"] == 4
    assert f_all["new_clients"]["values"]["current"] == 2


def test_compare_keeps_one_comparison(history: dict[str, Any]) -> None:
    data = report_dict(
        sales_report(actor=history["hunter_a"], compare="last_year", **MARCH), compare="last_year"
    )
    assert [p["period"] for p in data["periods"]] == ["current", "year_ago"]
    volume = next(f for f in data["figures"] if f["key"] == "sales_volume")
    assert volume["changes"] == {"year_ago": Decimal("500.0")}


def test_drill_down_returns_the_deals_behind_each_figure(history: dict[str, Any]) -> None:
    actor = history["hunter_a"]

    def titles(figure: str, key: str = "") -> list[str]:
        return sorted(d.title for d in figure_deals(actor=actor, figure=figure, key=key, **MARCH))

    assert titles("sales_volume") == ["d2", "d3", "d4"]
    assert titles("repeat") == ["d2", "d4"]
    assert titles("new_client_revenue") == ["d3", "d4"]
    assert titles("old_client_revenue") == ["d2"]
    assert titles("profit") == ["d3"]
    assert titles("group", str(history["g2"].pk)) == ["d2"]
    assert titles("group", "none") == ["d4"]
    assert titles("product", str(history["p1"].pk)) == ["d2", "d3"]
    assert titles("channel", "web_form") == ["d3"]
    director = history["director"]
    assert [d.title for d in figure_deals(actor=actor, figure="orders", **MARCH)].count("d8") == 0
    assert "d8" in [d.title for d in figure_deals(actor=director, figure="orders", **MARCH)]


@pytest.mark.django_db
def test_query_count_is_fixed(history: dict[str, Any]) -> None:
    actor = history["director"]
    with CaptureQueriesContext(connection) as small:
        sales_report(actor=actor, **MARCH)
    with CaptureQueriesContext(connection) as large:
        sales_report(actor=actor, date_from=date(2025, 1, 1), date_to=date(2026, 12, 31))
    # From the sales rollups (built by the fixture): the actor's roles and team tree once,
    # whether the rollups are built, two statements of totals, then at most six small reads per
    # period (lines and leads of the teams and of the actor's own records outside them, the
    # products' names, the series), whatever its length.
    assert len(small.captured_queries) <= 2 + 1 + 2 + 3 * 6
    assert len(large.captured_queries) <= 1 + 2 + 3 * 6
    # From the raw deals (rollups not built): whether they are, then 8 queries per period.
    with (
        patch.object(sales_rollups, "built", return_value=False),
        CaptureQueriesContext(connection) as raw,
    ):
        sales_report(actor=actor, date_from=date(2025, 1, 1), date_to=date(2026, 12, 31))
    assert len(raw.captured_queries) == 3 * 8
