"""Companies, contacts and decision makers: create, change, reassign."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode, Team, User
from greenwave.accounts.scoping import (
    can_write_for_user,
    require_write,
    scope_records,
    writable_team_ids,
)
from greenwave.core.errors import DomainError, not_found, permission_denied
from greenwave.core.services import (
    ObjectRef,
    RecordHistory,
    assign,
    changes_between,
    event_append_for,
    ref,
    typed_fields,
)
from greenwave.core.text import visible_text

from .. import events
from ..errors import CrmError
from ..models import (
    Attitude,
    Company,
    CompanySize,
    Contact,
    DecisionMaker,
    Gender,
    Segment,
    Source,
)
from ..requisites import (
    normalize_email,
    normalize_inn,
    normalize_kpp,
    normalize_ogrn,
    normalize_phone,
)
from .contact_reach import contact_refuse_duplicate


class _CompanyName(TypedDict, total=False):
    name: str


class CompanyDetails(TypedDict, total=False):
    """A company's card but its name: what `company_create` takes beside the name and owner
    (mypy checks the keyword arguments against it; each one left out is empty)."""

    inn: str
    kpp: str
    ogrn: str
    legal_address: str
    actual_address: str
    region: str
    industry: str
    size: str
    source: str
    segment: str
    phone: str
    email: str
    website: str
    tags: Iterable[str] | str
    custom_fields: Mapping[str, Any] | None


class CompanyChanges(_CompanyName, CompanyDetails, total=False):
    """What `company_update` may change (mypy checks the keyword arguments against it)."""


class _ContactName(TypedDict, total=False):
    full_name: str


class ContactDetails(TypedDict, total=False):
    """A contact's card but the name: what `contact_create` takes beside the name, company
    and owner (each one left out is empty)."""

    position: str
    phones: Iterable[str]
    emails: Iterable[str]
    messengers: Mapping[str, str] | None
    birthday: date | None
    gender: str
    mailing_consent: bool
    notes: str


class ContactChanges(_ContactName, ContactDetails, total=False):
    """What `contact_update` may change."""


class DecisionMakerChanges(TypedDict, total=False):
    role: str
    personal_benefits: str
    influence_level: int | str
    age: int | str | None
    character: str
    hobbies: str
    attitude: str


COMPANY_FIELDS = typed_fields(CompanyChanges)
CONTACT_FIELDS = typed_fields(ContactChanges)
DECISION_MAKER_FIELDS = typed_fields(DecisionMakerChanges)
MESSENGERS = ("telegram", "whatsapp", "viber", "vk", "max", "skype")
REASSIGNERS = (RoleCode.HEAD_OF_SALES, RoleCode.ADMIN)


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
    # not a name. A text that begins and ends with a letter or digit (a name's usual shape)
    # has nothing to drop: no such character is a space or a format character
    # (`test_clean_fast_paths` checks every code point), so `visible_text` would return it.
    if type(value) is str and value[:1].isalnum() and value[-1:].isalnum():
        text = value
    else:
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


def _company_owner(company: Company) -> dict[str, Any]:
    return {
        "responsible": str(company.responsible) if company.responsible_id else None,
        "team": company.team.name if company.team else None,
    }


_COMPANY_HISTORY = RecordHistory(
    Company.objects.select_related("responsible", "team"),
    schema=CompanyChanges,
    changed=events.COMPANY_CHANGED,
    shown=_company_owner,
)


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
    responsible: User | None = None,
    team: Team | None = None,
    allow_duplicate: bool = False,
    **details: Unpack[CompanyDetails],
) -> Company:
    """Add a client to the base. `actor=None` is the system (import, demo seed)."""
    data = _clean_company({**details, "name": name})  # a detail left out is empty (a new segment)
    owner, owner_team = _resolve_owner(actor, responsible, team)
    if not allow_duplicate:
        _refuse_duplicate_inn(actor, data["inn"], data["kpp"])
    company = Company(**data, responsible=owner, team=owner_team)
    company.search_text = _company_search_text(company)
    company.save()
    # Written here, not by `_COMPANY_HISTORY.create`: the request-kill test stops this very
    # call (`clients.event_append_for`) to kill the process between the row and its event.
    event_append_for(
        company,
        activity=events.COMPANY_CREATED,
        actor=actor,
        payload={"after": _COMPANY_HISTORY.snapshot(company)},
        objects=[ref(owner, "responsible")] + ([ref(owner_team, "team")] if owner_team else []),
        new_case=True,
    )
    return company


@transaction.atomic
def company_update(
    *,
    actor: User | None,
    company: Company,
    allow_duplicate: bool = False,
    **fields: Unpack[CompanyChanges],
) -> Company:
    """Change a company's card; only the given fields change."""
    require_writable_company(actor, company)

    def apply(company: Company) -> None:
        data = _clean_company({**_COMPANY_HISTORY.stored(company), **fields})
        if not allow_duplicate and (data["inn"], data["kpp"]) != (company.inn, company.kpp):
            _refuse_duplicate_inn(actor, data["inn"], data["kpp"], exclude_pk=company.pk)
        assign(company, data)
        company.search_text = _company_search_text(company)

    return _COMPANY_HISTORY.update(company, fields, apply, actor=actor)


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
    before = _COMPANY_HISTORY.snapshot(company)
    company.responsible, company.team = owner, owner_team
    changes = changes_between(before, _COMPANY_HISTORY.snapshot(company))
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


