"""Writers of the client base: companies, contacts, decision makers and reassignment.

Every function checks the actor may touch the record, validates and normalises the input
(requisites, phones, e-mails), writes, and appends an event with before/after values so the
client card can show who changed what and when.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.accounts.scoping import (
    can_write_for_user,
    require_write,
    scope_for_write,
    scope_records,
    writable_team_ids,
)
from greenwave.core import bulkcopy, runlock
from greenwave.core.errors import DomainError, not_found, permission_denied
from greenwave.core.models import Event, EventObject
from greenwave.core.money import Currency
from greenwave.core.selectors import event_list_for_object
from greenwave.core.services import (
    ObjectRef,
    case_type_of,
    changes_between,
    event_append,
    event_append_created,
    event_append_created_rows,
    event_append_for,
    ref,
)
from greenwave.core.text import visible_text

from . import events
from .errors import CrmError
from .merging import company_merge_handlers
from .models import (
    Attitude,
    ClientGoal,
    ClientProfile,
    Company,
    CompanySize,
    Competitor,
    CompetitorPresence,
    Contact,
    CustomField,
    CustomFieldKind,
    DecisionMaker,
    Gender,
    ImportJob,
    ImportKind,
    ImportStatus,
    Price,
    PriceLevel,
    PriceList,
    PriceListKind,
    Product,
    ProductGroup,
    Segment,
    Source,
    Unit,
    VatRate,
)
from .requisites import (
    normalize_email,
    normalize_inn,
    normalize_kpp,
    normalize_ogrn,
    normalize_phone,
)
from .selectors import DuplicateMatch, company_find_duplicates
from .tabular import MAX_FILE_BYTES, iter_table, read_table

__all__ = [
    "CLIENT_PROFILE_FIELDS",
    "COMPANY_FIELDS",
    "COMPETITOR_EDITORS",
    "COMPETITOR_FIELDS",
    "CONTACT_FIELDS",
    "DECISION_MAKER_FIELDS",
    "PRICE_LIST_FIELDS",
    "PRODUCT_FIELDS",
    "DuplicateMatch",
    "client_profile_update",
    "company_create",
    "company_delete",
    "company_find_duplicates",
    "company_merge",
    "company_reassign",
    "company_restore",
    "company_update",
    "competitor_create",
    "competitor_link",
    "competitor_unlink",
    "competitor_update",
    "contact_create",
    "contact_delete",
    "contact_restore",
    "contact_update",
    "custom_field_create",
    "custom_field_delete",
    "decision_maker_add",
    "decision_maker_remove",
    "decision_maker_update",
    "import_check",
    "import_check_run",
    "import_confirm",
    "import_read",
    "import_run",
    "import_upload",
    "imports_resume_stalled",
    "price_list_create",
    "price_list_update",
    "prices_set",
    "product_create",
    "product_group_create",
    "product_update",
    "require_writable_company",
    "search_text_of",
]

COMPANY_FIELDS = (
    "name",
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "region",
    "industry",
    "size",
    "source",
    "segment",
    "phone",
    "email",
    "website",
    "tags",
    "custom_fields",
)
CONTACT_FIELDS = (
    "full_name",
    "position",
    "phones",
    "emails",
    "messengers",
    "birthday",
    "gender",
    "mailing_consent",
    "notes",
)
DECISION_MAKER_FIELDS = (
    "role",
    "personal_benefits",
    "influence_level",
    "age",
    "character",
    "hobbies",
    "attitude",
)
MESSENGERS = ("telegram", "whatsapp", "viber", "vk", "max", "skype")
REASSIGNERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)
logger = logging.getLogger(__name__)


def search_text_of(*parts: Any) -> str:
    """The lower-cased haystack the list search looks in (ё folded to е)."""
    words: list[str] = []
    for part in parts:
        if isinstance(part, list | tuple):
            words.extend(str(p) for p in part)
        elif part:
            words.append(str(part))
    return " ".join(words).lower().replace("ё", "е")


def _field_error(field: str, message: str) -> DomainError:
    return DomainError(CrmError.INVALID_FIELD, message, details={"field": field})


def _choice(value: Any, choices: Iterable[str], field: str, *, blank: bool = True) -> str:
    text = str(value or "")
    if (text or not blank) and text not in choices:
        raise _field_error(field, _("Choose one of the offered values."))
    return text


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    # Zero-width and other format characters at the ends go too: a name made of them only is
    # not a name.
    text = visible_text(value or "")
    if required and not text:
        raise _field_error(field, _("This field is required."))
    if len(text) > limit:
        raise _field_error(field, _("At most %(n)d characters.") % {"n": limit})
    return text


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    seen: dict[str, None] = {}
    for tag in value or ():
        text = str(tag).strip()
        if text:
            seen.setdefault(text[:50], None)
    return list(seen)


def _custom_fields(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if not isinstance(value, Mapping):
        raise _field_error("custom_fields", _("Custom fields must be an object of name: value."))
    cleaned: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(item, str | int | float | bool) and item is not None:
            raise _field_error("custom_fields", _("A custom field holds text, a number or yes/no."))
        cleaned[str(key).strip()[:100]] = item
    return cleaned


def _clean_company(data: Mapping[str, Any]) -> dict[str, Any]:
    inn = normalize_inn(str(data.get("inn") or ""))
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "inn": inn,
        "kpp": normalize_kpp(str(data.get("kpp") or ""), inn=inn),
        "ogrn": normalize_ogrn(str(data.get("ogrn") or ""), inn=inn),
        "legal_address": _text(data.get("legal_address"), "legal_address", 500),
        "actual_address": _text(data.get("actual_address"), "actual_address", 500),
        "region": _text(data.get("region"), "region", 120),
        "industry": _text(data.get("industry"), "industry", 120),
        "size": _choice(data.get("size"), CompanySize.values, "size"),
        "source": _choice(data.get("source"), Source.values, "source"),
        "segment": _choice(data.get("segment") or Segment.NEW, Segment.values, "segment"),
        "phone": normalize_phone(str(data.get("phone") or ""), field="phone"),
        "email": normalize_email(str(data.get("email") or ""), field="email"),
        "website": _text(data.get("website"), "website", 255),
        "tags": _tags(data.get("tags")),
        "custom_fields": _custom_fields(data.get("custom_fields")),
    }


def _company_snapshot(company: Company) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(company, f) for f in COMPANY_FIELDS}
    data["responsible"] = str(company.responsible) if company.responsible_id else None
    data["team"] = company.team.name if company.team else None
    return data


def _company_search_text(company: Company) -> str:
    return search_text_of(
        company.name,
        company.inn,
        company.ogrn,
        company.region,
        company.industry,
        company.phone,
        company.email,
        company.website,
        company.tags,
    )


def _require_visible_company(actor: User, company: Company) -> None:
    live = Company.objects.filter(pk=company.pk, merged_into__isnull=True, is_deleted=False)
    if not scope_records(live, actor=actor).exists():
        raise not_found(_("Company not found."))


def require_writable_company(actor: User | None, company: Company) -> None:
    """404 for a client the actor does not see, 403 for one they see but may not change."""
    if actor is None:
        return
    _require_visible_company(actor, company)
    require_write(
        actor, company, message=_("You can read this client but not change it: it is not yours.")
    )


def _require_writable_contact(actor: User | None, contact: Contact) -> None:
    if actor is None:
        return
    if not scope_records(Contact.objects.filter(pk=contact.pk), actor=actor).exists():
        raise not_found(_("Contact not found."))
    require_write(
        actor, contact, message=_("You can read this contact but not change it: it is not yours.")
    )


def _resolve_owner(
    actor: User | None, responsible: User | None, team: Team | None
) -> tuple[User, Team | None]:
    """Who owns a new record: the actor by default; a colleague only if the actor sees them."""
    owner = responsible or actor
    if owner is None:
        raise _field_error("responsible", _("Choose the responsible manager."))
    if actor is not None and owner.pk != actor.pk and not can_write_for_user(actor, owner):
        raise permission_denied(_("You cannot give a client to a manager outside your teams."))
    chosen_team = team if team is not None else owner.team
    if actor is not None and chosen_team is not None:
        teams = writable_team_ids(actor)
        if teams is not None and chosen_team.pk not in teams and chosen_team.pk != owner.team_id:
            raise permission_denied(_("You cannot give a client to a team you do not see."))
    return owner, chosen_team


def _refuse_duplicate_inn(
    actor: User | None, inn: str, kpp: str, exclude_pk: int | None = None
) -> None:
    """Two records of one legal entity split its history: refuse, and say where the first is."""
    if not inn:
        return
    same = Company.objects.filter(inn=inn, kpp=kpp, merged_into__isnull=True, is_deleted=False)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    ids = list(same.values_list("pk", flat=True)[:10])
    if not ids:
        return
    visible = (
        ids
        if actor is None
        else list(
            scope_records(Company.objects.filter(pk__in=ids), actor=actor).values_list(
                "pk", flat=True
            )
        )
    )
    message = _("A company with INN %(inn)s is already in the client base.") % {"inn": inn}
    if not visible:
        message += " " + _("It belongs to another team: ask your head of sales to share it.")
    raise DomainError(
        CrmError.DUPLICATE,
        message,
        details={"field": "inn", "duplicates": visible, "hidden": len(ids) - len(visible)},
        status=409,
    )


@transaction.atomic
def company_create(
    *,
    actor: User | None,
    name: str,
    inn: str = "",
    kpp: str = "",
    ogrn: str = "",
    legal_address: str = "",
    actual_address: str = "",
    region: str = "",
    industry: str = "",
    size: str = "",
    source: str = "",
    segment: str = Segment.NEW,
    phone: str = "",
    email: str = "",
    website: str = "",
    tags: Iterable[str] | str = (),
    custom_fields: Mapping[str, Any] | None = None,
    responsible: User | None = None,
    team: Team | None = None,
    allow_duplicate: bool = False,
) -> Company:
    """Add a client to the base. `actor=None` is the system (import, demo seed)."""
    data = _clean_company(
        {
            "name": name,
            "inn": inn,
            "kpp": kpp,
            "ogrn": ogrn,
            "legal_address": legal_address,
            "actual_address": actual_address,
            "region": region,
            "industry": industry,
            "size": size,
            "source": source,
            "segment": segment,
            "phone": phone,
            "email": email,
            "website": website,
            "tags": list(tags) if not isinstance(tags, str) else tags,
            "custom_fields": custom_fields,
        }
    )
    owner, owner_team = _resolve_owner(actor, responsible, team)
    if not allow_duplicate:
        _refuse_duplicate_inn(actor, data["inn"], data["kpp"])
    company = Company(**data, responsible=owner, team=owner_team)
    company.search_text = _company_search_text(company)
    company.save()
    event_append_for(
        company,
        activity=events.COMPANY_CREATED,
        actor=actor,
        payload={"after": _company_snapshot(company)},
        objects=[ref(owner, "responsible")] + ([ref(owner_team, "team")] if owner_team else []),
        new_case=True,
    )
    return company


@transaction.atomic
def company_update(
    *, actor: User | None, company: Company, allow_duplicate: bool = False, **fields: Any
) -> Company:
    """Change a company's card; only the given fields change."""
    unknown = set(fields) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"unknown company fields: {sorted(unknown)}")
    require_writable_company(actor, company)
    company = (
        Company.objects.select_for_update(of=("self",))
        .select_related("responsible", "team")
        .get(pk=company.pk)
    )
    before = _company_snapshot(company)
    data = _clean_company({**{f: getattr(company, f) for f in COMPANY_FIELDS}, **fields})
    if not allow_duplicate and (data["inn"], data["kpp"]) != (company.inn, company.kpp):
        _refuse_duplicate_inn(actor, data["inn"], data["kpp"], exclude_pk=company.pk)
    for key, value in data.items():
        setattr(company, key, value)
    company.search_text = _company_search_text(company)
    changes = changes_between(before, _company_snapshot(company))
    if changes:
        company.save()
        event_append_for(
            company, activity=events.COMPANY_CHANGED, actor=actor, payload={"changes": changes}
        )
    return company


