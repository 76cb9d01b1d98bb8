"""My day (seed 003 «Мои дела»): the morning plan from suggestions, plan vs fact from the
activities actually completed, a comment on each miss, one close per day, the team board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.activities import services as activity_services
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.planning import selectors, services
from greenwave.planning.errors import PlanningError
from greenwave.planning.models import DayPlan, DayPlanItem, DayStatus, ItemResult

pytestmark = pytest.mark.django_db


def _overdue_task(user, company, *, days: int):
    """The task «Отправить договор» of `user`'s, due `days` days ago."""
    due = timezone.now() - timedelta(days=days)
    return activity_services.activity_create(
        actor=user, kind="task", subject="Отправить договор", company=company, due_at=due
    )


def _today_call(user, company, subject="Звонок"):
    now = timezone.now()
    return activity_services.activity_create(
        actor=user, kind="call", subject=subject, company=company, due_at=now + timedelta(minutes=1)
    )


def test_suggestions_bring_overdue_tasks_and_todays_calls(two_teams, company_a) -> None:
    hunter = two_teams["hunter_a"]
    _overdue_task(hunter, company_a, days=2)
    other = crm_services.company_create(actor=hunter, name="ООО «Вектор»")
    _today_call(hunter, other)
    day = services.today_for(hunter)
    found = selectors.suggestions(actor=hunter, day=day)
    assert {s.source for s in found} >= {"overdue_task", "planned_call"}
    plan = services.day_plan_open(actor=hunter, day=day)
    first = found[0]
    services.day_plan_add_item(
        actor=hunter, plan=plan, goal=first.goal, company=first.company, activity=first.activity
    )
    again = selectors.suggestions(actor=hunter, day=day)
    assert first.activity not in [s.activity for s in again]


def test_day_closes_into_plan_vs_fact_from_completed_activities(two_teams, company_a) -> None:
    hunter = two_teams["hunter_a"]
    other = crm_services.company_create(actor=hunter, name="ООО «Вектор»")
    third = crm_services.company_create(actor=hunter, name="ООО «Бета»")
    plan = services.day_plan_open(actor=hunter)
    hit = services.day_plan_add_item(
        actor=hunter, plan=plan, company=company_a, goal="Назначить встречу", priority="high"
    )
    miss = services.day_plan_add_item(actor=hunter, plan=plan, company=other, goal="Выставить счёт")
    call = _today_call(hunter, company_a)
    activity_services.activity_complete(actor=hunter, activity=call, call_result="meeting_booked")
    # Done for a client outside the plan: counted beyond the plan, not as a planned item.
    unplanned = _today_call(hunter, third)
    activity_services.activity_complete(actor=hunter, activity=unplanned, call_result="refused")
    # A planned-but-not-done call for the missed client does not make it done.
    _today_call(hunter, other)

    with pytest.raises(DomainError) as error:
        services.day_plan_close(actor=hunter, plan=plan)
    assert error.value.code == PlanningError.MISS_COMMENT_REQUIRED
    assert error.value.details["items"] == [miss.pk]
    assert DayPlan.objects.get(pk=plan.pk).status == DayStatus.OPEN

    closed = services.day_plan_close(
        actor=hunter, plan=plan, miss_comments={miss.pk: "Бухгалтер на больничном"}
    )
    assert closed.status == DayStatus.CLOSED
    assert (closed.planned_count, closed.done_count, closed.unplanned_count) == (2, 1, 1)
    hit.refresh_from_db()
    miss.refresh_from_db()
    assert hit.result == ItemResult.DONE
    assert hit.fact[0]["id"] == call.pk
    assert miss.result == ItemResult.MISSED
    assert miss.miss_comment == "Бухгалтер на больничном"
    event = Event.objects.get(case_type="day_plan", case_id=str(plan.pk), activity="day_closed")
    assert event.payload["done"] == 1


