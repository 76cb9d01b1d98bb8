"""Files kept with a process: the uploads of a form's file fields and files another
app made for the process."""

from __future__ import annotations

import os
import uuid
from typing import Any

from greenwave.accounts.models import User

from .. import events
from ..models import (
    HumanTask,
    ProcessInstance,
)
from .journal import _event


def _store_files(
    actor: User, task: HumanTask, instance: ProcessInstance, values: dict[str, Any]
) -> None:
    """Keep the uploads of the form's file fields with the process (under a random name);
    the variable holds what people see: the file's id, name and size."""
    from django.core.files.uploadedfile import UploadedFile

    from ..models import ProcessFile

    for name, value in list(values.items()):
        if not isinstance(value, UploadedFile):
            continue
        original = os.path.basename(value.name or "file")[:255]
        extension = os.path.splitext(original)[1].lower()
        stored = ProcessFile(
            instance=instance,
            task=task,
            field=name,
            original_name=original,
            content_type=(value.content_type or "application/octet-stream")[:120],
            size=value.size or 0,
            uploaded_by=actor,
        )
        stored.file.save(f"{uuid.uuid4().hex}{extension}", value, save=False)
        stored.save()
        values[name] = {"file_id": stored.pk, "name": original, "size": stored.size}
        _event(
            instance,
            events.FILE_ATTACHED,
            actor,
            {"file": stored.pk, "name": original, "size": stored.size, "element": task.element_id},
        )


def process_file_attach(
    *,
    actor: User | None,
    instance: ProcessInstance,
    field: str,
    name: str,
    content: bytes,
    content_type: str,
    element_id: str = "",
) -> Any:
    """Keep a file another app made for the process (the employee's application made from
    its template) with the process, like a form's upload: every approver sees it."""
    from django.core.files.base import ContentFile

    from ..models import ProcessFile

    original = os.path.basename(name or "file")[:255]
    stored = ProcessFile(
        instance=instance,
        field=field[:100],
        original_name=original,
        content_type=content_type[:120],
        size=len(content),
        uploaded_by=actor,
    )
    extension = os.path.splitext(original)[1].lower()
    stored.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    stored.save()
    _event(
        instance,
        events.FILE_ATTACHED,
        actor,
        {"file": stored.pk, "name": original, "size": stored.size, "element": element_id},
    )
    return stored
