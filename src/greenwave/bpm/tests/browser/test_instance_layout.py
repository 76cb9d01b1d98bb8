"""The process instance page at the widths people use: at 1024 px the tasks of a document's
readers ran past their card (the completion date cut off); below 1200 px the tasks' creation
time gives way (the history beside it has it)."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.core.tests.browser.journey import table_fits
from greenwave.core.tests.browser.signing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("width", [1024, 1280])
def test_the_tasks_of_an_instance_fit_their_card(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    make_user: Any,
    library: dict[str, Any],
    language: str,
    width: int,
) -> None:
    head = two_teams["head_a"]
    head.language = language
    head.save(update_fields=["language"])
    readers = [
        make_user(f"reader{i}", team=two_teams["team_a"], first_name=first, last_name=last)
        for i, (first, last) in enumerate(
            [("Константин", "Александровский"), ("Светлана", "Михайловская")]
        )
    ]
    instance = services.instance_start(
        actor=head,
        definition=library["acknowledgement"],
        variables={"readers": [r.username for r in readers], "deadline": "P5D"},
    )
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, live_server, head.username)
    page.goto(f"{live_server.url}/processes/instances/{instance.pk}/")
    table_fits(page, "[data-testid=instance-tasks]")
