"""Browser journey: a head builds «birthdays this week» in the segment builder (the count
updates as filters change), writes a letter, looks at it as one recipient gets it, sends it,
and reads the statistics on the campaign page."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("OUTREACH_SCREENSHOTS")  # a directory to keep screenshots in


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_head_builds_birthday_segment_previews_and_sends(
    page: Any, live_server: Any, two_teams: dict[str, Any]
) -> None:
    head = two_teams["head_a"]
    company = crm_services.company_create(actor=head, name="ООО «Ромашка»", region="Москва")
    soon = timezone.localdate() + timedelta(days=3)
    for i, name in enumerate(("Иванов Пётр Ильич", "Смирнова Анна Викторовна")):
        crm_services.contact_create(
            actor=head,
            company=company,
            full_name=name,
            birthday=date(1984, soon.month, soon.day),
            mailing_consent=True,
            emails=[f"client{i}@example.ru"],
        )
    sign_in(page, live_server, "head_a")

    page.goto(f"{live_server.url}/outreach/segments/new/")
    page.fill("input[name=name]", "Дни рождения на этой неделе")
    page.fill("input[name=birthday_within_days]", "7")
    page.locator("input[name=birthday_within_days]").dispatch_event("change")
    page.wait_for_selector("[data-testid=segment-count]:text('2')")
    _shot(page, "segment-builder")
    page.click("[data-testid=submit]")
    page.click("[data-testid=new-campaign]")
    page.fill("input[name=name]", "Поздравления")
    page.fill("input[name=subject]", "{{ first_name }}, с днём рождения!")
    page.fill("textarea[name=body]", "Здравствуйте, {{ name_and_patronymic }}!\nВаш {{ manager }}")
    _shot(page, "campaign-editor")
    page.click("[data-testid=submit]")
    page.select_option("[data-testid=preview-recipient]", index=1)
    page.wait_for_selector("[data-testid=letter-preview] >> text=Пётр Ильич")
    _shot(page, "campaign-preview")
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=stat-sent]:text('2')")
    _shot(page, "campaign-stats")
    assert sorted(m.to[0] for m in mail.outbox) == ["client0@example.ru", "client1@example.ru"]
    page.goto(f"{live_server.url}/outreach/campaigns/")
    _shot(page, "campaign-list")
