"""The KPI day rollups answer what the records answer (issue 18): the built history of
`test_kpis` (month edges, a payment dated in March entered in April), rebuilt, then kept
current by `refresh()` as records and invoice events change; today is read from the records."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from greenwave.activities.models import Activity
from greenwave.core.services import event_append
from greenwave.planning import kpi_rollups, kpis, selectors
from greenwave.planning.models import Kpi, KpiDayRollup, KpiRollupRecord, RevenueBasis
from greenwave.planning.tests.builders import call_done
from greenwave.sales.models import Deal, Lead

from . import test_kpis
from .test_kpis import MARCH, _invoice, _issue, at

pytestmark = pytest.mark.django_db
built = test_kpis.history  # the fixture: the built history of March 2026

MONTHS = (MARCH.previous, MARCH, MARCH.next)


def _table(parts: list[kpis.Part], mode: str) -> dict[Any, Decimal | None]:
    by: dict[Any, list[kpis.Part]] = defaultdict(list)
    for part in parts:
        by[("u", part.user_id)].append(part)
        by[("t", part.team_id)].append(part)
    table = {owner: kpis.combine(found, mode) for owner, found in by.items()}
    table["all"] = kpis.combine(parts, mode)
    return table


def _answers(read: Any, people: dict[str, Any], basis: str = RevenueBasis.PAID) -> dict[Any, Any]:
    scopes = (
        kpis.Scope(),
        kpis.Scope(user_ids=frozenset([people["hunter_a"].pk])),
        kpis.Scope(team_ids=frozenset([people["team_a"].pk])),
    )
    answers = {}
    for month in (*MONTHS, kpis.Month.of(kpis.today())):
        ctx = kpis.context_for(month, basis)
        for kpi in Kpi.objects.all():
            for scope in scopes:
                parts = read(kpi, ctx, scope)
                answers[(month.key, kpi.key, scope)] = _table(parts, kpis.mode_of(kpi))
    return answers


def _assert_equal(people: dict[str, Any]) -> None:
    for basis in (RevenueBasis.PAID, RevenueBasis.WON):
        raw = _answers(kpis.kpi_parts, people, basis)
        rolled = _answers(kpi_rollups.kpi_parts, people, basis)
        assert rolled == raw


def test_rebuilt_rollups_answer_the_known_values(built: dict[str, Any]) -> None:
    assert not kpi_rollups.ready()
    call_command("kpi_rollups_rebuild", verbosity=0)
    assert kpi_rollups.ready()
    assert KpiDayRollup.objects.filter(day__month=3).exists()
    _assert_equal(built)
    # The plan report reads the rollup: the known values of test_kpis still hold.
    hunter = built["hunter_a"]
    report = selectors.plan_report(
        actor=hunter, month=MARCH, subject=selectors.Subject(user=hunter)
    )
    values = {f.kpi.key: f.actual for f in report.figures}
    assert values["revenue"] == Decimal("118000.00")  # 50 000 dated March 31, entered April 2
    assert values["order_processing_days"] == Decimal("10.00")
    assert values["motivated_refusal_share"] == Decimal("33.33")
    assert values["calls"] == 2
    assert values["cross_sales"] == 1


def test_the_figures_come_from_the_rollup_once_built(built: dict[str, Any]) -> None:
    kpi_rollups.rebuild()
    hunter = built["hunter_a"]
    calls = Kpi.objects.get(key="calls")
    scope = kpis.Scope(user_ids=frozenset([hunter.pk]))
    assert kpis.combine(kpi_rollups.kpi_parts(calls, kpis.context_for(MARCH), scope), "sum") == 2
    # A changed row changes the answer: the month is read from the rollup, not the records.
    KpiDayRollup.objects.filter(
        measure="calls", user_id=hunter.pk, day=MARCH.first.replace(day=2)
    ).update(num=5)
    assert kpis.combine(kpi_rollups.kpi_parts(calls, kpis.context_for(MARCH), scope), "sum") == 6


def test_refresh_follows_changes_of_records_and_invoices(built: dict[str, Any]) -> None:
    kpi_rollups.rebuild()
    a, b = built["hunter_a"], built["hunter_b"]
    # A payment dated on the last day of February, entered in the log in March.
    _invoice(105, "payment_received", at(2026, 3, 3), amount="700.00", payment_date="2026-02-28")
    # Invoice 101 re-issued to the other team's hunter: its March payments move with it.
    _issue(101, b, at(2026, 3, 25), "2026-04-10", "120000.00")
    # D1 reopened (its win leaves March 11), D7 handed to B, a lead decided on April 1.
    d1 = Deal.objects.get(title="D1")
    Deal.objects.filter(pk=d1.pk).update(status="open", closed_at=None)
    d7 = Deal.objects.get(title="D7")
    Deal.objects.filter(pk=d7.pk).update(responsible=b, team=b.team)
    lead = Lead.objects.get(title="L3")
    Lead.objects.filter(pk=lead.pk).update(closed_at=at(2026, 4, 1, 0, 5))
    call = Activity.objects.filter(kind="call", responsible=a, status="done").first()
    assert call is not None
    Activity.objects.filter(pk=call.pk).update(status="cancelled")
    for case_type, record in (("deal", d1), ("deal", d7), ("lead", lead), ("activity", call)):
        event_append(
            case_type=case_type, case_id=record.pk, activity="updated", actor=None, payload={}
        )
    assert kpi_rollups.refresh() > 0
    _assert_equal(built)
    february = Kpi.objects.get(key="revenue")
    scope = kpis.Scope(user_ids=frozenset([a.pk]))
    parts = kpi_rollups.kpi_parts(february, kpis.context_for(MARCH.previous), scope)
    assert kpis.combine(parts, "sum") == Decimal("5700.00")
    assert KpiRollupRecord.objects.filter(kind="deal", record_id=d1.pk).count() == 0
    assert kpi_rollups.refresh() == 0  # nothing new


def test_today_is_read_from_the_records_at_once(built: dict[str, Any]) -> None:
    kpi_rollups.rebuild()
    a = built["hunter_a"]
    calls = Kpi.objects.get(key="calls")
    month = kpis.Month.of(kpis.today())
    scope = kpis.Scope(user_ids=frozenset([a.pk]))
    before = kpis.combine(kpi_rollups.kpi_parts(calls, kpis.context_for(month), scope), "sum")
    call_done(a)
    # No refresh: today's call counts at once.
    after = kpis.combine(kpi_rollups.kpi_parts(calls, kpis.context_for(month), scope), "sum")
    assert after == (before or 0) + 1
    _assert_equal(built)
    # An earlier day of the month follows after the refresh.
    if kpis.today().day > 1:
        earlier = call_done(a, subject="yesterday", when=timezone.now() - timedelta(days=1))
        event_append(
            case_type="activity", case_id=earlier.pk, activity="updated", actor=None, payload={}
        )
        kpi_rollups.refresh()
        _assert_equal(built)
