"""Dates are shown and typed in the user's format (issue #24: «дд.мм.гггг» in Russian).

The visible field is the calendar's; the form still submits ISO, so a date typed the Russian
way lands in the record, and the stored date is shown back the Russian way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_date_typed_the_russian_way_is_stored_and_shown_back(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    default_pipelines: Any,  # noqa: F811
) -> None:
    hunter = two_teams["hunter_a"]
    company = crm_services.company_create(actor=hunter, name="ООО «Календарь»")
    deal = sales_services.deal_create(
        actor=hunter,
        title="Поставка к Новому году",
        pipeline=Pipeline.objects.get(code="b2b"),
        company=company,
        expected_close_date=date(2026, 12, 30),
    )
    sign_in(page, live_server, hunter.username)

    page.goto(f"{live_server.url}{reverse('sales:deal_detail', args=[deal.pk])}")
    shown = page.locator("#id_expected_close_date_shown")
    assert shown.input_value() == "30.12.2026"
    assert page.locator("label[for=id_expected_close_date_shown]").count() == 1
    # The calendar's own labels read Russian too (flatpickr's locale leaves «Month» English).
    assert page.get_attribute(".flatpickr-monthDropdown-months", "aria-label") == "Месяц"

    shown.fill("15.01.2027")
    shown.press("Enter")
    edit = reverse("sales:deal_action", args=[deal.pk, "edit"])
    with page.expect_navigation():
        page.click(f"form[action='{edit}'] button[type=submit]")
    assert Deal.objects.get(pk=deal.pk).expected_close_date == date(2027, 1, 15)
    assert page.locator("#id_expected_close_date_shown").input_value() == "15.01.2027"
