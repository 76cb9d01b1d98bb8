"""Steps shared by the tests that run the built-in processes through the services: the open
tasks of an instance, completing one (with files), the end it reached, its notifications."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from greenwave.bpm import services
from greenwave.bpm.models import (
    HumanTask,
    Incident,
    InstanceStatus,
    MessageSubscription,
    Notification,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
)


def start(user: Any, definition: ProcessDefinition, **variables: Any) -> ProcessInstance:
    """An instance of `definition` started by `user` with the start `variables`."""
    return services.instance_start(actor=user, definition=definition, variables=variables)


def open_tasks(instance: ProcessInstance) -> list[HumanTask]:
    return list(HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).order_by("pk"))


def open_task(instance: ProcessInstance) -> HumanTask:
    """The one open task of `instance` (an error if there is none or more than one)."""
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def process_rows() -> tuple[list[Any], ...]:
    """The rows of every instance, task, incident and subscription, in the columns a refused
    request must not change."""
    return (
        list(
            ProcessInstance.objects.order_by("pk").values_list(
                "pk", "status", "lock_version", "variables", "definition_id", "team_id", "state"
            )
        ),
        list(
            HumanTask.objects.order_by("pk").values_list(
                "pk", "status", "assignee_id", "claimed_by_id", "completed_by_id", "team_id"
            )
        ),
        list(Incident.objects.order_by("pk").values_list("pk", "retries", "resolved_at")),
        list(MessageSubscription.objects.order_by("pk").values_list("pk", "instance_id")),
    )


def do_task(user: Any, instance: ProcessInstance, element: str, **data: Any) -> HumanTask:
    """Complete the open task `element` as `user`; uploaded files go as files."""
    task = HumanTask.objects.get(instance=instance, element_id=element, status=TaskStatus.OPEN)
    files = {k: v for k, v in data.items() if isinstance(v, SimpleUploadedFile)}
    values = {k: v for k, v in data.items() if k not in files}
    return services.task_complete(actor=user, task=task, data=values, files=files or None)


def ended(instance: ProcessInstance, end: str) -> ProcessInstance:
    """The instance read again, asserted completed at the end event `end`."""
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.element_states[end] == "done"
    return instance


def notes(instance: ProcessInstance) -> list[tuple[str, str]]:
    return sorted(
        Notification.objects.filter(instance=instance).values_list("recipient__username", "body")
    )


def with_reviewers(make_user: Any, two_teams: dict[str, Any]) -> dict[str, Any]:
    """The two teams and the deal's reviewers of team A: a lawyer and a financier."""
    team = two_teams["team_a"]
    return {
        **two_teams,
        "lawyer": make_user("lawyer", roles=["lawyer"], team=team),
        "finance": make_user("finance", roles=["finance"], team=team),
    }


def signed_in(user: Any) -> Client:
    """A test client signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def race(*jobs: Any) -> list[BaseException]:
    """Run the jobs in threads released at the same moment; return what they raised."""
    barrier = threading.Barrier(len(jobs))

    def run(job: Any) -> BaseException | None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:
            return exc
        finally:
            connections.close_all()
        return None

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        raised = list(pool.map(run, jobs))
    return [exc for exc in raised if exc is not None]
