"""The demo: a «Дни рождения на этой неделе» segment with people in it and a sent campaign
with statistics; running it twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.crm.tests.conftest import demo_clients  # noqa: F401 (the seeded client base)
from greenwave.outreach import selectors
from greenwave.outreach.demo import BIRTHDAY_SEGMENT, seed_outreach
from greenwave.outreach.models import Campaign, Delivery, Segment

pytestmark = pytest.mark.django_db


def test_demo_has_a_birthday_segment_and_a_sent_campaign_with_statistics(
    demo_clients: dict[str, Any],  # noqa: F811
) -> None:
    seed_outreach(demo_clients)
    seed_outreach(demo_clients)

    head = demo_clients["users"]["head_north"]
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
