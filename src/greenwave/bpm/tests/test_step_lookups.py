"""The default database's wrapper looked up once for a step's writes: `connection` (Django's
proxy) and `connections[alias]` each read a thread-local (asgiref's `Local`, ~1.5 µs) on
every use, and a hot completion used them some twenty times."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.connection import BaseConnectionHandler

from greenwave.accounts.models import User
from greenwave.bpm import services, stepwrites
from greenwave.bpm.models import HumanTask, TaskStatus

POSTGRES = connection.vendor == "postgresql"


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count `stepwrites._db()` and every look-up of a wrapper by its alias."""
    counts = {"_db": 0, "lookups": 0}
    db, getitem = stepwrites._db, BaseConnectionHandler.__getitem__

    def counted_db() -> Any:
        counts["_db"] += 1
        return db()

    def counted_getitem(self: Any, alias: str) -> Any:
        counts["lookups"] += 1
        return getitem(self, alias)

    monkeypatch.setattr(stepwrites, "_db", counted_db)
    monkeypatch.setattr(BaseConnectionHandler, "__getitem__", counted_getitem)
    return counts


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="the optimistic step is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_hot_completion_looks_the_wrapper_up_once_for_its_writes(
    two_steps: Any,
    two_teams: dict[str, Any],
    fresh_cache: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside any transaction (as the bench, a request, a worker): the step's writes
    (`StepWrites`: its statements, their preparation, the send) and the kept copy and next
    key of the services take the wrapper once each, not once per value or statement."""
    hunter = User.objects.get(pk=two_teams["hunter_a"].pk)
    instance = services.instance_start(actor=hunter, definition=two_steps)
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    services.steps.next_task_key()  # the block drawn (by an earlier step, as a rule)
    counts = _counted(monkeypatch)
    services.task_complete(actor=hunter, task=task, data={})
    # One by the step's `StepWrites`, one by `begin_with_next_statement`.
    assert counts["_db"] == 2, counts
    # With Django's own (`atomic`, the cursor): before, 20 and more.
    assert counts["lookups"] <= 10, counts
    opened = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    assert opened.element_id == "offer"
    assert opened._state.db == connections[DEFAULT_DB_ALIAS].alias
