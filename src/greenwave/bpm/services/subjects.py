"""Processes bound to a business object (a deal): how a record type is named, which
record type a process is started from, how a run ended, the runs of one record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import User
from greenwave.core.case_access import can_read_case, case_types
from greenwave.core.errors import DomainError

from ..errors import BpmError
from ..models import (
    DefinitionStatus,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
)

# How a record type is named in messages («сделка», not `deal`).
SUBJECT_LABELS = {
    "deal": gettext_lazy("deal"),
    "lead": gettext_lazy("lead"),
    "company": gettext_lazy("client"),
    "contact": gettext_lazy("contact"),
}


def subject_label(subject_type: str) -> str:
    return str(SUBJECT_LABELS.get(subject_type, subject_type))


def definition_subject(definition: ProcessDefinition) -> str:
    """The record type the process is started from (`gw:subject` of its process), or ""."""
    for process in definition.metadata.get("processes", []):
        if process.get("id") == definition.process_id:
            return str(process.get("subject") or "")
    return ""


def instance_outcome(instance: ProcessInstance) -> str:
    """How a run ended: the `gw:outcome` of the end event it reached (e.g. approved), or ""."""
    elements = instance.definition.metadata.get("elements", {})
    for element_id, state in instance.element_states.items():
        outcome = elements.get(element_id, {}).get("outcome") if state == "done" else None
        if outcome:
            return str(outcome)
    return ""


def _check_subject(
    actor: User | None, definition: ProcessDefinition, object_type: str, object_id: str
) -> None:
    """A process is bound to a real record the actor may see, never to typed text."""
    subject = definition_subject(definition)
    if object_type or object_id:
        types = case_types()
        if object_type not in types:
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("Unknown business object type “%(type)s”: use one of %(types)s.")
                % {"type": object_type, "types": ", ".join(types)},
                details={"object_type": object_type, "types": types},
            )
        if not object_id:
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("Give the id of the %(subject)s the process is for.")
                % {"subject": subject_label(object_type)},
                details={"object_type": object_type},
            )
        if actor is not None and not can_read_case(actor, object_type, object_id):
            raise DomainError(
                BpmError.INVALID_SUBJECT,
                _("There is no %(subject)s #%(id)s that you can see.")
                % {"subject": subject_label(object_type), "id": object_id},
                details={"object_type": object_type, "object_id": object_id},
                status=404,
            )
    if subject and object_type != subject:
        raise DomainError(
            BpmError.SUBJECT_REQUIRED,
            _("“%(process)s” is started from a %(subject)s: open it and start the process there.")
            % {"process": definition.name, "subject": subject_label(subject)},
            details={"subject": subject},
        )


def subject_processes(*, subject_type: str) -> list[ProcessDefinition]:
    """The processes started from a record of this type: the latest deployed version of each."""
    latest: dict[str, ProcessDefinition] = {}
    deployed = ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED).defer("xml")
    for definition in deployed.order_by("key", "-version"):
        latest.setdefault(definition.key, definition)
    found = [d for d in latest.values() if definition_subject(d) == subject_type]
    return sorted(found, key=lambda d: d.name)


@dataclass(frozen=True)
class SubjectRun:
    """One run of a process for a record, as the record's page lists it."""

    id: int
    key: str
    name: str
    status: str
    status_label: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in {InstanceStatus.RUNNING, InstanceStatus.FAILED}


def subject_runs(*, subject_type: str, subject_id: str | int, limit: int = 20) -> list[SubjectRun]:
    """The runs of processes for one record, newest first (one query)."""
    rows = (
        ProcessInstance.objects.filter(object_type=subject_type, object_id=str(subject_id))
        .select_related("definition")
        .only(
            "status",
            "element_states",
            "created_at",
            "ended_at",
            "definition__key",
            "definition__name",
            "definition__metadata",
        )
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        SubjectRun(
            id=row.pk,
            key=row.definition.key,
            name=row.definition.name,
            status=row.status,
            status_label=str(row.get_status_display()),
            outcome=instance_outcome(row) if row.status == InstanceStatus.COMPLETED else "",
            started_at=row.created_at,
            ended_at=row.ended_at,
        )
        for row in rows
    ]
