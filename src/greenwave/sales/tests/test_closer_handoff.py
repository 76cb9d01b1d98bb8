"""Seed 001's hand-over between «Leads Development» and «Leads Conversion»: the hunter (or the
head) hands a deal to a closer — who, when, the comment, the event, the card, the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.sales import services
from greenwave.sales.models import CloserHandoff, Deal, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def closers(two_teams: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """Two closers of team A (the first with an open deal already) and one of team B."""
    busy = make_user("closer_busy", roles=["closer"], team=two_teams["team_a"])
    free = make_user("closer_free", roles=["closer"], team=two_teams["team_a"])
    other = make_user("closer_b", roles=["closer"], team=two_teams["team_b"])
    return {"busy": busy, "free": free, "other": other}


def _deal(b2b: Pipeline, owner: Any, title: str = "Насосы для ТЭЦ") -> Deal:
    return services.deal_create(
        actor=owner, title=title, pipeline=b2b, responsible=owner, hunter=owner
    )


def test_the_hunter_hands_the_deal_to_a_closer_and_stays_its_hunter(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline
) -> None:
    hunter = two_teams["hunter_a"]
    deal = _deal(b2b, hunter)
    handoff = services.closer_handoff(
        actor=hunter, deal=deal, closer=closers["free"], comment="Потребность сформирована"
    )
    deal.refresh_from_db()
    assert (deal.responsible, deal.hunter, deal.team) == (
        closers["free"],
        hunter,
        two_teams["team_a"],
    )
    assert (handoff.hunter, handoff.closer, handoff.handed_by) == (hunter, closers["free"], hunter)
    assert handoff.comment == "Потребность сформирована"
    event = Event.objects.get(
        case_type="deal", case_id=str(deal.pk), activity="deal_handed_to_closer"
    )
    assert event.actor == hunter
    assert event.payload["closer"] == "closer_free"
    assert event.payload["hunter"] == "hunter_a"
    assert event.payload["comment"] == "Потребность сформирована"
    assert event.payload["changes"] == {"responsible": ["hunter_a", "closer_free"]}


def test_without_a_closer_the_least_loaded_closer_of_the_team_gets_it(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline
) -> None:
    _deal(b2b, closers["busy"], "Уже у клоузера")
    deal = _deal(b2b, two_teams["hunter_a"])
    handoff = services.closer_handoff(actor=two_teams["head_a"], deal=deal)
    assert handoff.closer == closers["free"]
    assert handoff.hunter == two_teams["hunter_a"]
    assert handoff.handed_by == two_teams["head_a"]


def test_a_second_hand_over_a_closed_deal_and_a_non_closer_are_refused(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline
) -> None:
    hunter = two_teams["hunter_a"]
    deal = _deal(b2b, hunter)
    with pytest.raises(DomainError) as not_closer:
        services.closer_handoff(actor=hunter, deal=deal, closer=two_teams["head_a"])
    assert not_closer.value.details["field"] == "closer"
    services.closer_handoff(actor=hunter, deal=deal, closer=closers["free"])
    with pytest.raises(DomainError) as twice:
        services.closer_handoff(actor=two_teams["head_a"], deal=deal, closer=closers["busy"])
    assert twice.value.code == "sales.deal_handed_over"
    lost = _deal(b2b, hunter, "Проиграна")
    services.deal_lose(actor=hunter, deal=lost, reason=b2b.loss_reasons.first())
    with pytest.raises(DomainError) as closed:
        services.closer_handoff(actor=hunter, deal=lost, closer=closers["free"])
    assert closed.value.code == "sales.deal_closed"
    assert CloserHandoff.objects.count() == 1
    assert Event.objects.filter(activity="deal_handed_to_closer").count() == 1


def test_no_hand_over_to_a_closer_of_another_team_or_by_an_outsider(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline
) -> None:
    deal = _deal(b2b, two_teams["hunter_a"])
    with pytest.raises(DomainError):
        services.closer_handoff(actor=two_teams["hunter_a"], deal=deal, closer=closers["other"])
    with pytest.raises(DomainError):
        services.closer_handoff(actor=two_teams["hunter_b"], deal=deal, closer=closers["free"])
    deal.refresh_from_db()
    assert deal.responsible == two_teams["hunter_a"]
    assert not CloserHandoff.objects.exists()


def test_the_api_hands_over_once(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline, bearer: Any
) -> None:
    deal = _deal(b2b, two_teams["hunter_a"])
    api = bearer(two_teams["hunter_a"])
    url = f"/api/v1/deals/{deal.pk}/closer-handoff"
    body = {"closer_id": closers["free"].pk, "comment": "Бюджет согласован"}
    made = api.post(url, json.dumps(body), content_type="application/json")
    assert made.status_code == 201, made.content
    answer = made.json()
    assert (answer["deal_id"], answer["closer_id"], answer["hunter_id"]) == (
        deal.pk,
        closers["free"].pk,
        two_teams["hunter_a"].pk,
    )
    assert answer["comment"] == "Бюджет согласован"
    again = bearer(two_teams["head_a"]).post(url, "{}", content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "sales.deal_handed_over"
    outsider = bearer(two_teams["hunter_b"]).post(url, "{}", content_type="application/json")
    assert outsider.status_code == 404


def test_the_card_offers_the_hand_over_and_then_shows_it(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline
) -> None:
    hunter = two_teams["hunter_a"]
    deal = _deal(b2b, hunter)
    client = Client()
    client.force_login(hunter)
    card = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="closer-handoff"' in card
    assert "Передать клоузеру" in card
    done = client.post(
        f"/sales/deals/{deal.pk}/handoff/",
        {"closer": closers["free"].pk, "comment": "Клиент ждёт звонка"},
    )
    assert done.status_code == 302
    assert CloserHandoff.objects.get().closer == closers["free"]
    card = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="deal-closer-handoff"' in card
    assert "Клиент ждёт звонка" in card
    assert 'data-testid="closer-handoff"' not in card
    assert "Сделка передана клоузеру" in card  # the event's label in the timeline


def test_a_reader_gets_no_hand_over_form_and_cannot_post_it(
    two_teams: dict[str, Any], closers: dict[str, Any], b2b: Pipeline, make_user: Any
) -> None:
    deal = _deal(b2b, two_teams["hunter_a"])
    lawyer = make_user("lawyer_a", roles=["lawyer"], team=two_teams["team_a"])
    client = Client()
    client.force_login(lawyer)
    card = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert 'data-testid="closer-handoff"' not in card
    refused = client.post(f"/sales/deals/{deal.pk}/handoff/", {"closer": closers["free"].pk})
    assert refused.status_code == 403
    assert not CloserHandoff.objects.exists()
