"""Writers of the sales app: pipelines and stages, leads, deals, gates, win/loss, handoff."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.accounts.scoping import (
    can_write_for_user,
    require_write,
    visible_team_ids,
    writable_team_ids,
)
from greenwave.bpm import services as bpm
from greenwave.bpm.errors import BpmError
from greenwave.bpm.services import message_correlate
from greenwave.core.errors import CoreError, DomainError, not_found, permission_denied
from greenwave.core.services import changes_between, event_append, event_append_for, ref
from greenwave.core.text import LONG_TEXT_MAX_LENGTH, long_text_error, visible_text
from greenwave.crm import selectors as crm_selectors
from greenwave.crm import services as crm_services
from greenwave.crm.models import Company, Contact, PriceList, Product
from greenwave.crm.requisites import normalize_phone
from greenwave.decisions.services import decision_evaluate

from . import events
from .errors import SalesError
from .gates import APPROVED, checklist_errors, evaluate_stage, process_outcome, unmet
from .models import (
    ApprovalKind,
    ClientHandoff,
    Deal,
    DealApproval,
    DealDocument,
    DealItem,
    DealStatus,
    DisqualificationReason,
    DocumentKind,
    Lead,
    LeadSource,
    LeadStatus,
    LossReason,
    Pipeline,
    SalesSettings,
    Stage,
)

HEAD_ROLES = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)
APPROVERS: dict[str, tuple[str, ...]] = {
    ApprovalKind.CP: HEAD_ROLES,
    ApprovalKind.DISCOUNT: HEAD_ROLES,
    ApprovalKind.CONTRACT: (*HEAD_ROLES, RoleCode.LAWYER),
    ApprovalKind.PAYMENT: (*HEAD_ROLES, RoleCode.FINANCE, RoleCode.ACCOUNTANT),
}


def approval_kinds_for(actor: User) -> list[str]:
    """The approvals the actor may give on a deal they can see (the card offers only these)."""
    if actor.is_greenwave_admin:
        return list(APPROVERS)
    return [kind for kind, roles in APPROVERS.items() if actor.has_role(*roles)]


DEAL_FIELDS = ("title", "amount", "currency", "expected_close_date", "description", "probability")
DEAL_TITLE_MAX_LENGTH = 200
LEAD_FIELDS = (
    "title",
    "source",
    "contact_name",
    "company_name",
    "inn",
    "phone",
    "email",
    "need",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
)


def _lead_phone(value: Any) -> str:
    """A lead's phone in E.164 when it is a valid number (so the search finds «8 916…» and
    «+7 916…» alike); anything else is kept as typed: a lead is never refused for its phone."""
    raw = str(value or "").strip()
    try:
        return normalize_phone(raw) if raw else ""
    except DomainError:
        return raw[:32]


def sales_settings() -> SalesSettings:
    settings_row, _created = SalesSettings.objects.get_or_create(pk=1)
    return settings_row


def _is_head(actor: User | None) -> bool:
    return actor is None or actor.is_greenwave_admin or actor.has_role(*HEAD_ROLES)


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_greenwave_admin:
        raise permission_denied(_("Only an administrator can configure pipelines."))


def _require_visible(actor: User | None, record: Deal | Lead) -> None:
    """The same rule as the selectors: own records, or a team the actor sees (else 404)."""
    if actor is None:
        return
    teams = visible_team_ids(actor)
    if teams is None or record.responsible_id == actor.pk or record.team_id in teams:
        return
    raise not_found(_("Deal not found.") if isinstance(record, Deal) else _("Lead not found."))


def _require_access(actor: User | None, record: Deal | Lead) -> None:
    """A change: the record must be visible (else 404) and within the actor's write reach —
    own, the team, the teams below for a head, all for an administrator (else 403)."""
    _require_visible(actor, record)
    require_write(
        actor,
        record,
        message=_("You can read this deal but not change it: it is not yours.")
        if isinstance(record, Deal)
        else _("You can read this lead but not change it: it is not yours."),
    )


def _require_owner_in_reach(actor: User | None, owner: User | None, team: Team | None) -> None:
    """A new or handed-over record goes only to a colleague and team the actor may write for."""
    if actor is None:
        return
    if owner is not None and not can_write_for_user(actor, owner):
        raise permission_denied(_("You cannot give work to a colleague outside your teams."))
    if team is None:
        return
    teams = writable_team_ids(actor)
    owner_team = owner.team_id if owner is not None else None
    if teams is not None and team.pk not in teams and team.pk != owner_team:
        raise permission_denied(_("You cannot give work to a team outside your reach."))


# Roles whose job is the deal's papers: they attach documents to any deal they can read (a
# lawyer the signed contract, finance the payment order) without the right to change it.
DOCUMENT_KEEPERS = (RoleCode.LAWYER, RoleCode.FINANCE, RoleCode.ACCOUNTANT)


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
def stage_save(
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
    expected_days: int = 7,
    probability: int = 10,
    key_success_factor: str = "",
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
    if stage is None:
        order = (pipeline.stages.aggregate(m=Max("order"))["m"] or 0) + 1
        stage = Stage(pipeline=pipeline, order=order)
    elif stage.pipeline_id != pipeline.pk:
        raise DomainError(SalesError.WRONG_PIPELINE, _("The stage belongs to another pipeline."))
    if pipeline.stages.filter(code=code).exclude(pk=stage.pk).exists():
        raise DomainError(
            CoreError.CONFLICT, _("A stage with the code %(code)s exists.") % {"code": code}
        )
    before = (
        {"name": stage.name, "checklist": stage.output_checklist, "process": stage.opening_process}
        if stage.pk
        else {}
    )
    stage.code, stage.name, stage.name_en = code, name, name_en
    stage.input_description, stage.output_description = input_description, output_description
    stage.output_checklist = checklist
    stage.responsible_role = responsible_role
    stage.expected_days, stage.probability = expected_days, probability
    stage.key_success_factor = key_success_factor
    stage.opening_process = opening_process
    stage.save()
    event_append_for(
        pipeline,
        activity=events.PIPELINE_CHANGED,
        actor=actor,
        payload={
            "stage": stage.code,
            "changes": changes_between(
                before, {"name": name, "checklist": checklist, "process": opening_process}
            ),
        },
    )
    return stage


def stage_set_opening_process(
    *, actor: User | None, pipeline: Pipeline, stage: Stage, opening_process: str
) -> Stage:
    """Name (or clear) the process a deal entering the stage starts; the rest stays."""
    return stage_save(
        actor=actor,
        pipeline=pipeline,
        stage=stage,
        code=stage.code,
        name=stage.name,
        name_en=stage.name_en,
        input_description=stage.input_description,
        output_description=stage.output_description,
        output_checklist=list(stage.output_checklist or []),
        responsible_role=stage.responsible_role,
        expected_days=stage.expected_days,
        probability=stage.probability,
        key_success_factor=stage.key_success_factor,
        opening_process=opening_process,
    )


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


# --- deals ---------------------------------------------------------------------------------


def _deal_snapshot(deal: Deal) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(deal, f) for f in DEAL_FIELDS}
    data["amount"] = str(deal.amount)
    data["expected_close_date"] = (
        deal.expected_close_date.isoformat() if deal.expected_close_date else None
    )
    return data


def _deal_objects(deal: Deal) -> list[Any]:
    refs = []
    if deal.responsible_id:
        refs.append(ref(deal.responsible, "responsible"))  # type: ignore[arg-type]
    if deal.company_id:
        refs.append(ref(deal.company, "client"))  # type: ignore[arg-type]
    return refs


@transaction.atomic
def deal_create(
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
    deal = Deal.objects.create(
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
    if contacts:
        deal.contacts.set(contacts)
    event_append_for(
        deal,
        activity=events.DEAL_CREATED,
        actor=actor,
        payload={"stage": stage.pk, "stage_name": stage.name, "pipeline": pipeline.pk},
        objects=_deal_objects(deal),
        new_case=True,
    )
    return deal


def _deal_title(value: Any) -> str:
    title = visible_text(value)
    if not title:
        raise DomainError(
            CoreError.VALIDATION, _("A deal needs a title."), details={"field": "title"}
        )
    if len(title) > DEAL_TITLE_MAX_LENGTH:
        raise DomainError(
            CoreError.VALIDATION,
            long_text_error(DEAL_TITLE_MAX_LENGTH),
            details={"field": "title"},
        )
    return title


def _long_text(value: Any, field: str) -> str:
    text = "" if value is None else str(value)
    if len(text) > LONG_TEXT_MAX_LENGTH:
        raise DomainError(CoreError.VALIDATION, long_text_error(), details={"field": field})
    return text


def _lock(deal: Deal, expected_version: int | None) -> Deal:
    # Lock the deal row alone: with joined rows, PostgreSQL's re-check after waiting for the
    # lock compares the new stage_id against the old joined stage and drops the row.
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            SalesError.STALE_VERSION,
            _("Someone changed this deal a moment ago. Reload it and try again."),
            details={"version": locked.version},
            status=409,
        )
    return locked


def _lock_open(deal: Deal, expected_version: int | None) -> Deal:
    """Lock the deal for a change that only an open deal accepts."""
    locked = _lock(deal, expected_version)
    if locked.status != DealStatus.OPEN:
        raise DomainError(SalesError.DEAL_CLOSED, _("The deal is already closed."))
    return locked


@transaction.atomic
def deal_update(
    *, actor: User | None, deal: Deal, expected_version: int | None = None, **fields: Any
) -> Deal:
    unknown = set(fields) - set(DEAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown deal fields: {sorted(unknown)}")
    _require_access(actor, deal)
    deal = _lock(deal, expected_version)
    if fields.get("amount") is not None and Decimal(fields["amount"]) < 0:
        raise DomainError(CoreError.VALIDATION, _("The amount cannot be negative."))
    if "title" in fields:
        fields["title"] = _deal_title(fields["title"])
    if "description" in fields:
        fields["description"] = _long_text(fields["description"], "description")
    before = _deal_snapshot(deal)
    for name, value in fields.items():
        setattr(deal, name, value)
    changes = changes_between(before, _deal_snapshot(deal))
    if changes:
        deal.version += 1
        deal.save()
        event_append_for(
            deal, activity=events.DEAL_CHANGED, actor=actor, payload={"changes": changes}
        )
    return deal


@transaction.atomic
def deal_move(
    *,
    actor: User | None,
    deal: Deal,
    stage: Stage,
    expected_version: int | None = None,
    override_comment: str = "",
) -> Deal:
    """Move to a stage. Forward moves need the output of every stage passed to be met."""
    _require_access(actor, deal)
    deal = _lock(deal, expected_version)
    if deal.status != DealStatus.OPEN:
        raise DomainError(SalesError.DEAL_CLOSED, _("A closed deal cannot move. Reopen it first."))
    if stage.pipeline_id != deal.pipeline_id:
        raise DomainError(
            SalesError.WRONG_PIPELINE,
            _("The stage %(stage)s belongs to another pipeline.") % {"stage": stage.label},
        )
    if stage.pk == deal.stage_id:
        return deal
    forward = stage.order > deal.stage.order
    missing: list[dict[str, Any]] = []
    if forward:
        passed = deal.pipeline.stages.filter(order__gte=deal.stage.order, order__lt=stage.order)
        for passed_stage in passed.order_by("order"):
            missing += [
                {**item.as_dict(), "stage": passed_stage.label}
                for item in unmet(evaluate_stage(deal, passed_stage))
            ]
    override = bool(missing)
    if missing:
        if not override_comment.strip():
            raise DomainError(
                SalesError.GATE_NOT_MET,
                _("The stage output is not met: %(items)s.")
                % {"items": "; ".join(m["label"] for m in missing)},
                details={"missing": missing},
            )
        if not _is_head(actor):
            raise DomainError(
                SalesError.OVERRIDE_NOT_ALLOWED,
                _("Only a head of sales may move a deal past an unmet stage output."),
                details={"missing": missing},
                status=403,
            )
    now = timezone.now()
    previous = deal.stage
    seconds_in_stage = int((now - deal.stage_entered_at).total_seconds())
    deal.stage, deal.stage_entered_at, deal.probability = stage, now, stage.probability
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_STAGE_CHANGED,
        actor=actor,
        payload={
            "from_stage": previous.pk,
            "from_name": previous.name,
            "to_stage": stage.pk,
            "to_name": stage.name,
            "direction": "forward" if forward else "back",
            "seconds_in_stage": seconds_in_stage,
            "override": override,
            "override_comment": override_comment if override else "",
            "missing": [m["label"] for m in missing],
        },
        objects=_deal_objects(deal),
    )
    if stage.opening_process:
        _start_opening_process(actor, deal, stage)
    return deal


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
            % {"stage": last.label if last else "—"},
        )
    missing = unmet(evaluate_stage(deal, deal.stage))
    if missing:
        raise DomainError(
            SalesError.GATE_NOT_MET,
            _("The stage output is not met: %(items)s.")
            % {"items": "; ".join(m.label for m in missing)},
            details={"missing": [m.as_dict() for m in missing]},
        )
    now = timezone.now()
    seconds = int((now - deal.stage_entered_at).total_seconds())
    deal.status, deal.closed_at, deal.probability = DealStatus.WON, now, 100
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_WON,
        actor=actor,
        payload={
            "stage": deal.stage_id,
            "stage_name": deal.stage.name,
            "amount": str(deal.amount),
            "seconds_in_stage": seconds,
        },
        objects=_deal_objects(deal),
    )
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
    now = timezone.now()
    seconds = int((now - deal.stage_entered_at).total_seconds())
    deal.status, deal.closed_at, deal.probability = DealStatus.LOST, now, 0
    deal.lost_reason, deal.loss_comment = reason, comment
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_LOST,
        actor=actor,
        payload={
            "stage": deal.stage_id,
            "stage_name": deal.stage.name,
            "reason": reason.name,
            "comment": comment,
            "seconds_in_stage": seconds,
        },
        objects=_deal_objects(deal),
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


# --- leads -----------------------------------------------------------------------------------


@transaction.atomic
def lead_create(
    *,
    actor: User | None,
    title: str = "",
    source: str = LeadSource.OTHER,
    responsible: User | None = None,
    team: Team | None = None,
    client_ip: str | None = None,
    **fields: Any,
) -> Lead:
    unknown = set(fields) - set(LEAD_FIELDS)
    if unknown:
        raise TypeError(f"unknown lead fields: {sorted(unknown)}")
    if source not in LeadSource.values:
        raise DomainError(CoreError.VALIDATION, _("Unknown lead source."))
    contact_bits = [fields.get(k, "") for k in ("contact_name", "phone", "email", "company_name")]
    if not any(visible_text(b) for b in contact_bits):
        raise DomainError(
            CoreError.VALIDATION,
            _("A lead needs at least a name, a phone, an e-mail or a company."),
        )
    if "need" in fields:
        fields["need"] = _long_text(fields["need"], "need")
    title = visible_text(title) or fields.get("company_name") or fields.get("contact_name") or ""
    if "phone" in fields:
        fields["phone"] = _lead_phone(fields["phone"])
    responsible = responsible or (actor if actor and not actor.is_greenwave_admin else None)
    _require_owner_in_reach(actor, responsible, team)
    lead = Lead.objects.create(
        title=str(title)[:200] or _("Lead"),
        source=source,
        responsible=responsible,
        team=team or (responsible.team if responsible else None),
        client_ip=client_ip,
        **fields,
    )
    event_append_for(
        lead,
        activity=events.LEAD_CREATED,
        actor=actor,
        payload={
            "source": source,
            "utm_source": lead.utm_source,
            "utm_campaign": lead.utm_campaign,
        },
        new_case=True,
    )
    return lead


def _open_lead(lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
        raise DomainError(SalesError.LEAD_CLOSED, _("The lead is already closed."))
    return locked


@transaction.atomic
def lead_update(*, actor: User | None, lead: Lead, **fields: Any) -> Lead:
    unknown = set(fields) - set(LEAD_FIELDS)
    if unknown:
        raise TypeError(f"unknown lead fields: {sorted(unknown)}")
    _require_access(actor, lead)
    lead = _open_lead(lead)
    before = {f: getattr(lead, f) for f in LEAD_FIELDS}
    if "phone" in fields:
        fields["phone"] = _lead_phone(fields["phone"])
    for name, value in fields.items():
        setattr(lead, name, value)
    changes = changes_between(before, {f: getattr(lead, f) for f in LEAD_FIELDS})
    if changes:
        lead.save()
        event_append_for(
            lead, activity=events.LEAD_CHANGED, actor=actor, payload={"changes": changes}
        )
    return lead


@transaction.atomic
def lead_qualify(*, actor: User | None, lead: Lead, level: str) -> Lead:
    """New → MQL → SQL (seed 001: MQL fits the target portrait, SQL has a formed need)."""
    _require_access(actor, lead)
    lead = _open_lead(lead)
    order = [LeadStatus.NEW, LeadStatus.MQL, LeadStatus.SQL]
    if level not in (LeadStatus.MQL, LeadStatus.SQL) or order.index(
        LeadStatus(level)
    ) <= order.index(LeadStatus(lead.status)):
        raise DomainError(
            CoreError.VALIDATION, _("A lead is qualified forward only: new → MQL → SQL.")
        )
    previous = lead.status
    lead.status, lead.qualified_at = level, timezone.now()
    lead.save()
    event_append_for(
        lead,
        activity=events.LEAD_QUALIFIED,
        actor=actor,
        payload={"from": previous, "to": level},
    )
    return lead


@transaction.atomic
def lead_disqualify(*, actor: User | None, lead: Lead, reason: str, comment: str = "") -> Lead:
    _require_access(actor, lead)
    if reason not in DisqualificationReason.values:
        raise DomainError(
            SalesError.DISQUALIFICATION_REASON_REQUIRED,
            _("Choose a disqualification reason from the list."),
        )
    lead = _open_lead(lead)
    lead.status, lead.closed_at = LeadStatus.DISQUALIFIED, timezone.now()
    lead.disqualification_reason, lead.disqualification_comment = reason, comment
    lead.save()
    event_append_for(
        lead,
        activity=events.LEAD_DISQUALIFIED,
        actor=actor,
        payload={"reason": reason, "comment": comment},
    )
    return lead


@transaction.atomic
def lead_convert(
    *,
    actor: User | None,
    lead: Lead,
    pipeline: Pipeline,
    title: str = "",
    amount: Decimal = Decimal(0),
    responsible: User | None = None,
    company: Company | None = None,
) -> Deal:
    """Lead → deal (+ client and contact) in the first stage of the pipeline.

    The client is the given company, else an existing one found by the client base's duplicate
    detection (INN, phone, e-mail, name), else a new one made from the lead.
    """
    _require_access(actor, lead)
    lead = _open_lead(lead)
    if responsible is not None:
        _require_owner_in_reach(actor, responsible, None)
    owner = responsible or lead.responsible or actor
    if owner is None:
        raise DomainError(CoreError.VALIDATION, _("Choose who will be responsible for the deal."))
    client = company or _client_for_lead(actor, lead, owner)
    contact = _contact_for_lead(actor, lead, client, owner)
    deal = deal_create(
        actor=actor,
        title=title or lead.title,
        pipeline=pipeline,
        amount=amount,
        responsible=owner,
        team=owner.team if owner else lead.team,
        description=lead.need,
        hunter=owner if owner.has_role(RoleCode.HUNTER) else None,
        company=client,
        contacts=[contact] if contact else [],
    )
    lead.status, lead.closed_at, lead.deal = LeadStatus.CONVERTED, timezone.now(), deal
    lead.company, lead.contact = client, contact
    lead.save()
    event_append_for(
        lead,
        activity=events.LEAD_CONVERTED,
        actor=actor,
        payload={"deal": deal.pk},
        objects=[ref(deal, "deal")],
    )
    return deal


@transaction.atomic
def lead_reassign(*, actor: User | None, lead: Lead, responsible: User) -> Lead:
    _require_access(actor, lead)
    _require_owner_in_reach(actor, responsible, None)
    lead = _open_lead(lead)
    before = lead.responsible.username if lead.responsible else None
    lead.responsible, lead.team = responsible, responsible.team
    lead.save()
    event_append_for(
        lead,
        activity=events.LEAD_REASSIGNED,
        actor=actor,
        payload={"changes": {"responsible": [before, responsible.username]}},
    )
    return lead


def _least_loaded_call_centre_user() -> User | None:
    """Web leads go to the call-centre operator with the fewest open leads (load balance)."""
    return (
        User.objects.filter(is_active=True, roles__code=RoleCode.CALL_CENTER)
        .annotate(
            open_leads=Count("leads", filter=Q(leads__status__in=[LeadStatus.NEW, LeadStatus.MQL]))
        )
        .order_by("open_leads", "pk")
        .first()
    )


@transaction.atomic
def lead_from_web_form(*, data: dict[str, Any], client_ip: str | None) -> Lead:
    """A lead from the public form, assigned to the least loaded call-centre operator."""
    operator = _least_loaded_call_centre_user()
    lead = lead_create(
        actor=None,
        title=data.get("company") or data.get("name") or "",
        source=LeadSource.WEB_FORM,
        responsible=operator,
        client_ip=client_ip or None,
        contact_name=data.get("name", ""),
        company_name=data.get("company", ""),
        phone=data.get("phone", ""),
        email=data.get("email", ""),
        need=data.get("message", ""),
        **{k: data.get(k, "") for k in LEAD_FIELDS if k.startswith("utm_")},
    )
    # Seed 001: a web lead starts the web-lead process if one is deployed (message start
    # «new_lead»). After the commit, and never failing the form: the lead is already saved.
    transaction.on_commit(lambda: _start_web_lead_process(lead), robust=True)
    return lead


WEB_LEAD_MESSAGE = "new_lead"


def _start_web_lead_process(lead: Lead) -> None:
    try:
        message_correlate(
            actor=None,
            name=WEB_LEAD_MESSAGE,
            correlation_key=f"lead:{lead.pk}",
            payload={"lead_id": lead.pk},
        )
    except DomainError as exc:
        if exc.code != BpmError.MESSAGE_NOT_CORRELATED:  # no process deployed: nothing to do
            raise


def _client_for_lead(actor: User | None, lead: Lead, owner: User) -> Company | None:
    if not (lead.company_name or lead.inn):
        return None
    matches = crm_selectors.company_find_duplicates(
        actor=owner, inn=lead.inn, phone=lead.phone, email=lead.email, name=lead.company_name
    )
    if matches:
        return matches[0].company
    return crm_services.company_create(
        actor=actor,
        name=lead.company_name or lead.title,
        inn=lead.inn,
        phone=lead.phone,
        email=lead.email,
        source=_company_source(lead.source),
        responsible=owner,
        team=owner.team,
    )


LEAD_TO_CLIENT_SOURCE: dict[str, str] = {
    LeadSource.WEB_FORM: "website",
    LeadSource.WEBSITE: "website",
    LeadSource.COLD: "cold_call",
    LeadSource.REFERRAL: "referral",
    LeadSource.EXHIBITION: "exhibition",
    LeadSource.ADVERTISING: "advertising",
    LeadSource.SOCIAL: "social",
}


def _company_source(lead_source: str) -> str:
    return LEAD_TO_CLIENT_SOURCE.get(lead_source, "other")


def _contact_for_lead(
    actor: User | None, lead: Lead, company: Company | None, owner: User
) -> Contact | None:
    if not lead.contact_name:
        return None
    if company is not None:
        existing = company.contacts.filter(full_name__iexact=lead.contact_name).first()
        if existing is not None:
            return existing
    return crm_services.contact_create(
        actor=actor,
        company=company,
        full_name=lead.contact_name,
        phones=[lead.phone] if lead.phone else [],
        emails=[lead.email] if lead.email else [],
        responsible=owner if company is None else None,
    )


def _active_hunter_share(company: Company | None) -> ClientHandoff | None:
    if company is None:
        return None
    return (
        ClientHandoff.objects.filter(company=company, share_until__gte=timezone.localdate())
        .select_related("hunter")
        .first()
    )


def _least_loaded_farmer(team: Team | None) -> User | None:
    farmers = User.objects.filter(is_active=True, roles__code=RoleCode.FARMER)
    in_team = farmers.filter(team=team) if team is not None else farmers.none()
    for pool in (in_team, farmers):
        farmer = (
            pool.annotate(clients=Count("crm_companies", distinct=True))
            .order_by("clients", "pk")
            .first()
        )
        if farmer is not None:
            return farmer
    return None


@transaction.atomic
def client_handoff(*, actor: User | None, deal: Deal, farmer: User | None = None) -> ClientHandoff:
    """Hand the client of a first won deal from the hunter to a farmer (seed 004).

    The hunter keeps `hunter_share_percent` of later sales of the client for
    `hunter_share_months`; every later deal of the client records it for commissions.
    """
    if deal.company_id is None:
        raise DomainError(CoreError.VALIDATION, _("The deal has no client to hand over."))
    company = Company.objects.select_related("responsible", "team").get(pk=deal.company_id)
    rules = sales_settings()
    hunter = deal.hunter or company.responsible
    farmer = farmer or _least_loaded_farmer(company.team or deal.team)
    handoff = ClientHandoff.objects.create(
        company=company,
        hunter=hunter,
        farmer=farmer,
        deal=deal,
        share_percent=rules.hunter_share_percent,
        share_until=timezone.localdate() + timedelta(days=30 * rules.hunter_share_months),
    )
    if farmer is not None and farmer.pk != company.responsible_id:
        crm_services.company_reassign(actor=None, company=company, responsible=farmer)
    crm_services.company_update(actor=None, company=company, segment="current")
    objects = [ref(deal, "first_sale")]
    if hunter is not None:
        objects.append(ref(hunter, "hunter"))
    if farmer is not None:
        objects.append(ref(farmer, "farmer"))
    event_append(
        case_type=company.EVENT_CASE_TYPE,
        case_id=company.pk,
        activity=events.CLIENT_HANDED_OFF,
        actor=actor,
        payload={
            "hunter": hunter.username if hunter else None,
            "farmer": farmer.username if farmer else None,
            "share_percent": str(handoff.share_percent),
            "share_until": handoff.share_until.isoformat(),
        },
        objects=objects,
    )
    return handoff


# --- products and price lists --------------------------------------------------------------


def _recompute_amount(deal: Deal) -> None:
    lines = list(deal.items.all())
    if lines:
        deal.amount = sum((line.total for line in lines), Decimal(0))


@transaction.atomic
def deal_add_item(
    *,
    actor: User,
    deal: Deal,
    product: Product,
    quantity: Decimal,
    price: Decimal | None = None,
) -> DealItem:
    """Add a product line; without a price, the deal's price list (or the base list) prices it."""
    _require_access(actor, deal)
    deal = _lock_open(deal, None)
    if quantity <= 0:
        raise DomainError(CoreError.VALIDATION, _("The quantity must be positive."))
    if price is None:
        price = _list_price(product, deal.price_list)
    if price < 0:
        raise DomainError(CoreError.VALIDATION, _("The price cannot be negative."))
    item = DealItem.objects.create(deal=deal, product=product, quantity=quantity, price=price)
    before = str(deal.amount)
    _recompute_amount(deal)
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_CHANGED,
        actor=actor,
        payload={
            "item_added": {"product": product.name, "quantity": str(quantity), "price": str(price)},
            "changes": {"amount": [before, str(deal.amount)]},
        },
        objects=[ref(product, "product")],
    )
    return item


