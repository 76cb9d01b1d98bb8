"""Readers of the client base; each takes the acting user and applies record scoping."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from typing import Any, TypeVar

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import SALES_ROLES, Team, User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.accounts.selectors import responsible_filter
from greenwave.core.case_access import title_links
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import DomainError
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.models import Event, EventObject
from greenwave.core.money import Money
from greenwave.core.search import SearchHit, SearchTerm, search_hits
from greenwave.core.selectors import event_list_for_object, row_get, row_visible

from . import events
from .models import (
    ClientProfile,
    Company,
    CompanySize,
    Competitor,
    CompetitorPresence,
    Contact,
    CustomField,
    DecisionMaker,
    Gender,
    ImportJob,
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
from .requisites import format_phone, normalize_email, normalize_inn, normalize_phone


def _visible_companies(actor: User, *, deleted: bool = False) -> QuerySet[Company]:
    """Live companies the actor may see (a merged-away company is a tombstone, not a client);
    `deleted=True` gives the soft-deleted ones instead (to restore them)."""
    live = Company.objects.filter(merged_into__isnull=True, is_deleted=deleted)
    return scope_records(live, actor=actor)


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


def _team_choices(actor: User) -> list[tuple[str, str]]:
    teams = visible_team_ids(actor)
    qs = Team.objects.all() if teams is None else Team.objects.filter(pk__in=teams)
    return [(str(pk), name) for pk, name in qs.values_list("pk", "name")]


COMPANY_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("updated", _("Updated"), ("updated_at",)),
        SortSpec("region", _("Region"), ("region", "name")),
        # `responsible__last_name` copied onto the row (kept by triggers, see the model): the
        # same order, read from `crm_company_resp_sort_idx` instead of a join sorting all rows.
        SortSpec("responsible", _("Responsible"), ("responsible_last_name", "name")),
    ),
    default_sort="name",
    filters=(
        choice_filter("segment", _("Segment"), Segment),
        FilterSpec("region", _("Region"), "region", choices=_distinct_choices("region")),
        FilterSpec("industry", _("Industry"), "industry", choices=_distinct_choices("industry")),
        choice_filter("size", _("Size"), CompanySize),
        choice_filter("source", _("Source"), Source),
        responsible_filter(),
        FilterSpec("team", _("Team"), "team_id", kind="int", choices=_team_choices),
        FilterSpec("tag", _("Tag"), "search_text", kind="text"),
        FilterSpec("inn", _("INN"), "inn", kind="text"),
    ),
)

CONTACT_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Full name"), ("full_name",)),
        # `company__name` copied onto the row (kept by triggers), as `responsible_last_name`.
        SortSpec("company", _("Company"), ("company_name", "full_name")),
        SortSpec("created", _("Created"), ("created_at",)),
    ),
    default_sort="name",
    filters=(
        FilterSpec("company", _("Company"), "company_id", kind="int"),
        choice_filter("gender", _("Gender"), Gender),
        FilterSpec("mailing_consent", _("Consent to mailings"), "mailing_consent", kind="bool"),
        responsible_filter(),
    ),
)


def fold_query(query: ListQuery, *names: str) -> ListQuery:
    """Lower-case the search and text filters the way `search_text` is stored."""

    def fold(value: str) -> str:
        return value.lower().replace("ё", "е")

    filters = {k: fold(v) if k in names else v for k, v in query.filters.items()}
    return replace(query, q=fold(query.q), filters=filters)


def company_list(
    *, actor: User, query: ListQuery | None = None, deleted: bool = False
) -> QuerySet[Company]:
    qs = _visible_companies(actor, deleted=deleted)
    if query is not None:
        qs = apply_list_query(qs, COMPANY_LIST_SPEC, fold_query(query, "tag"))
    return qs.select_related("responsible", "team")


# What an API page shows of a joined row: the user's name, the team's and the client's name —
# not the whole row (a user's password hash, a client's custom fields and search text).
USER_REF_COLUMNS = ("id", "first_name", "last_name", "username")


def _api_columns(model: type[Company | Contact]) -> Iterator[str]:
    """The columns of a row an API page shows: all but the lower-cased `search_text`."""
    return (f.name for f in model._meta.concrete_fields if f.name != "search_text")


def company_api_list(*, actor: User, deleted: bool = False) -> QuerySet[Company]:
    """`company_list` with the columns `CompanyOut` shows (the list query applied by the API)."""
    return (
        company_list(actor=actor, deleted=deleted)
        .defer("search_text")
        .only(
            *_api_columns(Company),
            *(f"responsible__{c}" for c in USER_REF_COLUMNS),
            "team__id",
            "team__name",
        )
    )


def company_get(*, actor: User, pk: int, deleted: bool = False) -> Company:
    rows = company_list(actor=actor, deleted=deleted).prefetch_related(
        Prefetch(
            "contacts",
            queryset=Contact.objects.filter(is_deleted=False).order_by("full_name", "pk"),
        ),
        Prefetch(
            "decision_makers",
            queryset=DecisionMaker.objects.select_related("contact").order_by(
                "-influence_level", "pk"
            ),
        ),
    )
    return row_get(rows, pk, _("Company not found."))


def company_history(*, actor: User, company: Company) -> QuerySet[Event]:
    """The company's timeline: its own events and those of its contacts and decision makers.

    The caller got `company` from `company_get`, so it is visible to the actor.
    """
    return event_list_for_object(object_type=Company.EVENT_CASE_TYPE, object_id=company.pk)


def contact_list(
    *, actor: User, query: ListQuery | None = None, deleted: bool = False
) -> QuerySet[Contact]:
    qs = scope_records(Contact.objects.filter(is_deleted=deleted), actor=actor)
    if query is not None:
        qs = apply_list_query(qs, CONTACT_LIST_SPEC, fold_query(query))
    return qs.select_related("company", "responsible")


def contact_api_list(*, actor: User, deleted: bool = False) -> QuerySet[Contact]:
    """`contact_list` with the columns `ContactOut` shows (the list query applied by the API)."""
    return contact_list(actor=actor, deleted=deleted).only(
        *_api_columns(Contact),
        "company__id",
        "company__name",
        *(f"responsible__{c}" for c in USER_REF_COLUMNS),
    )


# The columns a client's main contact shows (the portfolio): not the notes or search text.
_MAIN_CONTACT_COLUMNS = (
    "id",
    "company_id",
    "full_name",
    "position",
    "gender",
    "birthday",
    "emails",
    "phones",
)
_IDS_PER_QUERY = 2000


def company_main_contacts(*, actor: User, company_ids: Sequence[int]) -> dict[int, Contact]:
    """Each client's main contact person among the live contacts the actor may see: the
    decision maker of the greatest influence (at a client whose card the actor sees), else
    the client's first contact. The contact carries `recorded_age`, the decision maker's
    typed age (None for a plain contact). Clients without a visible contact are left out.
    One query per 2000 clients."""
    found: dict[int, Contact] = {}
    # A decision maker is a contact of that very company (`decision_maker_add`), one row per
    # pair: the contact's own row says how much it weighs.
    role = DecisionMaker.objects.filter(
        contact=OuterRef("pk"),
        company=OuterRef("company_id"),
        company__in=_visible_companies(actor).values("pk"),
    ).order_by()
    for start in range(0, len(company_ids), _IDS_PER_QUERY):
        contacts = (
            contact_list(actor=actor)
            .select_related(None)
            .filter(company_id__in=company_ids[start : start + _IDS_PER_QUERY])
            .annotate(
                influence=Subquery(role.values("influence_level")[:1]),
                recorded_age=Subquery(role.values("age")[:1]),
            )
            .order_by("company_id", F("influence").desc(nulls_last=True), "created_at", "pk")
            .only(*_MAIN_CONTACT_COLUMNS)
        )
        for contact in contacts:
            if contact.company_id is not None:
                found.setdefault(contact.company_id, contact)
    return found


def contact_holding(
    *, actor: User, company: Company | None, phone: str = "", email: str = ""
) -> Contact | None:
    """The oldest live contact the actor sees at `company` (None: among the contacts without
    one) whose phones hold `phone` or whose e-mails hold `email` (both as cleaned): a person
    the base already has, to link rather than repeat (a lead's conversion)."""
    wanted = Q()
    for value in (phone, email):
        if value:  # the haystack narrows the rows; the lists themselves decide
            wanted |= Q(search_text__contains=value.lower())
    if not wanted:
        return None
    rows = contact_list(actor=actor).filter(wanted, company=company).order_by("pk")
    for contact in rows[:50]:
        emails = {e.lower() for e in contact.emails}
        if (phone and phone in contact.phones) or (email and email.lower() in emails):
            return contact
    return None


def contact_get(*, actor: User, pk: int, deleted: bool = False) -> Contact:
    rows = contact_list(actor=actor, deleted=deleted).prefetch_related(
        Prefetch("decision_roles", queryset=DecisionMaker.objects.select_related("company"))
    )
    return row_get(rows, pk, _("Contact not found."))


def contact_history(*, actor: User, contact: Contact) -> QuerySet[Event]:
    return event_list_for_object(object_type=Contact.EVENT_CASE_TYPE, object_id=contact.pk)


def decision_maker_get(*, actor: User, pk: int) -> DecisionMaker:
    qs = scope_records(
        DecisionMaker.objects.select_related("company", "contact"),
        actor=actor,
        owner_field="company__responsible",
        team_field="company__team",
    )
    return row_get(qs, pk, _("Decision maker not found."))


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


SIMILAR_NAME_RATIO = 0.8


def _similar_names(actor: User, name_value: str, limit: int) -> list[Company]:
    """Companies whose name without legal form reads almost the same («Ромашка» ~ «Ромашкa+»).

    The database narrows candidates by a word stem; difflib decides on the few left."""
    stems = [word[:5] for word in name_value.split() if len(word) >= 3]
    if not stems:
        return []
    condition = Q()
    for stem in stems:
        condition |= Q(search_text__contains=stem)
    candidates = company_list(actor=actor).filter(condition)[:300]
    return [
        company
        for company in candidates
        if SequenceMatcher(None, normalized_company_name(company.name), name_value).ratio()
        >= SIMILAR_NAME_RATIO
    ][:limit]


def company_find_duplicates(
    *,
    actor: User,
    inn: str = "",
    phone: str = "",
    email: str = "",
    name: str = "",
    exclude_pk: int | None = None,
    limit: int = 20,
) -> list[DuplicateMatch]:
    """Visible companies that look like the one described: the same INN, a phone or an e-mail
    of the company or of one of its contacts, or a similar name (legal form ignored)."""
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
    matches: dict[int, DuplicateMatch] = {}

    def add(company: Company, reason: str) -> None:
        if company.pk != exclude_pk:
            match = matches.setdefault(company.pk, DuplicateMatch(company))
            if reason not in match.reasons:
                match.reasons.append(reason)

    for reason, condition in conditions:
        for company in company_list(actor=actor).filter(condition).distinct()[:limit]:
            add(company, reason)
    name_value = normalized_company_name(name)
    if name_value:
        for company in _similar_names(actor, name_value, limit + 1):
            add(company, "name")
    return list(matches.values())[:limit]


def company_duplicates_of(*, actor: User, company: Company) -> list[DuplicateMatch]:
    """Other visible companies that look like this one (the card offers to merge them)."""
    return company_find_duplicates(
        actor=actor,
        inn=company.inn,
        phone=company.phone,
        email=company.email,
        name=company.name,
        exclude_pk=company.pk,
        limit=10,
    )


def company_merged_target(*, actor: User, pk: int) -> Company | None:
    """Where a merged-away company went, if the actor may see it (old links keep working)."""
    merged = Company.objects.filter(pk=pk, merged_into__isnull=False).first()
    seen: set[int] = set()
    while merged is not None and merged.merged_into_id is not None and merged.pk not in seen:
        seen.add(merged.pk)
        merged = Company.objects.filter(pk=merged.merged_into_id).first()
    if merged is None or not _visible_companies(actor).filter(pk=merged.pk).exists():
        return None
    return merged


@dataclass(frozen=True)
class CompanyHandover:
    """What a former responsible may still learn of a client handed to someone else: its
    name, who holds it now and since when (nothing they did not know before but the holder)."""

    name: str
    holder: User | None
    team: Team | None
    since: Any


def company_handed_over(*, actor: User, pk: int) -> CompanyHandover | None:
    """The handover of a live client the actor no longer sees but once was responsible for
    (a hunter after the handoff to a farmer); None for anyone else, who learns nothing."""
    live = Company.objects.filter(pk=pk, merged_into__isnull=True, is_deleted=False)
    company = live.select_related("responsible", "team").first()
    if company is None or _visible_companies(actor).filter(pk=pk).exists():
        return None
    handed = (
        EventObject.objects.filter(
            event__case_type=Company.EVENT_CASE_TYPE,
            event__case_id=str(pk),
            event__activity=events.COMPANY_REASSIGNED,
            object_type=User.EVENT_CASE_TYPE,
            object_id=str(actor.pk),
            qualifier="previous_responsible",
        )
        .order_by("-event__timestamp")
        .values_list("event__timestamp", flat=True)
        .first()
    )
    if handed is None:
        return None
    return CompanyHandover(company.name, company.responsible, company.team, handed)


# --- Client profile and competitors -------------------------------------------------------


def client_profile_of(*, actor: User, company: Company) -> ClientProfile | None:
    """The company's profile, if anyone filled it. `company` comes from `company_get`."""
    return ClientProfile.objects.filter(company=company).first()


def company_competitors(*, actor: User, company: Company) -> QuerySet[CompetitorPresence]:
    return CompetitorPresence.objects.filter(company=company).select_related("competitor")


COMPETITOR_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("clients", _("Clients"), ("client_count",)),
        SortSpec("updated", _("Updated"), ("updated_at",)),
    ),
    default_sort="name",
    filters=(choice_filter("price_level", _("Price level"), PriceLevel),),
)