def test_closing_a_day_twice_is_refused_and_changes_nothing(two_teams, company_a) -> None:
    hunter = two_teams["hunter_a"]
    plan = services.day_plan_open(actor=hunter)
    item = services.day_plan_add_item(actor=hunter, plan=plan, company=company_a, goal="Позвонить")
    services.day_plan_close(actor=hunter, plan=plan, miss_comments={item.pk: "Не успел"})
    closed_at = DayPlan.objects.get(pk=plan.pk).closed_at
    with pytest.raises(DomainError) as error:
        services.day_plan_close(actor=hunter, plan=plan, miss_comments={item.pk: "Другое"})
    assert error.value.code == PlanningError.DAY_ALREADY_CLOSED
    assert error.value.status == 409
    again = DayPlan.objects.get(pk=plan.pk)
    assert again.closed_at == closed_at
    assert DayPlanItem.objects.get(pk=item.pk).miss_comment == "Не успел"
    with pytest.raises(DomainError):
        services.day_plan_add_item(actor=hunter, plan=plan, goal="Ещё")


def test_only_the_owner_changes_a_day_and_other_teams_clients_are_refused(
    two_teams, company_a, company_b
) -> None:
    plan = services.day_plan_open(actor=two_teams["hunter_a"])
    with pytest.raises(DomainError) as error:
        services.day_plan_add_item(actor=two_teams["head_a"], plan=plan, goal="x")
    assert error.value.code == PlanningError.NOT_YOUR_DAY
    with pytest.raises(DomainError) as error:
        services.day_plan_add_item(
            actor=two_teams["hunter_a"], plan=plan, goal="x", company=company_b
        )
    assert error.value.status == 404
    assert not DayPlanItem.objects.exists()


