"""Deals: create, change, move between stages, win, lose, reopen, approve, attach papers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import acts_as_head
from greenwave.core.errors import CoreError, DomainError, not_found
from greenwave.core.model_rows import insert_row
from greenwave.core.services import (
    EventEntry,
    ObjectRef,
    RecordHistory,
    assign,
    case_type_of,
    changes_between,
    event_append_for,
    event_append_many,
    ref,
)
from greenwave.core.values import EMPTY
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company, Contact

from .. import events
from ..errors import SalesError
from ..gates import (
    done_activities_of,
    done_activity_columns,
    evaluate_stage,
    stage_activities,
    unmet,
)
from ..models import (
    ApprovalKind,
    ClientHandoff,
    Deal,
    DealApproval,
    DealDocument,
    DealStatus,
    DocumentKind,
    LossReason,
    Pipeline,
    Stage,
)
from .common import (
    APPROVERS,
    DOCUMENT_KEEPERS,
    DealChanges,
    _check_version,
    _deal_title,
    _lock,
    _lock_open,
    _long_text,
    _require_access,
    _require_owner_in_reach,
    _require_visible,
)
from .handoffs import _active_hunter_share, client_handoff
from .processes import (
    _start_opening_process,
)

# --- deals ---------------------------------------------------------------------------------


def _deal_shown(deal: Deal) -> dict[str, Any]:
    closes = deal.expected_close_date
    return {
        "amount": str(deal.amount),
        "expected_close_date": closes.isoformat() if closes else None,
    }


_DEAL_HISTORY = RecordHistory(
    Deal.objects.all(), schema=DealChanges, changed=events.DEAL_CHANGED, shown=_deal_shown
)


def _deal_objects(deal: Deal) -> list[ObjectRef]:
    """The deal's responsible and client, named by their ids (no read of either row)."""
    refs = []
    if deal.responsible_id:
        refs.append(ObjectRef(User.EVENT_CASE_TYPE, str(deal.responsible_id), "responsible"))
    if deal.company_id:
        refs.append(ObjectRef(Company.EVENT_CASE_TYPE, str(deal.company_id), "client"))
    return refs


def _deal_event_append(
    deal: Deal,
    *,
    activity: str,
    actor: User | None,
    payload: dict[str, Any],
    new_case: bool = False,
) -> None:
    """One event of the deal, linked to its responsible and client: on PostgreSQL one
    statement (the case's lock and previous event unless `new_case`, the event, its links)."""
    event_append_many(
        case_type=case_type_of(deal),
        case_id=deal.pk,
        entries=[
            EventEntry(
                activity=activity,
                actor_id=actor.pk if actor else None,
                payload=payload,
                objects=_deal_objects(deal),
            )
        ],
        new_case=new_case,
    )


@transaction.atomic
def deal_create(  # noqa: PLR0913 -- keyword-only: one argument a field of the new deal
    *,
    actor: User | None,
    title: str,
    pipeline: Pipeline,
    stage: Stage | None = None,
    amount: Decimal = Decimal(0),
    currency: str = "RUB",
    expected_close_date: date | None = None,
    responsible: User | None = None,
    team: Team | None = None,
    description: str = "",
    hunter: User | None = None,
    company: Company | None = None,
    contacts: Sequence[Contact] = (),
) -> Deal:
    title = _deal_title(title)
    description = _long_text(description, "description")
    if stage is None:
        stage = pipeline.stages.order_by("order").first()
        if stage is None:
            raise DomainError(SalesError.WRONG_PIPELINE, _("The pipeline has no stages."))
    if stage.pipeline_id != pipeline.pk:
        raise DomainError(SalesError.WRONG_PIPELINE, _("The stage belongs to another pipeline."))
    if amount < 0:
        raise DomainError(CoreError.VALIDATION, _("The amount cannot be negative."))
    responsible = responsible or actor
    _require_owner_in_reach(actor, responsible, team)
    if company is not None:
        crm_services.require_writable_company(actor, company)
    share = _active_hunter_share(company)
    if share is not None:  # a later sale of a handed-off client: the hunter keeps a share
        hunter = share.hunter
    deal = Deal(
        title=title,
        pipeline=pipeline,
        stage=stage,
        amount=amount,
        currency=currency,
        expected_close_date=expected_close_date,
        responsible=responsible,
        team=team or (responsible.team if responsible else None),
        description=description,
        probability=stage.probability,
        stage_entered_at=timezone.now(),
        hunter=hunter,
        hunter_share_percent=share.share_percent if share is not None else Decimal(0),
        company=company,
    )
    insert_row(deal)  # what `Deal.objects.create` writes, by a statement written once
    if contacts:
        deal.contacts.set(contacts)
    _deal_event_append(
        deal,
        activity=events.DEAL_CREATED,
        actor=actor,
        payload={"stage": stage.pk, "stage_name": stage.name, "pipeline": pipeline.pk},
        new_case=True,
    )
    return deal