def competitor_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Competitor]:
    """The shared competitor portfolio; the client count only counts clients the actor sees."""
    visible = _visible_companies(actor).values("pk")
    qs = Competitor.objects.annotate(
        client_count=Count("presence", filter=Q(presence__company__in=visible), distinct=True)
    )
    if query is not None:
        qs = apply_list_query(qs, COMPETITOR_LIST_SPEC, fold_query(query))
    return qs


def competitor_get(*, actor: User, pk: int) -> Competitor:
    return row_get(competitor_list(actor=actor), pk, _("Competitor not found."))


def competitor_clients(*, actor: User, competitor: Competitor) -> QuerySet[CompetitorPresence]:
    """Where the competitor is present, among the clients the actor may see."""
    return (
        CompetitorPresence.objects.filter(
            competitor=competitor, company__in=_visible_companies(actor).values("pk")
        )
        .select_related("company", "company__responsible")
        .order_by("company__name")
    )


def competitor_history(*, actor: User, competitor: Competitor) -> QuerySet[Event]:
    """The competitor's timeline without the events about clients the actor does not see:
    the portfolio is shared, but "noted at <client>" names another team's client."""
    visible = scope_records(Company.objects.all(), actor=actor).annotate(
        key=Cast("pk", output_field=CharField())
    )
    hidden_client = EventObject.objects.filter(
        event=OuterRef("pk"), object_type=Company.EVENT_CASE_TYPE
    ).exclude(object_id__in=visible.values("key"))
    return event_list_for_object(
        object_type=Competitor.EVENT_CASE_TYPE, object_id=competitor.pk
    ).filter(~Exists(hidden_client))