@transaction.atomic
def deal_remove_item(*, actor: User, item: DealItem) -> Deal:
    deal = item.deal
    _require_access(actor, deal)
    deal = _lock_open(deal, None)
    product = item.product
    item.delete()
    before = str(deal.amount)
    _recompute_amount(deal)
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_CHANGED,
        actor=actor,
        payload={"item_removed": product.name, "changes": {"amount": [before, str(deal.amount)]}},
    )
    return deal


def _list_price(product: Product, price_list: PriceList | None) -> Decimal:
    lists = [price_list] if price_list is not None else []
    lists += list(PriceList.objects.filter(kind="base", is_active=True).order_by("pk")[:1])
    for candidate in lists:
        money = crm_selectors.price_of(product=product, price_list=candidate)
        if money is not None:
            return money.amount
    raise DomainError(
        CoreError.VALIDATION,
        _("No price for %(product)s in the price list: give the price.") % {"product": product},
    )


@transaction.atomic
def deal_set_price_list(*, actor: User, deal: Deal, price_list: PriceList) -> Deal:
    """Price the deal from another list; a discount list is the head of sales' decision (seed
    001: on a price objection the head chooses one of five discount price lists)."""
    _require_access(actor, deal)
    if price_list.kind == "discount" and not _is_head(actor):
        raise DomainError(
            SalesError.APPROVAL_NOT_ALLOWED,
            _("Only a head of sales chooses a discount price list."),
            status=403,
        )
    deal = _lock_open(deal, None)
    previous = deal.price_list.name if deal.price_list else None
    deal.price_list = price_list
    repriced = []
    for line in deal.items.select_related("product"):
        money = crm_selectors.price_of(product=line.product, price_list=price_list)
        if money is not None and money.amount != line.price:
            repriced.append([line.product.name, str(line.price), str(money.amount)])
            line.price = money.amount
            line.save(update_fields=["price"])
    before = str(deal.amount)
    _recompute_amount(deal)
    deal.version += 1
    deal.save()
    event_append_for(
        deal,
        activity=events.DEAL_CHANGED,
        actor=actor,
        payload={
            "changes": {
                "price_list": [previous, price_list.name],
                "amount": [before, str(deal.amount)],
            },
            "repriced": repriced,
        },
        objects=[ref(price_list, "price_list")],
    )
    return deal


