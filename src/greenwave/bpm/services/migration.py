"""Moving running instances to another version of their process: the dry run
(`instance_migration_check`), one instance, several."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import CoreError, DomainError, permission_denied

from .. import engine, events
from ..errors import BpmError
from ..models import (
    DefinitionStatus,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    TaskStatus,
)
from .definitions import _compile
from .journal import _event
from .steps import _restore, _sync

MAX_MAPPING_ITEMS = 200


def can_migrate_instances(actor: User | None) -> bool:
    """An administrator or a head (who reaches only the instances their scope shows)."""
    return actor is None or actor.is_greenwave_admin or actor.has_role(RoleCode.HEAD_OF_SALES)


@dataclass
class MigrationCheck:
    """What moving one instance to another version does (the dry run) or did."""

    instance_id: int
    from_version: int
    to_version: int
    allowed: bool
    migrated: bool = False
    steps: list[dict[str, str]] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    error: str = ""

    @property
    def problems(self) -> list[dict[str, str]]:
        return [s for s in self.steps if s["problem"]]


def _check_mapping(mapping: Mapping[str, str] | None) -> dict[str, str]:
    items = dict(mapping or {})
    bad = [
        k
        for k, v in items.items()
        if not isinstance(k, str)
        or not isinstance(v, str)
        or not k.strip()
        or not v.strip()
        or len(k) > 200
        or len(v) > 200
    ]
    if bad or len(items) > MAX_MAPPING_ITEMS:
        raise DomainError(
            CoreError.VALIDATION,
            _("The mapping must pair element ids (old id → new id)."),
            details={"field": "mapping", "mapping": [str(k) for k in bad]},
        )
    return {k.strip(): v.strip() for k, v in items.items() if k.strip() != v.strip()}


def _problem_text(step: engine.MigrationStep, version: int) -> str:
    element = f"{step.element_id} ({step.name})" if step.name else step.element_id
    values = {
        "element": element,
        "version": version,
        "target": step.target_id or step.element_id,
        "kind": step.kind,
        "target_kind": step.target_kind,
    }
    if step.problem == "missing":
        text = _("The process is at %(element)s, but version %(version)s has no %(target)s.")
    elif step.problem == "kind_changed":
        text = _("%(element)s is a %(kind)s, but a %(target_kind)s in version %(version)s.")
    elif step.problem == "event_changed":
        text = _("%(element)s waits for another kind of event in version %(version)s.")
    elif step.problem == "subprocess_missing":
        text = _("The sub-process that %(element)s runs is not in version %(version)s.")
    else:
        text = _("The mapping names %(element)s, which the process does not have.")
    return text % values


def _migration_refusal(instance: ProcessInstance, target: ProcessDefinition) -> None:
    """Checks that do not need the engine: same process, deployed, another version, running."""
    source = instance.definition
    if target.key != source.key:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("Version %(version)s belongs to another process.") % {"version": target.version},
        )
    if target.pk == source.pk:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("The process is already on version %(version)s.") % {"version": target.version},
        )
    if target.status != DefinitionStatus.DEPLOYED:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("Only a deployed version can take running processes."),
        )
    if instance.status not in {InstanceStatus.RUNNING, InstanceStatus.FAILED}:
        raise DomainError(
            BpmError.INSTANCE_NOT_RUNNING,
            _("The process is %(status)s.") % {"status": instance.get_status_display()},
            status=409,
        )


def _compiled(definition: ProcessDefinition) -> Any:
    try:
        return _compile(definition)
    except engine.EngineError as exc:
        raise DomainError(BpmError.ENGINE_ERROR, exc.message) from exc


def _migration_check(
    instance: ProcessInstance,
    target: ProcessDefinition,
    plan: engine.MigrationPlan,
    run: engine.ProcessRun,
) -> MigrationCheck:
    steps = [
        {
            "element": s.element_id,
            "name": s.name,
            "kind": s.kind,
            "state": s.state,
            "target": s.target_id,
            "problem": s.problem,
            "message": _problem_text(s, target.version) if s.problem else "",
        }
        for s in plan.steps
    ]
    targets = {s.element_id: s.target_id for s in plan.steps}
    tasks = [
        {
            "id": t.pk,
            "name": t.name,
            "element": t.element_id,
            "target": targets.get(t.element_id, ""),
            "assignee": t.assignee.username if t.assignee else None,
        }
        for t in instance.tasks.filter(status=TaskStatus.OPEN).select_related("assignee")
    ]
    return MigrationCheck(
        instance_id=instance.pk,
        from_version=instance.definition.version,
        to_version=target.version,
        allowed=plan.allowed,
        steps=steps,
        added=plan.added,
        removed=plan.removed,
        tasks=tasks,
        mapping=plan.mapping,
    )


def instance_migration_check(
    *,
    actor: User | None,
    instance: ProcessInstance,
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
) -> MigrationCheck:
    """The dry run: which active elements land where, what is refused. Changes nothing."""
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    items = _check_mapping(mapping)
    instance = ProcessInstance.objects.select_related("definition").get(pk=instance.pk)
    _migration_refusal(instance, target)
    run = _restore(instance)
    plan = run.plan_migration(_compiled(target), items)
    return _migration_check(instance, target, plan, run)


@transaction.atomic
def instance_migrate(
    *,
    actor: User | None,
    instance: ProcessInstance,
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
) -> MigrationCheck:
    """Move a running instance onto another version of its process, under its row lock.

    Refused (nothing changed) unless every element the instance is at exists in the target
    with the same kind. Task rows of tasks that stay keep their assignee and claim; the form
    and name come from the target; timers keep their due moment.
    """
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    items = _check_mapping(mapping)
    locked = (
        ProcessInstance.objects.select_for_update().select_related("definition").get(pk=instance.pk)
    )
    _migration_refusal(locked, target)
    source = locked.definition
    run = _restore(locked)
    compiled = _compiled(target)
    plan = run.plan_migration(compiled, items)
    check = _migration_check(locked, target, plan, run)
    if not plan.allowed:
        raise DomainError(
            BpmError.MIGRATION_REFUSED,
            _("The process cannot move to version %(version)s: %(problems)s")
            % {
                "version": target.version,
                "problems": " ".join(p["message"] for p in check.problems),
            },
            details={"problems": check.problems},
        )
    try:
        run.migrate(compiled, items)
    except engine.EngineError as exc:
        raise DomainError(BpmError.MIGRATION_REFUSED, exc.message) from exc
    snap = run.snapshot()
    user_tasks = target.metadata.get("user_tasks", {})
    ready = {t.task_id: t for t in snap.ready_tasks}
    for task in locked.tasks.filter(status=TaskStatus.OPEN, engine_task_id__in=ready):
        meta = user_tasks.get(ready[task.engine_task_id].spec_id, {})
        task.element_id = ready[task.engine_task_id].spec_id
        task.name = (meta.get("name") or task.name)[:255]
        task.form_schema = meta.get("form") or []
        task.save(update_fields=["element_id", "name", "form_schema", "updated_at"])
    timers = {t.task_id: t for t in snap.timers}
    for timer in locked.timers.filter(fired_at=None, cancelled_at=None, engine_task_id__in=timers):
        timer.element_id = timers[timer.engine_task_id].spec_id
        timer.save(update_fields=["element_id", "updated_at"])
    waits: dict[str, list[engine.WaitingMessage]] = {}
    for wait in snap.messages:
        waits.setdefault(wait.task_id, []).append(wait)
    for sub in locked.subscriptions.filter(engine_task_id__in=waits):
        if len(waits[sub.engine_task_id]) == 1:  # the same wait, maybe for a renamed message
            sub.element_id = waits[sub.engine_task_id][0].spec_id
            sub.message_name = waits[sub.engine_task_id][0].message_name
            sub.save(update_fields=["element_id", "message_name", "updated_at"])
    locked.definition = target
    _sync(locked, run, actor)
    _event(
        locked,
        events.INSTANCE_MIGRATED,
        actor,
        {
            "from_version": source.version,
            "to_version": target.version,
            "from_definition": source.pk,
            "to_definition": target.pk,
            "mapping": plan.mapping,
            "elements": {s.element_id: s.target_id for s in plan.steps},
        },
    )
    instance.refresh_from_db()
    check.migrated = True
    return check


@transaction.atomic
def instances_migrate(
    *,
    actor: User | None,
    instances: Iterable[ProcessInstance],
    target: ProcessDefinition,
    mapping: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> list[MigrationCheck]:
    """Move several instances (e.g. every running one of a version): each one that can move
    moves; each refused one is reported with its reasons and stays as it was."""
    if not can_migrate_instances(actor):
        raise permission_denied(_("Only a head or an administrator can move processes."))
    results: list[MigrationCheck] = []
    for instance in instances:
        try:
            if dry_run:
                results.append(
                    instance_migration_check(
                        actor=actor, instance=instance, target=target, mapping=mapping
                    )
                )
                continue
            with transaction.atomic():
                results.append(
                    instance_migrate(actor=actor, instance=instance, target=target, mapping=mapping)
                )
        except DomainError as exc:
            if exc.code == CoreError.PERMISSION_DENIED:
                raise
            problems = (exc.details or {}).get("problems") or []
            results.append(
                MigrationCheck(
                    instance_id=instance.pk,
                    from_version=instance.definition.version,
                    to_version=target.version,
                    allowed=False,
                    steps=list(problems),
                    error=str(exc.message),
                )
            )
    return results