# --- Products and price lists -------------------------------------------------------------


def _group_choices(actor: User) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in ProductGroup.objects.values_list("pk", "name")]


PRODUCT_LIST_SPEC = ListSpec(
    search_fields=("search_text",),
    sorts=(
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("sku", _("Article"), ("sku",)),
        SortSpec("group", _("Group"), ("group__name", "name")),
    ),
    default_sort="name",
    filters=(
        FilterSpec("group", _("Group"), "group_id", kind="int", choices=_group_choices),
        choice_filter("vat_rate", _("VAT rate"), VatRate),
        choice_filter("unit", _("Unit"), Unit),
        FilterSpec("active", _("On sale"), "is_active", kind="bool"),
    ),
)

PRICE_LIST_SPEC = ListSpec(
    search_fields=("name",),
    sorts=(SortSpec("kind", _("Kind"), ("kind", "level", "name")),),
    default_sort="kind",
    filters=(
        choice_filter("kind", _("Kind"), PriceListKind),
        FilterSpec("active", _("Active"), "is_active", kind="bool"),
    ),
)


def product_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Product]:
    """The catalogue is shared by everyone who sells."""
    qs = Product.objects.all()
    if query is not None:
        qs = apply_list_query(qs, PRODUCT_LIST_SPEC, fold_query(query))
    return qs.select_related("group")


