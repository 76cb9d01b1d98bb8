"""`reset_sequences` moves an id sequence past the explicit ids and never back below a key it
handed out before (a connection's block of keys may still hold it unused)."""

from __future__ import annotations

import pytest
from django.db import connection

from greenwave.accounts.models import Team
from greenwave.datagen.writer import reset_sequences

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="id sequences: PostgreSQL"),
]


def _draw(count: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('accounts_team', 'id')) "
            "FROM generate_series(1, %s)",
            [count],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_deleted_row_does_not_move_the_sequence_back_below_drawn_keys() -> None:
    first = Team.objects.create(name="Explicit ids")
    held = _draw(5)  # handed out, not yet used (as a block of keys is)
    Team.objects.filter(pk=first.pk).delete()
    reset_sequences([Team])
    later = Team.objects.create(name="After the reset")
    assert later.pk > max(held)


def test_explicit_ids_above_the_sequence_move_it_past_them() -> None:
    [drawn] = _draw(1)
    Team.objects.create(pk=drawn + 100, name="Loaded with its key")
    reset_sequences([Team])
    assert Team.objects.create(name="Next").pk == drawn + 101
