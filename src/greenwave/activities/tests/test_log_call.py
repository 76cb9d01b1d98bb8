"""Logging a call in one line from a deal's feed: saved through the activities service, the
feed answers with the call in it; a bad line changes nothing; another team gets a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.models import Event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_call_logged_from_the_deal_feed_appears_in_it(two_teams, deal_a) -> None:
    client = _client(two_teams["hunter_a"])
    feed = client.get(f"/activities/timeline/deal/{deal_a.pk}/").content.decode()
    assert 'data-testid="log-call"' in feed
    response = client.post(
        f"/activities/timeline/deal/{deal_a.pk}/call/",
        {"call_result": "proposal_requested", "outcome": "Ждут КП до пятницы"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="timeline"' in body
    assert "Ждут КП до пятницы" in body
    call = Activity.objects.get(deal=deal_a)
    assert (call.kind, call.status, call.call_result) == (
        ActivityKind.CALL,
        ActivityStatus.DONE,
        "proposal_requested",
    )
    assert call.company_id == deal_a.company_id
    assert call.responsible == two_teams["hunter_a"]
    # The stage gates read calls from the event log: the call is an event of the deal.
    assert Event.objects.filter(
        activity="call_completed", links__object_type="deal", links__object_id=str(deal_a.pk)
    ).exists()


def test_a_result_asking_for_a_next_call_plans_it(two_teams, deal_a) -> None:
    client = _client(two_teams["hunter_a"])
    url = f"/activities/timeline/deal/{deal_a.pk}/call/"
    refused = client.post(url, {"call_result": "call_back", "outcome": "перезвонить"})
    assert 'data-testid="log-call-errors"' in refused.content.decode()
    assert not Activity.objects.filter(deal=deal_a).exists()  # nothing half-saved
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(url, {"call_result": "call_back", "outcome": "", "next_call_at": when})
    done, planned = Activity.objects.filter(deal=deal_a).order_by("pk")
    assert done.status == ActivityStatus.DONE
    assert planned.status == ActivityStatus.PLANNED
    assert planned.follow_up_of == done


def test_a_line_without_a_result_changes_nothing(two_teams, deal_a) -> None:
    client = _client(two_teams["hunter_a"])
    response = client.post(f"/activities/timeline/deal/{deal_a.pk}/call/", {"outcome": "мимо"})
    assert response.status_code == 200
    assert 'data-testid="log-call-errors"' in response.content.decode()
    assert not Activity.objects.exists()


def test_another_team_cannot_log_a_call_on_the_deal(two_teams, deal_a) -> None:
    client = _client(two_teams["hunter_b"])
    response = client.post(
        f"/activities/timeline/deal/{deal_a.pk}/call/", {"call_result": "no_answer"}
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()
    assert client.post(f"/activities/timeline/bogus/{deal_a.pk}/call/", {}).status_code == 404