@transaction.atomic
def sales_company_merged(*, actor: User | None, source: Company, target: Company) -> None:
    """Client base merge hook: the merged-away company's deals and leads follow it, and its
    handoff (hunter share) moves unless the kept company has one already."""
    moved_deals = list(Deal.objects.filter(company=source).values_list("pk", flat=True))
    Deal.objects.filter(pk__in=moved_deals).update(company=target)
    Lead.objects.filter(company=source).update(company=target)
    if not ClientHandoff.objects.filter(company=target).exists():
        ClientHandoff.objects.filter(company=source).update(company=target)
    else:
        ClientHandoff.objects.filter(company=source).delete()
    for pk in moved_deals:
        event_append(
            case_type=Deal.EVENT_CASE_TYPE,
            case_id=pk,
            activity=events.DEAL_CHANGED,
            actor=actor,
            payload={"changes": {"company": [source.name, target.name]}},
            objects=[ref(target, "client"), ref(source, "merged_from")],
        )


DISCOUNT_DECISION = "discount_price_list"


@transaction.atomic
def deal_apply_discount_rules(
    *, actor: User, deal: Deal, client_segment: str, payment_history: str
) -> Deal:
    """Seed 001: on a price objection the head picks one of five discount price lists; the
    decision table «discount_price_list» (editable in the browser) makes the choice, with the
    deal amount as the order volume, and the deal is re-priced from the chosen list."""
    evaluation = decision_evaluate(
        actor=actor,
        key=DISCOUNT_DECISION,
        context={
            "segment": client_segment,
            "payment_history": payment_history,
            "order_volume": str(deal.amount),
        },
    )
    result = evaluation.result if isinstance(evaluation.result, dict) else {}
    level = result.get("price_list_level")
    if evaluation.errors or level is None:
        raise DomainError(
            CoreError.VALIDATION,
            _("The discount rules gave no answer: %(why)s")
            % {"why": "; ".join(evaluation.errors) or _("no rule matched")},
        )
    price_list = PriceList.objects.filter(kind="discount", level=int(Decimal(str(level)))).first()
    if price_list is None:
        raise DomainError(
            CoreError.NOT_FOUND,
            _("There is no discount price list of level %(level)s.") % {"level": level},
        )
    deal = deal_set_price_list(actor=actor, deal=deal, price_list=price_list)
    event_append_for(
        deal,
        activity=events.DEAL_DISCOUNT_CHOSEN,
        actor=actor,
        payload={
            "decision": DISCOUNT_DECISION,
            "version": evaluation.definition.version,
            "inputs": {"segment": client_segment, "payment_history": payment_history},
            "level": str(level),
            "comment": str(result.get("comment", "")),
            "matched_rules": [str(r.get("index", r)) for r in evaluation.matched_rules],
        },
    )
    return deal


