"""Incidents: retry the failed step of an instance."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError, permission_denied

from .. import engine, events
from ..errors import BpmError
from ..models import (
    Incident,
    InstanceStatus,
    ProcessInstance,
)
from .journal import _event
from .steps import _advance


@transaction.atomic
def incident_retry(*, actor: User | None, incident: Incident) -> ProcessInstance:
    if actor is not None and not (
        actor.is_greenwave_admin or incident.instance.responsible_id == actor.pk
    ):
        raise permission_denied(_("Only the initiator or an administrator can retry."))
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.resolved_at is not None:
        raise DomainError(BpmError.NO_INCIDENT, _("This incident is already resolved."), status=409)
    instance = incident.instance
    ProcessInstance.objects.filter(pk=instance.pk, status=InstanceStatus.FAILED).update(
        status=InstanceStatus.RUNNING
    )
    incident.retries += 1
    incident.save(update_fields=["retries", "updated_at"])

    def retry(run: engine.ProcessRun) -> list[str]:
        return run.retry_failed()

    _advance(instance, actor, retry)
    instance.refresh_from_db()
    if instance.status != InstanceStatus.FAILED:
        incident.resolved_at = timezone.now()
        incident.save(update_fields=["resolved_at", "updated_at"])
        _event(instance, events.INCIDENT_RESOLVED, actor, {"incident": incident.pk})
    return instance
