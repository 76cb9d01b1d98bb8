"""Browser journey: a head of process design moves a running instance to a new version —
the check names the missing step, a mapping makes it movable, the move is confirmed."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessDefinition, ProcessInstance
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_then_move_a_running_instance_with_a_renamed_step(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    deploy: Any,
    approval: ProcessDefinition,
    approval_xml: bytes,
) -> None:
    renamed_xml = approval_xml.replace(b'"review"', b'"review_terms"')
    target = deploy(renamed_xml.replace(b">review<", b">review_terms<"))
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)

    sign_in(page, live_server, two_teams["admin"].username)
    page.goto(f"{live_server.url}/processes/instances/{instance.pk}/migrate/")
    page.select_option("select[name=target]", str(target.pk))
    page.click("[data-testid=migrate-check]")
    page.wait_for_selector("[data-testid=migrate-refused]")
    assert "review" in page.inner_text("[data-testid=migrate-results]")
    assert page.locator("[data-testid=migrate-confirm]").count() == 0
    assert ProcessInstance.objects.get(pk=instance.pk).definition_id == approval.pk

    page.fill("textarea[name=mapping]", "review = review_terms")
    page.click("[data-testid=migrate-check]")
    page.wait_for_selector("[data-testid=migrate-allowed]")
    assert ProcessInstance.objects.get(pk=instance.pk).definition_id == approval.pk
    page.click("[data-testid=migrate-confirm]")
    page.wait_for_url(f"**/processes/instances/{instance.pk}/")
    assert ProcessInstance.objects.get(pk=instance.pk).definition_id == target.pk
    task = HumanTask.objects.get(instance=instance, status="open")
    assert task.element_id == "review_terms"