def product_get(*, actor: User, pk: int) -> Product:
    return row_get(product_list(actor=actor), pk, _("Product not found."))


def product_group_list(*, actor: User) -> QuerySet[ProductGroup]:
    return ProductGroup.objects.select_related("parent").annotate(product_count=Count("products"))


def price_list_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[PriceList]:
    qs = PriceList.objects.annotate(price_count=Count("prices"))
    qs = apply_list_query(qs, PRICE_LIST_SPEC, query)
    return qs


def price_list_get(*, actor: User, pk: int) -> PriceList:
    return row_get(price_list_list(actor=actor), pk, _("Price list not found."))


def discount_price_lists(*, actor: User) -> QuerySet[PriceList]:
    """The five lists a head of sales chooses from on a price objection, by level."""
    return PriceList.objects.filter(kind=PriceListKind.DISCOUNT, is_active=True).order_by("level")


def price_list_products(
    *, actor: User, price_list: PriceList, query: ListQuery | None = None
) -> QuerySet[Product]:
    """Products with their price in this list (`price_amount`, None when not priced)."""
    amount = Price.objects.filter(price_list=price_list, product=OuterRef("pk")).values("amount")
    return product_list(actor=actor, query=query).annotate(price_amount=Subquery(amount[:1]))


def price_list_prices(*, actor: User, price_list: PriceList) -> QuerySet[Price]:
    return (
        Price.objects.filter(price_list=price_list)
        .select_related("product")
        .order_by("product__name", "pk")
    )


