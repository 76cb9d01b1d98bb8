"""The run a process keeps between steps (`_RunCache`) is never used once another process
(its own connection, its own cache) has advanced the instance: the next step here restores
the state from the row and continues from the other's step (PostgreSQL, a real subprocess)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from greenwave.bpm import engine, services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.core.models import Event
from greenwave.core.tests.doomed import doomed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection"),
    pytest.mark.django_db(transaction=True),
]

FILES = Path(__file__).parent / "files"

# The other process completes the open task (its own transaction, committed) and says so.
OTHER_COMPLETION = """
import sys, time
import django
django.setup()
from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask

services.task_complete(
    actor=User.objects.get(pk=int(sys.argv[1])),
    task=HumanTask.objects.get(pk=int(sys.argv[2])),
    data={},
)
print("DONE", flush=True)
time.sleep(600)
"""


def test_a_kept_run_is_not_used_after_another_process_advanced_the_instance(
    deploy: Any, two_teams: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hunter = two_teams["hunter_a"]
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    services.steps._RUNS.clear()
    instance = services.instance_start(actor=hunter, definition=definition)  # committed
    assert services.steps._RUNS._runs.get(instance.pk) is not None  # kept here, hot
    call = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    assert call.element_id == "call"

    with doomed(OTHER_COMPLETION, str(hunter.pk), str(call.pk), until="DONE"):
        pass  # the other process's step is committed  # the other process's step is committed

    restored = []
    real_restore = engine.ProcessRun.restore

    def restore(*args: Any, **kwargs: Any) -> engine.ProcessRun:
        run = real_restore(*args, **kwargs)
        restored.append(run)
        return run

    monkeypatch.setattr(engine.ProcessRun, "restore", restore)
    offer = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    assert offer.element_id == "offer"  # opened by the other process
    services.task_complete(actor=hunter, task=offer, data={})

    assert len(restored) == 1  # the kept run of the start was dropped, the row restored
    done = ProcessInstance.objects.get(pk=instance.pk)
    assert done.status == InstanceStatus.COMPLETED
    assert done.lock_version == 3  # the start, the other's step, this one
    assert done.element_states == {"s": "done", "call": "done", "offer": "done", "e": "done"}
    assert sorted(
        HumanTask.objects.filter(instance=instance).values_list("element_id", "status")
    ) == [("call", TaskStatus.COMPLETED), ("offer", TaskStatus.COMPLETED)]
    completions = Event.objects.filter(
        case_type="process_instance",
        case_id=str(instance.pk),
        activity="process_task_completed",
    )
    assert completions.count() == 2
    assert not done.incidents.exists()
