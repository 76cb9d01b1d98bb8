"""The client profile (seed 003) and the competitors met at clients."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, User
from greenwave.core.errors import DomainError
from greenwave.core.services import (
    RecordHistory,
    assign,
    event_append_for,
    fields_check,
    ref,
    typed_fields,
)

from .. import events
from ..errors import CrmError
from ..models import (
    ClientGoal,
    ClientProfile,
    Company,
    Competitor,
    CompetitorPresence,
    PriceLevel,
)
from .clients import (
    _choice,
    _field_error,
    _text,
    require_writable_company,
    search_text_of,
)

# --- Client profile (seed 003 «Информация о клиенте») -------------------------------------


class ClientProfileChanges(TypedDict, total=False):
    industry_trends: str
    key_success_factors: str
    market_share: Decimal | str | None
    client_competitors: str
    benefits_sought: str
    goals: Iterable[str]
    goals_note: str
    consumption_benefits: str
    further_needs: str


CLIENT_PROFILE_FIELDS = typed_fields(ClientProfileChanges)
_PROFILE_TEXTS = tuple(f for f in CLIENT_PROFILE_FIELDS if f not in ("market_share", "goals"))


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    if number.is_nan() or number < low or (high is not None and number > high):
        raise _field_error(
            field,
            _("Enter a number from %(low)s to %(high)s.")
            % {
                "low": low,
                "high": high if high is not None else "∞",
            },
        )
    return number


def _clean_profile(data: Mapping[str, Any]) -> dict[str, Any]:
    goals = list(data.get("goals") or ())
    if any(g not in ClientGoal.values for g in goals):
        raise _field_error("goals", _("Choose one of the offered values."))
    cleaned: dict[str, Any] = {f: _text(data.get(f), f, 5000) for f in _PROFILE_TEXTS}
    share = _decimal(data.get("market_share"), "market_share", low=Decimal(0), high=Decimal(100))
    cleaned["market_share"] = share.quantize(Decimal("0.01")) if share is not None else None
    cleaned["goals"] = [g for g in ClientGoal.values if g in goals]
    return cleaned


_CLIENT_PROFILE_HISTORY = RecordHistory(
    ClientProfile.objects.all(),
    schema=ClientProfileChanges,
    changed=events.CLIENT_PROFILE_CHANGED,
    shown=lambda profile: {
        "market_share": None if profile.market_share is None else str(profile.market_share)
    },
)


@transaction.atomic
def client_profile_update(
    *, actor: User | None, company: Company, **fields: Unpack[ClientProfileChanges]
) -> ClientProfile:
    """Fill or change sections of the client profile; each change is an event of the company."""
    require_writable_company(actor, company)
    profile, _created = ClientProfile.objects.get_or_create(company=company)

    def apply(profile: ClientProfile) -> None:
        assign(profile, _clean_profile({**_CLIENT_PROFILE_HISTORY.stored(profile), **fields}))

    return _CLIENT_PROFILE_HISTORY.update(
        profile,
        fields,
        apply,
        actor=actor,
        case=lambda _profile: company,
        payload=lambda _profile: {"entity": ClientProfile.EVENT_CASE_TYPE},
    )


# --- Competitors (seed 003 «Портфолио конкурента») ----------------------------------------


class CompetitorDetails(TypedDict, total=False):
    website: str
    price_level: str
    assortment: str
    special_conditions: str
    marketing_activity: str
    notes: str


class CompetitorChanges(CompetitorDetails, total=False):
    name: str


COMPETITOR_FIELDS = typed_fields(CompetitorChanges)


# The competitor portfolio is gathered by those who meet competitors at clients: the sales
# roles and their heads. Lead qualification (call centre) and the back office (lawyer, finance,
# accountant, HR) read it but do not write it.
COMPETITOR_EDITORS = (
    RoleCode.HUNTER,
    RoleCode.CLOSER,
    RoleCode.FARMER,
    RoleCode.KAM,
    RoleCode.HEAD_OF_SALES,
    RoleCode.ADMIN,
)


def can_edit_competitors(actor: User | None) -> bool:
    return actor is None or actor.is_superuser or actor.has_role(*COMPETITOR_EDITORS)


def require_competitor_editor(actor: User | None) -> None:
    if not can_edit_competitors(actor):
        raise DomainError(
            CrmError.NOT_A_COMPETITOR_EDITOR,
            _("Only sales managers and their heads can describe competitors."),
            status=403,
        )


def _clean_competitor(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "website": _text(data.get("website"), "website", 255),
        "price_level": _choice(
            data.get("price_level") or PriceLevel.SIMILAR, PriceLevel.values, "price_level"
        ),
        "assortment": _text(data.get("assortment"), "assortment", 5000),
        "special_conditions": _text(data.get("special_conditions"), "special_conditions", 5000),
        "marketing_activity": _text(data.get("marketing_activity"), "marketing_activity", 5000),
        "notes": _text(data.get("notes"), "notes", 5000),
    }


def _refuse_duplicate_name(model: Any, name: str, exclude_pk: int | None = None) -> None:
    """Names of shared catalogues are unique whatever the case. SQLite folds only ASCII, so
    the comparison is in Python (these tables hold hundreds of rows, not millions)."""
    wanted = name.casefold()
    for pk, existing in model.objects.values_list("pk", "name"):
        if pk != exclude_pk and existing.casefold() == wanted:
            raise DomainError(
                CrmError.DUPLICATE,
                _("%(name)s already exists.") % {"name": existing},
                details={"field": "name", "duplicates": [pk]},
                status=409,
            )


def _competitor_search_text(competitor: Competitor) -> str:
    return search_text_of(competitor.name, competitor.website, competitor.assortment)


@transaction.atomic
def competitor_create(
    *, actor: User | None, name: str, **fields: Unpack[CompetitorDetails]
) -> Competitor:
    """Add a competitor to the department's shared portfolio."""
    fields_check(fields, CompetitorDetails)
    require_competitor_editor(actor)
    data = _clean_competitor({**fields, "name": name})
    _refuse_duplicate_name(Competitor, data["name"])
    competitor = Competitor(**data)
    competitor.search_text = _competitor_search_text(competitor)
    return _COMPETITOR_HISTORY.create(competitor, actor=actor)


