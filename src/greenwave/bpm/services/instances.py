"""Starting and cancelling instances: a start by a service or the system, a start asked
for by a person (checked against the business object) and a record's process start."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError, permission_denied

from .. import engine, events, scope
from ..errors import BpmError
from ..models import (
    DefinitionStatus,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
)
from ..stepwrites import begin_with_next_statement
from .definitions import _compile
from .journal import _JOURNAL, _event, _journaled
from .steps import (
    _action_handler,
    _advance,
    _sync,
    forget_keys,
    new_row,
    start_key_taken,
    start_keys_drawn,
    start_keys_from_blocks,
)
from .subjects import _check_subject, subject_label, subject_processes

MAX_VARIABLES_CHARS = 200_000


def _variable_name_ok(name: str) -> bool:
    """An identifier, or FEEL's name of words separated by single spaces ("Vacation
    Approval"); never one starting with an underscore (the engine's own)."""
    words = name.split(" ")
    return not name.startswith("_") and all(w.isidentifier() for w in words)


def _check_variables(variables: Mapping[str, Any]) -> dict[str, Any]:
    import json

    try:
        text = json.dumps(dict(variables))
    except (TypeError, ValueError) as exc:
        raise DomainError(
            BpmError.INVALID_VARIABLES, _("Process variables must be JSON values.")
        ) from exc
    if len(text) > MAX_VARIABLES_CHARS:
        raise DomainError(BpmError.INVALID_VARIABLES, _("Process variables are too large."))
    bad = sorted(str(k) for k in variables if not _variable_name_ok(str(k)))
    if bad:
        raise DomainError(
            BpmError.INVALID_VARIABLES,
            _(
                "Variable names must be identifiers, or words separated by single spaces "
                "as FEEL allows: %(names)s."
            )
            % {"names": ", ".join(bad)},
        )
    return dict(variables)


class StartRequest(TypedDict, total=False):
    """What a start names beside the definition (the keywords of `instance_start` and
    `instance_start_checked`; mypy checks them against this): its variables, its business
    object, a business key (by default `<object_type>:<object_id>`)."""

    variables: Mapping[str, Any] | None
    object_type: str
    object_id: str | int
    business_key: str


def instance_start(
    *, actor: User | None, definition: ProcessDefinition, **start: Unpack[StartRequest]
) -> ProcessInstance:
    """Start the definition (a deployed version) for an optional business object.

    On PostgreSQL the instance's and its first task's keys come from the connection's blocks
    and the BEGIN goes with the first statement: outside a transaction, a start is one
    message ending in COMMIT. When a row took a key of a block meanwhile (the start fails
    on it: nothing of it is left), the blocks are dropped and the start is done again with
    keys drawn for it."""
    if connection.vendor == "postgresql":
        try:
            return _start_from_blocks(actor=actor, definition=definition, **start)
        except IntegrityError as exc:
            if not start_key_taken(exc):
                raise
            forget_keys()
    return _start_drawn(actor=actor, definition=definition, **start)


@transaction.atomic
def _start_from_blocks(
    *, actor: User | None, definition: ProcessDefinition, **start: Unpack[StartRequest]
) -> ProcessInstance:
    with begin_with_next_statement():
        return _start(actor=actor, definition=definition, keys=start_keys_from_blocks, **start)


@transaction.atomic
def _start_drawn(
    *, actor: User | None, definition: ProcessDefinition, **start: Unpack[StartRequest]
) -> ProcessInstance:
    return _start(actor=actor, definition=definition, keys=start_keys_drawn, **start)


