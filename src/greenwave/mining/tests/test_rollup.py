"""The directly-follows rollup equals the raw computation: after a rebuild, with new and late
events not yet applied (rollup + the unapplied cases), after the worker's update, and after a
rebuild again. Counts and means are exact; medians are read from 1 %-wide buckets."""

from __future__ import annotations

import calendar
import math
import random
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.core.services import event_append
from greenwave.mining import rollup, services
from greenwave.mining.log import END, case_log
from greenwave.mining.models import DfgCell, DfgEdge, RollupCase, RollupCursor
from greenwave.mining.selectors import dfg, rollup_edges, rollup_slice
from greenwave.sales import events as sales_events
from greenwave.sales.services import deal_reassign

pytestmark = pytest.mark.django_db

N, P, CP, A, C = "needs", "presentation", "cp_preparation", "cp_approval", "contract"


def _raw(actor, b2b):
    return dfg(actor=actor, log=case_log(pipeline_id=b2b.pk), use_rollup=False)


def _assert_same(ours, raw):
    assert ours["cases"] == raw["cases"]
    assert ours["nodes"] == raw["nodes"]
    mine = {(e["source"], e["target"]): e for e in ours["edges"]}
    theirs = {(e["source"], e["target"]): e for e in raw["edges"]}
    assert {k: e["count"] for k, e in mine.items()} == {k: e["count"] for k, e in theirs.items()}
    for key, edge in theirs.items():
        if edge["mean_seconds"] is None:
            assert mine[key]["mean_seconds"] is None
            assert mine[key]["median_seconds"] is None
            continue
        assert mine[key]["mean_seconds"] == pytest.approx(edge["mean_seconds"], abs=0.002)
        assert mine[key]["median_seconds"] == pytest.approx(edge["median_seconds"], rel=0.01)


def _months(b2b) -> list[tuple[date, date]]:
    """Every month the deals' events fall in (the rollup's time zone), and two months."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    found = sorted(
        {
            (t.astimezone(tz).year, t.astimezone(tz).month)
            for t in Event.objects.filter(case_type="deal").values_list("timestamp", flat=True)
        }
    )
    periods = []
    for year, month in found:
        last = calendar.monthrange(year, month)[1]
        periods.append((date(year, month, 1), date(year, month, last)))
    if len(periods) > 1:
        periods.append((periods[0][0], periods[1][1]))
    return periods


def _slices_equal_raw(two_teams, b2b) -> None:
    """Every narrowing the rollup answers equals the raw map, for scoped and whole readers."""
    logs = [
        {},
        {"team_id": two_teams["team_a"].pk},
        {"team_id": two_teams["team_b"].pk},
        {"user_id": two_teams["hunter_a"].pk},
        {"user_id": two_teams["hunter_b"].pk},
    ]
    for start, end in _months(b2b):
        logs += [
            {"date_from": start, "date_to": end},
            {"date_from": start},
            {"date_to": end},
            {"date_from": start, "date_to": end, "team_id": two_teams["team_a"].pk},
        ]
    readers = ("admin", "director", "head_a", "head_b", "hunter_a")
    for name in readers:
        actor = two_teams[name]
        for filters in logs:
            log = case_log(pipeline_id=b2b.pk, **filters)
            assert rollup_slice(actor, log) is not None, (name, filters)
            assert rollup_edges(actor, log) is not None, (name, filters)
            ours = dfg(actor=actor, log=log)
            raw = dfg(actor=actor, log=log, use_rollup=False)
            _assert_same(ours, raw)


def _stored_cells() -> dict:
    return {
        (
            c.grain,
            c.pipeline_id,
            c.team_id,
            c.owner_id,
            c.source_month,
            c.target_month,
            c.source,
            c.target,
        ): (c.count, c.timed, round(c.total_seconds, 3), c.buckets)
        for c in DfgCell.objects.all()
    }


def _stored_equals_raw(b2b):
    log = case_log(pipeline_id=b2b.pk)
    stored = rollup.stored(b2b.pk)
    raw = rollup.contribution(log)
    assert {k: (t.count, t.timed, dict(t.buckets)) for k, t in stored.items()} == {
        k: (t.count, t.timed, dict(t.buckets)) for k, t in raw.items()
    }
    for key, tally in raw.items():
        assert stored[key].total_seconds == pytest.approx(tally.total_seconds)


def _moved_to_approval(deal, actor, stages, *, at: datetime) -> None:
    """Log `deal`'s move from preparing the proposal (CP) to its approval (A), dated `at`."""
    event_append(
        case_type="deal",
        case_id=deal.pk,
        activity=sales_events.DEAL_STAGE_CHANGED,
        actor=actor,
        payload={"from_stage": stages[CP].pk, "to_stage": stages[A].pk},
        timestamp=at,
    )


