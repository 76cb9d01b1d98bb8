"""Browser journey (issue 5): web form → lead → convert → kanban with a refused gate → win."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.core.services import event_append
from greenwave.core.tests.browser.signing import sign_in
from greenwave.sales.models import Deal, Lead

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def drag(page: Any, source: Any, target: Any) -> None:
    """Drag with real mouse steps (SortableJS starts a drag only after the pointer moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 40, steps=20)
    page.mouse.up()


def test_web_lead_becomes_a_won_deal_through_gates(
    page: Any, live_server: Any, two_teams, make_user, default_pipelines
) -> None:
    operator = make_user("operator", roles=["call_center"], team=two_teams["team_a"])

    page.goto(f"{live_server.url}/sales/form/?utm_source=yandex&utm_campaign=pumps")
    page.fill("input[name=name]", "Ирина Лебедева")
    page.fill("input[name=company]", "ООО «Веб-клиент»")
    page.fill("input[name=phone]", "+7 916 700-00-01")
    page.fill("textarea[name=message]", "Нужны насосы для котельной")
    page.click("[data-testid=web-form-submit]")
    page.wait_for_selector("[data-testid=web-form-sent]")
    lead = Lead.objects.get(company_name="ООО «Веб-клиент»")
    assert lead.responsible == operator
    assert lead.utm_campaign == "pumps"

    sign_in(page, live_server, "operator")
    page.goto(f"{live_server.url}/sales/leads/")
    page.click("text=ООО «Веб-клиент»")
    page.click("[data-testid=qualify-sql]")
    page.wait_for_selector("text=Квалифицирован продажами (SQL)")
    page.click("[data-testid=convert]")
    page.wait_for_selector("[data-testid=deal-stage]")
    deal = Deal.objects.get(company__name="ООО «Веб-клиент»")
    assert "ООО «Веб-клиент»" in page.inner_text("[data-testid=deal-client]")

    # Drag to the next stage without a call: the gate refuses and says what is missing.
    page.goto(f"{live_server.url}/sales/")
    drag(page, page.locator(f"[data-deal='{deal.pk}']"), page.locator(".gw-cards").nth(1))
    page.wait_for_selector("[data-testid=board-feedback]")
    assert "Звонок совершён" in page.inner_text("[data-testid=board-feedback]")
    assert Deal.objects.get(pk=deal.pk).stage.code == "qualification"

    # A call is made (the activities app records it in the event log); the drag now passes.
    event_append(case_type="deal", case_id=deal.pk, activity="call_completed", actor=operator)
    page.goto(f"{live_server.url}/sales/")
    drag(page, page.locator(f"[data-deal='{deal.pk}']"), page.locator(".gw-cards").nth(1))
    page.wait_for_selector("[data-testid=board-feedback].alert-success")
    assert Deal.objects.get(pk=deal.pk).stage.code == "needs"

    # The head moves it to payment past the remaining gates (recorded), confirms the payment
    # and wins it.
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    sign_in(page, live_server, "head_a")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    page.select_option("#move-stage", label="Деньги")
    page.fill("#override", "Клиент оплатил по счёту из 1С")
    page.click("[data-testid=move]")
    page.wait_for_selector("text=Деньги")
    page.select_option("select[name=kind] >> nth=1", "payment")
    page.click("text=Согласовать")
    page.wait_for_selector("text=Согласование записано.")
    page.click("[data-testid=win]")
    page.wait_for_selector("[data-testid=deal-status]:has-text('Выиграна')")
    assert Deal.objects.get(pk=deal.pk).status == "won"