@_journaled
def _start(
    *,
    actor: User | None,
    definition: ProcessDefinition,
    keys: Callable[[ProcessInstance], bool],
    **start: Unpack[StartRequest],
) -> ProcessInstance:
    """The start, inside the caller's transaction; `keys` sets the instance's key and its
    first task's (False: the row is inserted here, its key returned)."""
    if definition.status != DefinitionStatus.DEPLOYED:
        raise DomainError(BpmError.NOT_DEPLOYED, _("Only a deployed process can be started."))
    data = _check_variables(start.get("variables") or {})
    object_type, object_id = start.get("object_type", ""), str(start.get("object_id", ""))
    default_key = f"{object_type}:{object_id}" if object_type else ""
    business_key = start.get("business_key") or default_key
    # Before anything runs as the system: every record named must be the caller's to read.
    scope.check_records(
        actor, variables=data, object_type=object_type, object_id=object_id, keys=(business_key,)
    )
    if actor is not None:
        data.setdefault("initiator", actor.username)
    try:
        compiled = _compile(definition)
    except engine.EngineError as exc:
        raise DomainError(BpmError.ENGINE_ERROR, exc.message) from exc
    instance = new_row(
        ProcessInstance,
        definition=definition,
        state="",
        serializer_version=engine.SERIALIZER_VERSION,
        object_type=object_type[:40],
        object_id=object_id[:64],
        business_key=business_key[:120],
        responsible=actor,
        team_id=scope.instance_team_id(
            actor, object_type=object_type, object_id=object_id, business_key=business_key
        ),
    )
    try:
        run = engine.ProcessRun.start(
            compiled,
            variables=data,
            actions=_action_handler,
            service_actions=definition.metadata.get("service_actions", {}),
        )
    except engine.EngineError as exc:
        raise DomainError(
            BpmError.ENGINE_ERROR,
            _("The process failed at its first step: %(error)s") % {"error": exc.message},
            details={"element": exc.element_id},
        ) from exc
    if not keys(instance):
        instance.save()  # the state is written by _sync below, in this transaction
    _event(
        instance,
        events.PROCESS_STARTED,
        actor,
        {"definition": definition.key, "version": definition.version},
        new_case=True,  # the row was inserted just now: no earlier event, no other writer
    )
    # A new instance has no timer, message or task rows.
    _sync(instance, run, actor, waited=False, ready_before=set())
    journal = _JOURNAL.get()
    if journal is not None:  # nothing of the transaction follows the journal's last flush
        journal.commit = True
    return instance


@transaction.atomic
def instance_cancel(*, actor: User | None, instance: ProcessInstance) -> ProcessInstance:
    if actor is not None and not (actor.is_greenwave_admin or instance.responsible_id == actor.pk):
        raise permission_denied(_("Only the initiator or an administrator can cancel a process."))

    def cancel(run: engine.ProcessRun) -> None:
        run.cancel()

    _advance(instance, actor, cancel, allow_failed=True)
    now = timezone.now()
    ProcessInstance.objects.filter(pk=instance.pk).update(
        status=InstanceStatus.CANCELLED, ended_at=now
    )
    instance.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    instance.timers.filter(fired_at=None, cancelled_at=None).update(cancelled_at=now)
    instance.subscriptions.all().delete()
    instance.refresh_from_db()
    _event(instance, events.PROCESS_CANCELLED, actor)
    return instance


@transaction.atomic
def instance_start_checked(
    *, actor: User | None, definition: ProcessDefinition, **start: Unpack[StartRequest]
) -> ProcessInstance:
    """A start asked for by a person (page, API): the business object, if any, must be a record
    the actor sees, and a process about deals only starts for a deal. The id is also given to
    the process as the variable `<type>_id` (e.g. `deal_id`)."""
    object_type = start.get("object_type", "").strip()
    object_id = str(start.get("object_id", "")).strip()
    _check_subject(actor, definition, object_type, object_id)
    data = dict(start.get("variables") or {})
    if object_type:
        data.setdefault(f"{object_type}_id", int(object_id) if object_id.isdigit() else object_id)
    return instance_start(
        actor=actor,
        definition=definition,
        variables=data,
        object_type=object_type,
        object_id=object_id,
        business_key=start.get("business_key", ""),
    )


@transaction.atomic
def subject_process_start(
    *,
    actor: User | None,
    key: str,
    subject_type: str,
    subject_id: str | int,
    variables: Mapping[str, Any] | None = None,
) -> ProcessInstance:
    """Start the latest deployed version of `key` for a record (e.g. from a deal's card).

    Refused when the process is not one started from such records, or when a run of it for
    the same record is still open (the caller holds the record's row lock, so two clicks
    cannot both pass)."""
    found = [d for d in subject_processes(subject_type=subject_type) if d.key == key]
    definition = found[0] if found else None
    if definition is None:
        raise DomainError(
            BpmError.NOT_DEPLOYED,
            _("No deployed process “%(key)s” is started from a %(subject)s.")
            % {"key": key, "subject": subject_label(subject_type)},
            details={"key": key},
        )
    running = ProcessInstance.objects.filter(
        definition__key=key,
        object_type=subject_type,
        object_id=str(subject_id),
        status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED],
    ).first()
    if running is not None:
        raise DomainError(
            BpmError.ALREADY_RUNNING,
            _("“%(process)s” is already running for this %(subject)s (#%(pk)s).")
            % {
                "process": definition.name,
                "subject": subject_label(subject_type),
                "pk": running.pk,
            },
            details={"instance": running.pk},
            status=409,
        )
    return instance_start_checked(
        actor=actor,
        definition=definition,
        variables=variables,
        object_type=subject_type,
        object_id=subject_id,
    )
