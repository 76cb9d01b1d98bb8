"""Tried as a new user would (issue 22, done-when): an employee starts a vacation request
from the process list and attaches the signed application, the head approves it in the
inbox seeing the dates and the document, HR and the accountant both get their tasks, and
once they are done the employee finds the notification."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("GW_SCREENSHOTS", "")) if os.environ.get("GW_SCREENSHOTS") else None


def _shot(page: Any, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _date(page: Any, name: str, russian: str) -> None:
    """Type a date the Russian way into the calendar's visible field (it submits ISO)."""
    shown = page.locator(f"#id_{name}_shown")
    shown.fill(russian)
    shown.press("Enter")


def _do_task(page: Any, live_server: Any, name: str) -> None:
    page.goto(f"{live_server.url}/processes/inbox/")
    page.click(f"text={name}")
    page.wait_for_selector("[data-testid=task-form]")


def test_vacation_request_from_the_employee_to_hr_and_the_accountant(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    make_user: Any,
    tmp_path: Path,
) -> None:
    services.library_install(actor=None)
    employee = make_user("employee", roles=["hunter"], team=two_teams["team_a"], first_name="Ирина")
    hr = make_user("hr", roles=["hr"], first_name="Ольга")
    accountant = make_user("accountant", roles=["accountant"], first_name="Марина")
    scan = tmp_path / "Заявление на отпуск.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed\n")

    sign_in(page, live_server, employee.username)
    page.goto(f"{live_server.url}/processes/definitions/")
    page.click("text=Оформление отпуска")
    page.click("[data-testid=start]")
    page.wait_for_selector("[data-testid=instance-status]")
    instance = ProcessInstance.objects.get(definition__key="vacation")
    _do_task(page, live_server, "Заявление на отпуск")
    page.select_option("select[name=vacation_kind]", "annual")
    _date(page, "date_from", "01.07.2030")
    _date(page, "date_to", "14.07.2030")
    page.set_input_files("input[name=attachment]", str(scan))
    _shot(page, "1-employee-fills-the-application")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")

    sign_in(page, live_server, two_teams["head_a"].username)
    _do_task(page, live_server, "Согласовать отпуск")
    files = page.inner_text("[data-testid=process-files]")
    assert "Заявление на отпуск.pdf" in files
    assert "Заявление на отпуск — Ирина.docx" in files  # made from the documents' template
    assert "Ежегодный оплачиваемый" in page.inner_text("[data-testid=task-variables]")
    _shot(page, "2-head-sees-dates-and-document")
    page.select_option("select[name=decision]", "approve")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")

    sign_in(page, live_server, hr.username)
    page.goto(f"{live_server.url}/processes/inbox/")
    inbox = page.inner_text("main")
    assert "Оформить приказ об отпуске" in inbox
    assert "Начислить отпускные" not in inbox
    _shot(page, "3-hr-inbox")
    _do_task(page, live_server, "Оформить приказ об отпуске")
    with page.expect_download() as download:
        page.click("[data-testid=process-files] a")
    assert download.value.suggested_filename == "Заявление на отпуск.pdf"
    page.fill("input[name=order_number]", "17-о")
    _date(page, "order_date", "20.06.2030")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")

    sign_in(page, live_server, accountant.username)
    page.goto(f"{live_server.url}/processes/inbox/")
    assert "Начислить отпускные" in page.inner_text("main")
    _shot(page, "4-accountant-inbox")
    _do_task(page, live_server, "Начислить отпускные")
    page.fill("input[name=vacation_pay]", "45000")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED

    sign_in(page, live_server, employee.username)
    page.goto(f"{live_server.url}/processes/notifications/")
    assert "Отпуск согласован" in page.inner_text("[data-testid=notifications]")
    _shot(page, "5-employee-notification")
