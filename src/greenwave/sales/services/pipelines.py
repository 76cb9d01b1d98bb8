"""Pipelines, their stages (with gates and opening processes) and loss reasons."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.services import scope_stamps_renew
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.services import changes_between, event_append_for

from .. import events
from ..errors import SalesError
from ..gates import checklist_errors
from ..models import (
    LossReason,
    Pipeline,
    Stage,
)
from .common import (
    _require_admin,
)
from .processes import (
    deal_processes,
)

# --- pipelines -------------------------------------------------------------------------


@transaction.atomic
def pipeline_create(
    *, actor: User | None, code: str, name: str, name_en: str = "", description: str = ""
) -> Pipeline:
    _require_admin(actor)
    if Pipeline.objects.filter(code=code).exists():
        raise DomainError(
            CoreError.CONFLICT, _("A pipeline with the code %(code)s exists.") % {"code": code}
        )
    order = (Pipeline.objects.aggregate(m=Max("order"))["m"] or 0) + 1
    pipeline = Pipeline.objects.create(
        code=code, name=name, name_en=name_en, description=description, order=order
    )
    event_append_for(
        pipeline, activity=events.PIPELINE_CHANGED, actor=actor, payload={"created": name}
    )
    return pipeline


@transaction.atomic
def stage_save(  # noqa: PLR0913 -- keyword-only: one argument a field of the stage
    *,
    actor: User | None,
    pipeline: Pipeline,
    stage: Stage | None = None,
    code: str,
    name: str,
    name_en: str = "",
    input_description: str = "",
    output_description: str = "",
    output_checklist: list[dict[str, str]] | None = None,
    responsible_role: str = "",
    participants: Sequence[str] = (),
    expected_days: int = 7,
    probability: int = 10,
    target_conversion: int | None = None,
    key_success_factor: str = "",
    tasks: str = "",
    actions: str = "",
    opening_process: str = "",
) -> Stage:
    """Create (stage=None, appended last) or update a stage; the checklist is validated."""
    _require_admin(actor)
    opening_process = opening_process.strip()
    changed = opening_process != (stage.opening_process if stage else "")
    if opening_process and changed and opening_process not in {p.key for p in deal_processes()}:
        raise DomainError(
            CoreError.VALIDATION,
            _("“%(key)s” is not a deployed process that is started from a deal.")
            % {"key": opening_process},
        )
    checklist = output_checklist or []
    problems = checklist_errors(checklist)
    if problems:
        raise DomainError(
            SalesError.INVALID_CHECKLIST, " ".join(problems), details={"checklist": problems}
        )
    if not 0 <= probability <= 100:
        raise DomainError(CoreError.VALIDATION, _("Probability must be between 0 and 100."))
    if target_conversion is not None and not 0 <= target_conversion <= 100:
        raise DomainError(
            CoreError.VALIDATION, _("The target conversion must be between 0 and 100.")
        )
    roles = stage_participants_clean(participants, responsible_role=responsible_role)
    if stage is None:
        order = (pipeline.stages.aggregate(m=Max("order"))["m"] or 0) + 1
        stage = Stage(pipeline=pipeline, order=order)
    elif stage.pipeline_id != pipeline.pk:
        raise DomainError(SalesError.WRONG_PIPELINE, _("The stage belongs to another pipeline."))
    if pipeline.stages.filter(code=code).exclude(pk=stage.pk).exists():
        raise DomainError(
            CoreError.CONFLICT, _("A stage with the code %(code)s exists.") % {"code": code}
        )
    before = _logged_settings(stage) if stage.pk else {}
    stage.code, stage.name, stage.name_en = code, name, name_en
    stage.input_description, stage.output_description = input_description, output_description
    stage.output_checklist = checklist
    stage.responsible_role, stage.participants = responsible_role, roles
    stage.expected_days, stage.probability = expected_days, probability
    stage.target_conversion = target_conversion
    stage.key_success_factor = key_success_factor
    stage.tasks, stage.actions = tasks, actions
    stage.opening_process = opening_process
    stage.save()
    event_append_for(
        pipeline,
        activity=events.PIPELINE_CHANGED,
        actor=actor,
        payload={
            "stage": stage.code,
            "changes": changes_between(before, _logged_settings(stage)),
        },
    )
    return stage


def stage_participants_clean(participants: Sequence[str], *, responsible_role: str) -> list[str]:
    """The participating roles in RoleCode's order, once each; an unknown role, or the
    responsible role listed again as a participant, is refused."""
    unknown = sorted(set(participants) - set(RoleCode.values))
    if unknown:
        raise DomainError(
            CoreError.VALIDATION,
            _("Unknown roles among the participants: %(roles)s.") % {"roles": ", ".join(unknown)},
            details={"fields": {"participants": unknown}},
        )
    if responsible_role and responsible_role in participants:
        raise DomainError(
            CoreError.VALIDATION,
            _("The responsible role is not listed again among the participants."),
            details={"fields": {"participants": [responsible_role]}},
        )
    return [code for code in RoleCode.values if code in participants]


# The stage settings whose changes `stage_save` writes to the pipeline's event log, under
# their payload key → the stage field.
_LOGGED = {
    "name": "name",
    "checklist": "output_checklist",
    "process": "opening_process",
    "expected_days": "expected_days",
    "participants": "participants",
    "target_conversion": "target_conversion",
}
# Every setting `stage_save` takes besides the pipeline and the stage.
_SETTINGS = (
    *("code", "name", "name_en", "input_description", "output_description"),
    *("output_checklist", "responsible_role", "participants", "expected_days", "probability"),
    *("target_conversion", "key_success_factor", "tasks", "actions", "opening_process"),
)


def _logged_settings(stage: Stage) -> dict[str, Any]:
    return {key: getattr(stage, field) for key, field in _LOGGED.items()}


def _stage_settings(stage: Stage) -> dict[str, Any]:
    """Every setting `stage_save` takes, as the stage holds it (to change one of them)."""
    return {field: getattr(stage, field) for field in _SETTINGS}


def stage_set_opening_process(
    *, actor: User | None, pipeline: Pipeline, stage: Stage, opening_process: str
) -> Stage:
    """Name (or clear) the process a deal entering the stage starts; the rest stays."""
    settings = _stage_settings(stage) | {"opening_process": opening_process}
    return stage_save(actor=actor, pipeline=pipeline, stage=stage, **settings)


def stage_set_participants_and_target(
    *,
    actor: User | None,
    pipeline: Pipeline,
    stage: Stage,
    participants: Sequence[str],
    target_conversion: int | None,
) -> Stage:
    """Set who takes part in the stage and its target conversion, %; the rest stays."""
    settings = _stage_settings(stage) | {
        "participants": participants,
        "target_conversion": target_conversion,
    }
    return stage_save(actor=actor, pipeline=pipeline, stage=stage, **settings)


@transaction.atomic
def stage_reorder(*, actor: User | None, pipeline: Pipeline, stage_ids: Sequence[int]) -> None:
    _require_admin(actor)
    stages = {s.pk: s for s in pipeline.stages.select_for_update()}
    if set(stage_ids) != set(stages):
        raise DomainError(CoreError.VALIDATION, _("Give every stage of the pipeline once."))
    offset = len(stages) + 1000  # two passes keep the (pipeline, order) constraint satisfied
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=offset + position)
    for position, pk in enumerate(stage_ids, start=1):
        Stage.objects.filter(pk=pk).update(order=position)
    scope_stamps_renew()  # `update` sends no signal: what processes kept of the order is old
    event_append_for(
        pipeline,
        activity=events.PIPELINE_CHANGED,
        actor=actor,
        payload={"order": [stages[pk].code for pk in stage_ids]},
    )


@transaction.atomic
def stage_delete(*, actor: User | None, stage: Stage) -> None:
    _require_admin(actor)
    if stage.deals.exists():
        raise DomainError(
            SalesError.STAGE_IN_USE, _("The stage has deals: move them before deleting it.")
        )
    pipeline = stage.pipeline
    code = stage.code
    stage.delete()
    event_append_for(
        pipeline, activity=events.PIPELINE_CHANGED, actor=actor, payload={"deleted": code}
    )


@transaction.atomic
def loss_reason_add(
    *, actor: User | None, pipeline: Pipeline, name: str, name_en: str = ""
) -> LossReason:
    _require_admin(actor)
    order = (pipeline.loss_reasons.aggregate(m=Max("order"))["m"] or 0) + 1
    return LossReason.objects.create(pipeline=pipeline, name=name, name_en=name_en, order=order)