@transaction.atomic
def company_reassign(
    *, actor: User | None, company: Company, responsible: User, team: Team | None = None
) -> Company:
    """Hand a client (with its contacts) to another manager and team."""
    require_writable_company(actor, company)
    company = (
        Company.objects.select_for_update(of=("self",))
        .select_related("responsible", "team")
        .get(pk=company.pk)
    )
    if actor is not None:
        is_owner = actor.pk == company.responsible_id
        if not (is_owner or actor.has_role(*REASSIGNERS) or actor.is_superuser):
            raise permission_denied(
                _("Only the responsible manager or a head of sales can hand a client over.")
            )
    previous = company.responsible
    owner, owner_team = _resolve_owner(actor, responsible, team)
    before = _company_snapshot(company)
    company.responsible, company.team = owner, owner_team
    changes = changes_between(before, _company_snapshot(company))
    if not changes:
        return company
    company.save(update_fields=["responsible", "team", "updated_at"])
    contact_ids = list(company.contacts.values_list("pk", flat=True))
    Contact.objects.filter(pk__in=contact_ids).update(responsible=owner, team=owner_team)
    objects: list[ObjectRef] = [ref(previous, "previous_responsible"), ref(owner, "responsible")]
    objects += [ObjectRef(Contact.EVENT_CASE_TYPE, str(pk), "contact") for pk in contact_ids]
    event_append_for(
        company,
        activity=events.COMPANY_REASSIGNED,
        actor=actor,
        payload={"changes": changes},
        objects=objects,
    )
    return company


def _clean_contact(data: Mapping[str, Any]) -> dict[str, Any]:
    phones = [normalize_phone(str(p)) for p in data.get("phones") or ()]
    emails = [normalize_email(str(e)) for e in data.get("emails") or ()]
    messengers = data.get("messengers") or {}
    if not isinstance(messengers, Mapping) or any(k not in MESSENGERS for k in messengers):
        raise _field_error(
            "messengers",
            _("Messengers: %(known)s.") % {"known": ", ".join(MESSENGERS)},
        )
    birthday = data.get("birthday")
    if birthday is not None and not isinstance(birthday, date):
        raise _field_error("birthday", _("Enter a date."))
    return {
        "full_name": _text(data.get("full_name"), "full_name", 255, required=True),
        "position": _text(data.get("position"), "position", 255),
        "phones": list(dict.fromkeys(p for p in phones if p)),
        "emails": list(dict.fromkeys(e for e in emails if e)),
        "messengers": {k: str(v).strip() for k, v in messengers.items() if str(v).strip()},
        "birthday": birthday,
        "gender": _choice(data.get("gender"), Gender.values, "gender"),
        "mailing_consent": bool(data.get("mailing_consent")),
        "notes": _text(data.get("notes"), "notes", 5000),
    }


def _contact_snapshot(contact: Contact) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(contact, f) for f in CONTACT_FIELDS}
    data["birthday"] = contact.birthday.isoformat() if contact.birthday else None
    data["company"] = contact.company.name if contact.company else None
    return data


def _contact_search_text(contact: Contact) -> str:
    return search_text_of(
        contact.full_name,
        contact.position,
        contact.phones,
        contact.emails,
        list(contact.messengers.values()),
        contact.company.name if contact.company else "",
    )


def _company_refs(company: Company | None) -> list[ObjectRef]:
    return [ref(company, "company")] if company else []


@transaction.atomic
def contact_create(
    *,
    actor: User | None,
    company: Company | None = None,
    full_name: str,
    position: str = "",
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    messengers: Mapping[str, str] | None = None,
    birthday: date | None = None,
    gender: str = "",
    mailing_consent: bool = False,
    notes: str = "",
    responsible: User | None = None,
    team: Team | None = None,
) -> Contact:
    """Add a person; at a company the contact is owned like the company unless told otherwise."""
    if company is not None:
        require_writable_company(actor, company)
    data = _clean_contact(
        {
            "full_name": full_name,
            "position": position,
            "phones": list(phones),
            "emails": list(emails),
            "messengers": messengers,
            "birthday": birthday,
            "gender": gender,
            "mailing_consent": mailing_consent,
            "notes": notes,
        }
    )
    if company is not None and responsible is None:
        owner, owner_team = company.responsible, company.team if team is None else team
    else:
        owner, owner_team = _resolve_owner(actor, responsible, team)
    contact = Contact(**data, company=company, responsible=owner, team=owner_team)
    contact.search_text = _contact_search_text(contact)
    contact.save()
    event_append_for(
        contact,
        activity=events.CONTACT_CREATED,
        actor=actor,
        payload={"after": _contact_snapshot(contact)},
        objects=_company_refs(company),
        new_case=True,  # no case lock: a companies import writes thousands in one transaction
    )
    return contact


@transaction.atomic
def contact_update(
    *,
    actor: User | None,
    contact: Contact,
    company: Company | bool | None = False,
    **fields: Any,
) -> Contact:
    """Change a contact; `company=False` leaves the company alone, None detaches it."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"unknown contact fields: {sorted(unknown)}")
    _require_writable_contact(actor, contact)
    if isinstance(company, Company):
        require_writable_company(actor, company)
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("company").get(pk=contact.pk)
    )
    before = _contact_snapshot(contact)
    previous_company = contact.company
    data = _clean_contact({**{f: getattr(contact, f) for f in CONTACT_FIELDS}, **fields})
    for key, value in data.items():
        setattr(contact, key, value)
    if company is not False:
        contact.company = company if isinstance(company, Company) else None
    contact.search_text = _contact_search_text(contact)
    changes = changes_between(before, _contact_snapshot(contact))
    if changes:
        contact.save()
        companies = {c.pk: c for c in (previous_company, contact.company) if c is not None}
        event_append_for(
            contact,
            activity=events.CONTACT_CHANGED,
            actor=actor,
            payload={"changes": changes, "subject": contact.full_name},
            objects=[ref(c, "company") for c in companies.values()],
        )
    return contact


def _clean_decision_maker(data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        influence = int(data.get("influence_level") or 3)
    except (TypeError, ValueError):
        influence = 0
    if not 1 <= influence <= 5:
        raise _field_error("influence_level", _("The influence level is from 1 to 5."))
    age: Any = data.get("age")
    if age in ("", None):
        age = None
    else:
        try:
            age = int(age)
        except (TypeError, ValueError):
            age = -1
        if not 14 <= age <= 120:
            raise _field_error("age", _("Enter an age from 14 to 120."))
    return {
        "role": _text(data.get("role"), "role", 255),
        "personal_benefits": _text(data.get("personal_benefits"), "personal_benefits", 5000),
        "influence_level": influence,
        "age": age,
        "character": _text(data.get("character"), "character", 5000),
        "hobbies": _text(data.get("hobbies"), "hobbies", 5000),
        "attitude": _choice(
            data.get("attitude") or Attitude.NEUTRAL, Attitude.values, "attitude", blank=False
        ),
    }


def _decision_maker_snapshot(dm: DecisionMaker) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(dm, f) for f in DECISION_MAKER_FIELDS}
    data["contact"] = dm.contact.full_name
    return data


def _decision_maker_refs(dm: DecisionMaker) -> list[ObjectRef]:
    return [ref(dm.company, "company"), ref(dm.contact, "contact")]


@transaction.atomic
def decision_maker_add(
    *,
    actor: User | None,
    company: Company,
    contact: Contact,
    role: str = "",
    personal_benefits: str = "",
    influence_level: int = 3,
    age: int | None = None,
    character: str = "",
    hobbies: str = "",
    attitude: str = Attitude.NEUTRAL,
) -> DecisionMaker:
    """Mark a contact of the company as a decision maker with their profile (seed 003)."""
    require_writable_company(actor, company)
    if contact.company_id != company.pk:
        raise DomainError(
            CrmError.WRONG_COMPANY,
            _("The contact does not work at this company."),
            details={"field": "contact"},
        )
    if DecisionMaker.objects.filter(company=company, contact=contact).exists():
        raise DomainError(
            CrmError.DUPLICATE,
            _("%(name)s is already a decision maker of this company.") % {"name": contact},
            details={"field": "contact"},
            status=409,
        )
    data = _clean_decision_maker(
        {
            "role": role,
            "personal_benefits": personal_benefits,
            "influence_level": influence_level,
            "age": age,
            "character": character,
            "hobbies": hobbies,
            "attitude": attitude,
        }
    )
    dm = DecisionMaker.objects.create(company=company, contact=contact, **data)
    event_append_for(
        dm,
        activity=events.DECISION_MAKER_ADDED,
        actor=actor,
        payload={"after": _decision_maker_snapshot(dm)},
        objects=_decision_maker_refs(dm),
    )
    return dm


@transaction.atomic
def decision_maker_update(
    *, actor: User | None, decision_maker: DecisionMaker, **fields: Any
) -> DecisionMaker:
    unknown = set(fields) - set(DECISION_MAKER_FIELDS)
    if unknown:
        raise TypeError(f"unknown decision maker fields: {sorted(unknown)}")
    require_writable_company(actor, decision_maker.company)
    dm = (
        DecisionMaker.objects.select_for_update(of=("self",))
        .select_related("company", "contact")
        .get(pk=decision_maker.pk)
    )
    before = _decision_maker_snapshot(dm)
    data = _clean_decision_maker({**{f: getattr(dm, f) for f in DECISION_MAKER_FIELDS}, **fields})
    for key, value in data.items():
        setattr(dm, key, value)
    changes = changes_between(before, _decision_maker_snapshot(dm))
    if changes:
        dm.save()
        event_append_for(
            dm,
            activity=events.DECISION_MAKER_CHANGED,
            actor=actor,
            payload={"changes": changes, "subject": dm.contact.full_name},
            objects=_decision_maker_refs(dm),
        )
    return dm


@transaction.atomic
def decision_maker_remove(*, actor: User | None, decision_maker: DecisionMaker) -> None:
    """The contact stays; only their decision-maker role goes (the event keeps the profile)."""
    require_writable_company(actor, decision_maker.company)
    event_append_for(
        decision_maker,
        activity=events.DECISION_MAKER_REMOVED,
        actor=actor,
        payload={"before": _decision_maker_snapshot(decision_maker)},
        objects=_decision_maker_refs(decision_maker),
    )
    decision_maker.delete()


# --- Client profile (seed 003 «Информация о клиенте») -------------------------------------

CLIENT_PROFILE_FIELDS = (
    "industry_trends",
    "key_success_factors",
    "market_share",
    "client_competitors",
    "benefits_sought",
    "goals",
    "goals_note",
    "consumption_benefits",
    "further_needs",
)
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


def _profile_snapshot(profile: ClientProfile) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(profile, f) for f in CLIENT_PROFILE_FIELDS}
    data["market_share"] = str(profile.market_share) if profile.market_share is not None else None
    return data


@transaction.atomic
def client_profile_update(*, actor: User | None, company: Company, **fields: Any) -> ClientProfile:
    """Fill or change sections of the client profile; each change is an event of the company."""
    unknown = set(fields) - set(CLIENT_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    require_writable_company(actor, company)
    profile, _created = ClientProfile.objects.select_for_update().get_or_create(company=company)
    before = _profile_snapshot(profile)
    data = _clean_profile({**{f: getattr(profile, f) for f in CLIENT_PROFILE_FIELDS}, **fields})
    for key, value in data.items():
        setattr(profile, key, value)
    changes = changes_between(before, _profile_snapshot(profile))
    if changes:
        profile.save()
        event_append_for(
            company,
            activity=events.CLIENT_PROFILE_CHANGED,
            actor=actor,
            payload={"changes": changes, "entity": ClientProfile.EVENT_CASE_TYPE},
        )
    return profile


# --- Competitors (seed 003 «Портфолио конкурента») ----------------------------------------

COMPETITOR_FIELDS = (
    "name",
    "website",
    "price_level",
    "assortment",
    "special_conditions",
    "marketing_activity",
    "notes",
)


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
def competitor_create(*, actor: User | None, name: str, **fields: Any) -> Competitor:
    """Add a competitor to the department's shared portfolio."""
    unknown = set(fields) - set(COMPETITOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown competitor fields: {sorted(unknown)}")
    require_competitor_editor(actor)
    data = _clean_competitor({**fields, "name": name})
    _refuse_duplicate_name(Competitor, data["name"])
    competitor = Competitor(**data)
    competitor.search_text = _competitor_search_text(competitor)
    competitor.save()
    event_append_for(
        competitor,
        activity=events.COMPETITOR_CREATED,
        actor=actor,
        payload={"after": {f: getattr(competitor, f) for f in COMPETITOR_FIELDS}},
    )
    return competitor


@transaction.atomic
def competitor_update(*, actor: User | None, competitor: Competitor, **fields: Any) -> Competitor:
    unknown = set(fields) - set(COMPETITOR_FIELDS)
    if unknown:
        raise TypeError(f"unknown competitor fields: {sorted(unknown)}")
    require_competitor_editor(actor)
    competitor = Competitor.objects.select_for_update().get(pk=competitor.pk)
    before = {f: getattr(competitor, f) for f in COMPETITOR_FIELDS}
    data = _clean_competitor({**before, **fields})
    _refuse_duplicate_name(Competitor, data["name"], exclude_pk=competitor.pk)
    for key, value in data.items():
        setattr(competitor, key, value)
    competitor.search_text = _competitor_search_text(competitor)
    changes = changes_between(before, data)
    if changes:
        competitor.save()
        event_append_for(
            competitor,
            activity=events.COMPETITOR_CHANGED,
            actor=actor,
            payload={"changes": changes},
        )
    return competitor


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


# --- Products and price lists (seed 001: five discount price lists) -----------------------

CATALOG_MANAGERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)
PRODUCT_FIELDS = ("name", "sku", "group", "unit", "vat_rate", "description", "is_active")
PRICE_LIST_FIELDS = ("name", "kind", "level", "currency", "description", "is_active")


