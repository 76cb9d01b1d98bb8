"""`event_append_created`: the first events of many records created in one transaction."""

from __future__ import annotations

import pytest

from greenwave.accounts.models import Team
from greenwave.core.models import Event
from greenwave.core.services import ObjectRef, event_append_created

pytestmark = pytest.mark.django_db


def test_first_events_of_new_records_are_written_with_their_objects_and_no_previous(
    make_user,
) -> None:
    actor = make_user("importer")
    teams = [Team.objects.create(name=f"Команда {n}") for n in range(3)]

    written = event_append_created(
        teams,
        activity="team_created",
        actor=actor,
        payloads=[{"name": t.name} for t in teams],
        objects=[
            [ObjectRef("user", str(actor.pk), "by"), ObjectRef("user", str(actor.pk), "by")],
            [],
            [],
        ],
        batch_size=2,
    )

    stored = Event.objects.filter(activity="team_created").order_by("pk")
    assert [e.pk for e in written] == [e.pk for e in stored]
    assert [(e.case_id, e.payload["name"], e.actor_id) for e in stored] == [
        (str(t.pk), t.name, actor.pk) for t in teams
    ]
    assert {e.prev_activity for e in stored} == {""}
    assert [list(e.links.values_list("object_type", "qualifier")) for e in stored] == [
        [("user", "by")],
        [],
        [],
    ]


def test_unsaved_records_or_missing_payloads_are_refused() -> None:
    with pytest.raises(ValueError):
        event_append_created([Team(name="x")], activity="a", actor=None, payloads=[{}])
    saved = Team.objects.create(name="y")
    with pytest.raises(ValueError):
        event_append_created([saved], activity="a", actor=None, payloads=[])
    assert not Event.objects.filter(activity="a").exists()
