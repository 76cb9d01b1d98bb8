"""`event_append_many`: several events of one case in one go (one statement on PostgreSQL),
written exactly as `event_append` would write them one by one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from greenwave.core.models import Event
from greenwave.core.services import EventEntry, ObjectRef, event_append, event_append_many

pytestmark = pytest.mark.django_db


def _rows(case_id: str) -> list[tuple[object, ...]]:
    return list(
        Event.objects.filter(case_type="deal", case_id=case_id)
        .order_by("timestamp", "id")
        .values_list("activity", "prev_activity", "prev_timestamp", "actor_id", "payload")
    )


def _links(case_id: str) -> list[tuple[str, str, str, str]]:
    return sorted(
        (event.activity, link.object_type, link.object_id, link.qualifier)
        for event in Event.objects.filter(case_type="deal", case_id=case_id)
        for link in event.links.all()
    )


def test_a_batch_is_written_as_the_same_events_appended_one_by_one(make_user: Any) -> None:
    user = make_user("batcher")
    t0 = timezone.now() - timedelta(hours=3)
    steps: list[tuple[str, dict[str, Any], list[ObjectRef]]] = [
        ("stage_changed", {"to": "proposal", "amount": 1.5}, [ObjectRef("company", "5", "client")]),
        ("task_created", {"name": "Позвонить"}, []),
        (
            "task_done",
            {"nested": {"a": [1, 2]}},
            [ObjectRef("company", "5", "client"), ObjectRef("contact", "9")],
        ),
    ]
    for case_id in ("1", "2"):
        event_append(
            case_type="deal", case_id=case_id, activity="created", actor=None, timestamp=t0
        )
    for n, (activity, payload, objects) in enumerate(steps, start=1):
        event_append(
            case_type="deal",
            case_id="1",
            activity=activity,
            actor=user,
            payload=payload,
            objects=objects,
            timestamp=t0 + timedelta(minutes=n),
        )
    ids = event_append_many(
        case_type="deal",
        case_id=2,
        entries=[
            EventEntry(a, user.pk, p, o, t0 + timedelta(minutes=n))
            for n, (a, p, o) in enumerate(steps, start=1)
        ],
    )

    assert len(ids) == 3
    assert list(Event.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)) == ids
    assert _rows("2") == _rows("1")
    assert _links("2") == _links("1")
    assert _rows("2")[1][1:3] == ("created", t0)


def test_a_batch_of_a_new_case_starts_the_chain_and_an_empty_batch_writes_nothing() -> None:
    assert event_append_many(case_type="deal", case_id=3, entries=[]) == []
    event_append_many(
        case_type="deal",
        case_id=3,
        entries=[EventEntry("created"), EventEntry("assigned")],
        new_case=True,
    )
    rows = _rows("3")
    assert [(r[0], r[1]) for r in rows] == [("created", ""), ("assigned", "created")]
    assert rows[0][2] is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement on PostgreSQL")
def test_on_postgresql_a_batch_with_links_is_one_statement() -> None:
    event_append(case_type="deal", case_id=4, activity="created", actor=None)
    with CaptureQueriesContext(connection) as queries:
        event_append_many(
            case_type="deal",
            case_id=4,
            entries=[
                EventEntry("a", objects=[ObjectRef("company", "1")]),
                EventEntry("b", objects=[ObjectRef("company", "2")]),
            ],
        )
    assert len(queries.captured_queries) == 1
    assert [r[:2] for r in _rows("4")] == [("created", ""), ("a", "created"), ("b", "a")]


def test_each_event_draws_its_own_id_from_the_events_sequence_and_its_links_name_it() -> None:
    entries = [
        EventEntry(f"e{n}", objects=[ObjectRef("company", str(10 + n)), ObjectRef("contact", "1")])
        for n in range(4)
    ]
    ids = event_append_many(case_type="deal", case_id=5, entries=entries)
    after = event_append(case_type="deal", case_id=5, activity="after", actor=None)

    assert ids == list(range(ids[0], ids[0] + 4))  # one `nextval` per event, in their order
    assert after.pk > ids[-1]  # drawn from the table's own sequence
    for n, pk in enumerate(ids):
        event = Event.objects.get(pk=pk)
        assert event.activity == f"e{n}"
        assert sorted((link.object_type, link.object_id) for link in event.links.all()) == [
            ("company", str(10 + n)),
            ("contact", "1"),
        ]