@transaction.atomic
def deal_update(
    *,
    actor: User | None,
    deal: Deal,
    expected_version: int | None = None,
    **fields: Unpack[DealChanges],
) -> Deal:
    """Change a deal's card; only the given fields change, and a change bumps its version."""
    _require_access(actor, deal)
    amount = fields.get("amount")
    if amount is not None and Decimal(amount) < 0:
        raise DomainError(CoreError.VALIDATION, _("The amount cannot be negative."))
    data: dict[str, Any] = dict(fields)
    if "title" in data:
        data["title"] = _deal_title(data["title"])
    if "description" in data:
        data["description"] = _long_text(data["description"], "description")

    def apply(locked: Deal) -> None:
        _check_version(locked, expected_version)
        before = _DEAL_HISTORY.snapshot(locked)
        assign(locked, data)
        if changes_between(before, _DEAL_HISTORY.snapshot(locked)):
            locked.version += 1

    return _DEAL_HISTORY.update(deal, fields, apply, actor=actor)


def _unmet_outputs(
    deal: Deal, passed: list[Stage], done_activities: set[str]
) -> list[dict[str, Any]]:
    """The unmet output items of the stages a forward move passes, each naming its stage."""
    return [
        {**item.as_dict(), "stage": passed_stage.label}
        for passed_stage in passed
        for item in unmet(evaluate_stage(deal, passed_stage, done_activities=done_activities))
    ]


def _move_stages(stage: Stage | int) -> tuple[Stage, list[Stage]]:
    """The target of a move and every stage of its pipeline (the deal's current one and the
    ones the move passes among them), in one read; 404 for an unknown target id."""
    if isinstance(stage, Stage):
        stages = list(Stage.objects.filter(pipeline_id=stage.pipeline_id).order_by("order"))
        return stage, stages
    pipeline = Stage.objects.filter(pk=stage).values("pipeline_id")[:1]
    stages = list(Stage.objects.filter(pipeline_id=Subquery(pipeline)).order_by("order"))
    target = next((s for s in stages if s.pk == stage), None)
    if target is None:
        raise not_found(_("Stage not found."))
    return target, stages


def _lock_for_move(deal: Deal | int, wanted_activities: set[str]) -> tuple[Deal, set[str]]:
    """The deal row locked alone (see `_lock`), with which of the activities the move's gates
    want are done on it, in one read; 404 for an unknown id."""
    try:
        locked = (
            Deal.objects.select_for_update()
            .annotate(**done_activity_columns(wanted_activities))
            .get(pk=deal if isinstance(deal, int) else deal.pk)
        )
    except Deal.DoesNotExist:
        raise not_found(_("Deal not found.")) from None
    return locked, done_activities_of(locked, wanted_activities)


def _refuse_unmet(actor: User | None, missing: list[dict[str, Any]], comment: str) -> None:
    """Past an unmet output only a head of sales moves a deal, and says why."""
    if not missing:
        return
    if not comment.strip():
        raise DomainError(
            SalesError.GATE_NOT_MET,
            _("The stage output is not met: %(items)s.")
            % {"items": "; ".join(m["label"] for m in missing)},
            details={"missing": missing},
        )
    if not acts_as_head(actor):
        raise DomainError(
            SalesError.OVERRIDE_NOT_ALLOWED,
            _("Only a head of sales may move a deal past an unmet stage output."),
            details={"missing": missing},
            status=403,
        )