def _require_catalog_manager(actor: User | None) -> None:
    if actor is not None and not (actor.is_superuser or actor.has_role(*CATALOG_MANAGERS)):
        raise DomainError(
            CrmError.NOT_A_CATALOG_MANAGER,
            _("Only a head of sales or an administrator can change products and prices."),
            status=403,
        )


@transaction.atomic
def product_group_create(
    *, actor: User | None, name: str, parent: ProductGroup | None = None
) -> ProductGroup:
    _require_catalog_manager(actor)
    clean = _text(name, "name", 255, required=True)
    _refuse_duplicate_name(ProductGroup, clean)
    group = ProductGroup.objects.create(name=clean, parent=parent)
    event_append(
        case_type="product_group",
        case_id=group.pk,
        activity=events.PRODUCT_GROUP_CREATED,
        actor=actor,
        payload={"after": {"name": group.name, "parent": parent.name if parent else None}},
    )
    return group


@transaction.atomic
def product_group_update(
    *, actor: User | None, group: ProductGroup, name: str, parent: ProductGroup | None
) -> ProductGroup:
    """Rename a product group or move it under another one (None: to the top). A group is
    never moved under itself or one of its own subgroups. Nothing changed: no event."""
    _require_catalog_manager(actor)
    clean = _text(name, "name", 255, required=True)
    if clean != group.name:
        _refuse_duplicate_name(ProductGroup, clean, exclude_pk=group.pk)
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.pk not in seen:
        if ancestor.pk == group.pk:
            raise _field_error(
                "parent", _("A group cannot be moved under itself or one of its subgroups.")
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    before = {"name": group.name, "parent": group.parent.name if group.parent else None}
    after = {"name": clean, "parent": parent.name if parent else None}
    if before == after and group.parent_id == (parent.pk if parent else None):
        return group
    group.name, group.parent = clean, parent
    group.save(update_fields=["name", "parent", "updated_at"])
    event_append(
        case_type="product_group",
        case_id=group.pk,
        activity=events.PRODUCT_GROUP_CHANGED,
        actor=actor,
        payload={"before": before, "after": after},
    )
    return group


def _clean_product(data: Mapping[str, Any]) -> dict[str, Any]:
    group = data.get("group")
    if group is not None and not isinstance(group, ProductGroup):
        raise _field_error("group", _("Choose one of the offered values."))
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "sku": _text(data.get("sku"), "sku", 64, required=True),
        "group": group,
        "unit": _choice(data.get("unit") or Unit.PIECE, Unit.values, "unit"),
        "vat_rate": _choice(data.get("vat_rate") or VatRate.TWENTY, VatRate.values, "vat_rate"),
        "description": _text(data.get("description"), "description", 5000),
        "is_active": bool(data.get("is_active", True)),
    }


def _product_snapshot(product: Product) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(product, f) for f in PRODUCT_FIELDS}
    data["group"] = product.group.name if product.group else None
    return data


def _refuse_duplicate_sku(sku: str, exclude_pk: int | None = None) -> None:
    same = Product.objects.filter(sku__iexact=sku)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(
            CrmError.DUPLICATE,
            _("A product with the article %(sku)s already exists.") % {"sku": sku},
            details={"field": "sku"},
            status=409,
        )


@transaction.atomic
def product_create(*, actor: User | None, name: str, sku: str, **fields: Any) -> Product:
    _require_catalog_manager(actor)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    data = _clean_product({**fields, "name": name, "sku": sku})
    _refuse_duplicate_sku(data["sku"])
    product = Product(**data)
    product.search_text = search_text_of(product.name, product.sku, product.description)
    product.save()
    event_append_for(
        product,
        activity=events.PRODUCT_CREATED,
        actor=actor,
        payload={"after": _product_snapshot(product)},
    )
    return product


@transaction.atomic
def product_update(*, actor: User | None, product: Product, **fields: Any) -> Product:
    _require_catalog_manager(actor)
    unknown = set(fields) - set(PRODUCT_FIELDS)
    if unknown:
        raise TypeError(f"unknown product fields: {sorted(unknown)}")
    product = (
        Product.objects.select_for_update(of=("self",)).select_related("group").get(pk=product.pk)
    )
    before = _product_snapshot(product)
    data = _clean_product({**{f: getattr(product, f) for f in PRODUCT_FIELDS}, **fields})
    if data["sku"].lower() != product.sku.lower():
        _refuse_duplicate_sku(data["sku"], exclude_pk=product.pk)
    for key, value in data.items():
        setattr(product, key, value)
    product.search_text = search_text_of(product.name, product.sku, product.description)
    changes = changes_between(before, _product_snapshot(product))
    if changes:
        product.save()
        event_append_for(
            product, activity=events.PRODUCT_CHANGED, actor=actor, payload={"changes": changes}
        )
    return product


def _clean_price_list(data: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(data.get("kind") or PriceListKind.BASE, PriceListKind.values, "kind")
    level: Any = data.get("level")
    if kind == PriceListKind.DISCOUNT:
        if level in (None, "") or not str(level).isdigit() or not 1 <= int(level) <= 5:
            raise _field_error("level", _("A discount price list has a level from 1 to 5."))
        level = int(level)
    else:
        level = None
    return {
        "name": _text(data.get("name"), "name", 255, required=True),
        "kind": kind,
        "level": level,
        "currency": _choice(data.get("currency") or "RUB", Currency.values, "currency"),
        "description": _text(data.get("description"), "description", 5000),
        "is_active": bool(data.get("is_active", True)),
    }


def _refuse_duplicate_level(kind: str, level: int | None, exclude_pk: int | None = None) -> None:
    if kind != PriceListKind.DISCOUNT:
        return
    same = PriceList.objects.filter(kind=kind, level=level)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise DomainError(
            CrmError.DUPLICATE,
            _("There is already a discount price list of level %(level)s.") % {"level": level},
            details={"field": "level"},
            status=409,
        )


@transaction.atomic
def price_list_create(*, actor: User | None, name: str, **fields: Any) -> PriceList:
    _require_catalog_manager(actor)
    unknown = set(fields) - set(PRICE_LIST_FIELDS)
    if unknown:
        raise TypeError(f"unknown price list fields: {sorted(unknown)}")
    data = _clean_price_list({**fields, "name": name})
    _refuse_duplicate_name(PriceList, data["name"])
    _refuse_duplicate_level(data["kind"], data["level"])
    price_list = PriceList.objects.create(**data)
    event_append_for(
        price_list, activity=events.PRICE_LIST_CREATED, actor=actor, payload={"after": data}
    )
    return price_list


@transaction.atomic
def price_list_update(*, actor: User | None, price_list: PriceList, **fields: Any) -> PriceList:
    _require_catalog_manager(actor)
    unknown = set(fields) - set(PRICE_LIST_FIELDS)
    if unknown:
        raise TypeError(f"unknown price list fields: {sorted(unknown)}")
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    before = {f: getattr(price_list, f) for f in PRICE_LIST_FIELDS}
    data = _clean_price_list({**before, **fields})
    _refuse_duplicate_name(PriceList, data["name"], exclude_pk=price_list.pk)
    _refuse_duplicate_level(data["kind"], data["level"], exclude_pk=price_list.pk)
    changes = changes_between(before, data)
    if changes:
        for key, value in data.items():
            setattr(price_list, key, value)
        price_list.save()
        event_append_for(
            price_list,
            activity=events.PRICE_LIST_CHANGED,
            actor=actor,
            payload={"changes": changes},
        )
    return price_list


@transaction.atomic
def prices_set(
    *, actor: User | None, price_list: PriceList, prices: Mapping[int, Any]
) -> dict[str, list[str | None]]:
    """Set prices of products (by id) in one list; an empty value removes the price.

    All or nothing: one bad amount refuses the whole change. Returns `{sku: [old, new]}`.
    """
    _require_catalog_manager(actor)
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(prices))}
    missing = sorted(set(prices) - set(products))
    if missing:
        raise DomainError(
            CrmError.INVALID_PRICE,
            _("Unknown products: %(ids)s.") % {"ids": ", ".join(map(str, missing))},
            details={"field": "prices", "products": missing},
        )
    wanted: dict[int, Decimal | None] = {}
    errors: dict[str, str] = {}
    for product_id, raw in prices.items():
        try:
            amount = _decimal(raw, "prices", low=Decimal(0), high=Decimal("1e15"))
        except DomainError as exc:
            errors[str(product_id)] = exc.message
            continue
        wanted[product_id] = amount.quantize(Decimal("0.01")) if amount is not None else None
    if errors:
        raise DomainError(
            CrmError.INVALID_PRICE,
            _("Some prices are not valid amounts."),
            details={"field": "prices", "errors": errors},
        )
    current = {
        p.product_id: p
        for p in Price.objects.select_for_update().filter(
            price_list=price_list, product_id__in=list(wanted)
        )
    }
    changes: dict[str, list[str | None]] = {}
    for product_id, amount in wanted.items():
        existing = current.get(product_id)
        old = existing.amount if existing else None
        if old == amount:
            continue
        if amount is None and existing is not None:
            existing.delete()
        elif existing is not None and amount is not None:
            existing.amount = amount
            existing.save(update_fields=["amount", "updated_at"])
        elif amount is not None:
            Price.objects.create(price_list=price_list, product_id=product_id, amount=amount)
        changes[products[product_id].sku] = [
            str(old) if old is not None else None,
            str(amount) if amount is not None else None,
        ]
    if changes:
        event_append_for(
            price_list,
            activity=events.PRICES_CHANGED,
            actor=actor,
            payload={"changes": changes},
            objects=[
                ObjectRef(Product.EVENT_CASE_TYPE, str(pk), "product")
                for pk, p in products.items()
                if p.sku in changes
            ],
        )
    return changes


