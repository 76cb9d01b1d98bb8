"""`core.model_rows.insert_row` writes the row `Model.objects.create` writes; `ModelColumns`
builds the instance `Model.from_db` builds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import signals
from django.forms.models import model_to_dict

from greenwave.core.model_rows import ModelColumns, insert_row
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


def _selected(columns: ModelColumns, table: str, pk: int) -> list[Any]:
    with connection.cursor() as cursor:
        # The model's own identifiers: nothing from outside.
        cursor.execute(f"SELECT {columns.sql} FROM {table} e WHERE e.id = %s", [pk])  # noqa: S608
        return list(cursor.fetchone())


def _built_as_from_db(columns: ModelColumns, row: list[Any]) -> tuple[Any, Any]:
    built = columns.build(row)
    expected = columns.model.from_db(DEFAULT_DB_ALIAS, columns.attnames, columns.convert(row))
    assert type(built) is type(expected)
    assert {k: v for k, v in built.__dict__.items() if k != "_state"} == {
        k: v for k, v in expected.__dict__.items() if k != "_state"
    }
    assert (built._state.adding, built._state.db) == (False, DEFAULT_DB_ALIAS)
    assert (expected._state.adding, expected._state.db) == (False, DEFAULT_DB_ALIAS)
    assert built.get_deferred_fields() == expected.get_deferred_fields()
    return built, expected


def test_a_row_is_built_as_from_db_builds_it_its_columns_left_out_deferred(admin_user) -> None:
    event = Event.objects.create(
        case_type="deal",
        case_id="7",
        activity="deal_created",
        timestamp=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        actor=admin_user,
        payload={"stage": 1, "name": "Квалификация"},
    )
    columns = ModelColumns(Event, "e", exclude=("payload",))
    assert columns._plain
    built, _expected = _built_as_from_db(columns, _selected(columns, "core_event", event.pk))
    assert built.get_deferred_fields() == {"payload"}
    assert (built.pk, built.actor_id, built.timestamp) == (event.pk, admin_user.pk, event.timestamp)
    assert built.actor == admin_user  # the foreign key loads on demand
    assert built.payload == {"stage": 1, "name": "Квалификация"}  # the deferred column too
    whole = ModelColumns(Event, "e")
    built, _expected = _built_as_from_db(whole, _selected(whole, "core_event", event.pk))
    assert built.payload == {"stage": 1, "name": "Квалификация"}
    built.activity = "deal_won"
    built.save(update_fields=["activity"])  # an instance the ORM saves as its own
    assert Event.objects.get(pk=event.pk).activity == "deal_won"


def test_a_model_with_init_receivers_is_built_by_from_db(admin_user) -> None:
    event = Event.objects.create(case_type="deal", case_id="8", activity="deal_created")
    columns = ModelColumns(Event, "e")
    row = _selected(columns, "core_event", event.pk)
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Event, weak=False)
    try:
        built = columns.build(row)
    finally:
        signals.post_init.disconnect(receiver, sender=Event)
    assert seen == [event.pk]
    assert built.pk == event.pk
