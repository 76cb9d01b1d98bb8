"""`core.model_rows.insert_row` writes the row `Model.objects.create` writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db.models import signals
from django.forms.models import model_to_dict

from greenwave.core.model_rows import insert_row
from greenwave.core.models import Event, SavedFilter

pytestmark = pytest.mark.django_db


def _stored(model: Any, pk: int) -> dict[str, Any]:
    row = model_to_dict(model.objects.get(pk=pk))
    row.pop("id")
    return row


def test_an_inserted_event_is_stored_as_create_stores_it() -> None:
    fields = {
        "case_type": "deal",
        "case_id": "7",
        "activity": "deal_created",
        "timestamp": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        "payload": {"stage": 1, "stage_name": "Квалификация", "nested": [1, "два", None]},
    }
    created = Event.objects.create(**fields)
    event = Event(**fields)
    insert_row(event)
    assert event.pk is not None
    assert event.pk != created.pk
    assert not event._state.adding
    assert _stored(Event, event.pk) == _stored(Event, created.pk)


def test_auto_now_and_defaults_apply_as_in_save(admin_user) -> None:
    saved = SavedFilter(user=admin_user, path="/sales/deals/", name="Мои", query="q=1")
    insert_row(saved)
    stored = SavedFilter.objects.get(pk=saved.pk)
    assert stored.updated_at is not None
    assert stored.created_at == saved.created_at
    assert (stored.user_id, stored.name, stored.query) == (admin_user.pk, "Мои", "q=1")


def test_a_model_with_save_receivers_goes_through_save(admin_user) -> None:
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append((instance.pk, created))

    signals.post_save.connect(receiver, sender=SavedFilter, weak=False)
    try:
        saved = SavedFilter(user=admin_user, path="/clients/", name="Все", query="")
        insert_row(saved)
    finally:
        signals.post_save.disconnect(receiver, sender=SavedFilter)
    assert seen == [(saved.pk, True)]