# --- Merging duplicates -------------------------------------------------------------------

# Card fields a merge copies from the duplicate when the kept company has them empty.
MERGE_FILL_FIELDS = (
    "inn",
    "kpp",
    "ogrn",
    "legal_address",
    "actual_address",
    "region",
    "industry",
    "size",
    "source",
    "phone",
    "email",
    "website",
)
MERGERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)


def _merge_profiles(source: Company, target: Company) -> bool:
    source_profile = ClientProfile.objects.filter(company=source).first()
    if source_profile is None:
        return False
    target_profile = ClientProfile.objects.filter(company=target).first()
    if target_profile is None:
        source_profile.company = target
        source_profile.save(update_fields=["company", "updated_at"])
        return True
    for name in CLIENT_PROFILE_FIELDS:
        if getattr(target_profile, name) in ("", None, []):
            setattr(target_profile, name, getattr(source_profile, name))
    target_profile.save()
    source_profile.delete()
    return True


def _repoint_history(source: Company, target: Company) -> int:
    """Link every event of the duplicate to the kept company, so its timeline shows them.

    The log is append-only: events keep their case; an extra event object does the re-pointing.
    """
    event_ids = list(
        event_list_for_object(object_type=Company.EVENT_CASE_TYPE, object_id=source.pk)
        .order_by()
        .values_list("pk", flat=True)
    )
    already = set(
        EventObject.objects.filter(
            event_id__in=event_ids,
            object_type=Company.EVENT_CASE_TYPE,
            object_id=str(target.pk),
            qualifier="merged",
        ).values_list("event_id", flat=True)
    )
    EventObject.objects.bulk_create(
        EventObject(
            event_id=pk,
            object_type=Company.EVENT_CASE_TYPE,
            object_id=str(target.pk),
            qualifier="merged",
        )
        for pk in event_ids
        if pk not in already
    )
    return len(event_ids)


@transaction.atomic
def company_merge(*, actor: User | None, target: Company, source: Company) -> Company:
    """Fold the duplicate `source` into `target`: nothing of the source's history is lost.

    Empty card fields of the target are filled from the source, tags and custom fields are
    united, contacts, decision makers, competitors and the profile move over, every event of
    the source is linked to the target, other apps move their records through their merge
    handlers, and the source stays as a tombstone pointing to the target.
    """
    if target.pk == source.pk:
        raise _field_error("source", _("A company cannot be merged with itself."))
    require_writable_company(actor, target)
    require_writable_company(actor, source)
    locked = {
        c.pk: c
        for c in Company.objects.select_for_update(of=("self",))
        .select_related("responsible", "team")
        .filter(pk__in=[target.pk, source.pk])
    }
    target, source = locked[target.pk], locked[source.pk]
    if actor is not None:
        owns_both = actor.pk == target.responsible_id == source.responsible_id
        if not (owns_both or actor.has_role(*MERGERS) or actor.is_superuser):
            raise permission_denied(
                _("Only a head of sales can merge clients of different managers.")
            )
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise DomainError(
            CrmError.DUPLICATE, _("This company has already been merged."), status=409
        )
    before = _company_snapshot(target)
    for name in MERGE_FILL_FIELDS:
        if not getattr(target, name) and getattr(source, name):
            setattr(target, name, getattr(source, name))
    target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
    target.custom_fields = {**source.custom_fields, **target.custom_fields}
    target.search_text = _company_search_text(target)
    target.save()
    contact_ids = list(source.contacts.values_list("pk", flat=True))
    Contact.objects.filter(pk__in=contact_ids).update(
        company=target, responsible=target.responsible, team=target.team
    )
    for contact in Contact.objects.filter(pk__in=contact_ids).select_related("company"):
        contact.search_text = _contact_search_text(contact)
        contact.save(update_fields=["search_text"])
    DecisionMaker.objects.filter(company=source).update(company=target)
    present = set(target.competitor_presence.values_list("competitor_id", flat=True))
    CompetitorPresence.objects.filter(company=source, competitor_id__in=present).delete()
    CompetitorPresence.objects.filter(company=source).update(company=target)
    profile_moved = _merge_profiles(source, target)
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    for handler in company_merge_handlers():
        handler(actor=actor, source=source, target=target)
    events_linked = _repoint_history(source, target)
    event_append_for(
        target,
        activity=events.COMPANY_MERGED,
        actor=actor,
        payload={
            "changes": changes_between(before, _company_snapshot(target)),
            "subject": source.name,
            "merged_company": source.pk,
            "contacts_moved": len(contact_ids),
            "events_linked": events_linked,
            "profile_moved": profile_moved,
        },
        objects=[ref(source, "merged_from")]
        + [ObjectRef(Contact.EVENT_CASE_TYPE, str(pk), "contact") for pk in contact_ids],
    )
    event_append_for(
        source,
        activity=events.COMPANY_MERGED_INTO,
        actor=actor,
        payload={"subject": target.name, "merged_into": target.pk},
        objects=[ref(target, "merged_into")],
    )
    return target


# --- Import of companies and contacts (CSV/XLSX, dry run, all-or-nothing job) -------------


@dataclass(frozen=True)
class ImportColumn:
    field: str
    label: Any  # lazy translation
    aliases: tuple[str, ...] = ()
    required: bool = False


IMPORT_COLUMNS: dict[str, tuple[ImportColumn, ...]] = {
    ImportKind.COMPANIES: (
        ImportColumn(
            "name",
            gettext_lazy("Name"),
            ("название", "наименование", "компания", "организация", "клиент", "company"),
            required=True,
        ),
        ImportColumn("inn", gettext_lazy("INN"), ("инн", "inn")),
        ImportColumn("kpp", gettext_lazy("KPP"), ("кпп", "kpp")),
        ImportColumn("ogrn", gettext_lazy("OGRN/OGRNIP"), ("огрн", "огрнип", "ogrn")),
        ImportColumn(
            "legal_address", gettext_lazy("Legal address"), ("юридический адрес", "юр. адрес")
        ),
        ImportColumn(
            "actual_address",
            gettext_lazy("Actual address"),
            ("фактический адрес", "факт. адрес", "адрес", "address"),
        ),
        ImportColumn("region", gettext_lazy("Region"), ("регион", "область", "город", "region")),
        ImportColumn("industry", gettext_lazy("Industry"), ("отрасль", "сфера", "industry")),
        ImportColumn("size", gettext_lazy("Size"), ("размер", "size")),
        ImportColumn("source", gettext_lazy("Source / channel"), ("источник", "канал", "source")),
        ImportColumn("segment", gettext_lazy("Segment"), ("сегмент", "segment")),
        ImportColumn("phone", gettext_lazy("Phone"), ("телефон", "тел.", "phone")),
        ImportColumn("email", gettext_lazy("E-mail"), ("email", "e-mail", "почта", "эл. почта")),
        ImportColumn("website", gettext_lazy("Website"), ("сайт", "website", "www")),
        ImportColumn("tags", gettext_lazy("Tags"), ("теги", "метки", "tags")),
        ImportColumn(
            "contact_full_name",
            gettext_lazy("Contact person"),
            ("контактное лицо", "контакт", "фио", "contact"),
        ),
        ImportColumn(
            "contact_position", gettext_lazy("Contact's position"), ("должность", "position")
        ),
        ImportColumn("contact_phone", gettext_lazy("Contact's phone"), ("телефон контакта",)),
        ImportColumn("contact_email", gettext_lazy("Contact's e-mail"), ("email контакта",)),
    ),
    ImportKind.CONTACTS: (
        ImportColumn(
            "full_name",
            gettext_lazy("Full name"),
            ("фио", "имя", "контакт", "контактное лицо", "name"),
            required=True,
        ),
        ImportColumn("position", gettext_lazy("Position"), ("должность", "position")),
        ImportColumn("phones", gettext_lazy("Phones"), ("телефон", "телефоны", "phone")),
        ImportColumn("emails", gettext_lazy("E-mails"), ("email", "e-mail", "почта")),
        ImportColumn("birthday", gettext_lazy("Birthday"), ("день рождения", "дата рождения")),
        ImportColumn("gender", gettext_lazy("Gender"), ("пол", "gender")),
        ImportColumn(
            "mailing_consent",
            gettext_lazy("Consent to mailings"),
            ("согласие на рассылку", "рассылка", "согласие"),
        ),
        ImportColumn("company_inn", gettext_lazy("Company INN"), ("инн компании", "инн", "inn")),
        ImportColumn("notes", gettext_lazy("Notes"), ("заметки", "комментарий", "notes")),
    ),
}
MAX_STORED_ERRORS = 500
MAX_IMPORT_BYTES = MAX_FILE_BYTES
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 0.5
IMPORT_RUN_LOCK = "crm.import"
IMPORT_RESUME_BATCH = 20
IMPORT_MAX_RESUMES = 3
IMPORT_REQUEUE_AFTER = timedelta(minutes=10)
LOOKUP_CHUNK = 5000  # ids or INNs per `IN (…)` query
BULK_BATCH = 2000  # rows per bulk INSERT
COPY_CHUNK = 5000  # contacts (and their events) per COPY of an import
_YES = {"да", "yes", "true", "1", "+", "y", "д"}
_NO = {"нет", "no", "false", "0", "-", "n", "н", ""}


def import_columns(kind: str) -> tuple[ImportColumn, ...]:
    return IMPORT_COLUMNS[ImportKind(kind)]


