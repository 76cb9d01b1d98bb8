"""The plan card of the home page: a manager's own month, a head's team, a director's
department — the same targets and actuals as the plan pages, each actual clicking through
to its records."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from greenwave.planning import kpis, selectors, services
from greenwave.planning.home import CARD_KEYS, home_plan
from greenwave.planning.tests.builders import call_done

pytestmark = pytest.mark.django_db

NOW = kpis.Month.of(kpis.today())


def _by_key(card: dict[str, Any]) -> dict[str, Any]:
    return {f.kpi.key: f for f in card["figures"]}


@pytest.fixture
def planned(two_teams: dict[str, Any]) -> dict[str, Any]:
    head = two_teams["head_a"]
    services.plan_targets_set(
        actor=head, month=NOW, user=two_teams["hunter_a"], targets={"calls": 10}
    )
    services.plan_targets_set(
        actor=two_teams["head_b"], month=NOW, user=two_teams["hunter_b"], targets={"calls": 4}
    )
    for _n in range(3):
        call_done(two_teams["hunter_a"])
    call_done(two_teams["hunter_b"])
    return two_teams


def test_manager_head_and_director_see_their_own_scope(planned: dict[str, Any]) -> None:
    mine = home_plan(planned["hunter_a"])
    assert mine is not None
    assert mine["url"] == reverse("planning:my_plan")
    assert [f.kpi.key for f in mine["figures"]] == list(CARD_KEYS)
    calls = _by_key(mine)["calls"]
    assert (calls.actual, calls.target) == (3, 10)

    team = home_plan(planned["head_a"])
    assert team is not None
    assert team["url"].startswith(reverse("planning:team_plan"))
    assert (_by_key(team)["calls"].actual, _by_key(team)["calls"].target) == (3, 10)

    department = home_plan(planned["director"])
    assert department is not None
    assert department["url"] == reverse("planning:department_plan")
    calls = _by_key(department)["calls"]
    assert (calls.actual, calls.target) == (4, 14)  # both teams' people rolled up


def test_card_equals_the_plan_page(planned: dict[str, Any]) -> None:
    for actor, subject in (
        (planned["hunter_a"], selectors.plan_subject(actor=planned["hunter_a"])),
        (
            planned["director"],
            selectors.plan_subject(actor=planned["director"], team_id=planned["department"].pk),
        ),
    ):
        report = selectors.plan_report(actor=actor, month=NOW, subject=subject)
        page = {f.kpi.key: (f.target, f.actual, f.forecast) for f in report.figures}
        card = home_plan(actor)
        assert card is not None
        for figure in card["figures"]:
            assert (figure.target, figure.actual, figure.forecast) == page[figure.kpi.key]


def test_no_plan_yet_and_no_card_without_a_sales_role(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    card = home_plan(two_teams["hunter_b"])
    assert card is not None
    assert card["has_plan"] is False
    assert card["can_enter"] is False
    lawyer = make_user("lawyer", roles=["lawyer"], team=two_teams["team_a"])
    assert home_plan(lawyer) is None


def test_the_card_on_the_home_page_links_to_the_facts(planned: dict[str, Any]) -> None:
    client = Client()
    client.force_login(planned["hunter_a"])
    page = client.get("/").content.decode()
    assert 'data-testid="home-plan"' in page
    owner = planned["hunter_a"].pk
    link = f"{reverse('planning:kpi_facts')}?kpi=calls&amp;period={NOW.key}&amp;user={owner}"
    assert link in page
    facts = client.get(link.replace("&amp;", "&"))
    assert facts.status_code == 200
    assert facts.content.decode().count("today") >= 3
