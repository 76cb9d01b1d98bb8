"""Sales of a period against the previous period and the same period a year ago."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from greenwave.accounts.scoping import scope_records
from greenwave.sales import services
from greenwave.sales.models import Deal, DealStatus, Pipeline
from greenwave.sales.periods import comparison_periods, period_over_period

pytestmark = pytest.mark.django_db


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())


def _deal(actor, b2b, *, created: date, closed: date | None = None, status=None, amount=0):
    deal = services.deal_create(actor=actor, title=f"Сделка {created}", pipeline=b2b)
    Deal.objects.filter(pk=deal.pk).update(
        created_at=_at(created),
        closed_at=_at(closed) if closed else None,
        status=status or DealStatus.OPEN,
        amount=Decimal(amount),
    )
    return deal


def test_the_three_periods_are_the_period_the_one_before_and_a_year_ago() -> None:
    periods = comparison_periods(date(2026, 3, 1), date(2026, 3, 31))
    assert periods == [
        ("current", date(2026, 3, 1), date(2026, 3, 31)),
        ("previous", date(2026, 1, 29), date(2026, 2, 28)),
        ("year_ago", date(2025, 3, 1), date(2025, 3, 31)),
    ]
    leap = comparison_periods(date(2028, 2, 29), date(2028, 2, 29))
    assert leap[2] == ("year_ago", date(2027, 2, 28), date(2027, 2, 28))


def test_counts_and_amounts_fall_into_their_periods(two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    _deal(hunter, b2b, created=date(2026, 10, 5))
    _deal(
        hunter,
        b2b,
        created=date(2026, 9, 10),
        closed=date(2026, 10, 7),
        status=DealStatus.WON,
        amount=1000,
    )
    _deal(
        hunter,
        b2b,
        created=date(2026, 10, 2),
        closed=date(2026, 10, 31),
        status=DealStatus.WON,
        amount=500,
    )
    _deal(hunter, b2b, created=date(2026, 9, 12), closed=date(2026, 9, 20), status=DealStatus.LOST)
    _deal(
        hunter,
        b2b,
        created=date(2025, 10, 3),
        closed=date(2025, 10, 4),
        status=DealStatus.WON,
        amount=700,
    )
    _deal(hunter, b2b, created=date(2026, 11, 1))  # after the period: counted nowhere

    current, previous, year_ago = period_over_period(
        actor=two_teams["admin"], date_from=start, date_to=end
    )

    assert (current.created, current.won, current.lost) == (2, 2, 0)
    assert current.won_amount == {"RUB": Decimal(1500)}
    assert current.win_rate == 1.0
    assert (previous.date_from, previous.date_to) == (date(2026, 8, 31), date(2026, 9, 30))
    assert (previous.created, previous.won, previous.lost) == (2, 0, 1)
    assert previous.won_amount == {}
    assert previous.win_rate == 0.0
    assert (year_ago.created, year_ago.won, year_ago.won_amount) == (1, 1, {"RUB": Decimal(700)})


def test_another_teams_deals_are_not_counted(two_teams, b2b) -> None:
    _deal(two_teams["hunter_a"], b2b, created=date(2026, 10, 5))
    today = date(2026, 10, 31)
    mine = period_over_period(
        actor=two_teams["hunter_a"], date_from=date(2026, 10, 1), date_to=today
    )
    theirs = period_over_period(
        actor=two_teams["hunter_b"], date_from=date(2026, 10, 1), date_to=today
    )
    assert mine[0].created == 1
    assert theirs[0].created == 0


def test_api_answers_and_refuses_a_reversed_period(two_teams, bearer, b2b) -> None:
    _deal(
        two_teams["hunter_a"],
        b2b,
        created=date(2026, 10, 5),
        closed=date(2026, 10, 6),
        status=DealStatus.WON,
        amount=250,
    )
    api = bearer(two_teams["head_a"])
    ok = api.get(
        f"/api/v1/analytics/period-over-period?from=2026-10-01&to=2026-10-31&pipeline={b2b.pk}"
    )
    assert ok.status_code == 200
    body = ok.json()
    assert [p["period"] for p in body["periods"]] == ["current", "previous", "year_ago"]
    assert body["periods"][0]["won"] == 1
    assert body["periods"][0]["won_amount"] == {"RUB": "250.00"}
    bad = api.get("/api/v1/analytics/period-over-period?from=2026-10-31&to=2026-10-01")
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
    missing = api.get("/api/v1/analytics/period-over-period?from=2026-10-01")
    assert missing.status_code in (400, 422)


def test_funnel_page_shows_the_comparison_and_refuses_a_reversed_period(
    client, two_teams, b2b
) -> None:
    day = timezone.localdate() - timedelta(days=3)
    _deal(two_teams["hunter_a"], b2b, created=day, closed=day, status=DealStatus.WON, amount=10)
    client.force_login(two_teams["head_a"])
    page = client.get(f"/sales/funnel/?pipeline={b2b.pk}").content.decode()
    assert 'data-testid="period-over-period"' in page
    assert "Deals won" in page or "Выиграно сделок" in page
    bad = client.get(f"/sales/funnel/?pipeline={b2b.pk}&date_from=2026-10-31&date_to=2026-10-01")
    assert bad.status_code == 200
    assert "The end of the period is before its start." in bad.content.decode() or (
        "Конец периода раньше его начала." in bad.content.decode()
    )


def test_the_funnel_page_opens_on_the_last_90_days(client, two_teams, b2b) -> None:
    client.force_login(two_teams["head_a"])
    page = client.get("/sales/funnel/").content.decode()
    today = timezone.localdate()
    assert f'value="{(today - timedelta(days=89)).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page
    cleared = client.get(f"/sales/funnel/?pipeline={b2b.pk}&date_from=&date_to=").content.decode()
    assert f'value="{today.isoformat()}"' not in cleared  # all time: no dates


def _orm_figures(actor, pipeline, periods) -> list[tuple]:
    """The figures counted one by one through the ORM: the reference of the one statement."""
    tz = timezone.get_current_timezone()
    deals = scope_records(Deal.objects.all(), actor=actor)
    if pipeline is not None:
        deals = deals.filter(pipeline=pipeline)
    out = []
    for _key, start, end in periods:
        a = datetime.combine(start, time.min, tzinfo=tz)
        b = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        closed = deals.filter(closed_at__gte=a, closed_at__lt=b)
        won = closed.filter(status=DealStatus.WON)
        amounts = won.order_by().values("currency").annotate(s=Sum("amount"))
        out.append(
            (
                deals.filter(created_at__gte=a, created_at__lt=b).count(),
                won.count(),
                closed.filter(status=DealStatus.LOST).count(),
                {r["currency"]: Decimal(r["s"]).quantize(Decimal("0.01")) for r in amounts},
            )
        )
    return out


def test_the_one_statement_equals_the_figures_counted_one_by_one(two_teams, b2b) -> None:
    """Deals on the periods' edges (local midnight in, a microsecond before out), in two
    currencies and two pipelines, of two teams: every reader's figures equal the ORM's."""
    start, end = date(2026, 10, 1), date(2026, 10, 31)
    periods = comparison_periods(start, end)
    other = Pipeline.objects.exclude(pk=b2b.pk).first()
    tz = timezone.get_current_timezone()
    edges = [
        datetime.combine(day, time.min, tzinfo=tz) + shift
        for _key, first, last in periods
        for day in (first, last + timedelta(days=1))
        for shift in (timedelta(0), timedelta(microseconds=-1), timedelta(hours=13))
    ]
    owners = [two_teams["hunter_a"], two_teams["hunter_b"], two_teams["head_a"]]
    statuses = [DealStatus.WON, DealStatus.LOST, DealStatus.OPEN, DealStatus.WON]
    for n, created in enumerate(edges):
        deal = services.deal_create(
            actor=owners[n % 3], title=f"Сделка {n}", pipeline=other if n % 5 == 4 else b2b
        )
        status = statuses[n % 4]
        Deal.objects.filter(pk=deal.pk).update(
            created_at=created,
            closed_at=None if status == DealStatus.OPEN else edges[(n * 7) % len(edges)],
            status=status,
            amount=Decimal(f"{100 + n}.{n % 100:02d}"),
            currency="USD" if n % 3 == 2 else "RUB",
        )
    readers = ["admin", "director", "head_a", "hunter_a", "hunter_b", "head_b"]
    for name in readers:
        for pipeline in (None, b2b, other):
            figures = period_over_period(
                actor=two_teams[name], date_from=start, date_to=end, pipeline=pipeline
            )
            ours = [(f.created, f.won, f.lost, f.won_amount) for f in figures]
            assert ours == _orm_figures(two_teams[name], pipeline, periods), (name, pipeline)
    everything = period_over_period(actor=two_teams["admin"], date_from=start, date_to=end)
    assert all(f.created for f in everything)
    assert sum(f.won for f in everything)
    assert sum(f.lost for f in everything)
    assert {c for f in everything for c in f.won_amount} == {"RUB", "USD"}
