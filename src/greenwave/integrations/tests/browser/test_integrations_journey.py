"""Browser journey: an administrator subscribes a webhook, presses «Test», reads the delivery
log, then imports the 1C sample catalogue by hand on the 1C exchange page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from greenwave.accounts.models import User
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm.models import Product

from ..conftest import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parent.parent.parent / "testdata"
SHOTS = Path(__file__).resolve().parents[5] / "test-artifacts"


@override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"])
def test_admin_subscribes_tests_a_webhook_and_imports_the_1c_sample(
    page: Any, live_server: Any, make_user: Callable[..., User], receiver: Receiver
) -> None:
    make_user("boss", roles=["admin"])
    sign_in(page, live_server, "boss")
    page.goto(f"{live_server.url}/integrations/webhooks/")
    page.click("text=Новый вебхук")
    page.fill("input[name=url]", receiver.url)
    page.check("input[value='deal.won']")
    page.check("input[value='lead.created']")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=webhook-test]")
    receiver.answers[:] = [503]
    page.click("[data-testid=webhook-test]")
    page.wait_for_selector("[data-testid=delivery-log]")
    assert "HTTP 503" in page.inner_text("[data-testid=delivery-log]")
    page.click("[data-testid=webhook-test]")
    page.wait_for_selector("text=HTTP 200")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "integrations-webhook-ru.png"), full_page=True)
    page.goto(f"{live_server.url}/integrations/webhooks/")
    page.screenshot(path=str(SHOTS / "integrations-webhooks-ru.png"), full_page=True)

    page.goto(f"{live_server.url}/integrations/1c/")
    page.set_input_files(
        "input[name=documents]", [str(DATA / "import.xml"), str(DATA / "offers.xml")]
    )
    page.click("[data-testid=onec-upload]")
    page.wait_for_selector("[data-testid=exchange-table]")
    assert "import.xml" in page.inner_text("[data-testid=exchange-table]")
    assert Product.objects.filter(sku="1C-UPS-25-40").exists()
    page.screenshot(path=str(SHOTS / "integrations-1c-ru.png"), full_page=True)
    page.click("button[name=language][value=en]")
    page.wait_for_selector("text=Last exchanges")
    page.screenshot(path=str(SHOTS / "integrations-1c-en.png"), full_page=True)
    page.goto(f"{live_server.url}/integrations/webhooks/")
    page.click("[data-testid=webhook-table] a")
    page.wait_for_selector("[data-testid=delivery-log]")
    page.screenshot(path=str(SHOTS / "integrations-webhook-en.png"), full_page=True)
