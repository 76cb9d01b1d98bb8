"""The home page card of a head of sales or the director: the last twelve months of sales
against the same months a year earlier (scoped: a head sees the team, the director all)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User

from .figures import report_dict, sales_report


def home_summary(actor: User) -> dict[str, Any] | None:
    if not actor.has_role(RoleCode.HEAD_OF_SALES, RoleCode.ADMIN):
        return None
    today = timezone.localdate()
    start = today.replace(day=1)
    for _n in range(11):
        start = (start.replace(day=1) - timedelta(days=1)).replace(day=1)
    data = report_dict(
        sales_report(
            actor=actor,
            date_from=start,
            date_to=today,
            compare="last_year",
            group_by="month",
            breakdowns=False,  # the card shows five figures and the series, no breakdown
        ),
        compare="last_year",
    )
    figures = {f["key"]: f for f in data["figures"]}
    current = data["series"]["current"]
    year_ago = {
        p["bucket"].replace(year=p["bucket"].year + 1): p for p in data["series"]["year_ago"]
    }
    chart = {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 5, "right": 10, "top": 10, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [p["bucket"].strftime("%m.%y") for p in current]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": _("This year"),
                "type": "bar",
                "data": [float(p["volume"]) for p in current],
            },
            {
                "name": _("A year earlier"),
                "type": "line",
                "data": [
                    float(year_ago[p["bucket"]]["volume"]) if p["bucket"] in year_ago else 0
                    for p in current
                ],
            },
        ],
    }
    return {
        "date_from": start,
        "date_to": today,
        "figures": [
            figures[key]
            for key in ("sales_volume", "orders", "average_check", "new_clients", "lost_clients")
        ],
        "chart": chart,
    }