_COMPETITOR_HISTORY = RecordHistory(
    Competitor.objects.all(),
    schema=CompetitorChanges,
    changed=events.COMPETITOR_CHANGED,
    created=events.COMPETITOR_CREATED,
)


@transaction.atomic
def competitor_update(
    *, actor: User | None, competitor: Competitor, **fields: Unpack[CompetitorChanges]
) -> Competitor:
    require_competitor_editor(actor)

    def apply(competitor: Competitor) -> None:
        data = _clean_competitor({**_COMPETITOR_HISTORY.stored(competitor), **fields})
        _refuse_duplicate_name(Competitor, data["name"], exclude_pk=competitor.pk)
        assign(competitor, data)
        competitor.search_text = _competitor_search_text(competitor)

    return _COMPETITOR_HISTORY.update(competitor, fields, apply, actor=actor)


@transaction.atomic
def competitor_link(
    *, actor: User | None, competitor: Competitor, company: Company, note: str = ""
) -> CompetitorPresence:
    """Record that a competitor works with or fights for one of our clients."""
    require_writable_company(actor, company)
    presence, created = CompetitorPresence.objects.get_or_create(
        competitor=competitor, company=company, defaults={"note": _text(note, "note", 500)}
    )
    if not created:
        raise DomainError(
            CrmError.DUPLICATE,
            _("%(name)s is already noted at this client.") % {"name": competitor},
            details={"field": "competitor"},
            status=409,
        )
    event_append_for(
        competitor,
        activity=events.COMPETITOR_LINKED,
        actor=actor,
        payload={"company": company.name, "note": presence.note, "subject": competitor.name},
        objects=[ref(company, "company")],
    )
    return presence


@transaction.atomic
def competitor_unlink(*, actor: User | None, competitor: Competitor, company: Company) -> None:
    require_writable_company(actor, company)
    deleted, _rows = CompetitorPresence.objects.filter(
        competitor=competitor, company=company
    ).delete()
    if deleted:
        event_append_for(
            competitor,
            activity=events.COMPETITOR_UNLINKED,
            actor=actor,
            payload={"company": company.name, "subject": competitor.name},
            objects=[ref(company, "company")],
        )