@transaction.atomic
def deal_move(
    *,
    actor: User | None,
    deal: Deal | int,
    stage: Stage | int,
    expected_version: int | None = None,
    override_comment: str = "",
) -> Deal:
    """Move to a stage. Forward moves need the output of every stage passed to be met.

    The deal and the stage may be given by id (the API's move): each is read once here — the
    target's pipeline's stages in one read, then the deal row under its lock with the gates'
    activities done on it."""
    stage, stages = _move_stages(stage)
    wanted = stage_activities(s for s in stages if s.order < stage.order)
    deal, done = _lock_for_move(deal, wanted)
    _require_access(actor, deal)
    _check_version(deal, expected_version)
    if deal.status != DealStatus.OPEN:
        raise DomainError(SalesError.DEAL_CLOSED, _("A closed deal cannot move. Reopen it first."))
    if stage.pipeline_id != deal.pipeline_id:
        raise DomainError(
            SalesError.WRONG_PIPELINE,
            _("The stage %(stage)s belongs to another pipeline.") % {"stage": stage.label},
        )
    if stage.pk == deal.stage_id:
        deal.stage = stage
        return deal
    previous = next(s for s in stages if s.pk == deal.stage_id)
    forward = stage.order > previous.order
    passed = [s for s in stages if previous.order <= s.order < stage.order]
    missing = _unmet_outputs(deal, passed, done) if forward else []
    _refuse_unmet(actor, missing, override_comment)
    now = timezone.now()
    seconds_in_stage = int((now - deal.stage_entered_at).total_seconds())
    deal.stage, deal.stage_entered_at, deal.probability = stage, now, stage.probability
    deal.version += 1
    deal.save(update_fields=["stage", "stage_entered_at", "probability", "version", "updated_at"])
    _deal_event_append(
        deal,
        activity=events.DEAL_STAGE_CHANGED,
        actor=actor,
        payload={
            "from_stage": previous.pk,
            "from_name": previous.name,
            "from_name_en": previous.name_en,
            "to_stage": stage.pk,
            "to_name": stage.name,
            "to_name_en": stage.name_en,
            "direction": "forward" if forward else "back",
            "seconds_in_stage": seconds_in_stage,
            "override": bool(missing),
            "override_comment": override_comment if missing else "",
            "missing": [m["label"] for m in missing],
        },
    )
    if stage.opening_process:
        _start_opening_process(actor, deal, stage)
    return deal


def _deal_close(
    actor: User | None, deal: Deal, status: str, *, activity: str, **details: str
) -> None:
    """Won or lost: the deal closes now at 100 % or 0 %, its version moves on, and the event
    tells the stage it closed in, how long it stood there, and the `details` of the outcome."""
    now = timezone.now()
    seconds = int((now - deal.stage_entered_at).total_seconds())
    deal.status, deal.closed_at = status, now
    deal.probability = 100 if status == DealStatus.WON else 0
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=activity,
        actor=actor,
        payload={
            "stage": deal.stage_id,
            "stage_name": deal.stage.name,
            **details,
            "seconds_in_stage": seconds,
        },
        objects=_deal_objects(deal),
    )


@transaction.atomic
def deal_win(
    *,
    actor: User | None,
    deal: Deal,
    expected_version: int | None = None,
    handoff_to: User | None = None,
) -> Deal:
    """Win from the last stage, once its output (e.g. the payment) is met.

    The first sale of a client hands it to a farmer (seed 004); `handoff_to` is the head's
    choice, otherwise the least loaded farmer of the team takes it.
    """
    _require_access(actor, deal)
    deal = _lock_open(deal, expected_version)
    last = deal.pipeline.stages.order_by("-order").first()
    if last is None or last.pk != deal.stage_id:
        raise DomainError(
            SalesError.NOT_LAST_STAGE,
            _("A deal is won from the last stage of its pipeline (%(stage)s).")
            % {"stage": last.label if last else EMPTY},
        )
    missing = unmet(evaluate_stage(deal, deal.stage))
    if missing:
        raise DomainError(
            SalesError.GATE_NOT_MET,
            _("The stage output is not met: %(items)s.")
            % {"items": "; ".join(m.label for m in missing)},
            details={"missing": [m.as_dict() for m in missing]},
        )
    _deal_close(actor, deal, DealStatus.WON, activity=events.DEAL_WON, amount=str(deal.amount))
    if deal.company_id and not ClientHandoff.objects.filter(company_id=deal.company_id).exists():
        client_handoff(actor=actor, deal=deal, farmer=handoff_to)
    return deal