def price_of(*, product: Product, price_list: PriceList) -> Money | None:
    """The product's price in the list, or None if the list does not price it."""
    row = Price.objects.filter(price_list=price_list, product=product).values("amount").first()
    return Money.of(row["amount"], price_list.currency) if row else None


# --- Import jobs and exports --------------------------------------------------------------


def import_list(*, actor: User) -> QuerySet[ImportJob]:
    """The actor's own imports (an administrator sees everyone's), newest first."""
    qs = ImportJob.objects.select_related("created_by", "responsible").defer(*_IMPORT_BYTES)
    if not actor.is_greenwave_admin:
        qs = qs.filter(created_by=actor)
    return qs.order_by("-created_at", "-pk")


# The file and the dry run's packed rows (up to 20 MB each) are the worker's: a page that
# shows a job, or polls its progress, never reads them (~45 ms a read of a 1.5 MB file).
_IMPORT_BYTES = ("content", "checked_rows")


def import_get(*, actor: User, pk: int) -> ImportJob:
    """The job as its page and the API show it, without the file's bytes (`_IMPORT_BYTES`)."""
    qs = ImportJob.objects.select_related("created_by", "responsible").defer(*_IMPORT_BYTES)
    if not actor.is_greenwave_admin:
        qs = qs.filter(created_by=actor)
    return row_get(qs, pk, _("Import not found."))


_R = TypeVar("_R", Company, Contact)


def _label(enum: Any, value: str) -> str:
    return str(enum(value).label) if value in enum.values else value


def _export_table(
    labels: Sequence[Any], records: QuerySet[_R], row: Callable[[_R], list[Any]]
) -> tuple[list[str], Iterator[list[Any]]]:
    """Column titles as text, and the rows read in chunks: an export of any size streams."""
    headers = [str(label) for label in labels]
    return headers, (row(record) for record in records.iterator(chunk_size=1000))


def _company_export_row(c: Company) -> list[Any]:
    return [
        c.name,
        c.inn,
        c.kpp,
        c.ogrn,
        c.legal_address,
        c.actual_address,
        c.region,
        c.industry,
        _label(CompanySize, c.size),
        _label(Source, c.source),
        _label(Segment, c.segment),
        c.phone,
        c.email,
        c.website,
        ", ".join(c.tags),
        str(c.responsible),
        c.team.name if c.team else "",
    ]


