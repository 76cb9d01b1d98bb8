"""A reader whose teams hold every deal (a director heading every selling team) reads the
unsplit daily rollup as the admin does, with the answers of their scoped rows; one deal
outside their scope sends them back to the scoped rows."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from greenwave.crm.models import Company
from greenwave.sales import services as sales_services
from greenwave.sales.funnel import funnel
from greenwave.sales.models import Pipeline

from .. import rollups
from ..models import DailyRollup, DayRollup

_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")
SINCE = date(2000, 1, 1)


def _deal(user: Any, title: str, pipeline: Pipeline) -> Any:
    client = Company.objects.create(name=title, responsible=user, team=user.team)
    return sales_services.deal_create(
        actor=user, title=title, pipeline=pipeline, company=client, amount=Decimal(100)
    )


def _counts(actor: Any, pipeline: Pipeline) -> dict[int, tuple[int, int, int, int]]:
    summary = rollups.rollup_funnel(
        actor=actor, pipeline=pipeline, date_from=SINCE, date_to=timezone.localdate()
    )
    return {s.stage_id: (s.entered, s.forward, s.lost, s.won) for s in summary.stages}


def _raw(actor: Any, pipeline: Pipeline) -> dict[int, tuple[int, int, int, int]]:
    rows = funnel(actor=actor, pipeline=pipeline, date_from=SINCE, date_to=timezone.localdate())
    return {r.stage_id: (r.entered, r.forward, r.lost, r.won) for r in rows}


def test_director_of_every_team_reads_the_unsplit_rows(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    _DEFAULTS.create(apps, None)
    b2b = Pipeline.objects.get(code="b2b")
    _deal(two_teams["hunter_a"], "a1", b2b)
    _deal(two_teams["hunter_a"], "a2", b2b)
    lost = _deal(two_teams["hunter_b"], "b1", b2b)
    reason = b2b.loss_reasons.filter(is_active=True).first()
    sales_services.deal_lose(actor=two_teams["hunter_b"], deal=lost, reason=reason)
    rollups.refresh()
    director, head = two_teams["director"], two_teams["head_a"]

    assert rollups._scoped_rows(director).model is DayRollup
    assert rollups._scoped_rows(head).model is DailyRollup  # team B's rows are outside
    assert _counts(director, b2b) == _raw(director, b2b)
    assert _counts(head, b2b) == _raw(head, b2b)
    first = b2b.stages.order_by("order")[0].pk
    assert _counts(director, b2b)[first][0] == 3

    # A deal of someone in no team of the director's: back to the scoped rows, same answers.
    outsider = make_user("outsider", roles=["hunter"])
    _deal(outsider, "x1", b2b)
    rollups.refresh()
    assert rollups._scoped_rows(director).model is DailyRollup
    assert _counts(director, b2b) == _raw(director, b2b)
    assert _counts(director, b2b)[first][0] == 3
    assert _counts(two_teams["admin"], b2b)[first][0] == 4