# --- processes of a deal (run by the bpm app, started here) ----------------------------------

DEAL_SUBJECT = Deal.EVENT_CASE_TYPE


def deal_processes() -> list[Any]:
    """The deployed processes that are started from a deal (their latest versions)."""
    return bpm.subject_processes(subject_type=DEAL_SUBJECT)


def deal_process_runs(*, deal: Deal) -> list[Any]:
    """The runs of processes for this deal, newest first (the card's «Processes»)."""
    return bpm.subject_runs(subject_type=DEAL_SUBJECT, subject_id=deal.pk)


def _deal_process_variables(deal: Deal) -> dict[str, Any]:
    """What the process's tasks show the approvers: the deal, client, amount and document, with
    links (kept as the process's variables: what was put up for approval)."""
    from django.urls import reverse

    deal_url = reverse("sales:deal_detail", args=[deal.pk])
    documents = list(deal.documents.order_by("-created_at", "-pk")[:20])
    document = next((d for d in documents if d.kind == DocumentKind.CONTRACT), None) or next(
        iter(documents), None
    )
    company = deal.company
    return {
        "deal_id": deal.pk,
        "deal_title": deal.title,
        "deal_url": deal_url,
        "client_id": company.pk if company else None,
        "client_name": company.name if company else "",
        "client_url": reverse("crm:company_detail", args=[company.pk]) if company else "",
        "amount": str(deal.amount),
        "currency": deal.currency,
        "responsible": deal.responsible.username if deal.responsible else "",
        "document_title": document.title if document else "",
        "document_url": (document.file.url if document and document.file else "")
        or f"{deal_url}#documents",
    }


