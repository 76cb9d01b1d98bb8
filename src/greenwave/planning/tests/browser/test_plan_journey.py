"""Browser journey of issue 18's «Done when»: the head enters the month's plan for the team,
a hunter completes a call and a meeting, their deal is won and invoiced, finance enters the
payment — the hunter's «Мой план» and the head's grid show the new actuals at once, the
revenue forecast moves, and the commission statement has the payment's line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from greenwave.activities import services as activity_services
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services
from greenwave.planning import kpis, services
from greenwave.planning.models import PlanTarget

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plan_row(page: Any, key: str) -> dict[str, str]:
    row = page.locator(f"[data-testid=kpi-row][data-kpi={key}]")
    cells = row.locator("td")
    return {
        "target": cells.nth(1).inner_text().strip(),
        "actual": cells.nth(2).inner_text().strip(),
        "forecast": cells.nth(4).inner_text().strip(),
    }


def money(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_plan_calls_meeting_win_payment_show_on_the_pages(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    make_user: Any,
    won_and_invoiced: Any,
) -> None:
    head, hunter, team = two_teams["head_a"], two_teams["hunter_a"], two_teams["team_a"]
    make_user("finance_j", roles=["finance"])
    month = kpis.Month.of(kpis.today())
    services.commission_scheme_save(actor=head, name="Базовая", default_percent="5")

    # The head enters the month's plan of the team's hunter in the plan grid.
    sign_in(page, live_server, "head_a")
    page.goto(f"{live_server.url}/planning/plan/entry/?team={team.pk}&period={month.key}")
    for key, value in (
        ("calls", "40"),
        ("meetings", "8"),
        ("projects", "2"),
        ("revenue", "200000"),
    ):
        page.fill(f"input[name=t-u{hunter.pk}-{key}]", value)
    page.click("[data-testid=plan-entry] button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert dict(
        PlanTarget.objects.filter(plan__user=hunter, plan__period=month.first).values_list(
            "kpi__key", "target"
        )
    ) == {
        "calls": Decimal(40),
        "meetings": Decimal(8),
        "projects": Decimal(2),
        "revenue": Decimal(200000),
    }

    # The hunter sees the plan and nothing done yet.
    company = crm_services.company_create(actor=hunter, name="ООО «Путь»", inn="7707083893")
    call, meeting = (
        activity_services.activity_create(
            actor=hunter, kind=kind, subject=subject, company=company, due_at=timezone.now()
        )
        for kind, subject in (("call", "Первый звонок"), ("meeting", "Встреча у клиента"))
    )
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/planning/plan/")
    before = {key: plan_row(page, key) for key in ("calls", "meetings", "projects", "revenue")}
    assert before["calls"]["target"] == "40"
    assert before["calls"]["actual"] == "0"
    assert before["revenue"]["actual"].startswith("0")

    # The hunter logs the call and the meeting.
    page.goto(f"{live_server.url}/activities/{call.pk}/")
    page.select_option("select[name=call_result]", "meeting_booked")
    page.fill("input[name=duration_minutes]", "6")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=call-result]")
    page.goto(f"{live_server.url}/activities/{meeting.pk}/")
    page.fill("textarea[name=outcome]", "Договорились о поставке")
    page.click("[data-testid=complete]")
    page.wait_for_selector("[data-testid=complete-form]", state="detached")

    # The deal is won (its gates and approvals are the sales journey's) and invoiced.
    invoice = won_and_invoiced(hunter, company)

    # Finance enters the payment.
    sign_in(page, live_server, "finance_j")
    page.goto(f"{live_server.url}/money/payments/new/?invoice={invoice.pk}")
    page.fill("input[name=amount]", str(invoice.total))
    page.click("[data-testid=submit]")
    page.wait_for_url("**/money/payments/")

    # The hunter's plan shows it at once, and the revenue forecast moved.
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/planning/plan/")
    after = {key: plan_row(page, key) for key in ("calls", "meetings", "projects", "revenue")}
    assert (after["calls"]["actual"], after["meetings"]["actual"]) == ("1", "1")
    assert after["projects"]["actual"] == "1"
    total = f"{invoice.total:,.0f}".replace(",", " ")
    assert money(after["revenue"]["actual"]) == f"{total} ₽"
    assert after["revenue"]["forecast"] != before["revenue"]["forecast"]
    # The number clicks through to the payment.
    page.click("[data-testid=kpi-row][data-kpi=revenue] [data-testid=actual]")
    assert invoice.number in page.inner_text("[data-testid=kpi-facts]")

    # The head's grid: the same figures in the hunter's row.
    sign_in(page, live_server, "head_a")
    page.goto(f"{live_server.url}/planning/plan/team/?team={team.pk}&period={month.key}")
    row = page.locator("[data-testid=grid-row]", has_text=str(hunter))
    assert money(row.locator("[data-kpi=revenue]").inner_text()).startswith(f"{total} ₽")
    assert row.locator("[data-kpi=calls]").inner_text().startswith("1 / 40")

    # The commission statement has the payment's line: 5 % of it.
    page.goto(f"{live_server.url}/planning/plan/commissions/?user={hunter.pk}&period={month.key}")
    lines = page.inner_text("[data-testid=commission-lines]")
    assert invoice.number in lines
    commission = (invoice.total * Decimal("0.05")).quantize(Decimal("0.01"))
    shown = f"{commission:,.2f}".replace(",", " ").replace(".", ",")
    assert shown in money(page.inner_text("[data-testid=commission-total]"))
