"""Readers of the client base; each takes the acting user and applies record scoping."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import scope_records, scope_users, visible_team_ids
from greenwave.core.errors import DomainError, not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.models import Event
from greenwave.core.selectors import event_list_for_object

from .models import Company, CompanySize, Contact, DecisionMaker, Gender, Segment, Source
from .requisites import normalize_email, normalize_inn, normalize_phone


def _visible_companies(actor: User) -> QuerySet[Company]:
    return scope_records(Company.objects.all(), actor=actor)


def _distinct_choices(field_name: str) -> Any:
    def choices(actor: User) -> list[tuple[str, str]]:
        values = (
            _visible_companies(actor)
            .exclude(**{field_name: ""})
            .order_by(field_name)
            .values_list(field_name, flat=True)
            .distinct()
        )
        return [(v, v) for v in values]

    return choices


def _responsible_choices(actor: User) -> list[tuple[str, str]]:
    users = scope_users(User.objects.filter(is_active=True), actor=actor)
    return [(str(u.pk), str(u)) for u in users.only("pk", "first_name", "last_name", "username")]


def _team_choices(actor: User) -> list[tuple[str, str]]:
    teams = visible_team_ids(actor)
    qs = Team.objects.all() if teams is None else Team.objects.filter(pk__in=teams)
    return [(str(pk), name) for pk, name in qs.values_list("pk", "name")]


def _enum_choices(enum: Any) -> Any:
    def choices(actor: User) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in enum.choices]

    return choices


COMPANY_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("updated", _("Updated"), ("updated_at",)),
        SortSpec("region", _("Region"), ("region", "name")),
        SortSpec("responsible", _("Responsible"), ("responsible__last_name", "name")),
    ),
    default_sort="name",
    filters=(
        FilterSpec("segment", _("Segment"), "segment", choices=_enum_choices(Segment)),
        FilterSpec("region", _("Region"), "region", choices=_distinct_choices("region")),
        FilterSpec("industry", _("Industry"), "industry", choices=_distinct_choices("industry")),
        FilterSpec("size", _("Size"), "size", choices=_enum_choices(CompanySize)),
        FilterSpec("source", _("Source"), "source", choices=_enum_choices(Source)),
        FilterSpec("responsible", _("Responsible"), "responsible_id", choices=_responsible_choices),
        FilterSpec("team", _("Team"), "team_id", choices=_team_choices),
        FilterSpec("tag", _("Tag"), "search_text", kind="text"),
        FilterSpec("inn", _("INN"), "inn", kind="text"),
    ),
)

CONTACT_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Full name"), ("full_name",)),
        SortSpec("company", _("Company"), ("company__name", "full_name")),
        SortSpec("created", _("Created"), ("created_at",)),
    ),
    default_sort="name",
    filters=(
        FilterSpec("company", _("Company"), "company_id", kind="int"),
        FilterSpec("gender", _("Gender"), "gender", choices=_enum_choices(Gender)),
        FilterSpec("mailing_consent", _("Consent to mailings"), "mailing_consent", kind="bool"),
        FilterSpec("responsible", _("Responsible"), "responsible_id", choices=_responsible_choices),
    ),
)


def fold_query(query: ListQuery, *names: str) -> ListQuery:
    """Lower-case the search and text filters the way `search_text` is stored."""

    def fold(value: str) -> str:
        return value.lower().replace("ё", "е")

    filters = {k: fold(v) if k in names else v for k, v in query.filters.items()}
    return replace(query, q=fold(query.q), filters=filters)


def company_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Company]:
    qs = _visible_companies(actor)
    if query is not None:
        qs = apply_list_query(qs, COMPANY_LIST_SPEC, fold_query(query, "tag"))
    return qs.select_related("responsible", "team")


def company_get(*, actor: User, pk: int) -> Company:
    company = (
        company_list(actor=actor)
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.order_by("full_name", "pk")),
            Prefetch(
                "decision_makers",
                queryset=DecisionMaker.objects.select_related("contact").order_by(
                    "-influence_level", "pk"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if company is None:
        raise not_found(_("Company not found."))
    return company


def company_history(*, actor: User, company: Company) -> QuerySet[Event]:
    """The company's timeline: its own events and those of its contacts and decision makers.

    The caller got `company` from `company_get`, so it is visible to the actor.
    """
    return event_list_for_object(object_type=Company.EVENT_CASE_TYPE, object_id=company.pk)


def contact_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Contact]:
    qs = scope_records(Contact.objects.all(), actor=actor)
    if query is not None:
        qs = apply_list_query(qs, CONTACT_LIST_SPEC, fold_query(query))
    return qs.select_related("company", "responsible")


def contact_get(*, actor: User, pk: int) -> Contact:
    contact = (
        contact_list(actor=actor)
        .prefetch_related(
            Prefetch("decision_roles", queryset=DecisionMaker.objects.select_related("company"))
        )
        .filter(pk=pk)
        .first()
    )
    if contact is None:
        raise not_found(_("Contact not found."))
    return contact


def contact_history(*, actor: User, contact: Contact) -> QuerySet[Event]:
    return event_list_for_object(object_type=Contact.EVENT_CASE_TYPE, object_id=contact.pk)


def decision_maker_get(*, actor: User, pk: int) -> DecisionMaker:
    qs = scope_records(
        DecisionMaker.objects.select_related("company", "contact"),
        actor=actor,
        owner_field="company__responsible",
        team_field="company__team",
    )
    dm = qs.filter(pk=pk).first()
    if dm is None:
        raise not_found(_("Decision maker not found."))
    return dm


@dataclass
class DuplicateMatch:
    """A visible company that looks like the one being entered, and why."""

    company: Company
    reasons: list[str] = field(default_factory=list)


_LEGAL_FORMS = re.compile(r"\b(ооо|оао|зао|пао|ао|ип|нко|гуп|муп| llc|ltd|inc)\b")


def normalized_company_name(name: str) -> str:
    """«ООО "Ромашка"» and «Ромашка, ООО» both become «ромашка»."""
    text = name.lower().replace("ё", "е")
    text = re.sub(r"[«»\"'`.,()]", " ", text)
    return " ".join(_LEGAL_FORMS.sub(" ", text).split())


def _safe(normalize: Any, value: str) -> str:
    try:
        return str(normalize(value))
    except DomainError:
        return ""


def company_find_duplicates(
    *, actor: User, inn: str = "", phone: str = "", email: str = "", name: str = ""
) -> list[DuplicateMatch]:
    """Visible companies sharing the INN, a phone or an e-mail (of the company or a contact),
    or the name without its legal form."""
    conditions: list[tuple[str, Q]] = []
    inn_value = _safe(normalize_inn, inn)
    if inn_value:
        conditions.append(("inn", Q(inn=inn_value)))
    phone_value = _safe(normalize_phone, phone)
    if phone_value:
        conditions.append(
            ("phone", Q(phone=phone_value) | Q(contacts__search_text__contains=phone_value))
        )
    email_value = _safe(normalize_email, email)
    if email_value:
        conditions.append(
            ("email", Q(email=email_value) | Q(contacts__search_text__contains=email_value))
        )
    name_value = normalized_company_name(name)
    if name_value:
        conditions.append(("name", Q(search_text__contains=name_value)))
    matches: dict[int, DuplicateMatch] = {}
    for reason, condition in conditions:
        for company in company_list(actor=actor).filter(condition).distinct()[:20]:
            if reason == "name" and normalized_company_name(company.name) != name_value:
                continue
            matches.setdefault(company.pk, DuplicateMatch(company)).reasons.append(reason)
    return list(matches.values())
