"""Browser journey (issue 14, item 2): the contract approval is started from the deal card, the
head, the lawyer and the finance officer see the deal on their tasks and approve, the gate
«Договор согласован» is met and the deal moves on to the invoice; a second run is cancelled
only after a confirmation. Screenshots of each screen go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from greenwave.bpm import services as bpm
from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.core.tests.browser.journey import pumps_at_the_contract, screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm
from greenwave.sales import services
from greenwave.sales.models import Deal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    screenshot(page, f"deal_process_{name}")


def approve_from_inbox(page: Any, live_server: Any, username: str, deal: Deal, step: str) -> None:
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}/processes/inbox/")
    assert "Поставка насосов" in page.inner_text("[data-testid=task-process-subject]")
    page.click(f"text={step}")
    page.wait_for_selector("[data-testid=subject]")
    subject = page.inner_text("[data-testid=subject]")
    assert "Поставка насосов" in subject
    assert "ООО «Насосы»" in subject
    assert "Договор №7" in subject
    assert page.get_attribute("[data-testid=subject-link]", "href") == f"/sales/deals/{deal.pk}/"
    shot(page, f"task_{username}")
    page.select_option("select[name=decision]", "approve")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")


def test_contract_approval_from_the_deal_card_meets_the_gate_and_the_deal_moves_on(
    page: Any, live_server: Any, two_teams: dict[str, Any], make_user: Any, default_pipelines: None
) -> None:
    team = two_teams["team_a"]
    make_user("lawyer", roles=["lawyer"], team=team)
    make_user("finance", roles=["finance"], team=team)
    bpm.library_install(actor=None)
    manager = two_teams["hunter_a"]
    deal = pumps_at_the_contract(manager, crm.company_create(actor=manager, name="ООО «Насосы»"))
    services.deal_attach_document(
        actor=manager,
        deal=deal,
        kind="contract",
        title="Договор №7",
        file=SimpleUploadedFile("contract.txt", b"draft"),
    )

    # The manager starts the approval from the deal card; the gate is not met yet.
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    assert page.locator("[data-testid=gate] .bi-circle").count() == 1  # the approval
    page.click("[data-testid=start-process]")
    page.wait_for_selector("[data-testid=process-run]")
    assert "Согласование договора" in page.inner_text("[data-testid=process-run]")
    shot(page, "card_started")
    instance = ProcessInstance.objects.get(object_type="deal", object_id=str(deal.pk))

    # Head, lawyer and finance see the deal on their tasks and approve.
    approve_from_inbox(page, live_server, "head_a", deal, "Согласование руководителем")
    approve_from_inbox(page, live_server, "lawyer", deal, "Проверка юристом")
    approve_from_inbox(page, live_server, "finance", deal, "Проверка финансистом")
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED

    # The gate «Договор согласован» is met without a second approval; the deal moves on.
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    assert page.locator("[data-testid=gate] .bi-circle").count() == 0
    assert "согласовано" in page.inner_text("[data-testid=process-run]")
    assert "согласовано процессом" in page.inner_text("[data-testid=process-approval]")
    shot(page, "card_gate_met")
    page.select_option("#move-stage", label="Счёт")
    page.click("[data-testid=move]")
    page.wait_for_selector("[data-testid=deal-stage]:has-text('Счёт')")
    assert Deal.objects.get(pk=deal.pk).stage.code == "invoice"
    shot(page, "card_moved_on")

    # A second run started by mistake is cancelled only after the confirmation page.
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    page.click("[data-testid=start-process]")
    page.wait_for_selector("text=Отменить…")
    page.click("text=Отменить…")
    page.wait_for_selector("[data-testid=confirm-cancel]")
    shot(page, "cancel_confirmation")
    second = ProcessInstance.objects.exclude(pk=instance.pk).get(object_id=str(deal.pk))
    assert second.status == InstanceStatus.RUNNING  # the page only asked
    page.click("[data-testid=confirm-cancel]")
    page.wait_for_selector("[data-testid=instance-status]")
    assert ProcessInstance.objects.get(pk=second.pk).status == InstanceStatus.CANCELLED
