"""Messages: deliver one to the processes waiting for it, or start one by it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError

from .. import engine, events, scope
from ..errors import BpmError
from ..models import (
    DefinitionStatus,
    MessageSubscription,
    ProcessDefinition,
    ProcessInstance,
)
from .instances import _check_variables, instance_start
from .journal import _event
from .steps import _advance


@transaction.atomic
def message_correlate(
    *,
    actor: User | None,
    name: str,
    correlation_key: str = "",
    payload: Mapping[str, Any] | None = None,
) -> list[ProcessInstance]:
    """Deliver a message to the processes waiting for it, or start one with a message start.

    A user's message reaches only the processes they see, and names only records they may
    read (`scope`); the system's (actor None) reaches every process."""
    data = _check_variables(payload or {})
    scope.check_records(actor, variables=data, keys=(correlation_key,))
    subs = MessageSubscription.objects.filter(message_name=name).select_related("instance")
    visible = scope.visible_instances_q(actor) if actor is not None else Q()
    if visible:
        subs = subs.filter(instance__in=ProcessInstance.objects.filter(visible))
    if correlation_key:
        subs = subs.filter(correlation_key=correlation_key)
    waiting = list({s.instance_id: s.instance for s in subs.order_by("created_at")}.values())
    if not correlation_key and len(waiting) > 1:
        raise DomainError(
            BpmError.MESSAGE_NOT_CORRELATED,
            _("Several processes wait for %(name)s: give a correlation key.") % {"name": name},
            details={"instances": [i.pk for i in waiting]},
            status=409,
        )
    delivered: list[ProcessInstance] = []
    for instance in waiting:

        def deliver(run: engine.ProcessRun) -> bool:
            return run.deliver_message(name, data)

        _event(instance, events.MESSAGE_CORRELATED, actor, {"message": name})
        _advance(instance, actor, deliver)
        delivered.append(instance)
    if delivered:
        return delivered
    starts = [
        d
        for d in ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED).order_by(
            "key", "-version"
        )
        if name in d.metadata.get("message_starts", [])
    ]
    latest: dict[str, ProcessDefinition] = {}
    for d in starts:
        latest.setdefault(d.key, d)
    for definition in latest.values():
        instance = instance_start(
            actor=actor, definition=definition, variables=data, business_key=correlation_key
        )
        _event(instance, events.MESSAGE_CORRELATED, actor, {"message": name})
        if instance.subscriptions.filter(message_name=name).exists():

            def deliver_start(run: engine.ProcessRun) -> bool:
                return run.deliver_message(name, data)

            _advance(instance, actor, deliver_start)
        delivered.append(instance)
    if not delivered:
        raise DomainError(
            BpmError.MESSAGE_NOT_CORRELATED,
            _("No process waits for the message %(name)s.") % {"name": name},
            status=404,
        )
    return delivered
