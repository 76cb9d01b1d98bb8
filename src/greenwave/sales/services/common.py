"""Shared by the sales writers: roles, approvers, field lists, access checks, the deal lock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django.utils.translation import gettext as _

from greenwave.accounts.models import HEAD_ROLES, RoleCode, Team, User
from greenwave.accounts.scoping import (
    can_write_for_user,
    require_write,
    visible_team_ids,
    writable_team_ids,
)
from greenwave.core.errors import CoreError, DomainError, not_found, permission_denied
from greenwave.core.services import typed_fields
from greenwave.core.text import LONG_TEXT_MAX_LENGTH, long_text_error, visible_text
from greenwave.crm.requisites import normalize_phone

from ..errors import SalesError
from ..models import (
    ApprovalKind,
    Deal,
    DealStatus,
    Lead,
    SalesSettings,
)

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


class DealChanges(TypedDict, total=False):
    """What `deal_update` may change (mypy checks the keyword arguments against it)."""

    title: str
    amount: Decimal | int | str | None
    currency: str
    expected_close_date: date | None
    description: str
    probability: int


class LeadContactFields(TypedDict, total=False):
    """What a lead says about the person and where they came from (`lead_create` takes these
    beside its title and source)."""

    contact_name: str
    company_name: str
    inn: str
    phone: str
    email: str
    need: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str


class LeadFields(LeadContactFields, total=False):
    """A lead's contact fields and its classification (seed 001: category, prospect rating,
    probability of closing, the plan of next steps); `lead_create` takes these."""

    category: str
    rating: str
    close_probability: int | None
    next_steps: str


class LeadChanges(LeadFields, total=False):
    """What `lead_update` may change."""

    title: str
    source: str


DEAL_FIELDS = typed_fields(DealChanges)
LEAD_FIELDS = typed_fields(LeadChanges)
DEAL_TITLE_MAX_LENGTH = 200


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
    _check_version(locked, expected_version)
    return locked


def _check_version(locked: Deal, expected_version: int | None) -> None:
    """The version the caller read must still be the locked row's (else 409)."""
    if expected_version is not None and locked.version != expected_version:
        raise DomainError(
            SalesError.STALE_VERSION,
            _("Someone changed this deal a moment ago. Reload it and try again."),
            details={"version": locked.version},
            status=409,
        )


def _lock_open(deal: Deal, expected_version: int | None) -> Deal:
    """Lock the deal for a change that only an open deal accepts."""
    locked = _lock(deal, expected_version)
    if locked.status != DealStatus.OPEN:
        raise DomainError(SalesError.DEAL_CLOSED, _("The deal is already closed."))
    return locked
