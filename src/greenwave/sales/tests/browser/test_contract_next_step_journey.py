"""Browser journey: a deal at «Договор» without a contract has no approval running; its card
tells the manager to prepare the contract, and once the contract file is attached, to send it
for approval; the approval started from the card names that contract. Screenshots of each
screen go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import services as bpm
from greenwave.bpm.models import ProcessInstance
from greenwave.core.tests.browser.journey import pumps_at_the_contract, screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_card_leads_the_manager_from_no_contract_to_its_approval(
    page: Any, live_server: Any, two_teams: dict[str, Any], default_pipelines: None, tmp_path: Any
) -> None:
    bpm.library_install(actor=None)
    manager = two_teams["hunter_a"]
    deal = pumps_at_the_contract(manager, crm.company_create(actor=manager, name="ООО «Насосы»"))
    assert not ProcessInstance.objects.exists()  # created at the stage: nothing to approve yet

    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    hint = page.locator("[data-testid=next-step]")
    assert hint.get_attribute("data-step") == "prepare"
    assert "подготовьте договор и отправьте его на согласование" in hint.inner_text()
    screenshot(page, "contract_next_step_prepare")

    # The manager attaches the contract: the card now asks to send it for approval.
    contract = tmp_path / "contract.txt"
    contract.write_text("Договор поставки")
    page.select_option("#documents select[name=kind]", "contract")
    page.fill("#documents input[name=title]", "Договор №7")
    page.set_input_files("#documents input[name=file]", str(contract))
    page.click("[data-testid=attach]")
    page.wait_for_selector("[data-testid=next-step][data-step=send]")
    screenshot(page, "contract_next_step_send")

    # Started from the card, the approval names the contract; the hint gives way to the run.
    page.click("[data-testid=start-process]")
    page.wait_for_selector("[data-testid=process-run]")
    assert page.locator("[data-testid=next-step]").count() == 0
    run = ProcessInstance.objects.get(object_type="deal", object_id=str(deal.pk))
    assert run.variables["document_title"] == "Договор №7"
    screenshot(page, "contract_next_step_started")
