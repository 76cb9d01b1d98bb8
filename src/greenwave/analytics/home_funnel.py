"""The home page card of the sales funnel for a head of sales or the director: the default
pipeline's stages this quarter from the rollups, each stage clicking through to its deals."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from greenwave.accounts.models import RoleCode, User
from greenwave.sales import selectors as sales_selectors

from .rollups import FunnelSummary, rollup_funnel


def quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _chart(summary: FunnelSummary, deals_url: str, pipeline_id: int) -> dict[str, Any]:
    """An ECharts funnel of the deals that entered each stage; a click opens the stage's deals."""
    stages = summary.stages
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}: {c}"},
        "series": [
            {
                "type": "funnel",
                "sort": "none",
                "left": 0,
                "right": 0,
                "top": 5,
                "bottom": 5,
                "minSize": "12%",
                "label": {"position": "inside", "formatter": "{b}: {c}"},
                "data": [{"name": s.stage, "value": s.entered} for s in stages],
            }
        ],
        "links": [
            [f"{deals_url}?pipeline={pipeline_id}&stage={s.stage_id}" for s in stages],
        ],
    }


def home_funnel(actor: User) -> dict[str, Any] | None:
    """The card's context; None for anyone but a head of sales or an administrator, or
    without a pipeline."""
    if not actor.has_role(RoleCode.HEAD_OF_SALES, RoleCode.ADMIN):
        return None
    pipeline = sales_selectors.pipeline_default(with_stages=False)
    if pipeline is None:
        return None
    today = timezone.localdate()
    start = quarter_start(today)
    summary = rollup_funnel(actor=actor, pipeline=pipeline, date_from=start, date_to=today)
    return {
        "pipeline": pipeline,
        "date_from": start,
        "date_to": today,
        "summary": summary,
        "empty": not any(s.entered for s in summary.stages),
        "chart": _chart(summary, reverse("sales:deal_list"), pipeline.pk),
    }