_GENDERS = frozenset(Gender.values)  # `Gender.values` builds its list on every call


def birthday_in_future(birthday: date | None, today: date | None = None) -> bool:
    """A typo such as 2099 for 1999: a person's birthday lies no later than today (`today`:
    the local date, when the caller has it at hand — `timezone.localdate()` costs ~10 µs)."""
    return birthday is not None and birthday > (today or timezone.localdate())


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
    if birthday_in_future(birthday):
        raise _field_error("birthday", _("A birthday cannot be in the future."))
    return {
        "full_name": _text(data.get("full_name"), "full_name", 255, required=True),
        "position": _text(data.get("position"), "position", 255),
        "phones": list(dict.fromkeys(p for p in phones if p)),
        "emails": list(dict.fromkeys(e for e in emails if e)),
        "messengers": {k: str(v).strip() for k, v in messengers.items() if str(v).strip()},
        "birthday": birthday,
        "gender": _choice(data.get("gender"), _GENDERS, "gender"),
        "mailing_consent": bool(data.get("mailing_consent")),
        "notes": _text(data.get("notes"), "notes", 5000),
    }


def _contact_shown(contact: Contact) -> dict[str, Any]:
    return {
        "birthday": contact.birthday.isoformat() if contact.birthday else None,
        "company": contact.company.name if contact.company else None,
    }


_CONTACT_HISTORY = RecordHistory(
    Contact.objects.select_related("company"),
    schema=ContactChanges,
    changed=events.CONTACT_CHANGED,
    created=events.CONTACT_CREATED,
    shown=_contact_shown,
)


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
    responsible: User | None = None,
    team: Team | None = None,
    allow_duplicate: bool = False,
    **details: Unpack[ContactDetails],
) -> Contact:
    """Add a person; at a company the contact is owned like the company unless told otherwise.
    A phone or e-mail another live contact holds is refused (409, `contact_reach`) unless
    `allow_duplicate` — the caller's "create anyway", or a caller that checked (the import)."""
    if company is not None:
        require_writable_company(actor, company)
    data = _clean_contact({**details, "full_name": full_name})
    if not allow_duplicate:
        contact_refuse_duplicate(
            actor=actor, phones=data.get("phones", ()), emails=data.get("emails", ())
        )
    if company is not None and responsible is None:
        owner, owner_team = company.responsible, company.team if team is None else team
    else:
        owner, owner_team = _resolve_owner(actor, responsible, team)
    contact = Contact(**data, company=company, responsible=owner, team=owner_team)
    contact.search_text = _contact_search_text(contact)
    # new_case, no case lock: a companies import writes thousands in one transaction
    return _CONTACT_HISTORY.create(
        contact, actor=actor, objects=_company_refs(company), new_case=True
    )