def import_suggest_mapping(kind: str, headers: Iterable[str]) -> dict[str, str]:
    """Guess the field of each column from its name (Russian or English, any case)."""
    columns = import_columns(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = header.strip().casefold()
        for column in columns:
            names = {column.field, *column.aliases}
            for language in ("ru", "en"):
                with translation.override(language):
                    names.add(str(column.label).casefold())
            if key in names and column.field not in taken:
                mapping[header] = column.field
                taken.add(column.field)
                break
        else:
            mapping[header] = ""
    return mapping


def _choice_code(value: str, enum: Any) -> str:
    """A choice typed in a file: its code, or its label in Russian or English."""
    text = value.strip().casefold()
    if not text:
        return ""
    for code, _label in enum.choices:
        if text == code.casefold():
            return str(code)
        for language in ("ru", "en"):
            with translation.override(language):
                if text == str(enum(code).label).casefold():
                    return str(code)
    return value  # left as typed: the cleaning refuses it with a field error


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


def _parse_date(value: str, field: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _field_error(field, _("%(value)s is not a date like 31.12.1980.") % {"value": text})


def _parse_bool(value: str, field: str) -> bool:
    text = value.strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _field_error(field, _("Write yes or no."))


@dataclass
class _RowCheck:
    company: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    company_ref: Company | None = None


def _check_company_row(values: Mapping[str, str], seen: set[tuple[str, str]]) -> _RowCheck:
    data: dict[str, Any] = {
        f: values.get(f, "")
        for f in COMPANY_FIELDS
        if f not in ("tags", "custom_fields", "size", "source", "segment")
    }
    data["size"] = _choice_code(values.get("size", ""), CompanySize)
    data["source"] = _choice_code(values.get("source", ""), Source)
    data["segment"] = _choice_code(values.get("segment", ""), Segment) or Segment.NEW
    data["tags"] = _split(values.get("tags", ""))
    company = _clean_company(data)
    key = (company["inn"], company["kpp"])
    if company["inn"]:
        if key in seen:
            raise DomainError(
                CrmError.DUPLICATE,
                _("The INN %(inn)s is already on an earlier row of this file.")
                % {"inn": company["inn"]},
                details={"field": "inn"},
            )
        _refuse_duplicate_inn(None, company["inn"], company["kpp"])
        seen.add(key)
    contact = None
    person = {
        k: values.get(f"contact_{k}", "") for k in ("full_name", "position", "phone", "email")
    }
    if any(person.values()):
        try:
            contact = _clean_contact(
                {
                    "full_name": person["full_name"],
                    "position": person["position"],
                    "phones": [person["phone"]] if person["phone"] else [],
                    "emails": [person["email"]] if person["email"] else [],
                }
            )
        except DomainError as exc:
            field = {"phones": "contact_phone", "emails": "contact_email"}.get(
                exc.details.get("field", ""), f"contact_{exc.details.get('field', '')}"
            )
            raise DomainError(exc.code, exc.message, details={"field": field}) from exc
    return _RowCheck(company=company, contact=contact)


@functools.lru_cache(maxsize=65536)
def _import_inn(text: str) -> str:
    """`normalize_inn` of a contacts file's `company_inn` (a file names the same companies on
    many rows: each INN's checksum is computed once; a refusal is not cached)."""
    return normalize_inn(text, field="company_inn")


def _companies_by_inn(actor: User, rows: Iterable[Mapping[str, str]]) -> dict[str, Company]:
    """The companies a contacts file names by `company_inn`, read at once: of each INN the
    actor's live company with the smallest id (what a per-row `.first()` would find)."""
    inns: set[str] = set()
    for values in rows:
        try:
            inn = _import_inn(values.get("company_inn", "").strip())
        except DomainError:
            continue  # the row check reports it
        if inn:
            inns.add(inn)
    found: dict[str, Company] = {}
    wanted = sorted(inns)
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        candidates = scope_for_write(
            Company.objects.filter(
                inn__in=wanted[start : start + LOOKUP_CHUNK],
                merged_into__isnull=True,
                is_deleted=False,
            ),
            actor=actor,
        )
        for company in candidates.select_related("responsible", "team").order_by("pk"):
            found.setdefault(company.inn, company)
    return found


def _check_contact_row(
    actor: User, values: Mapping[str, str], companies: Mapping[str, Company]
) -> _RowCheck:
    company = None
    inn = values.get("company_inn", "").strip()
    if inn:
        normal = _import_inn(inn)
        company = companies.get(normal)
        if company is None:
            raise _field_error(
                "company_inn",
                _("There is no company with INN %(inn)s among your clients.") % {"inn": normal},
            )
    contact = _clean_contact(
        {
            "full_name": values.get("full_name", ""),
            "position": values.get("position", ""),
            "phones": _split(values.get("phones", "")),
            "emails": _split(values.get("emails", "")),
            "birthday": _parse_date(values.get("birthday", ""), "birthday"),
            "gender": _choice_code(values.get("gender", ""), Gender)
            if values.get("gender", "").strip().casefold() not in ("м", "ж")
            else {"м": "male", "ж": "female"}[values["gender"].strip().casefold()],
            "mailing_consent": _parse_bool(values.get("mailing_consent", ""), "mailing_consent"),
            "notes": values.get("notes", ""),
        }
    )
    return _RowCheck(contact=contact, company_ref=company)


def _rows_of(job: ImportJob) -> list[tuple[int, dict[str, str]]]:
    """(file row number, {field: value}) of every data row, by the job's mapping."""
    table = read_table(bytes(job.content), job.file_name)
    return list(_mapped_rows(job, table.headers, table.rows))


def _mapped_rows(
    job: ImportJob, headers: list[str], rows: Iterable[list[str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """`_rows_of` one row at a time."""
    index = {header: i for i, header in enumerate(headers)}
    fields = [(index[h], f) for h, f in job.mapping.items() if f and h in index]
    for number, row in enumerate(rows, start=2):
        yield number, {field: row[i] for i, field in fields}


class _RowChecker:
    """Checks the rows of one job; what the rows look up in the base is read once up front."""

    def __init__(self, job: ImportJob, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
        self.job = job
        self.seen: set[tuple[str, str]] = set()  # (INN, KPP) on earlier rows of the file
        self.companies: dict[str, Company] = {}
        if job.kind == ImportKind.CONTACTS:
            self.companies = _companies_by_inn(job.created_by, (values for _n, values in rows))

    def __call__(self, values: Mapping[str, str]) -> _RowCheck:
        if self.job.kind == ImportKind.COMPANIES:
            return _check_company_row(values, self.seen)
        return _check_contact_row(self.job.created_by, values, self.companies)


# Of each wanted value, the smallest id of a live contact whose phones / e-mails hold it.
# PostgreSQL: one probe per value of the partial GIN indexes `crm_contact_phones_gin` /
# `crm_contact_emails_gin` (migration crm 0010; `@>`), so the cost grows with the file, not
# the base (`?|` with the whole array grows faster than linearly with the values). The probe
# is a LATERAL subquery fenced by `OFFSET 0` so that it is planned for one value: as a plain
# join, with stale statistics (a table after large imports and deletes) PostgreSQL chose a
# seq scan per value (40 s for 10 000 values instead of 0.16 s); `min()` inside it would
# become a walk of the primary key. SQLite:
# each statement unnests every live contact's list once and joins it with the wanted values.
# One parameter: a text array on PostgreSQL, a JSON array on SQLite.
_CONTACTS_WITH_SQL = {
    ("postgresql", "phones"): "SELECT v.value, min(m.id) FROM unnest(%s::text[]) AS v(value) "
    "CROSS JOIN LATERAL (SELECT c.id FROM crm_contact c WHERE NOT c.is_deleted "
    "AND c.phones @> jsonb_build_array(v.value) OFFSET 0) m GROUP BY 1",
    ("postgresql", "emails"): "SELECT v.value, min(m.id) FROM unnest(%s::text[]) AS v(value) "
    "CROSS JOIN LATERAL (SELECT c.id FROM crm_contact c WHERE NOT c.is_deleted "
    "AND lower(c.emails::text)::jsonb @> jsonb_build_array(v.value) OFFSET 0) m GROUP BY 1",
    ("sqlite", "phones"): "SELECT v.value, min(c.id) FROM crm_contact c, json_each(c.phones) v "
    "WHERE NOT c.is_deleted AND v.value IN (SELECT value FROM json_each(%s)) GROUP BY 1",
    ("sqlite", "emails"): "SELECT lower(v.value), min(c.id) FROM crm_contact c, "
    "json_each(c.emails) v WHERE NOT c.is_deleted "
    "AND lower(v.value) IN (SELECT value FROM json_each(%s)) GROUP BY 1",
}


def _live_contacts_with(field: str, values: Iterable[str]) -> dict[str, int]:
    """Of each value, the live contact (smallest id) whose `field` list ("phones" or
    "emails") holds it, in the whole base whoever owns it: one query for all the values
    (e-mails compared lower-cased; the file's are lower-cased by the cleaning)."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    postgres = connection.vendor == "postgresql"
    sql = _CONTACTS_WITH_SQL["postgresql" if postgres else "sqlite", field]
    with connection.cursor() as cursor:
        cursor.execute(sql, [wanted if postgres else json.dumps(wanted)])
        return {str(found): int(pk) for found, pk in cursor.fetchall()}


def _contact_names_visible(actor: User, ids: Iterable[int]) -> dict[int, str]:
    """The names of those contacts the actor may see (the others stay anonymous)."""
    names: dict[int, str] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        visible = scope_records(
            Contact.objects.filter(pk__in=wanted[start : start + LOOKUP_CHUNK]), actor=actor
        )
        names.update(visible.values_list("pk", "full_name"))
    return names


class _DuplicateFinder:
    """Finds the rows of a contacts file that repeat a person: a phone or an e-mail of a live
    contact of the base (any team's), or of an earlier good row of the file. Three queries,
    however many rows: all the file's phones, all its e-mails (through the indexes), the names
    of the matched contacts the importer may see; then the rows are asked in file order."""

    def __init__(self, job: ImportJob, phones: Iterable[str], emails: Iterable[str]) -> None:
        self.known = {
            "phones": _live_contacts_with("phones", phones),
            "emails": _live_contacts_with("emails", emails),
        }
        self.names = _contact_names_visible(
            job.created_by, [*self.known["phones"].values(), *self.known["emails"].values()]
        )
        self.columns = {f: h for h, f in job.mapping.items() if f}
        self.earlier: dict[tuple[str, str], int] = {}  # (field, value) -> first row holding it

    def __call__(
        self, number: int, full_name: str, phones: Iterable[str], emails: Iterable[str]
    ) -> dict[str, Any] | None:
        """What the row repeats (the duplicate's report line), or None for a new person."""
        keys = [("phones", v) for v in phones] + [("emails", v) for v in emails]
        match: dict[str, Any] | None = None
        for field, value in keys:
            pk = self.known[field].get(value)
            if pk is not None:
                match = {"field": field, "value": value, "contact": pk, "same_as_row": None}
                break
        if match is None:
            for field, value in keys:
                if (field, value) in self.earlier:
                    match = {"field": field, "value": value, "contact": None}
                    match["same_as_row"] = self.earlier[(field, value)]
                    break
        for key in keys:
            self.earlier.setdefault(key, number)
        if match is None:
            return None
        pk = match["contact"]
        hidden = pk is not None and pk not in self.names
        # Of a contact the importer may not see, neither the id nor the name is told.
        return {
            "row": number,
            "full_name": full_name,
            "column": self.columns.get(match["field"], ""),
            **match,
            "contact": None if hidden else pk,
            "contact_name": self.names.get(pk, "") if pk is not None else "",
            "hidden": hidden,
        }


def _contact_duplicates(
    job: ImportJob, good: list[tuple[int, _RowCheck]]
) -> dict[int, dict[str, Any]]:
    """The duplicate rows among the good rows of a contacts file: {row number: what it
    matches} (`_DuplicateFinder`)."""
    phones = {p for _n, c in good for p in (c.contact or {}).get("phones", ())}
    emails = {e for _n, c in good for e in (c.contact or {}).get("emails", ())}
    finder = _DuplicateFinder(job, phones, emails)
    found: dict[int, dict[str, Any]] = {}
    for number, row_check in good:
        contact = row_check.contact or {}
        match = finder(
            number,
            contact.get("full_name", ""),
            contact.get("phones", ()),
            contact.get("emails", ()),
        )
        if match is not None:
            found[number] = match
    return found


@dataclass
class _Sorted:
    """The rows of a file sorted out: good ones (new or duplicates) and bad ones."""

    good: list[tuple[int, _RowCheck]]
    errors: list[dict[str, Any]]
    error_rows: int

    def split(self, job: ImportJob) -> tuple[list[_RowCheck], list[dict[str, Any]]]:
        """The new rows to write and the duplicates to skip (of a contacts file)."""
        doubles = _contact_duplicates(job, self.good) if job.kind == ImportKind.CONTACTS else {}
        new = [c for n, c in self.good if n not in doubles]
        return new, list(doubles.values())


def _sort_rows(job: ImportJob, *, progress: bool = False) -> _Sorted:
    """Check every row of the file (`DomainError` for the file as a whole)."""
    rows = _rows_of(job)
    check = _RowChecker(job, rows)
    good: list[tuple[int, _RowCheck]] = []
    errors: list[dict[str, Any]] = []
    error_rows = 0
    shown = time.monotonic()
    for count, (number, values) in enumerate(rows, start=1):
        try:
            good.append((number, check(values)))
        except DomainError as exc:
            error_rows += 1
            if len(errors) < MAX_STORED_ERRORS:
                errors.append(_row_error(job, number, exc, values))
        # the progress at most once a PROGRESS_SECONDS (each update is a commit)
        if progress and count % PROGRESS_EVERY == 0 and time.monotonic() - shown > PROGRESS_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            shown = time.monotonic()
    return _Sorted(good=good, errors=errors, error_rows=error_rows)


def _lock_contact_imports() -> None:
    """One contacts import writes at a time, so that each finds the duplicates the one
    before it wrote (PostgreSQL: a transaction-scoped advisory lock; SQLite's IMMEDIATE
    transactions already admit one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('crm:contact_import'))")


def _row_error(
    job: ImportJob, number: int, exc: DomainError, values: Mapping[str, str]
) -> dict[str, Any]:
    field = str(exc.details.get("field") or "")
    column = next((h for h, f in job.mapping.items() if f == field), "")
    return {
        "row": number,
        "field": field,
        "column": column,
        "message": exc.message,
        "value": values.get(field, ""),
    }


def _save_job(job: ImportJob) -> None:
    """Save an import's state — every field but the file's bytes, which never change after
    the upload (saving them again would send the whole file to the database each time)."""
    job.save(update_fields=_JOB_STATE_FIELDS)


_JOB_STATE_FIELDS = [
    f.name for f in ImportJob._meta.concrete_fields if f.name not in ("id", "content", "created_at")
]


def _require_own_import(actor: User, job: ImportJob) -> None:
    if job.created_by_id != actor.pk and not actor.is_greenwave_admin:
        raise not_found(_("Import not found."))


@transaction.atomic
def import_upload(
    *,
    actor: User,
    kind: str,
    file_name: str,
    content: bytes,
    responsible: User | None = None,
) -> ImportJob:
    """Keep the file for the worker, which reads it (`import_read`); nothing is imported yet.
    Only what costs nothing is checked here (the kind, the owner, the size), so that a large
    or hostile file never holds a web worker: its refusal is the job's message."""
    kind = _choice(kind, ImportKind.values, "kind", blank=False)
    if not content:
        raise DomainError(CrmError.BAD_FILE, _("The file is empty."), details={"field": "file"})
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError(
            CrmError.BAD_FILE, _("The file is larger than 20 MB."), details={"field": "file"}
        )
    owner, _team = _resolve_owner(actor, responsible, None)
    job = ImportJob.objects.create(
        created_by=actor,
        responsible=owner,
        kind=kind,
        file_name=file_name[:255],
        content=content,
        status=ImportStatus.READING,
    )
    # robust: a queue that is down fails no request; imports_resume_stalled sends it later
    transaction.on_commit(partial(_enqueue, "read_import", job.pk), robust=True)
    return job


def import_read(*, job_id: int) -> ImportJob:
    """The worker reads the uploaded file: its encoding, delimiter, headers and rows (the
    limits of `crm.tabular` refuse a hostile file early), and guesses the column mapping."""
    with _import_step(job_id, ImportStatus.READING) as job:
        if job is None:
            return ImportJob.objects.get(pk=job_id)
        try:  # the rows counted as they are parsed, not held
            table, rows = iter_table(bytes(job.content), job.file_name)
            total = sum(1 for _row in rows())
            if not total:
                raise DomainError(CrmError.BAD_FILE, _("The file has no data rows."))
        except DomainError as exc:
            return _fail(job, exc.message)
        job.encoding, job.delimiter, job.headers = table.encoding, table.delimiter, table.headers
        job.mapping = import_suggest_mapping(job.kind, table.headers)
        job.total_rows, job.status, job.message = total, ImportStatus.UPLOADED, ""
        _save_job(job)
        return job
    return ImportJob.objects.get(pk=job_id)  # failed by an unexpected error


@contextmanager
def _import_step(job_id: int, status: str) -> Iterator[ImportJob | None]:
    """A worker's step of an import in `status`, under the job's run lock (so that a job sent
    twice runs once): yields the job, or None when another worker has it or it has moved on.
    A program error fails the job with a message instead of leaving it in `status`."""
    lock = runlock.acquire(IMPORT_RUN_LOCK, job_id)
    if lock is None:
        yield None
        return
    try:
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        if job.status != status:
            yield None
            return
        try:
            yield job
        except Exception:
            logger.exception("import job %s failed while %s", job.pk, status)
            _fail(
                job,
                _(
                    "The file could not be processed: an unexpected error stopped the worker. "
                    "The administrator finds it in the worker log."
                ),
            )
    finally:
        lock.release()


def import_check(*, actor: User, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    """Start the dry run with the mapping: the worker validates every row and reports each
    bad one and, in a contacts file, each duplicate (a phone or e-mail already in the base or
    on an earlier row), which the job will skip (`import_check_run`). The mapping itself is
    checked here. Writes nothing but the report."""
    _require_own_import(actor, job)
    if job.status in (ImportStatus.READING, ImportStatus.CHECKING):
        raise DomainError(
            CrmError.IMPORT_NOT_READY, _("The file is still being read or checked: wait a moment.")
        )
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED):
        raise DomainError(CrmError.IMPORT_NOT_READY, _("This import is already running."))
    if not job.headers:
        raise DomainError(
            CrmError.BAD_FILE, _("The file could not be read: upload a corrected file.")
        )
    known = {c.field for c in import_columns(job.kind)}
    chosen = {h: f for h, f in mapping.items() if h in job.headers and f}
    if any(f not in known for f in chosen.values()):
        raise _field_error("mapping", _("Choose one of the offered values."))
    doubled = sorted({f for f in chosen.values() if list(chosen.values()).count(f) > 1})
    if doubled:
        raise _field_error(
            "mapping",
            _("Each field can take one column only: %(fields)s.") % {"fields": ", ".join(doubled)},
        )
    missing = [c for c in import_columns(job.kind) if c.required and c.field not in chosen.values()]
    if missing:
        raise _field_error(
            "mapping",
            _("Choose the column for: %(fields)s.")
            % {"fields": ", ".join(str(c.label) for c in missing)},
        )
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != job.status:
            raise DomainError(CrmError.IMPORT_NOT_READY, _("The import changed meanwhile."))
        job.mapping = {
            h: mapping.get(h, "") if mapping.get(h, "") in known else "" for h in job.headers
        }
        job.status, job.message, job.checked_rows = ImportStatus.CHECKING, "", b""
        job.processed_rows = job.created_count = 0
        _save_job(job)
        transaction.on_commit(partial(_enqueue, "check_import", job.pk), robust=True)
    return job


def import_check_run(*, job_id: int) -> ImportJob:
    """The worker's dry run: every row checked with the job's mapping, progress as it goes;
    the report (good, duplicate and bad rows) kept on the job."""
    with _import_step(job_id, ImportStatus.CHECKING) as job:
        if job is None:
            return ImportJob.objects.get(pk=job_id)
        if job.kind == ImportKind.CONTACTS:
            try:
                return _check_contacts(job)
            except DomainError as exc:
                return _fail(job, exc.message)
        try:
            rows = _sort_rows(job, progress=True)
        except DomainError as exc:
            return _fail(job, exc.message)
        new, duplicates = rows.split(job)
        job.checked_rows = b""
        job.total_rows = len(rows.good) + rows.error_rows
        job.valid_rows, job.error_rows = len(new), rows.error_rows
        job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
        job.errors, job.status, job.message = rows.errors, ImportStatus.CHECKED, ""
        job.processed_rows = job.created_count = 0
        _save_job(job)
        return job
    return ImportJob.objects.get(pk=job_id)  # failed by an unexpected error


@transaction.atomic
def import_confirm(*, actor: User, job: ImportJob, skip_invalid: bool = False) -> ImportJob:
    """Queue the checked import. With bad rows the user must say to import only the good ones."""
    _require_own_import(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise DomainError(
            CrmError.IMPORT_NOT_READY, _("Check the file (dry run) before importing it.")
        )
    if job.error_rows and not skip_invalid:
        raise DomainError(
            CrmError.BAD_ROWS,
            _("%(n)d rows have errors: fix the file, or confirm to import only the good rows.")
            % {"n": job.error_rows},
            details={"field": "skip_invalid", "error_rows": job.error_rows},
        )
    if not job.valid_rows and job.duplicate_rows:
        raise DomainError(
            CrmError.BAD_ROWS,
            _("Every good row is already in the client base: there is nothing new to import."),
        )
    if not job.valid_rows:
        raise DomainError(CrmError.BAD_ROWS, _("There is no good row to import."))
    job.status, job.skip_invalid, job.processed_rows = ImportStatus.QUEUED, skip_invalid, 0
    job.save(update_fields=["status", "skip_invalid", "processed_rows", "updated_at"])
    # robust: a queue that is down fails no request; imports_resume_stalled sends it later
    transaction.on_commit(partial(_enqueue, "run_import", job.pk), robust=True)
    return job


def _write_row(job: ImportJob, check: _RowCheck) -> int:
    actor, owner = job.created_by, job.responsible
    if check.company is not None:
        company = company_create(actor=actor, responsible=owner, **check.company)
        if check.contact is not None:
            contact_create(actor=actor, company=company, **check.contact)
        return 1
    assert check.contact is not None
    if check.company_ref is not None:
        contact_create(actor=actor, company=check.company_ref, **check.contact)
    else:
        contact_create(actor=actor, responsible=owner, **check.contact)
    return 1


def _write_contacts(job: ImportJob, checks: list[_RowCheck]) -> int:
    """All contacts of a file at once: what `contact_create` does for each row (the company
    must still be visible to the importer; a contact at a company is owned like it, the others
    by the job's responsible), in bulk inserts of the contacts and their `contact_created`
    events."""
    actor = job.created_by
    linked = {c.company_ref.pk for c in checks if c.company_ref is not None}
    visible: set[int] = set()
    ids = sorted(linked)
    for start in range(0, len(ids), LOOKUP_CHUNK):
        live = Company.objects.filter(
            pk__in=ids[start : start + LOOKUP_CHUNK], merged_into__isnull=True, is_deleted=False
        )
        visible.update(scope_for_write(live, actor=actor).values_list("pk", flat=True))
    if linked - visible:
        raise not_found(_("Company not found."))
    owner, owner_team = _resolve_owner(actor, job.responsible, None)
    contacts = []
    for row_check in checks:
        assert row_check.contact is not None
        company = row_check.company_ref
        contact = Contact(
            **row_check.contact,
            company=company,
            responsible=company.responsible if company is not None else owner,
            team=company.team if company is not None else owner_team,
        )
        contact.search_text = _contact_search_text(contact)
        contacts.append(contact)
    Contact.objects.bulk_create(contacts, batch_size=BULK_BATCH)
    event_append_created(
        contacts,
        activity=events.CONTACT_CREATED,
        actor=actor,
        payloads=[{"after": _contact_snapshot(c)} for c in contacts],
        objects=[_company_refs(c.company) for c in contacts],
        batch_size=BULK_BATCH,
    )
    return len(contacts)


def _fail(job: ImportJob, message: str, errors: list[dict[str, Any]] | None = None) -> ImportJob:
    job.status, job.message, job.finished_at = ImportStatus.FAILED, message, timezone.now()
    job.created_count = 0
    if errors is not None:
        job.errors = errors[:MAX_STORED_ERRORS]
    _save_job(job)
    event_append_for(
        job, activity=events.IMPORT_FAILED, actor=job.created_by, payload={"message": message}
    )
    return job


def import_run(*, job_id: int) -> ImportJob:
    """The background job: check every row again (the base may have changed since the dry
    run), then write all new rows in one transaction — duplicates are skipped, a failure
    leaves nothing behind.

    The run lock (`core.runlock`) is held from before the job is marked running to its end,
    so a worker killed mid-run leaves a running job whose lock is free:
    `imports_resume_stalled` queues it again, and since the rows, the events and the `done`
    status are written in one transaction, the next run writes them exactly once."""
    lock = runlock.acquire(IMPORT_RUN_LOCK, job_id)
    if lock is None:  # another worker runs it
        return ImportJob.objects.get(pk=job_id)
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update()
                .select_related("created_by")
                .defer("content")  # read only by a job without checked rows
                .get(pk=job_id)
            )
            if job.status != ImportStatus.QUEUED:
                return job
            job.status, job.processed_rows = ImportStatus.RUNNING, 0
            job.save(update_fields=["status", "processed_rows", "updated_at"])
        try:
            return _import_run(job)
        except Exception:  # a database or program error: the job must not stay "running"
            logger.exception("import job %s failed", job.pk)
            return _fail(
                job,
                _(
                    "Nothing was imported: an unexpected error stopped the import. "
                    "The administrator finds it in the worker log."
                ),
            )
    finally:
        lock.release()


def imports_resume_stalled() -> int:
    """The periodic job of `run_worker`: an import whose worker died mid-run (running, and
    nobody holds its run lock) goes back to the queue. Its write transaction died with the
    worker, so nothing of it is in the base. After IMPORT_MAX_RESUMES such restarts (a file
    that kills its worker every time) the import fails instead. A job queued for more than
    IMPORT_REQUEUE_AFTER is sent to the queue again. Returns how many it queued."""
    resumed = 0
    stalled = ImportJob.objects.filter(status=ImportStatus.RUNNING).order_by("pk")
    for job_id in list(stalled.values_list("pk", flat=True)[:IMPORT_RESUME_BATCH]):
        with transaction.atomic():
            qs = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            job = qs.select_related("created_by").first()
            if job is None or runlock.is_held(IMPORT_RUN_LOCK, job_id):
                continue
            restarts = Event.objects.filter(
                case_type=case_type_of(job), case_id=str(job.pk), activity=events.IMPORT_RESUMED
            ).count()
            if restarts >= IMPORT_MAX_RESUMES:
                _fail(
                    job,
                    _(
                        "Nothing was imported: the worker stopped %(n)d times while importing "
                        "this file. The administrator finds the reason in the worker log."
                    )
                    % {"n": restarts + 1},
                )
                continue
            job.status, job.processed_rows = ImportStatus.QUEUED, 0
            job.save(update_fields=["status", "processed_rows", "updated_at"])
            event_append_for(
                job, activity=events.IMPORT_RESUMED, actor=None, payload={"restart": restarts + 1}
            )
            transaction.on_commit(partial(_enqueue, "run_import", job.pk))
            resumed += 1
    # A queued job whose task never reached the queue (the web process died between its
    # commit and the enqueue, or the queue was down) is sent again. A second task of a job is
    # harmless: `import_run` starts a job only from "queued", under its run lock.
    # The same for a file waiting to be read or checked (the worker that read or checked it
    # died: the step only writes at its end, so it runs again from the start).
    moment = timezone.now()
    for status, task in IMPORT_STEP_TASKS.items():
        forgotten = ImportJob.objects.filter(
            status=status, updated_at__lt=moment - IMPORT_REQUEUE_AFTER
        )
        pks = list(forgotten.order_by("pk").values_list("pk", flat=True)[:IMPORT_RESUME_BATCH])
        for job_id in pks:
            if runlock.is_held(IMPORT_RUN_LOCK, job_id):
                continue
            if forgotten.filter(pk=job_id).update(updated_at=moment):
                _enqueue(task, job_id)
                resumed += 1
    return resumed


# The worker's task of each waiting status.
IMPORT_STEP_TASKS = {
    ImportStatus.READING: "read_import",
    ImportStatus.CHECKING: "check_import",
    ImportStatus.QUEUED: "run_import",
}


def _enqueue(task: str, job_id: int) -> None:
    from . import tasks

    getattr(tasks, task).enqueue(job_id)


def _import_run(job: ImportJob) -> ImportJob:
    if job.kind == ImportKind.CONTACTS and job.checked_rows:
        return _import_run_checked(job)
    # A companies file, or a contacts job checked before its dry run kept the cleaned rows.
    try:
        rows = _sort_rows(job, progress=True)
    except DomainError as exc:
        return _fail(job, exc.message)
    errors = rows.errors
    if rows.error_rows and not job.skip_invalid:
        return _fail(
            job, _("Some rows became invalid since the check; nothing was imported."), errors
        )
    created = 0
    try:
        with transaction.atomic():
            if job.kind == ImportKind.CONTACTS:
                _lock_contact_imports()
            new, duplicates = rows.split(job)  # under the lock: what is in the base now
            if job.kind == ImportKind.CONTACTS:
                created = _write_contacts(job, new) if new else 0
            else:
                for row_check in new:
                    created += _write_row(job, row_check)
            job.status, job.created_count = ImportStatus.DONE, created
            job.processed_rows, job.finished_at = 2 * job.total_rows, timezone.now()
            job.errors = errors[:MAX_STORED_ERRORS]
            job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
            _save_job(job)
            event_append_for(
                job,
                activity=events.IMPORT_FINISHED,
                actor=job.created_by,
                payload={
                    "kind": job.kind,
                    "created": created,
                    "skipped": rows.error_rows,
                    "duplicates": len(duplicates),
                },
            )
    except DomainError as exc:
        return _fail(job, _("Nothing was imported: %(error)s") % {"error": exc.message})
    return job


def _pack_line(number: int, row_check: _RowCheck) -> bytes:
    """One good row of a contacts file as the job reads it back (`_unpack_checked`): a JSON
    list — row number, full name, position, phones, e-mails, birthday (ISO), gender, consent,
    notes, company id, company INN — and a newline."""
    contact, company = row_check.contact or {}, row_check.company_ref
    birthday = contact.get("birthday")
    line = json.dumps(
        [
            number,
            contact.get("full_name", ""),
            contact.get("position", ""),
            contact.get("phones", []),
            contact.get("emails", []),
            birthday.isoformat() if birthday else None,
            contact.get("gender", ""),
            bool(contact.get("mailing_consent")),
            contact.get("notes", ""),
            company.pk if company is not None else None,
            company.inn if company is not None else "",
        ],
        ensure_ascii=False,
    )
    return line.encode() + b"\n"


def _check_contacts(job: ImportJob) -> ImportJob:
    """The dry run of a contacts file, streamed: the file is parsed as it is read (twice:
    first for the companies it names) and each good row cleaned and packed (`checked_rows`,
    what the job will write) as it is checked, so that only the file's text, the packed rows
    and the phone and e-mail sets are in memory; then the duplicates are found over the
    packed rows."""
    table, rows = iter_table(bytes(job.content), job.file_name)
    headers = table.headers
    check = _RowChecker(job, _mapped_rows(job, headers, rows()))
    packer = zlib.compressobj(6)
    parts: list[bytes] = []
    phones: set[str] = set()
    emails: set[str] = set()
    errors: list[dict[str, Any]] = []
    good = error_rows = 0
    shown = time.monotonic()
    for count, (number, values) in enumerate(_mapped_rows(job, headers, rows()), start=1):
        try:
            row_check = check(values)
        except DomainError as exc:
            error_rows += 1
            if len(errors) < MAX_STORED_ERRORS:
                errors.append(_row_error(job, number, exc, values))
        else:
            good += 1
            parts.append(packer.compress(_pack_line(number, row_check)))
            phones.update((row_check.contact or {}).get("phones", ()))
            emails.update((row_check.contact or {}).get("emails", ()))
        if count % PROGRESS_EVERY == 0 and time.monotonic() - shown > PROGRESS_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            shown = time.monotonic()
    parts.append(packer.flush())
    job.checked_rows = b"".join(parts)
    del parts
    finder = _DuplicateFinder(job, phones, emails)
    duplicates: list[dict[str, Any]] = []
    for row in _unpack_checked(job.checked_rows):
        match = finder(row[0], row[1], row[3], row[4])
        if match is not None:
            duplicates.append(match)
    job.total_rows = good + error_rows
    job.valid_rows, job.error_rows = good - len(duplicates), error_rows
    job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
    job.errors, job.status, job.message = errors, ImportStatus.CHECKED, ""
    job.processed_rows = job.created_count = 0
    _save_job(job)
    return job


def _unpack_checked(blob: bytes) -> Iterator[list[Any]]:
    """The rows `_pack_checked` kept, one at a time (never the whole text in memory)."""
    inflater = zlib.decompressobj()
    rest = b""
    step = 1 << 16
    for start in range(0, len(blob), step):
        rest += inflater.decompress(blob[start : start + step])
        *lines, rest = rest.split(b"\n")
        for line in lines:
            yield json.loads(line)
    rest += inflater.flush()
    for line in rest.split(b"\n"):
        if line:
            yield json.loads(line)


def _writable_companies(actor: User, ids: Iterable[int]) -> dict[int, tuple[str, int, int | None]]:
    """Of these companies, the live ones the importer may still write to: {id: (name,
    responsible id, team id)}."""
    found: dict[int, tuple[str, int, int | None]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        live = Company.objects.filter(
            pk__in=wanted[start : start + LOOKUP_CHUNK], merged_into__isnull=True, is_deleted=False
        )
        for pk, name, owner, team in scope_for_write(live, actor=actor).values_list(
            "pk", "name", "responsible_id", "team_id"
        ):
            found[pk] = (name, owner, team)
    return found


def _import_run_checked(job: ImportJob) -> ImportJob:
    """The job of a contacts file from the dry run's cleaned rows (`checked_rows`): the rows
    are not read or validated again. What the base may have changed since the dry run is
    checked again: that the companies are still the importer's (a row at one that is not is
    bad, as a new check would find it) and, under the import lock, the duplicates. Then every
    new row is written in one transaction — contact, `contact_created` event, company link —
    by `COPY` on PostgreSQL, streamed `COPY_CHUNK` rows at a time."""
    blob = bytes(job.checked_rows)
    actor = job.created_by
    inns: dict[int, str] = {}
    phones: set[str] = set()
    emails: set[str] = set()
    for row in _unpack_checked(blob):
        if row[9] is not None:
            inns[row[9]] = row[10]
        phones.update(row[3])
        emails.update(row[4])
    companies = _writable_companies(actor, inns)
    gone = set(inns) - set(companies)
    errors, error_rows = list(job.errors), job.error_rows
    if gone:
        column = next((h for h, f in job.mapping.items() if f == "company_inn"), "")
        for row in _unpack_checked(blob):
            if row[9] in gone:
                error_rows += 1
                errors.append(
                    {
                        "row": row[0],
                        "field": "company_inn",
                        "column": column,
                        "message": _("There is no company with INN %(inn)s among your clients.")
                        % {"inn": row[10]},
                        "value": row[10],
                    }
                )
        errors.sort(key=lambda e: int(e.get("row") or 0))
        if not job.skip_invalid:
            return _fail(
                job, _("Some rows became invalid since the check; nothing was imported."), errors
            )
    ImportJob.objects.filter(pk=job.pk).update(processed_rows=job.total_rows)
    duplicates: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            _lock_contact_imports()
            if set(_writable_companies(actor, companies)) != set(companies):
                raise not_found(_("Company not found."))
            finder = _DuplicateFinder(job, phones, emails)

            def new_rows() -> Iterator[list[Any]]:
                for row in _unpack_checked(blob):
                    if row[9] in gone:
                        continue
                    match = finder(row[0], row[1], row[3], row[4])
                    if match is None:
                        yield row
                    else:
                        duplicates.append(match)

            created = _write_checked_contacts(job, new_rows(), companies)
            job.status, job.created_count = ImportStatus.DONE, created
            job.processed_rows, job.finished_at = 2 * job.total_rows, timezone.now()
            job.errors, job.error_rows = errors[:MAX_STORED_ERRORS], error_rows
            job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
            job.checked_rows = b""
            _save_job(job)
            event_append_for(
                job,
                activity=events.IMPORT_FINISHED,
                actor=actor,
                payload={
                    "kind": job.kind,
                    "created": created,
                    "skipped": error_rows,
                    "duplicates": len(duplicates),
                },
            )
    except DomainError as exc:
        return _fail(job, _("Nothing was imported: %(error)s") % {"error": exc.message})
    return job


_CONTACT_COPY_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "full_name",
    "position",
    "phones",
    "emails",
    "messengers",
    "birthday",
    "gender",
    "mailing_consent",
    "notes",
    "search_text",
    "company_id",
    "responsible_id",
    "team_id",
    "is_deleted",
)


def _write_checked_contacts(
    job: ImportJob, rows: Iterable[list[Any]], companies: Mapping[int, tuple[str, int, int | None]]
) -> int:
    """Write cleaned contact rows (`_pack_checked`'s) with what `contact_create` writes for
    each: the contact (owned like its company, or by the job's responsible), its
    `contact_created` event with the snapshot, and the company link. PostgreSQL: ids reserved
    from the sequences and `COPY`; SQLite: bulk inserts. Returns how many contacts."""
    actor = job.created_by
    owner, owner_team = _resolve_owner(actor, job.responsible, None)
    owner_team_id = owner_team.pk if owner_team is not None else None
    stamp = timezone.now()
    created = 0
    stream = iter(rows)
    while batch := list(itertools.islice(stream, COPY_CHUNK)):
        values: list[dict[str, Any]] = []
        for _n, name, position, phones, emails, birthday, gender, consent, notes, cid, _i in batch:
            company = companies[cid] if cid is not None else None
            values.append(
                {
                    "full_name": name,
                    "position": position,
                    "phones": phones,
                    "emails": emails,
                    "birthday": birthday,
                    "gender": gender,
                    "mailing_consent": consent,
                    "notes": notes,
                    "company_id": cid,
                    "company_name": company[0] if company else None,
                    "responsible_id": company[1] if company else owner.pk,
                    "team_id": company[2] if company else owner_team_id,
                }
            )
        if bulkcopy.supported():
            ids = bulkcopy.reserve_ids(Contact, len(values))
            bulkcopy.copy_rows(
                Contact,
                _CONTACT_COPY_COLUMNS,
                (
                    (
                        pk,
                        stamp,
                        stamp,
                        v["full_name"],
                        v["position"],
                        json.dumps(v["phones"]),
                        json.dumps(v["emails"]),
                        "{}",
                        v["birthday"],
                        v["gender"],
                        v["mailing_consent"],
                        v["notes"],
                        _checked_search_text(v),
                        v["company_id"],
                        v["responsible_id"],
                        v["team_id"],
                        False,
                    )
                    for pk, v in zip(ids, values, strict=True)
                ),
            )
        else:
            made = Contact.objects.bulk_create(
                Contact(
                    full_name=v["full_name"],
                    position=v["position"],
                    phones=v["phones"],
                    emails=v["emails"],
                    messengers={},
                    birthday=date.fromisoformat(v["birthday"]) if v["birthday"] else None,
                    gender=v["gender"],
                    mailing_consent=v["mailing_consent"],
                    notes=v["notes"],
                    search_text=_checked_search_text(v),
                    company_id=v["company_id"],
                    responsible_id=v["responsible_id"],
                    team_id=v["team_id"],
                )
                for v in values
            )
            ids = [int(c.pk) for c in made]
        event_append_created_rows(
            (
                (
                    Contact.EVENT_CASE_TYPE,
                    str(pk),
                    {"after": _checked_snapshot(v)},
                    [ObjectRef(Company.EVENT_CASE_TYPE, str(v["company_id"]), "company")]
                    if v["company_id"] is not None
                    else [],
                )
                for pk, v in zip(ids, values, strict=True)
            ),
            activity=events.CONTACT_CREATED,
            actor=actor,
            chunk=COPY_CHUNK,
        )
        created += len(values)
    return created


def _checked_search_text(v: Mapping[str, Any]) -> str:
    """`_contact_search_text` of a cleaned import row (no messengers)."""
    return search_text_of(
        v["full_name"], v["position"], v["phones"], v["emails"], [], v["company_name"] or ""
    )


def _checked_snapshot(v: Mapping[str, Any]) -> dict[str, Any]:
    """`_contact_snapshot` of a cleaned import row."""
    data = {f: v.get(f) for f in CONTACT_FIELDS}
    data["messengers"] = {}
    data["company"] = v["company_name"]
    return data


# --- Soft delete and restore --------------------------------------------------------------


def _require_owner_or_head(actor: User | None, responsible_id: int) -> None:
    if actor is None or actor.pk == responsible_id or actor.is_superuser:
        return
    if not actor.has_role(*REASSIGNERS):
        raise permission_denied(
            _("Only the responsible manager or a head of sales can delete or restore it.")
        )


@transaction.atomic
def company_delete(*, actor: User | None, company: Company) -> Company:
    """Hide a client from lists and search; everything stays and can be restored."""
    require_writable_company(actor, company)
    company = Company.objects.select_for_update().get(pk=company.pk)
    _require_owner_or_head(actor, company.responsible_id)
    company.is_deleted, company.deleted_at = True, timezone.now()
    company.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    event_append_for(company, activity=events.COMPANY_DELETED, actor=actor, payload={})
    return company


@transaction.atomic
def company_restore(*, actor: User | None, company: Company) -> Company:
    company = Company.objects.select_for_update().get(pk=company.pk)
    if actor is not None:
        visible = scope_records(Company.objects.filter(pk=company.pk), actor=actor).exists()
        if not visible or not company.is_deleted:
            raise not_found(_("Company not found."))
    require_write(actor, company)
    _require_owner_or_head(actor, company.responsible_id)
    _refuse_duplicate_inn(actor, company.inn, company.kpp, exclude_pk=company.pk)
    company.is_deleted, company.deleted_at = False, None
    company.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    event_append_for(company, activity=events.COMPANY_RESTORED, actor=actor, payload={})
    return company


@transaction.atomic
def contact_delete(*, actor: User | None, contact: Contact) -> Contact:
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("company").get(pk=contact.pk)
    )
    _require_writable_contact(actor, contact)
    _require_owner_or_head(actor, contact.responsible_id)
    contact.is_deleted, contact.deleted_at = True, timezone.now()
    contact.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    event_append_for(
        contact,
        activity=events.CONTACT_DELETED,
        actor=actor,
        payload={"subject": contact.full_name},
        objects=_company_refs(contact.company),
    )
    return contact


@transaction.atomic
def contact_restore(*, actor: User | None, contact: Contact) -> Contact:
    contact = (
        Contact.objects.select_for_update(of=("self",)).select_related("company").get(pk=contact.pk)
    )
    _require_writable_contact(actor, contact)
    if not contact.is_deleted:
        raise not_found(_("Contact not found."))
    _require_owner_or_head(actor, contact.responsible_id)
    contact.is_deleted, contact.deleted_at = False, None
    contact.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    event_append_for(
        contact,
        activity=events.CONTACT_RESTORED,
        actor=actor,
        payload={"subject": contact.full_name},
        objects=_company_refs(contact.company),
    )
    return contact


# --- custom fields of the company card ------------------------------------------------------


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_greenwave_admin:
        raise permission_denied(_("Only an administrator sets up custom fields."))


@transaction.atomic
def custom_field_create(
    *,
    actor: User | None,
    name: str,
    kind: str = CustomFieldKind.TEXT,
    choices: Iterable[str] = (),
    required: bool = False,
    order: int = 0,
) -> CustomField:
    """Add a field to every company card; its values are kept under `name`."""
    _require_admin(actor)
    name = _text(name, "name", 100, required=True)
    kind = _choice(kind, CustomFieldKind.values, "kind", blank=False)
    options = list(dict.fromkeys(str(c).strip()[:100] for c in choices if str(c).strip()))
    if kind == CustomFieldKind.CHOICE and not options:
        raise _field_error("choices", _("A choice field needs at least one option."))
    if CustomField.objects.filter(name__iexact=name).exists():
        raise _field_error("name", _("A custom field with this name exists."))
    field = CustomField.objects.create(
        name=name,
        kind=kind,
        choices=options if kind == CustomFieldKind.CHOICE else [],
        required=required,
        order=order,
    )
    event_append_for(
        field,
        activity=events.CUSTOM_FIELD_CREATED,
        actor=actor,
        payload={"name": name, "kind": kind, "choices": field.choices, "required": required},
        new_case=True,
    )
    return field


@transaction.atomic
def custom_field_delete(*, actor: User | None, field: CustomField) -> None:
    """Stop showing a field; the values companies hold under its name are kept."""
    _require_admin(actor)
    event_append_for(
        field, activity=events.CUSTOM_FIELD_DELETED, actor=actor, payload={"name": field.name}
    )
    field.delete()
