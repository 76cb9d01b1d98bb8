"""A process step whose process is killed with SIGKILL half-way leaves nothing of itself, and
runs to its end exactly once afterwards (PostgreSQL, a real subprocess): a task completion
(the engine advance it runs) and the worker's escalation batch. Timers: test_worker_kill."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.core.tests.doomed import doomed, retry_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real second connection"),
    pytest.mark.django_db(transaction=True),
]

# The doomed process completes the task: the task row is locked, saved as completed and its
# event written; it hangs in the engine advance, before anything commits.
DOOMED_COMPLETION = """
import sys, time
import django
django.setup()
from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask

def hang(*args, **kwargs):
    print("STEP", flush=True)
    time.sleep(600)

services.tasks._advance = hang
services.task_complete(
    actor=User.objects.get(pk=int(sys.argv[1])),
    task=HumanTask.objects.get(pk=int(sys.argv[2])),
    data={"approved": True, "discount": 3},
)
"""

# The doomed process completes the task and hangs right after the step's writes went out
# together (the task's UPDATE, the instance's UPDATE and the next task's INSERT in one
# message), before its events and its commit.
DOOMED_AFTER_WRITES = """
import sys, time
import django
django.setup()
from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask
from greenwave.bpm.stepwrites import StepWrites

real = StepWrites.send

def hang(self, **_commit):
    real(self)  # the writes and events sent, not the COMMIT (as inside a caller's transaction)
    print("STEP", flush=True)
    time.sleep(600)

StepWrites.send = hang
services.task_complete(
    actor=User.objects.get(pk=int(sys.argv[1])),
    task=HumanTask.objects.get(pk=int(sys.argv[2])),
    data={"approved": True, "discount": 3},
)
"""

# The completion's one message of writes, events and COMMIT went out (the completion is the
# worker's outermost transaction): killed then, the step is done, once.
DOOMED_AFTER_COMMIT = DOOMED_AFTER_WRITES.replace(
    "def hang(self, **_commit):\n    real(self)",
    "def hang(self, **commit):\n    real(self, **commit)",
)

# The doomed worker escalates overdue tasks: it hangs after the first escalation event is
# written, with the task row locked (SKIP LOCKED claims it).
DOOMED_ESCALATION = """
import time
import django
django.setup()
from greenwave.bpm import services

real = services.timers._event

def hang(*args, **kwargs):
    real(*args, **kwargs)
    print("STEP", flush=True)
    time.sleep(600)

services.timers._event = hang
services.tasks_escalate_overdue()
"""


def _events(instance: ProcessInstance, activity: str) -> int:
    return Event.objects.filter(case_id=str(instance.pk), activity=activity).count()


def _completions(instance: ProcessInstance) -> int:
    return _events(instance, "process_task_completed")


def _lock_version(instance: ProcessInstance) -> int:
    return ProcessInstance.objects.get(pk=instance.pk).lock_version


@pytest.fixture
def waiting(approval: Any, two_teams: dict[str, Any]) -> tuple[Any, ProcessInstance, HumanTask]:
    """The head of team A, and an approval started by its hunter with its open task."""
    instance = services.instance_start(actor=two_teams["hunter_a"], definition=approval)
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    return two_teams["head_a"], instance, task


def _complete(head: Any, task: HumanTask) -> None:
    services.task_complete(actor=head, task=task, data={"approved": True, "discount": 3})


def test_a_task_completion_killed_mid_step_leaves_the_task_open_and_completes_once(
    waiting: tuple[Any, ProcessInstance, HumanTask],
) -> None:
    head, instance, task = waiting

    with doomed(DOOMED_COMPLETION, str(head.pk), str(task.pk)):
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN  # its completion is not committed
    # Killed: its transaction dies with its session — nothing of the step is left.
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert task.completed_by is None
    assert _completions(instance) == 0

    # The task is completed again (waiting for the dead session's row lock to go), once.
    _complete(head, task)
    task.refresh_from_db()
    instance.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert _completions(instance) == 1
    assert instance.status == InstanceStatus.RUNNING
    assert instance.element_states["wait_payment"] == "waiting"
    assert HumanTask.objects.filter(instance=instance).count() == 1


def test_a_task_completion_killed_after_its_writes_went_out_leaves_nothing_of_them(
    waiting: tuple[Any, ProcessInstance, HumanTask],
) -> None:
    head, instance, task = waiting
    version = _lock_version(instance)

    with doomed(DOOMED_AFTER_WRITES, str(head.pk), str(task.pk)):
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN  # written, not committed
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert _lock_version(instance) == version
    assert _completions(instance) == 0

    _complete(head, task)
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert _lock_version(instance) == version + 1
    assert _completions(instance) == 1


def test_a_task_completion_killed_after_its_committing_message_is_done_once(
    waiting: tuple[Any, ProcessInstance, HumanTask],
) -> None:
    head, instance, task = waiting
    version = _lock_version(instance)
    assert DOOMED_AFTER_COMMIT != DOOMED_AFTER_WRITES

    with doomed(DOOMED_AFTER_COMMIT, str(head.pk), str(task.pk)):
        task.refresh_from_db()
        assert task.status == TaskStatus.COMPLETED  # committed by the message itself
    assert _lock_version(instance) == version + 1
    assert _completions(instance) == 1
    with pytest.raises(DomainError) as again:
        _complete(head, task)
    assert again.value.status == 409
    assert _completions(instance) == 1


def test_an_escalation_batch_killed_mid_step_is_done_by_another_worker_once(
    waiting: tuple[Any, ProcessInstance, HumanTask],
) -> None:
    _head, instance, task = waiting
    HumanTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(hours=1))

    with doomed(DOOMED_ESCALATION):
        # While the doomed worker lives, the task is its own: another worker skips it.
        assert services.tasks_escalate_overdue() == 0
    assert _events(instance, "process_task_overdue") == 0

    assert retry_until(services.tasks_escalate_overdue) == 1
    assert services.tasks_escalate_overdue() == 0
    assert _events(instance, "process_task_overdue") == 1
    task.refresh_from_db()
    assert task.escalated_at is not None


# What the two doomed processes below share: the actor and the definition (argv 1 and 2),
# and the hang right after a step's one message went out, without its COMMIT (argv 3
# `writes`) or with it (`commit`).
DOOMED_STEP_HEAD = """
import sys, time
import django
django.setup()
from greenwave.accounts.models import User
from greenwave.bpm import services
from greenwave.bpm.models import ProcessDefinition
from greenwave.bpm.stepwrites import StepWrites
actor = User.objects.get(pk=int(sys.argv[1]))
definition = ProcessDefinition.objects.get(pk=int(sys.argv[2]))
"""
HANG_AFTER_MESSAGE = """
real = StepWrites.send
def hang(self, **commit):
    real(self, **(commit if sys.argv[3] == "commit" else {}))
    print("STEP", flush=True)
    time.sleep(600)
