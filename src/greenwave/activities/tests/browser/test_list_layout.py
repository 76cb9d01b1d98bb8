"""The activities list at the widths people use: at 1024 px, beside the sidebar, the table ran
past its card (the responsible cut off, a scroll bar under the rows); below 1200 px the type is
the subject's icon instead of a column of its own."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.activities import services
from greenwave.core.tests.browser.journey import table_fits
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm_services

from ..conftest import soon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_activities_table_fits_beside_the_sidebar(
    page: Any, live_server: Any, two_teams: dict[str, Any], language: str, width: int
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    company = crm_services.company_create(actor=hunter, name="ООО «Технокомплект-Волга»")
    contact = crm_services.contact_create(
        actor=hunter, full_name="Константинова Александра Владимировна", company=company
    )
    for kind in ("call", "meeting"):
        services.activity_create(
            actor=hunter,
            kind=kind,
            subject="Обсудить коммерческое предложение",
            company=company,
            contact=contact,
            due_at=soon(1),
        )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, hunter.username)
    page.goto(f"{live_server.url}/activities/")
    table_fits(page, "[data-testid=activity-table]")
    kind = page.locator("[data-testid=activity-row] td").first
    assert kind.is_visible() == (width >= 1200)
