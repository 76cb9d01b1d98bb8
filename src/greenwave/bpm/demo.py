"""Demo data of bpm: the built-in processes deployed, and a few running ones with tasks."""

from __future__ import annotations

from typing import Any

from . import services
from .models import ProcessInstance


def seed_processes(context: dict[str, Any]) -> None:
    services.library_install(actor=None)
    if ProcessInstance.objects.exists():
        return
    users = context.get("users", {})
    starter = users.get("hunter") or next(iter(users.values()), None)
    from .models import DefinitionStatus, ProcessDefinition

    for key in ("contract_approval", "invoice_payment"):
        definition = (
            ProcessDefinition.objects.filter(key=key, status=DefinitionStatus.DEPLOYED)
            .order_by("-version")
            .first()
        )
        if definition is not None:
            services.instance_start(actor=starter, definition=definition)
