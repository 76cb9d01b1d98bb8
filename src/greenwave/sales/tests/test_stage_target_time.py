"""A stage's expected duration is its target time-in-stage (seed 000: «длительность каждого
этапа»): a deal over it is flagged on its card, counted stuck by the funnel, and a change of
the target is in the pipeline's event log like the other stage edits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.sales import events, services
from greenwave.sales.funnel import funnel

pytestmark = pytest.mark.django_db


def _deal(hunter: Any, b2b: Any, *, days: int) -> Any:
    deal = services.deal_create(actor=hunter, title="Поставка", pipeline=b2b, amount=Decimal(1))
    deal.stage_entered_at = timezone.now() - timedelta(days=days)
    deal.save(update_fields=["stage_entered_at"])
    return deal


@pytest.mark.parametrize(
    ("language", "flag"),
    [("ru", "дольше срока этапа: 3 дня"), ("en", "longer than the stage's 3 days")],
)
def test_the_deal_card_flags_a_deal_over_its_stages_expected_days(
    two_teams: Any, b2b: Any, language: str, flag: str
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    late, fresh = _deal(hunter, b2b, days=4), _deal(hunter, b2b, days=2)
    assert late.stage.expected_days == 3  # qualification, migration 0002
    client = Client()
    client.force_login(hunter)
    html = client.get(f"/sales/deals/{late.pk}/").content.decode()
    assert 'data-testid="deal-stuck"' in html
    assert flag in html.replace("&#x27;", "'")
    other = client.get(f"/sales/deals/{fresh.pk}/").content.decode()
    assert 'data-testid="deal-stuck"' not in other
    rows = funnel(actor=hunter, pipeline=b2b)
    assert [r.stuck for r in rows if r.stage_id == late.stage_id] == [1]


def test_a_won_deal_is_never_flagged(two_teams: Any, b2b: Any) -> None:
    deal = _deal(two_teams["hunter_a"], b2b, days=40)
    deal.status = "won"
    assert not deal.is_stuck


def test_a_change_of_the_target_time_is_in_the_event_log(two_teams: Any, b2b: Any) -> None:
    stage = b2b.stages.order_by("order").first()
    services.stage_save(
        actor=two_teams["admin"],
        pipeline=b2b,
        stage=stage,
        code=stage.code,
        name=stage.name,
        name_en=stage.name_en,
        output_checklist=list(stage.output_checklist),
        participants=stage.participants,
        expected_days=5,
        probability=stage.probability,
        opening_process=stage.opening_process,
    )
    event = Event.objects.filter(activity=events.PIPELINE_CHANGED).latest("pk")
    assert event.payload["changes"] == {"expected_days": [3, 5]}


def test_the_funnels_stuck_link_lists_only_the_stuck_deals(
    two_teams: Any, b2b: Any, bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    late = _deal(hunter, b2b, days=4)
    late.title = "Зависшая поставка"
    late.save(update_fields=["title"])
    fresh = _deal(hunter, b2b, days=2)
    client = Client()
    client.force_login(hunter)
    funnel_page = client.get(f"/sales/funnel/?pipeline={b2b.pk}").content.decode()
    link = f"?stage={late.stage_id}&amp;status=open&amp;stuck=true"
    assert link in funnel_page
    html = client.get(f"/sales/deals/{link.replace('&amp;', '&')}").content.decode()
    assert "Зависшая поставка" in html
    assert f'href="/sales/deals/{late.pk}/"' in html
    assert f'href="/sales/deals/{fresh.pk}/"' not in html
    everything = client.get(f"/sales/deals/?stage={late.stage_id}").content.decode()
    assert f'href="/sales/deals/{fresh.pk}/"' in everything
    api = bearer(hunter)
    stuck = api.get(f"/api/v1/deals?stuck=true&stage={late.stage_id}").json()
    assert [d["id"] for d in stuck["items"]] == [late.pk]
    rest = api.get(f"/api/v1/deals?stuck=false&stage={late.stage_id}").json()
    assert [d["id"] for d in rest["items"]] == [fresh.pk]