def company_export_rows(*, actor: User, query: ListQuery) -> tuple[list[str], Iterator[list[Any]]]:
    """The filtered company list as table rows; the columns read back by the import."""
    labels = (
        _("Name"),
        _("INN"),
        _("KPP"),
        _("OGRN/OGRNIP"),
        _("Legal address"),
        _("Actual address"),
        _("Region"),
        _("Industry"),
        _("Size"),
        _("Source"),
        _("Segment"),
        _("Phone"),
        _("E-mail"),
        _("Website"),
        _("Tags"),
        _("Responsible"),
        _("Team"),
    )
    return _export_table(labels, company_list(actor=actor, query=query), _company_export_row)


def _contact_export_row(c: Contact) -> list[Any]:
    return [
        c.full_name,
        c.position,
        ", ".join(c.phones),
        ", ".join(c.emails),
        c.birthday.strftime("%d.%m.%Y") if c.birthday else "",
        _label(Gender, c.gender),
        str(_("yes") if c.mailing_consent else _("no")),
        c.company.inn if c.company else "",
        c.company.name if c.company else "",
        c.notes,
    ]


def contact_export_rows(*, actor: User, query: ListQuery) -> tuple[list[str], Iterator[list[Any]]]:
    labels = (
        _("Full name"),
        _("Position"),
        _("Phones"),
        _("E-mails"),
        _("Birthday"),
        _("Gender"),
        _("Consent to mailings"),
        _("Company INN"),
        _("Company"),
        _("Notes"),
    )
    return _export_table(labels, contact_list(actor=actor, query=query), _contact_export_row)


def company_visible(actor: User, case_id: str) -> bool:
    """For the event log API: may the actor read this client's history?"""
    return row_visible(case_id, company_list, actor)


def contact_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, contact_list, actor)


# --- the global search (registered with core.search in CrmConfig.ready) -----------------------


def _search_condition(term: SearchTerm) -> Q:
    """Words, INN, phone and e-mail all live in the lower-cased `search_text`; the full INN
    and the full e-mail also hit their own indexed columns."""
    condition = Q(search_text__contains=term.text)
    if term.phone:
        condition |= Q(search_text__contains=term.phone)
    return condition


def company_search(actor: User, term: SearchTerm, limit: int) -> list[SearchHit]:
    condition = _search_condition(term)
    if term.inn:
        condition |= Q(inn=term.inn)
    if term.email:
        condition |= Q(email=term.email)
    rows = (
        _visible_companies(actor)
        .filter(condition)
        .order_by("name", "pk")
        .values_list("pk", "name", "inn", "phone")[:limit]
    )

    def subtitle(inn: str, phone: str) -> str:
        return " · ".join(
            part for part in (f"{_('INN')} {inn}" if inn else "", format_phone(phone)) if part
        )

    return search_hits("company", "crm:company_detail", rows, subtitle)


def contact_search(actor: User, term: SearchTerm, limit: int) -> list[SearchHit]:
    rows = (
        scope_records(Contact.objects.filter(is_deleted=False), actor=actor)
        .filter(_search_condition(term))
        .order_by("full_name", "pk")
        .values_list("pk", "full_name", "position", "company__name")[:limit]
    )

    def subtitle(position: str, company_name: str | None) -> str:
        return " · ".join(part for part in (company_name, position) if part)

    return search_hits("contact", "crm:contact_detail", rows, subtitle)


# Who works the client base (the quick «+» offers «Company» to them): the sales roles.
CLIENT_ROLES = SALES_ROLES


def may_create_clients(actor: User) -> bool:
    return actor.is_greenwave_admin or actor.has_role(*CLIENT_ROLES)


def custom_field_list() -> QuerySet[CustomField]:
    """The company card's custom fields in their order (settings, not records: not scoped)."""
    return CustomField.objects.order_by("order", "pk")


def company_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Names and URLs of clients (for `core.case_access.case_links`)."""
    return title_links(Company, ids, title="name", url_name="crm:company_detail")


def contact_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    return title_links(Contact, ids, title="full_name", url_name="crm:contact_detail")
