"""Browser journey (issue 6): a hunter plans the day from a suggestion, logs the call, closes
the day with a comment on the miss; the head sees the day on the team board."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.activities import services as activity_services
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services
from greenwave.planning.models import DayPlan, DayStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_day_log_call_close_day_head_sees_it(
    page: Any, live_server: Any, two_teams: dict[str, Any], company_a: Any
) -> None:
    hunter = two_teams["hunter_a"]
    call = activity_services.activity_create(
        actor=hunter,
        kind="call",
        subject="Обсудить КП",
        company=company_a,
        due_at=timezone.now() + timedelta(minutes=5),
    )
    other = crm_services.company_create(actor=hunter, name="ООО «Вектор»")

    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/planning/my-day/")
    page.click("[data-testid=take-suggestion]")  # the call planned for today
    page.select_option("select[name=company]", str(other.pk))
    page.fill("input[name=goal]", "Выставить счёт")
    page.click("[data-testid=add-item]")
    assert page.locator("[data-testid=day-item]").count() == 2

    page.goto(f"{live_server.url}/activities/{call.pk}/")
    page.select_option("select[name=call_result]", "meeting_booked")
    page.fill("input[name=duration_minutes]", "6")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=call-result]")

    page.goto(f"{live_server.url}/planning/my-day/")
    assert page.locator("[data-testid=day-item][data-done='1']").count() == 1
    page.fill("[data-testid=miss-comment]", "Бухгалтер в отпуске")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=close-day]")
    page.wait_for_selector("[data-testid=day-closed]")
    plan = DayPlan.objects.get(user=hunter)
    assert plan.status == DayStatus.CLOSED
    assert (plan.planned_count, plan.done_count) == (2, 1)

    page.context.clear_cookies()
    sign_in(page, live_server, "head_a")
    page.goto(f"{live_server.url}/planning/team/?team={two_teams['team_a'].pk}")
    board = page.locator("[data-testid=team-board]")
    assert "Бухгалтер в отпуске" in board.inner_text()
    assert "Выставить счёт" in board.inner_text()
