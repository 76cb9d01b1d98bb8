"""Browser journey (issue 17, «a claim runs to its end»): the manager registers a claim on the
order's page, which starts the claim process; each step is done from the inbox by its role —
the manager records the documents, the lawyer analyses, the head of sales decides — and the
claim's page follows the process to «Закрыта». Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.core.tests.browser.journey import screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.orders import fulfilment
from greenwave.orders.models import Claim
from greenwave.sales.models import Deal, DealStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page: Any, name: str) -> None:
    screenshot(page, f"claim_{name}")


def do_step(page: Any, live_server: Any, username: str, step: str, fill: Any) -> None:
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}/processes/inbox/")
    page.click(f"text={step}")
    page.wait_for_selector("[data-testid=subject]")
    assert "Брак изоляции" in page.inner_text("[data-testid=subject]")
    fill(page)
    shot(page, username)
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")


def test_a_claim_registered_on_its_order_runs_to_its_end_from_the_inbox(
    page: Any, live_server: Any, two_teams: dict[str, Any], make_user: Any, deal: Deal
) -> None:
    make_user("lawyer", roles=["lawyer"], team=two_teams["team_a"])
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    order = fulfilment.order_create_from_deal(actor=None, deal=Deal.objects.get(pk=deal.pk))

    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/money/orders/{order.pk}/")
    page.fill("input[name=subject]", "Брак изоляции")
    deadline = page.locator("#id_deadline_shown")
    deadline.fill(f"{timezone.localdate() + timedelta(days=10):%d.%m.%Y}")
    deadline.press("Enter")
    with page.expect_navigation():
        page.click("[data-testid=claim]")
    claim = Claim.objects.get()
    page.goto(f"{live_server.url}/money/claims/{claim.pk}/")
    assert "Учесть претензию и документы" in page.inner_text("[data-testid=claim-process]")
    shot(page, "registered")

    do_step(
        page,
        live_server,
        "hunter_a",
        "Учесть претензию и документы",
        lambda p: p.check("input[name=documents_received]"),
    )
    do_step(
        page,
        live_server,
        "lawyer",
        "Разобрать претензию",
        lambda p: p.fill("textarea[name=findings]", "Повреждено клиентом при разгрузке"),
    )

    def decide(p: Any) -> None:
        p.select_option("select[name=decision]", "rejected")
        p.fill("textarea[name=resolution]", "Акт разгрузки подписан без замечаний")

    do_step(page, live_server, "head_a", "Принять решение по претензии", decide)

    page.goto(f"{live_server.url}/money/claims/{claim.pk}/")
    text = page.inner_text("main")
    assert "Закрыта" in text
    assert "Процесс завершён." in text
    shot(page, "closed")
    claim.refresh_from_db()
    assert (claim.status, claim.decision) == ("closed", "rejected")
    instance = ProcessInstance.objects.get(object_type="claim", object_id=str(claim.pk))
    assert instance.status == InstanceStatus.COMPLETED