@transaction.atomic
def contact_update(
    *,
    actor: User | None,
    contact: Contact,
    company: Company | bool | None = False,
    allow_duplicate: bool = False,
    **fields: Unpack[ContactChanges],
) -> Contact:
    """Change a contact; `company=False` leaves the company alone, None detaches it. A phone or
    e-mail it gains that another live contact holds is refused as on creation."""
    _require_writable_contact(actor, contact)
    if isinstance(company, Company):
        require_writable_company(actor, company)
    companies: dict[int, Company] = {}

    def apply(contact: Contact) -> None:
        if contact.company is not None:
            companies[contact.company.pk] = contact.company
        data = _clean_contact({**_CONTACT_HISTORY.stored(contact), **fields})
        if not allow_duplicate:
            contact_refuse_duplicate(
                actor=actor,
                phones=set(data.get("phones", ())) - set(contact.phones),
                emails=set(data.get("emails", ())) - {e.lower() for e in contact.emails},
            )
        assign(contact, data)
        if company is not False:
            contact.company = company if isinstance(company, Company) else None
        contact.search_text = _contact_search_text(contact)
        if contact.company is not None:
            companies.setdefault(contact.company.pk, contact.company)

    return _CONTACT_HISTORY.update(
        contact,
        fields,
        apply,
        actor=actor,
        payload=lambda contact: {"subject": contact.full_name},
        objects=lambda _contact: [ref(c, "company") for c in companies.values()],
    )


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


_DECISION_MAKER_HISTORY = RecordHistory(
    DecisionMaker.objects.select_related("company", "contact"),
    schema=DecisionMakerChanges,
    changed=events.DECISION_MAKER_CHANGED,
    created=events.DECISION_MAKER_ADDED,
    shown=lambda dm: {"contact": dm.contact.full_name},
)


def _decision_maker_refs(dm: DecisionMaker) -> list[ObjectRef]:
    return [ref(dm.company, "company"), ref(dm.contact, "contact")]


@transaction.atomic
def decision_maker_add(
    *,
    actor: User | None,
    company: Company,
    contact: Contact,
    **profile: Unpack[DecisionMakerChanges],
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
    data = _clean_decision_maker(profile)
    dm = DecisionMaker(company=company, contact=contact, **data)
    return _DECISION_MAKER_HISTORY.create(dm, actor=actor, objects=_decision_maker_refs(dm))


@transaction.atomic
def decision_maker_update(
    *, actor: User | None, decision_maker: DecisionMaker, **fields: Unpack[DecisionMakerChanges]
) -> DecisionMaker:
    require_writable_company(actor, decision_maker.company)

    def apply(dm: DecisionMaker) -> None:
        assign(dm, _clean_decision_maker({**_DECISION_MAKER_HISTORY.stored(dm), **fields}))

    return _DECISION_MAKER_HISTORY.update(
        decision_maker,
        fields,
        apply,
        actor=actor,
        payload=lambda dm: {"subject": dm.contact.full_name},
        objects=_decision_maker_refs,
    )


@transaction.atomic
def decision_maker_remove(*, actor: User | None, decision_maker: DecisionMaker) -> None:
    """The contact stays; only their decision-maker role goes (the event keeps the profile)."""
    require_writable_company(actor, decision_maker.company)
    event_append_for(
        decision_maker,
        activity=events.DECISION_MAKER_REMOVED,
        actor=actor,
        payload={"before": _DECISION_MAKER_HISTORY.snapshot(decision_maker)},
        objects=_decision_maker_refs(decision_maker),
    )
    decision_maker.delete()