def test_rollup_rebuild_equals_the_raw_map_and_is_logged(two_teams, deal_log, b2b) -> None:
    admin = two_teams["admin"]
    for _ in range(3):
        deal_log([N, P, CP, A, C, "won"], hours=2)
    deal_log([N, P, CP, A, C, A, C, "won"], hours=[2, 2, 2, 2, 2, 10, 4, 3])
    deal_log([N, "lost"], hours=[1.5, 7])
    assert rollup_edges(admin, case_log(pipeline_id=b2b.pk)) is None  # never built
    call_command("mining_rollup", "--rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DfgEdge.objects.filter(pipeline_id=b2b.pk).exists()
    _stored_equals_raw(b2b)
    ours = dfg(actor=admin, log=case_log(pipeline_id=b2b.pk))
    assert rollup_edges(admin, case_log(pipeline_id=b2b.pk)) is not None
    _assert_same(ours, _raw(admin, b2b))
    assert Event.objects.filter(activity=services.ROLLUP_REBUILT).count() == 1
    # Scoped readers and logs narrowed by team read the rollup's cells, equal to the raw map.
    _slices_equal_raw(two_teams, b2b)


def test_new_and_late_events_before_and_after_the_worker(two_teams, deal_log, b2b, stages):
    admin = two_teams["admin"]
    early = deal_log([N, P, CP], hours=3)
    deal_log([N, "lost"], hours=2)
    services.rollup_rebuild()
    # After the rebuild: a new deal, a move of an old one, and a late event (a timestamp
    # before the deal's last one: its path changes in the middle).
    deal_log([N, P, CP, A, C, "won"], hours=1)
    last = Event.objects.filter(case_id=str(early.pk)).order_by("-timestamp").first()
    _moved_to_approval(early, admin, stages, at=last.timestamp + timedelta(hours=5))
    event_append(
        case_type="deal",
        case_id=early.pk,
        activity=sales_events.DEAL_APPROVED,
        actor=admin,
        payload={"approval": "discount"},
        timestamp=last.timestamp - timedelta(hours=1),
    )
    # Not applied yet: the map is the rollup plus the unapplied deals, equal to the raw one.
    _assert_same(dfg(actor=admin, log=case_log(pipeline_id=b2b.pk)), _raw(admin, b2b))
    # The worker applies only ids that had time to settle: the first run notes the last id.
    now = timezone.now()
    assert services.rollup_update(now=now) == 0
    applied = RollupCursor.objects.get().applied_id
    assert services.rollup_update(now=now + timedelta(hours=1)) == 2  # the new and the early
    assert RollupCursor.objects.get().applied_id > applied
    _stored_equals_raw(b2b)
    _assert_same(dfg(actor=admin, log=case_log(pipeline_id=b2b.pk)), _raw(admin, b2b))
    before = {(r.source, r.target, r.count, r.timed) for r in DfgEdge.objects.all()}
    services.rollup_rebuild()
    assert {(r.source, r.target, r.count, r.timed) for r in DfgEdge.objects.all()} == before


def test_the_worker_builds_a_missing_rollup_after_the_settle_window(two_teams, deal_log, b2b):
    deal_log([N, P], hours=1)
    now = timezone.now()
    services.rollup_update(now=now)
    assert RollupCursor.objects.get().applied_id is None
    services.rollup_update(now=now + timedelta(seconds=30))  # not settled yet (60 s)
    assert RollupCursor.objects.get().applied_id is None
    services.rollup_update(now=now + timedelta(minutes=2))
    assert RollupCursor.objects.get().applied_id is not None
    _stored_equals_raw(b2b)


def test_bucket_median_follows_percentile_cont() -> None:
    tally = rollup.Tally()
    for secs in (0.2, 60, 3600, 7200):
        bucket = 0 if secs < 1 else math.floor(math.log(secs, 1.01)) + 1
        tally.add(rollup.Tally(1, 1, secs, rollup.Counter({bucket: 1})))
    assert tally.count == 4
    assert tally.mean() == pytest.approx((0.2 + 60 + 3600 + 7200) / 4)
    assert tally.median() == pytest.approx((60 + 3600) / 2, rel=0.01)
    tally.add(rollup.Tally(1, 1, 0.2, rollup.Counter({0: 1})), -1)
    assert tally.median() == pytest.approx(3600, rel=0.01)


def test_the_whole_map_read_from_the_rows_equals_the_tallies_of_the_same_rows() -> None:
    """`row_edges` (the map of an applied rollup: each median found in the row's histogram)
    gives exactly what the tallies give: odd and even counts, keys in any order, a histogram
    as JSON text, untimed and emptied rows, and counts that are not a stored histogram's."""
    rng = random.Random(23)
    rows: list[rollup.EdgeRow] = [
        ("a", "b", 5, 5, 10.0, {"3": 1, "10": 2, "1": 2}),
        ("b", "c", 4, 4, 9.0, '{"2": 1, "400": 1, "7": 2}'),
        ("c", END, 3, 0, 0.0, {}),
        ("d", "e", 0, 0, 0.0, {}),
        ("e", "f", 3, 3, 1.5, {"5": 2, "6": 0, "9": 1}),
        ("f", "g", 2, 3, 1.5, {"5": 1}),  # fewer in the histogram than timed
    ]
    for n in range(1, 60):
        keys = rng.sample(range(2500), rng.randint(1, 40))
        counts = [rng.randint(1, 9) for _ in keys]
        timed = sum(counts)
        rows.append(
            (
                f"s{n}",
                "t",
                timed + n % 3,
                timed,
                rng.random() * 1e5,
                dict(zip(map(str, keys), counts, strict=True)),
            )
        )
    assert rollup.row_edges(rows) == rollup.as_edges(rollup.row_tallies(rows))


def test_narrowed_maps_from_the_rollup_follow_new_events_and_reassignments(
    two_teams, deal_log, b2b, stages
):
    """Maps by team, person, scoped reader and whole months: equal to the raw map after a
    rebuild, with unapplied events and a reassignment, after the worker, and the worker's
    cells equal a rebuild's."""
    t0 = datetime(2026, 1, 29, 10, 0, tzinfo=UTC)
    deal_log([N, P, CP, A, C, "won"], hours=20, start=t0)
    deal_log([N, P, CP, A, C, A, C, "won"], hours=30, start=t0, owner="hunter_b")
    moved = deal_log([N, P, CP], hours=[2, 50, 400], start=t0 + timedelta(days=30))
    deal_log([N, "lost"], hours=[3, 700], start=t0, owner="hunter_b")
    services.rollup_rebuild()
    assert RollupCase.objects.count() == 4
    _slices_equal_raw(two_teams, b2b)
    # Not in the rollup: a period inside a month, attributes.
    admin = two_teams["admin"]
    assert rollup_slice(admin, case_log(pipeline_id=b2b.pk, date_from=date(2026, 2, 2))) is None
    assert rollup_slice(admin, case_log(pipeline_id=b2b.pk, date_to=date(2026, 2, 27))) is None
    assert rollup_slice(admin, case_log(pipeline_id=b2b.pk, amount_min=1)) is None
    # A reassignment and new events, not applied yet: the unapplied deals are corrected.
    deal_reassign(actor=admin, deal=moved, responsible=two_teams["hunter_b"])
    _moved_to_approval(moved, admin, stages, at=t0 + timedelta(days=70))
    deal_log([N, P], hours=500, start=t0 + timedelta(days=10))
    _slices_equal_raw(two_teams, b2b)
    now = timezone.now()
    services.rollup_update(now=now)
    assert services.rollup_update(now=now + timedelta(hours=1)) == 2
    assert RollupCase.objects.get(case_id=str(moved.pk)).owner_id == two_teams["hunter_b"].pk
    _slices_equal_raw(two_teams, b2b)
    applied = _stored_cells()
    services.rollup_rebuild()
    assert _stored_cells() == applied
