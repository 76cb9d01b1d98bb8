from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.core.selectors import event_list_for_case, event_list_for_object
from greenwave.core.services import ObjectRef, changes_between, event_append

pytestmark = pytest.mark.django_db


def test_event_records_previous_activity_and_time_of_the_same_case() -> None:
    t0 = timezone.now() - timedelta(hours=2)
    first = event_append(case_type="deal", case_id=7, activity="created", actor=None, timestamp=t0)
    event_append(case_type="deal", case_id=8, activity="created", actor=None)
    second = event_append(
        case_type="deal",
        case_id=7,
        activity="stage_changed",
        actor=None,
        timestamp=t0 + timedelta(hours=1),
    )

    assert first.prev_activity == ""
    assert first.prev_timestamp is None
    assert second.prev_activity == "created"
    assert second.prev_timestamp == t0


def test_event_log_keeps_actor_payload_and_involved_objects(make_user) -> None:
    user = make_user("writer")
    event = event_append(
        case_type="deal",
        case_id="42",
        activity="stage_changed",
        actor=user,
        payload={"from": "qualification", "to": "proposal"},
        objects=[ObjectRef("company", "5", "client"), ObjectRef("company", "5", "client")],
    )

    stored = Event.objects.get(pk=event.pk)
    assert stored.actor == user
    assert stored.payload == {"from": "qualification", "to": "proposal"}
    assert list(stored.links.values_list("object_type", "object_id", "qualifier")) == [
        ("company", "5", "client")
    ]


def test_object_timeline_finds_events_where_the_object_is_case_or_involved() -> None:
    event_append(case_type="company", case_id=5, activity="company_created", actor=None)
    event_append(
        case_type="deal",
        case_id=1,
        activity="deal_won",
        actor=None,
        objects=[ObjectRef("company", "5")],
    )
    event_append(case_type="deal", case_id=2, activity="deal_won", actor=None)

    activities = list(
        event_list_for_object(object_type="company", object_id=5).values_list("activity", flat=True)
    )
    assert sorted(activities) == ["company_created", "deal_won"]
    assert event_list_for_case(case_type="deal", case_id=2).count() == 1


def test_changes_between_lists_only_changed_fields() -> None:
    assert changes_between({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
