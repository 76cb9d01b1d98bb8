"""The demo: a «Дни рождения на этой неделе» segment with people in it and a sent campaign
with statistics; running it twice changes nothing."""

from __future__ import annotations

import pytest

from greenwave.accounts.demo import seed_people
from greenwave.crm.demo import seed_clients
from greenwave.outreach import selectors
from greenwave.outreach.demo import BIRTHDAY_SEGMENT, seed_outreach
from greenwave.outreach.models import Campaign, Delivery, Segment

pytestmark = pytest.mark.django_db


def test_demo_has_a_birthday_segment_and_a_sent_campaign_with_statistics() -> None:
    context = {"password": "demo-password-123"}
    seed_people(context)
    seed_clients(context)
    seed_outreach(context)
    seed_outreach(context)

    head = context["users"]["head_north"]  # type: ignore[index]
    segment = Segment.objects.get(name=BIRTHDAY_SEGMENT)
    assert selectors.segment_preview(actor=head, filters=segment.filters).count >= 5
    sent = Campaign.objects.get(status="sent")
    stats = selectors.campaign_stats(campaign=sent)
    assert stats.sent >= 5
    assert stats.opened > 0
    assert stats.clicked > 0
    assert stats.unsubscribed == 1
    assert stats.bounced == 1
    assert Campaign.objects.count() == 2
    assert Delivery.objects.filter(status="pending").count() == 0
