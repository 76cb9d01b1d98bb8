"""Call planning by load: capacity, Russian public holidays, overload, rebalancing."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.activities import services
from greenwave.activities.errors import ActivitiesError
from greenwave.activities.models import Activity
from greenwave.activities.planner import CallToPlan, Capacity, is_working_day, spread_calls
from greenwave.core.errors import DomainError
from greenwave.core.models import Event

MSK = ZoneInfo("Europe/Moscow")


def new_year_week() -> date:
    """28 December of next year: the plan runs into the New Year holidays."""
    return date(timezone.localdate().year + 1, 12, 28)


def test_spread_fills_days_by_capacity_and_skips_weekends_and_holidays() -> None:
    start = new_year_week()
    capacity = Capacity(4, time(9), time(17), MSK)
    calls = [CallToPlan(i, (0, 1, 0.0)) for i in range(1, 31)]
    result = spread_calls(calls, capacity, start=start, days=5)
    assert len(result.planned) == 20
    assert len(result.overflow) == 10
    days = Counter(moment.date() for moment in result.planned.values())
    assert all(n <= 4 for n in days.values())
    ru = holidays.country_holidays("RU", years=[start.year, start.year + 1])
    assert not any(d in ru or d.weekday() >= 5 for d in days)
    assert all(
        time(9) <= m.timetz().replace(tzinfo=None) < time(17) for m in result.planned.values()
    )


def test_fixed_calls_take_their_share_of_the_day() -> None:
    start = date(2030, 3, 4)  # a Monday
    assert is_working_day(start)
    capacity = Capacity(5, time(9), time(18), MSK)
    calls = [CallToPlan(i, (1, 1, 0.0)) for i in range(1, 6)]
    result = spread_calls(calls, capacity, start=start, days=2, busy={start: 3})
    assert Counter(m.date() for m in result.planned.values()) == {start: 2, start + timedelta(1): 3}


@pytest.fixture
def team_of_three(two_teams, make_user):
    third = make_user("hunter_a3", roles=["hunter"], team=two_teams["team_a"])
    second = make_user("hunter_a2", roles=["hunter"], team=two_teams["team_a"])
    managers = [two_teams["hunter_a"], second, third]
    for manager in managers:
        services.call_capacity_set(
            actor=two_teams["head_a"],
            user=manager,
            calls_per_day=15,
            work_start=time(9),
            work_end=time(18),
        )
    return managers


def _cold_calls(manager, company, n):
    for i in range(n):
        services.activity_create(
            actor=manager, kind="call", subject=f"Холодный звонок {i}", company=company
        )


@pytest.mark.django_db
def test_planner_spreads_300_calls_across_a_team_without_touching_a_public_holiday(
    two_teams, team_of_three, company_a
) -> None:
    hunter, second, third = team_of_three
    _cold_calls(hunter, company_a, 200)
    _cold_calls(second, company_a, 60)
    _cold_calls(third, company_a, 40)
    start = new_year_week()
    head = two_teams["head_a"]

    result = services.calls_plan(actor=head, manager=hunter, start=start, days=10)
    assert len(result.planned) == 150
    assert len(result.overflow) == 50
    moved = services.calls_rebalance(
        actor=head, source=hunter, target=third, count=50, start=start, days=10
    )
    assert moved == 50
    services.calls_plan(actor=head, manager=second, start=start, days=10)

    calls = Activity.objects.filter(kind="call")
    assert calls.count() == 300
    assert not calls.filter(due_at__isnull=True).exists()
    ru = holidays.country_holidays("RU", years=[start.year, start.year + 1])
    per_manager_day: Counter[tuple[int, date]] = Counter()
    for responsible_id, due_at in calls.values_list("responsible_id", "due_at"):
        day = due_at.astimezone(MSK).date()
        assert day not in ru, day
        assert day.weekday() < 5, day
        per_manager_day[(responsible_id, day)] += 1
    assert max(per_manager_day.values()) <= 15
    assert Counter(calls.values_list("responsible_id", flat=True)) == {
        hunter.pk: 150,
        second.pk: 60,
        third.pk: 90,
    }
    assert Event.objects.filter(activity="calls_planned", case_id=str(hunter.pk)).count() == 2
    assert Event.objects.filter(activity="activity_reassigned").count() == 50


@pytest.mark.django_db
def test_a_hunter_cannot_rebalance_nor_plan_a_colleagues_calls(two_teams, team_of_three) -> None:
    hunter, second, _third = team_of_three
    with pytest.raises(DomainError) as error:
        services.calls_rebalance(
            actor=hunter, source=second, target=hunter, count=1, start=new_year_week()
        )
    assert error.value.code == ActivitiesError.NOT_ALLOWED
    with pytest.raises(DomainError):
        services.calls_plan(actor=hunter, manager=second, start=new_year_week())
    with pytest.raises(DomainError):
        services.calls_plan(actor=two_teams["head_b"], manager=hunter, start=new_year_week())


@pytest.mark.django_db
def test_planner_page_shows_load_and_overload_with_a_fixed_query_count(
    client, two_teams, team_of_three, company_a
) -> None:
    hunter = team_of_three[0]
    _cold_calls(hunter, company_a, 3)
    client.force_login(two_teams["head_a"])
    start = new_year_week().isoformat()
    url = f"/activities/planner/?start={start}&team={two_teams['team_a'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="load-row"') == 3
    response = client.post(
        "/activities/planner/plan/", {"start": start, "days": 10, "team": two_teams["team_a"].pk}
    )
    assert response.status_code == 302
    assert not Activity.objects.filter(due_at__isnull=True).exists()
    planned = client.get(url).content.decode()
    assert 'data-testid="load-cell" data-count="3"' in planned  # 3 calls on the first day
    _cold_calls(team_of_three[1], company_a, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    # A hunter sees only their own row.
    client.force_login(hunter)
    own = client.get(f"/activities/planner/?start={start}").content.decode()
    assert own.count('data-testid="load-row"') == 1