@transaction.atomic
def deal_lose(
    *,
    actor: User | None,
    deal: Deal,
    reason: LossReason | None,
    comment: str = "",
    expected_version: int | None = None,
) -> Deal:
    _require_access(actor, deal)
    deal = _lock_open(deal, expected_version)
    if reason is None or reason.pipeline_id != deal.pipeline_id or not reason.is_active:
        raise DomainError(
            SalesError.LOSS_REASON_REQUIRED,
            _("Choose a loss reason from the list of this pipeline."),
        )
    deal.lost_reason, deal.loss_comment = reason, comment
    _deal_close(
        actor, deal, DealStatus.LOST, activity=events.DEAL_LOST, reason=reason.name, comment=comment
    )
    return deal


@transaction.atomic
def deal_reopen(*, actor: User | None, deal: Deal, expected_version: int | None = None) -> Deal:
    _require_access(actor, deal)
    deal = _lock(deal, expected_version)
    if deal.status == DealStatus.OPEN:
        raise DomainError(SalesError.DEAL_NOT_CLOSED, _("The deal is open."))
    previous = deal.status
    deal.status, deal.closed_at, deal.lost_reason, deal.loss_comment = (
        DealStatus.OPEN,
        None,
        None,
        "",
    )
    deal.probability = deal.stage.probability
    deal.stage_entered_at = timezone.now()
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_REOPENED,
        actor=actor,
        payload={"was": previous, "stage": deal.stage_id, "stage_name": deal.stage.name},
    )
    return deal


@transaction.atomic
def deal_reassign(
    *, actor: User | None, deal: Deal, responsible: User, team: Team | None = None
) -> Deal:
    _require_access(actor, deal)
    _require_owner_in_reach(actor, responsible, team)
    deal = _lock(deal, None)
    before = {
        "responsible": deal.responsible.username if deal.responsible else None,
        "team": deal.team.name if deal.team else None,
    }
    deal.responsible = responsible
    deal.team = team or responsible.team
    deal.version += 1
    deal.save()
    after = {"responsible": responsible.username, "team": deal.team.name if deal.team else None}
    event_append_for(
        deal,
        activity=events.DEAL_REASSIGNED,
        actor=actor,
        payload={"changes": changes_between(before, after)},
        objects=[ref(responsible, "responsible")],
    )
    return deal


@transaction.atomic
def deal_approve(*, actor: User, deal: Deal, kind: str, comment: str = "") -> DealApproval:
    _require_visible(actor, deal)  # approving is the approver's job on any deal they read
    if kind not in ApprovalKind.values:
        raise DomainError(CoreError.VALIDATION, _("Unknown approval."))
    if not actor.is_greenwave_admin and not actor.has_role(*APPROVERS[kind]):
        raise DomainError(
            SalesError.APPROVAL_NOT_ALLOWED,
            _("Your roles cannot give this approval."),
            status=403,
        )
    approval, created = DealApproval.objects.get_or_create(
        deal=deal, kind=kind, defaults={"approved_by": actor, "comment": comment}
    )
    if created:
        event_append_for(
            deal,
            activity=events.DEAL_APPROVED,
            actor=actor,
            payload={"approval": kind, "comment": comment},
        )
    return approval


@transaction.atomic
def deal_attach_document(
    *, actor: User, deal: Deal, kind: str, title: str, file: UploadedFile | None = None
) -> DealDocument:
    if actor.has_role(*DOCUMENT_KEEPERS):
        _require_visible(actor, deal)
    else:
        _require_access(actor, deal)
    if kind not in DocumentKind.values:
        raise DomainError(CoreError.VALIDATION, _("Unknown document kind."))
    document = DealDocument(
        deal=deal,
        kind=kind,
        title=title.strip() or str(DocumentKind(kind).label),
        uploaded_by=actor,
    )
    if file is not None:
        document.file.save(file.name or "document", file, save=False)
    document.save()
    event_append_for(
        deal,
        activity=events.DEAL_DOCUMENT_ATTACHED,
        actor=actor,
        payload={"document": kind, "title": document.title},
    )
    return document
