"""Demo data of bpm: the built-in processes deployed, and running ones with open tasks, so that
every role finds work in its inbox (the generated history holds the finished ones).

Each running instance carries a business key of its own (`demo:<what>`), so a second run of
`seed_demo` starts nothing twice even though the history already holds instances.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from greenwave.accounts.demo import DEMO_USERS
from greenwave.accounts.models import User

from . import services
from .models import DefinitionStatus, HumanTask, ProcessDefinition, ProcessInstance, TaskStatus

# Who reads the department's new lead-handling rules: every demo user but the director, who
# sends them.
READERS = tuple(login for login, *_person in DEMO_USERS if login != "director")


def _deployed(key: str) -> ProcessDefinition | None:
    return (
        ProcessDefinition.objects.filter(key=key, status=DefinitionStatus.DEPLOYED)
        .order_by("-version")
        .first()
    )


def _start(
    key: str, starter: User | None, business_key: str, variables: dict[str, Any]
) -> ProcessInstance | None:
    definition = _deployed(key)
    if starter is None or definition is None:
        return None
    if ProcessInstance.objects.filter(business_key=business_key).exists():
        return None
    return services.instance_start(
        actor=starter, definition=definition, variables=variables, business_key=business_key
    )


def _complete(instance: ProcessInstance | None, element: str, actor: User, **data: Any) -> None:
    """Complete the instance's open task `element` as `actor` (taking an offer first)."""
    if instance is None:
        return
    task = HumanTask.objects.filter(
        instance=instance, element_id=element, status=TaskStatus.OPEN
    ).first()
    if task is None:
        return
    if task.assignee_id is None:
        task = services.task_claim(actor=actor, task=task)
    services.task_complete(actor=actor, task=task, data=data)


def seed_processes(context: dict[str, Any]) -> None:
    services.library_install(actor=None)
    users: dict[str, User] = context.get("users", {})
    director, hr = users.get("director"), users.get("hr")
    readers = [login for login in READERS if login in users]
    # Everyone is asked to read the new rules: an acknowledgement task in every inbox.
    _start(
        "acknowledgement",
        director,
        "demo:acknowledgement:lead-rules",
        {"readers": readers, "deadline": "P5D"},
    )
    # A document on its first approval stage with a head, the second with the director.
    if "head_south" in users and director is not None:
        _start(
            "document_approval",
            hr,
            "demo:document_approval:onboarding",
            {"approver1": "head_south", "approver2": director.username},
        )
    # A supplier's invoice: entered by the manager, approved by the head, waiting for the
    # accountant; a second one still waiting for the head's approval.
    hunter, head = users.get("hunter"), users.get("head_north")
    invoice = _start("invoice_payment", hunter, "demo:invoice_payment:exhibition", {})
    if hunter is not None and head is not None:
        _complete(
            invoice,
            "enter",
            hunter,
            supplier="ООО «Экспоцентр-Сервис»",
            invoice_number="1187",
            amount="84500.00",
        )
        _complete(invoice, "approve", head, decision="approve", comment="Согласовано")
    farmer = users.get("farmer")
    second = _start("invoice_payment", farmer, "demo:invoice_payment:samples", {})
    if farmer is not None:
        _complete(
            second,
            "enter",
            farmer,
            supplier="ООО «ТрансЛогистик»",
            invoice_number="552",
            amount="12300.00",
        )
    # A vacation request approved by the head: the order waits at HR, the pay at the
    # accountant.
    hunter2, head_south = users.get("hunter2"), users.get("head_south")
    vacation = _start("vacation", hunter2, "demo:vacation:hunter2", {})
    if hunter2 is not None and head_south is not None:
        first = timezone.localdate() + timedelta(days=21)
        _complete(
            vacation,
            "fill",
            hunter2,
            vacation_kind="annual",
            date_from=first.isoformat(),
            date_to=(first + timedelta(days=13)).isoformat(),
            comment="Ежегодный отпуск по графику",
        )
        _complete(vacation, "approve", head_south, decision="approve", comment="Согласовано")