StepWrites.send = hang
"""


# The doomed process starts a two-step process itself (so that it keeps its run and a copy of
# the instance: `_RunCache`) and completes the first task the optimistic way — without the
# lock (the locked way would fail it) — then hangs right after the step's one message went
# out: without its COMMIT (`writes`) or with it (`commit`).
DOOMED_OPTIMISTIC = (
    DOOMED_STEP_HEAD
    + """
instance = services.instance_start(actor=actor, definition=definition)
[task] = services.tasks_opened(instance)
def locked(*args, **kwargs):
    raise AssertionError("the locked way")
services.tasks._task_complete = locked
"""
    + HANG_AFTER_MESSAGE
    + "services.task_complete(actor=actor, task=task, data={})\n"
)


@pytest.mark.parametrize("committed", [False, True])
def test_an_optimistic_completion_killed_after_its_message_is_done_once(
    deploy: Any, two_teams: dict[str, Any], committed: bool
) -> None:
    hunter = two_teams["hunter_a"]
    definition = deploy((Path(__file__).parent / "files" / "two_steps.bpmn").read_bytes())
    mode = "commit" if committed else "writes"
    with doomed(DOOMED_OPTIMISTIC, str(hunter.pk), str(definition.pk), mode):
        instance = ProcessInstance.objects.get(definition=definition)
        task = HumanTask.objects.get(instance=instance, element_id="call")
        assert task.status == (TaskStatus.COMPLETED if committed else TaskStatus.OPEN)
    instance.refresh_from_db()
    task.refresh_from_db()
    if committed:  # the message's COMMIT went out: the step is done, once
        assert instance.lock_version == 2
        assert task.status == TaskStatus.COMPLETED
        assert _completions(instance) == 1
        with pytest.raises(DomainError) as again:
            services.task_complete(actor=hunter, task=task, data={})
        assert again.value.status == 409
    else:  # nothing of the step is left; done again here (the locked way), once
        assert instance.lock_version == 1
        assert task.status == TaskStatus.OPEN
        assert _completions(instance) == 0
        services.task_complete(actor=hunter, task=task, data={})
        assert _lock_version(instance) == 2
    assert _completions(instance) == 1
    assert HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).count() == 1


# The doomed process starts a two-step process, its keys from the connection's blocks, and
# hangs right after the start's one message went out: without its COMMIT (`writes`) or with
# it (`commit`).
DOOMED_START = (
    DOOMED_STEP_HEAD
    + """
def drawn(*args, **kwargs):
    raise AssertionError("the keys drawn for the start")
services.instances._start_drawn = drawn
"""
    + HANG_AFTER_MESSAGE
    + "services.instance_start(actor=actor, definition=definition)\n"
)


@pytest.mark.parametrize("committed", [False, True])
def test_a_start_killed_after_its_message_leaves_all_of_it_or_nothing(
    deploy: Any, two_teams: dict[str, Any], committed: bool
) -> None:
    hunter = two_teams["hunter_a"]
    definition = deploy((Path(__file__).parent / "files" / "two_steps.bpmn").read_bytes())
    mode = "commit" if committed else "writes"
    with doomed(DOOMED_START, str(hunter.pk), str(definition.pk), mode):
        assert ProcessInstance.objects.filter(definition=definition).count() == int(committed)
    if not committed:  # nothing of it is left (the rows' keys and events die with it)
        assert not ProcessInstance.objects.filter(definition=definition).exists()
        assert not HumanTask.objects.filter(instance__definition=definition).exists()
        assert not Event.objects.filter(activity="process_started").exists()
        services.instance_start(actor=hunter, definition=definition)  # started here, once
    instance = ProcessInstance.objects.get(definition=definition)
    assert (instance.status, instance.lock_version) == (InstanceStatus.RUNNING, 1)
    assert instance.element_states == {"s": "done", "call": "active"}
    [task] = HumanTask.objects.filter(instance=instance)
    assert (task.element_id, task.status) == ("call", TaskStatus.OPEN)
    assert _events(instance, "process_started") == 1
    assert _events(instance, "process_task_created") == 1
    services.task_complete(actor=hunter, task=task, data={})  # and it goes on
    assert HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN).element_id == "offer"