@transaction.atomic
def deal_process_start(*, actor: User | None, deal: Deal, process_key: str) -> int:
    """Start a process for the deal from its card; the run is bound to the deal (its id, not
    typed text). Returns the process instance id."""
    _require_access(actor, deal)
    deal = _lock_open(deal, None)  # two clicks cannot start two runs
    instance = bpm.subject_process_start(
        actor=actor,
        key=process_key,
        subject_type=DEAL_SUBJECT,
        subject_id=deal.pk,
        variables=_deal_process_variables(deal),
    )
    return int(instance.pk)


def _start_opening_process(actor: User | None, deal: Deal, stage: Stage) -> None:
    """A deal entering a stage whose gate needs a process starts it — unless a run is open or
    an approved run already meets the gate. A process that is not deployed starts nothing."""
    if process_outcome(deal, stage.opening_process) == APPROVED:
        return
    try:
        with transaction.atomic():  # a refused start leaves the move as it is
            bpm.subject_process_start(
                actor=actor,
                key=stage.opening_process,
                subject_type=DEAL_SUBJECT,
                subject_id=deal.pk,
                variables=_deal_process_variables(deal),
            )
    except DomainError as exc:
        if exc.code not in {BpmError.NOT_DEPLOYED, BpmError.ALREADY_RUNNING}:
            raise
