"""The rollup answers equal the raw-table answers on a generated dataset, after late and
backdated events, a reassignment, a win and a rebuild."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Model, Sum
from django.utils import timezone

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records
from greenwave.core.errors import DomainError
from greenwave.core.money import DEFAULT_CURRENCY
from greenwave.core.services import event_append
from greenwave.datagen.generator import Config
from greenwave.datagen.loader import generate_into_database
from greenwave.sales import services as sales_services
from greenwave.sales.funnel import funnel
from greenwave.sales.models import Deal, DealStatus, Pipeline

from .. import rollups
from ..models import ClientRollup, ClientTotal, DailyRollup, DayRollup, RollupDeal


@pytest.fixture
def generated(db: None) -> None:
    generate_into_database(Config(deals=300, seed=11, chunk=250), rebuild_indexes=False)


def _stage_changed(deal: Deal, payload: dict[str, Any], at: datetime | None = None) -> None:
    """Log a stage change of `deal` with `payload` (at `at`, now unless given)."""
    event_append(
        case_type="deal",
        case_id=deal.pk,
        activity="deal_stage_changed",
        actor=None,
        payload=payload,
        timestamp=at,
    )


def _actors() -> list[User]:
    head = User.objects.filter(roles__code="head_of_sales", team__isnull=False).first()
    manager = User.objects.filter(deals__isnull=False, roles__code__in=["hunter", "farmer"]).first()
    return [u for u in (User.objects.get(username="gen_admin_01"), head, manager) if u]


def _funnels_equal(actor: User, pipeline: Pipeline, start: date | None, end: date | None) -> None:
    raw = {
        r.stage_id: r for r in funnel(actor=actor, pipeline=pipeline, date_from=start, date_to=end)
    }
    ours = rollups.rollup_funnel(actor=actor, pipeline=pipeline, date_from=start, date_to=end)
    assert ours.stages, "no stages"
    for row in ours.stages:
        expected = raw[row.stage_id]
        assert (row.entered, row.forward, row.lost, row.won) == (
            expected.entered,
            expected.forward,
            expected.lost,
            expected.won,
        ), (actor.username, row.stage)
        assert row.avg_days == expected.avg_days, (actor.username, row.stage)


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(
        end + timedelta(days=1), time.min, tzinfo=tz
    )


def _overview_equal(actor: User, start: date, end: date) -> None:
    for period in rollups.sales_overview(actor=actor, date_from=start, date_to=end):
        a, b = _window(period.date_from, period.date_to)
        deals = scope_records(Deal.objects.all(), actor=actor)
        closed = deals.filter(closed_at__gte=a, closed_at__lt=b)
        won = closed.filter(status=DealStatus.WON)
        rub = won.filter(currency=DEFAULT_CURRENCY).aggregate(n=Count("pk"), s=Sum("amount"))
        assert period.created == deals.filter(created_at__gte=a, created_at__lt=b).count()
        assert period.won == won.count()
        assert period.lost == closed.filter(status=DealStatus.LOST).count()
        assert (period.orders, period.volume) == (
            rub["n"],
            Decimal(rub["s"] or 0).quantize(Decimal("0.01")),
        )


def _portfolio_equal(actor: User) -> None:
    raw = {
        r["company_id"]: (r["n"], Decimal(r["s"]).quantize(Decimal("0.01")), r["f"], r["l"])
        for r in scope_records(
            Deal.objects.filter(
                status=DealStatus.WON,
                currency=DEFAULT_CURRENCY,
                company__isnull=False,
                closed_at__isnull=False,
            ),
            actor=actor,
        )
        .order_by()
        .values("company_id")
        .annotate(n=Count("pk"), s=Sum("amount"), f=Min("closed_at"), l=Max("closed_at"))
    }
    ours = {
        company_id: (orders, Decimal(revenue).quantize(Decimal("0.01")), first, last)
        for company_id, orders, revenue, first, last in rollups.portfolio_totals(actor=actor)
    }
    assert ours == raw


def _all_equal() -> None:
    today = timezone.localdate()
    for pipeline in Pipeline.objects.all():
        for actor in _actors():
            _funnels_equal(actor, pipeline, None, None)
            _funnels_equal(actor, pipeline, today - timedelta(days=120), today - timedelta(days=30))
    for actor in _actors():
        _overview_equal(actor, today - timedelta(days=89), today)
        # A year: the previous period and a year ago are the same window (they overlap).
        _overview_equal(actor, today - timedelta(days=364), today)
        _portfolio_equal(actor)


def _rows(model: type[Model]) -> set[tuple[Any, ...]]:
    """Every row of a rollup table, all its columns but the id."""
    columns = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return set(model._default_manager.values_list(*columns))


def _snapshot() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    daily, clients, totals = _rows(DailyRollup), _rows(ClientRollup), _rows(ClientTotal)
    coarse = set(
        DayRollup.objects.values_list(
            "day", "pipeline_id", "stage_id", "measure", "currency", "count", "seconds", "timed"
        ).annotate()
    )
    cents = set(DayRollup.objects.values_list("day", "pipeline_id", "stage_id", "measure", "cents"))
    return daily | {("day", *row) for row in coarse | cents}, clients | {
        ("total", *row) for row in totals
    }


def _memos() -> dict[int, tuple[list[tuple[Any, ...]], Any]]:
    return {
        m.deal_id: (sorted(tuple(r) for r in m.rows), m.client) for m in RollupDeal.objects.all()
    }


def test_set_based_rebuild_equals_the_deal_by_deal_recompute(generated: None) -> None:
    """`rebuild` (SQL over the log and the deals) makes the rows and the memos that
    `recompute_deals` (Python, deal by deal: the worker's path) makes."""
    # Edge payloads the SQL must read as the Python does: a stage id as text, seconds as a
    # float and as text, a stage that is no id, no seconds at all.
    deal = Deal.objects.filter(status=DealStatus.OPEN).first()
    assert deal is not None
    stage = deal.pipeline.stages.order_by("order").first()
    assert stage is not None
    for payload in (
        {
            "from_stage": str(stage.pk),
            "to_stage": "x1",
            "direction": "forward",
            "seconds_in_stage": 90.7,
        },
        {
            "from_stage": stage.pk,
            "to_stage": stage.pk,
            "direction": "back",
            "seconds_in_stage": "120",
        },
        {"from_stage": True, "to_stage": stage.pk},
    ):
        _stage_changed(deal, payload)
    assert rollups.rebuild() == Deal.objects.count()
    in_database, memos = _snapshot(), _memos()
    assert len(memos) == Deal.objects.count()
    for model in (DailyRollup, DayRollup, ClientRollup, ClientTotal, RollupDeal):
        model.objects.all().delete()
    rollups.recompute_deals(Deal.objects.values_list("pk", flat=True))
    assert _snapshot() == in_database
    assert _memos() == memos


def test_rollups_equal_the_raw_tables(generated: None) -> None:
    assert rollups.rebuild() == Deal.objects.count()
    _all_equal()
    assert rollups.refresh() == 0  # nothing new

    # Late and backdated events, a reassignment to another team, a win: the worker's refresh.
    open_deals = list(
        Deal.objects.filter(status=DealStatus.OPEN).select_related("stage", "pipeline")[:3]
    )
    assert len(open_deals) == 3
    first, second, third = open_deals
    stages = list(first.pipeline.stages.order_by("order"))
    backdated = timezone.now() - timedelta(days=400)
    _stage_changed(
        first,
        {
            "from_stage": stages[0].pk,
            "to_stage": stages[1].pk,
            "direction": "forward",
            "seconds_in_stage": 3600,
        },
        at=backdated,
    )
    other_team_user = (
        User.objects.exclude(team=second.team).filter(team__isnull=False, is_active=True).first()
    )
    assert other_team_user is not None
    sales_services.deal_reassign(actor=None, deal=second, responsible=other_team_user)
    last_stage = Deal.objects.filter(status=DealStatus.OPEN).order_by("-stage__order").first()
    assert last_stage is not None
    try:  # a win where the gates let it through, else a loss: either closes a deal now
        sales_services.deal_win(actor=None, deal=last_stage)
    except DomainError:
        reason = third.pipeline.loss_reasons.filter(is_active=True).first()
        sales_services.deal_lose(actor=None, deal=third, reason=reason, comment="test")
    assert rollups.refresh() >= 3
    _all_equal()

    # The incremental state is the state a rebuild makes.
    incremental = _snapshot()
    call_command("rollups_rebuild", verbosity=0)
    assert _snapshot() == incremental
    _all_equal()


def test_refresh_reads_back_before_its_cursor(generated: None) -> None:
    """An event committed after a later id was read is still applied (the lookback)."""
    rollups.rebuild()
    deal = Deal.objects.filter(status=DealStatus.OPEN).first()
    assert deal is not None
    stage = deal.pipeline.stages.order_by("order").first()
    event = event_append(
        case_type="deal",
        case_id=deal.pk,
        activity="deal_lost",
        actor=None,
        payload={"stage": stage.pk, "seconds_in_stage": 60},
    )
    # As if the cursor had passed this id while its transaction was still open: the event is
    # behind the cursor and not in the rollups.
    cursor = rollups.RollupCursor.objects.get(name=rollups.CURSOR)
    cursor.last_event_id = event.pk
    cursor.save()
    other = Deal.objects.exclude(pk=deal.pk).first()
    assert other is not None
    event_append(case_type="deal", case_id=other.pk, activity="deal_changed", actor=None)
    # The next refresh reads LOOKBACK ids back and applies it.
    assert rollups.refresh() >= 2
    assert DailyRollup.objects.filter(
        stage_id=stage.pk, measure="lost", pipeline_id=deal.pipeline_id
    ).exists()
    _all_equal()


def test_all_time_funnel_without_medians_reads_the_rollups(generated: None, client: Any) -> None:
    """`sales.funnel.funnel(medians=False)` over all time: the raw funnel's counts and averages,
    from the rollups (no statement reads the event log) once they are built."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    pipeline = Pipeline.objects.get(code="b2b")
    admin = User.objects.get(username="gen_admin_01")
    # Before a build the log answers.
    rollups.RollupCursor.objects.filter(name=rollups.CURSOR).delete()
    with CaptureQueriesContext(connection) as before:
        funnel(actor=admin, pipeline=pipeline, medians=False)
    assert any("core_event" in q["sql"] for q in before.captured_queries)
    rollups.rebuild()
    for actor in _actors():
        raw = funnel(actor=actor, pipeline=pipeline)
        with CaptureQueriesContext(connection) as read:
            fast = funnel(actor=actor, pipeline=pipeline, medians=False)
        assert not any("core_event" in q["sql"] for q in read.captured_queries)
        assert [
            (r.stage_id, r.entered, r.forward, r.lost, r.won, r.avg_days, r.stuck) for r in fast
        ] == [(r.stage_id, r.entered, r.forward, r.lost, r.won, r.avg_days, r.stuck) for r in raw]
        assert all(r.median_days is None for r in fast)
    # The page over all time (the dates cleared) says why the medians are missing.
    client.force_login(admin)
    page = client.get(
        reverse("sales:funnel"), {"pipeline": pipeline.pk, "date_from": "", "date_to": ""}
    )
    assert page.status_code == 200
    assert b'data-testid="funnel-all-time-note"' in page.content


def test_portfolio_rows_are_the_orm_rows(generated: None) -> None:
    """`portfolio_totals` reads its instants as integers on PostgreSQL (issue #23): every row
    is the one the ORM reads from the same rollup rows — values, types, microseconds and
    time zone alike — for a reader of every deal and for scoped readers."""
    rollups.rebuild()
    columns = ("company_id", "orders", "revenue", "first_won", "last_won")
    for actor in _actors():
        if actor.username == "gen_admin_01":
            expected = list(
                ClientTotal.objects.filter(currency=DEFAULT_CURRENCY).values_list(*columns)
            )
        else:
            expected = list(
                rollups.rollup_scope(ClientRollup.objects.filter(currency=DEFAULT_CURRENCY), actor)
                .order_by()
                .values_list("company_id")
                .annotate(n=Sum("orders"), s=Sum("revenue"), f=Min("first_won"), l=Max("last_won"))
            )
        ours = rollups.portfolio_totals(actor=actor)
        assert expected, actor.username
        assert sorted(map(repr, ours)) == sorted(map(repr, expected)), actor.username
        assert any(row[3].microsecond for row in ours), "no instant with microseconds"