def test_my_day_api_plan_close_and_close_again(two_teams, bearer, company_a) -> None:
    hunter = two_teams["hunter_a"]
    client = bearer(hunter)
    _today_call(hunter, company_a)
    body = client.get("/api/v1/my-day").json()
    assert body["day"]["status"] == "not_planned"
    assert body["suggestions"][0]["source"] == "planned_call"
    added = client.post(
        "/api/v1/my-day/items",
        {"goal": "Договориться о встрече", "company_id": company_a.pk, "priority": "high"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    item_id = added.json()["id"]
    refused = client.post("/api/v1/my-day/close", {}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["details"]["items"] == [item_id]
    closed = client.post(
        "/api/v1/my-day/close",
        {"miss_comments": {str(item_id): "Клиент перенёс"}},
        content_type="application/json",
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["items"][0]["result"] == "missed"
    twice = client.post("/api/v1/my-day/close", {}, content_type="application/json")
    assert twice.status_code == 409
    assert twice.json()["code"] == "planning.day_already_closed"


def test_team_days_api_for_the_head_and_404_for_another_team(two_teams, bearer, company_a) -> None:
    hunter = two_teams["hunter_a"]
    plan = services.day_plan_open(actor=hunter)
    services.day_plan_add_item(actor=hunter, plan=plan, company=company_a, goal="Позвонить")
    team_a = two_teams["team_a"]
    response = bearer(two_teams["head_a"]).get(f"/api/v1/teams/{team_a.pk}/days")
    assert response.status_code == 200
    rows = {row["user"]: row for row in response.json()}
    assert rows["hunter_a"]["planned"] == 1
    assert "head_a" not in rows  # the board lists the people who work with clients
    assert bearer(two_teams["head_b"]).get(f"/api/v1/teams/{team_a.pk}/days").status_code == 404


def test_pages_plan_close_and_the_heads_board(client, two_teams, make_user, company_a) -> None:
    hunter = two_teams["hunter_a"]
    client.force_login(hunter)
    assert client.get("/planning/my-day/").status_code == 200
    response = client.post(
        "/planning/my-day/items/", {"company": company_a.pk, "goal": "КП", "priority": "normal"}
    )
    assert response.status_code == 302
    item = DayPlanItem.objects.get()
    call = _today_call(hunter, company_a)
    activity_services.activity_complete(actor=hunter, activity=call, call_result="order_taken")
    page = client.get("/planning/my-day/").content.decode()
    assert 'data-done="1"' in page
    client.post("/planning/my-day/close/", {"comment": "Хороший день"})
    assert DayPlan.objects.get().status == DayStatus.CLOSED
    assert DayPlanItem.objects.get(pk=item.pk).result == ItemResult.DONE

    client.force_login(two_teams["head_a"])
    colleague = make_user("colleague", roles=["farmer"], team=two_teams["team_a"])
    services.day_plan_open(actor=colleague)  # one open day: its fact is queried
    url = f"/planning/team/?team={two_teams['team_a'].pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        board = client.get(url)
    assert board.status_code == 200
    assert "КП" in board.content.decode()
    for n in range(3):
        services.day_plan_open(
            actor=make_user(f"extra{n}", roles=["hunter"], team=two_teams["team_a"])
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    history = client.get(f"/planning/days/?user={hunter.pk}").content.decode()
    assert history.count('data-testid="history-row"') == 1
    client.force_login(two_teams["head_b"])
    assert client.get(f"/planning/days/{DayPlan.objects.get(user=hunter).pk}/").status_code == 404


def test_an_item_taken_from_a_task_is_met_only_by_completing_that_task(
    two_teams, company_a
) -> None:
    hunter = two_teams["hunter_a"]
    task = _overdue_task(hunter, company_a, days=1)
    plan = services.day_plan_open(actor=hunter)
    item = services.day_plan_add_item(
        actor=hunter, plan=plan, goal="Отправить договор", company=company_a, activity=task
    )
    call = _today_call(hunter, company_a)
    activity_services.activity_complete(actor=hunter, activity=call, call_result="order_taken")
    assert not services.day_fact(plan).done(item)  # a call is not the promised task
    activity_services.activity_complete(actor=hunter, activity=task)
    assert services.day_fact(plan).done(item)


def test_day_plan_history_is_readable_through_the_events_api_by_the_head_only(
    two_teams, bearer, company_a
) -> None:
    plan = services.day_plan_open(actor=two_teams["hunter_a"])
    services.day_plan_add_item(
        actor=two_teams["hunter_a"], plan=plan, company=company_a, goal="Позвонить"
    )
    url = f"/api/v1/events?case=day_plan:{plan.pk}"
    assert bearer(two_teams["head_a"]).get(url).json()["count"] == 1
    assert bearer(two_teams["hunter_b"]).get(url).status_code == 404


def test_the_department_board_rolls_up_the_days_of_its_teams(client, two_teams) -> None:
    services.day_plan_open(actor=two_teams["hunter_a"])
    client.force_login(two_teams["director"])
    page = client.get(f"/planning/team/?team={two_teams['department'].pk}")
    assert page.status_code == 200
    rows = {row["user"].username: row["user"].team.name for row in page.context["rows"]}
    assert rows == {"hunter_a": "Team A", "hunter_b": "Team B"}
    assert page.context["rolled_up"]

    client.force_login(two_teams["head_a"])
    page = client.get(f"/planning/team/?team={two_teams['team_a'].pk}")
    assert [row["user"].username for row in page.context["rows"]] == ["hunter_a"]
    assert not page.context["rolled_up"]


def test_my_day_api_removes_my_item_and_not_a_colleagues(two_teams, bearer, company_a) -> None:
    hunter = two_teams["hunter_a"]
    plan = services.day_plan_open(actor=hunter)
    item = services.day_plan_add_item(actor=hunter, plan=plan, company=company_a, goal="Позвонить")
    url = f"/api/v1/my-day/items/{item.pk}"
    other = bearer(two_teams["hunter_b"]).delete(url)
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert DayPlanItem.objects.filter(pk=item.pk).exists()
    removed = bearer(hunter).delete(url)
    assert (removed.status_code, removed.content) == (204, b"")
    assert not DayPlanItem.objects.filter(pk=item.pk).exists()


def test_day_history_writes_the_date_as_the_users_language_does(two_teams, client) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = "en"
    hunter.save(update_fields=["language"])
    plan = services.day_plan_open(actor=hunter)
    client.force_login(hunter)
    history = client.get("/planning/days/").content.decode()
    assert f"{plan.date:%m/%d/%Y}" in history  # English SHORT_DATE_FORMAT, not «d.m.Y»
    assert f"{plan.date:%d.%m.%Y}" not in history
