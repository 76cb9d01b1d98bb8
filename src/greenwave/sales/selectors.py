"""Readers of the sales app: pipelines, the kanban board, deals, leads; all scoped."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models import Field as DbField
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.accounts import scope_cache
from greenwave.accounts.models import SALES_ROLES, RoleCode, Team, User
from greenwave.accounts.scoping import scope_records
from greenwave.accounts.selectors import responsible_filter
from greenwave.core.case_access import title_links
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import DomainError
from greenwave.core.listing import (
    FilterSpec,
    ListQuery,
    ListSpec,
    SortSpec,
    apply_list_query,
    page_window,
)
from greenwave.core.models import Event, EventObject
from greenwave.core.search import SearchHit, SearchTerm, search_hits
from greenwave.core.selectors import row_get, row_visible
from greenwave.crm import selectors as crm_selectors
from greenwave.crm.models import Company, Contact, Product
from greenwave.crm.requisites import normalize_email, normalize_phone

from .models import (
    CloserHandoff,
    Deal,
    DealItem,
    DealStatus,
    DisqualificationReason,
    Lead,
    LeadCategory,
    LeadRating,
    LeadSource,
    LeadStatus,
    LossReason,
    Pipeline,
    SalesSettings,
    Stage,
    bilingual_label,
    line_total,
    stuck_in_stage,
)


def _pipeline_choices(actor: Any) -> list[tuple[str, str]]:
    return [(str(p.pk), p.label) for p in Pipeline.objects.filter(is_active=True)]


def _stage_choices(actor: Any) -> list[tuple[str, str]]:
    return [
        (str(s.pk), f"{s.pipeline.label}: {s.label}")
        for s in Stage.objects.select_related("pipeline").order_by("pipeline__order", "order")
    ]


def _product_choices(actor: Any) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Product.objects.values_list("pk", "name")]


def _team_choices(actor: Any) -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Team.objects.values_list("pk", "name")]


DEAL_FILTERS = (
    FilterSpec("pipeline", _("Pipeline"), "pipeline_id", kind="int", choices=_pipeline_choices),
    FilterSpec("stage", _("Stage"), "stage_id", kind="int", choices=_stage_choices),
    choice_filter("status", _("Status"), DealStatus),
    responsible_filter(),
    FilterSpec("team", _("Team"), "team_id", kind="int", choices=_team_choices),
    FilterSpec("product", _("Product"), "items__product_id", kind="int", choices=_product_choices),
    FilterSpec("created_from", _("Created from"), "created_at__date", kind="date_from"),
    FilterSpec("created_to", _("Created to"), "created_at__date", kind="date_to"),
    FilterSpec("closed_from", _("Closed from"), "closed_at__date", kind="date_from"),
    FilterSpec("closed_to", _("Closed to"), "closed_at__date", kind="date_to"),
    # Open and in the stage longer than its expected duration (`_with_stuck`: no column).
    FilterSpec("stuck", _("Stuck in the stage"), "stuck", kind="bool"),
)

DEAL_LIST_SPEC = ListSpec(
    search_fields=("title", "description", "company__search_text"),
    sorts=(
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("amount", _("Amount"), ("amount",)),
        SortSpec("close_date", _("Expected close"), ("expected_close_date",)),
        SortSpec("title", _("Title"), ("title",)),
    ),
    default_sort="-created",
    filters=DEAL_FILTERS,
)

LEAD_LIST_SPEC = ListSpec(
    search_fields=("title", "contact_name", "company_name", "phone", "email", "inn"),
    sorts=(
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("title", _("Title"), ("title",)),
        # The likeliest first, the leads not estimated yet (NULL) last on both databases.
        SortSpec(
            "probability",
            _("Likeliest to close"),
            (F("close_probability").desc(nulls_last=True), "-created_at"),
            reversible=False,
        ),
    ),
    default_sort="-created",
    filters=(
        choice_filter("status", _("Status"), LeadStatus),
        choice_filter("source", _("Source"), LeadSource),
        choice_filter("category", _("Category"), LeadCategory),
        choice_filter("rating", _("Prospect rating"), LeadRating),
        responsible_filter(),
        FilterSpec("utm_campaign", _("Campaign (UTM)"), "utm_campaign", kind="text"),
        FilterSpec("created_from", _("Created from"), "created_at__date", kind="date_from"),
        FilterSpec("created_to", _("Created to"), "created_at__date", kind="date_to"),
    ),
)


def pipeline_list(*, active_only: bool = True) -> QuerySet[Pipeline]:
    qs = Pipeline.objects.prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("order")),
        Prefetch("loss_reasons", queryset=LossReason.objects.filter(is_active=True)),
    )
    return qs.filter(is_active=True) if active_only else qs


def pipeline_get(*, pk: int, with_stages: bool = True) -> Pipeline:
    """A pipeline; `with_stages=False` skips prefetching its stages and loss reasons."""
    qs = pipeline_list(active_only=False) if with_stages else Pipeline.objects.all()
    return row_get(qs, pk, _("Pipeline not found."))


def stage_first(*, pipeline_id: int) -> Stage | None:
    """The first stage of a pipeline with the pipeline joined; None if it has none (or the
    pipeline does not exist)."""
    return (
        Stage.objects.select_related("pipeline")
        .filter(pipeline_id=pipeline_id)
        .order_by("order")
        .first()
    )


FIRST_STAGES = "sales.first_stages"  # the `scope_cache.keep` name of `stage_first_kept`'s rows


def _row(obj: Any) -> tuple[Any, ...]:
    return tuple(getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields)


# Values a kept row may hand to every request as they are: nobody can change them in place.
_IMMUTABLE = (str, int, float, Decimal, date, type(None))  # date: datetimes too


def _of_row(model: Any, row: tuple[Any, ...]) -> Any:
    names = [f.attname for f in model._meta.concrete_fields]
    # Fresh, unshared values: the mutable ones (JSON) copied, the others shared.
    values = [v if isinstance(v, _IMMUTABLE) else copy.deepcopy(v) for v in row]
    return model.from_db("default", names, values)


def stage_first_kept(*, actor: User, pipeline_id: int | None) -> Stage | None:
    """`stage_first` of the pipeline (of the default pipeline for None: `pipeline_default`),
    kept in the process for the caller's scope stamp: a caller's later calls read nothing.

    Every save or delete of a pipeline or stage and every reorder renews all users' stamps
    (`sales.signals`, `services.stage_reorder`), so what is kept never outlives a change
    committed before the caller's token was read. None (not kept) when the pipeline does not
    exist or has no stages: the caller reads it and answers why."""
    kept: dict[int | None, tuple[tuple[Any, ...], tuple[Any, ...]]] = (
        scope_cache.kept(actor, FIRST_STAGES) or {}
    )
    rows = kept.get(pipeline_id)
    if rows is None:
        if pipeline_id is None:
            default = pipeline_default(with_stages=False)
            first = stage_first(pipeline_id=default.pk) if default is not None else None
        else:
            first = stage_first(pipeline_id=pipeline_id)
        if first is None:
            return None
        rows = (_row(first), _row(first.pipeline))
        scope_cache.keep(actor, FIRST_STAGES, {**kept, pipeline_id: rows})
    stage: Stage = _of_row(Stage, rows[0])
    stage.pipeline = _of_row(Pipeline, rows[1])
    return stage


def stage_get(*, pk: int) -> Stage:
    """A stage with its pipeline (the one read of it a stage move makes at the door)."""
    return row_get(Stage.objects.select_related("pipeline"), pk, _("Stage not found."))


def pipeline_default(*, with_stages: bool = True) -> Pipeline | None:
    qs = pipeline_list() if with_stages else Pipeline.objects.filter(is_active=True)
    return qs.order_by("-is_default", "order").first()


# Every reader of a deal shows its stage and loss reason: joined; its contacts and lines come
# as lists (`contact_list`, `lines`: no queryset is cloned per deal to read them). Pages also
# show the client, the responsible and the pipeline (`lookups=True`); the team and the hunter
# are read on the deal card only. PostgreSQL's planning time grows steeply with the joins: 30
# ms for all seven against under 1 ms to run the page query; 3 ms for five, 0.2 ms for two.
DEAL_JOINS = ("stage", "lost_reason")
DEAL_PAGE_JOINS = ("company", "responsible", "pipeline")


def _with_stuck(qs: QuerySet[Deal], query: ListQuery) -> tuple[QuerySet[Deal], ListQuery]:
    """The `stuck` filter (the funnel's «stuck» column links here): open deals in their stage
    longer than its expected duration, or (false) all the others; the rest of the query."""
    stuck = query.filters.get("stuck")
    if stuck is None:
        return qs, query
    late = Q(status=DealStatus.OPEN) & stuck_in_stage(timezone.now())
    qs = qs.filter(late) if stuck in {"true", "1"} else qs.exclude(late)
    return qs, replace(query, filters={k: v for k, v in query.filters.items() if k != "stuck"})


def deal_list(
    *, actor: User, query: ListQuery | None = None, lookups: bool = True
) -> QuerySet[Deal]:
    """Visible deals; `lookups=False` (the API) leaves out the client/responsible/pipeline."""
    qs = scope_records(Deal.objects.all(), actor=actor)
    if query is not None:
        qs, query = _with_stuck(qs, query)
        # The product filter is a subquery, not a join: a join through lines would repeat a
        # deal and inflate the board's totals.
        product = query.filters.get("product")
        others = {k: v for k, v in query.filters.items() if k != "product"}
        qs = apply_list_query(qs, DEAL_LIST_SPEC, replace(query, filters=others))
        if product:
            qs = qs.filter(pk__in=DealItem.objects.filter(product_id=product).values("deal_id"))
    joins = (*DEAL_JOINS, *DEAL_PAGE_JOINS) if lookups else DEAL_JOINS
    return qs.select_related(*joins).prefetch_related(
        Prefetch("contacts", Contact.objects.only("pk", "full_name"), to_attr="contact_list"),
        Prefetch("items", DealItem.objects.select_related("product"), to_attr="lines"),
    )


# The columns of an API deal (`DealOut`) that the deal row and its two joins hold.
DEAL_ROW_VALUES = (
    "id",
    "title",
    "pipeline_id",
    "stage_id",
    "stage__name",
    "stage__name_en",
    "status",
    "amount",
    "currency",
    "probability",
    "expected_close_date",
    "company_id",
    "price_list_id",
    "responsible_id",
    "team_id",
    "hunter_id",
    "hunter_share_percent",
    "description",
    "stage_entered_at",
    "lost_reason__name",
    "closed_at",
    "created_at",
    "version",
)


@dataclass(frozen=True)
class RowPage:
    """One page of a list as plain rows (what an API list answers), and the list's count."""

    rows: list[dict[str, Any]]
    count: int | None
    page: int
    page_size: int
    next: int | None


def _field(model: Any, name: str) -> DbField[Any, Any]:
    """A concrete field of a model (typed: `get_field` may also answer relations)."""
    return cast("DbField[Any, Any]", model._meta.get_field(name))


def _contacts_order_sql() -> str:
    """`Contact`'s default ordering as SQL over the alias `c` (plain fields, ascending)."""
    qn = connection.ops.quote_name
    names = [Contact._meta.pk.name if f == "pk" else f for f in Contact._meta.ordering or ()]
    return ", ".join(f"c.{qn(_field(Contact, name).column)}" for name in names)


def _page_contact_ids(ids: list[int]) -> list[tuple[int, int]]:
    """(deal id, contact id) of the deals' contacts in the contacts' default order — the
    prefetch's order — as one plain statement: its text depends only on how many deals a page
    has, so nothing is compiled per request but the placeholders."""
    qn = connection.ops.quote_name
    link = Deal.contacts.through._meta
    deal_col = qn(link.get_field("deal").column)
    contact_col = qn(link.get_field("contact").column)
    sql = (
        f"SELECT l.{deal_col}, l.{contact_col} FROM {qn(link.db_table)} l "  # noqa: S608 -- names from the models, values as parameters
        f"JOIN {qn(Contact._meta.db_table)} c ON c.{qn(Contact._meta.pk.column)} = l.{contact_col} "
        f"WHERE l.{deal_col} IN ({', '.join(['%s'] * len(ids))}) ORDER BY {_contacts_order_sql()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return [(int(deal_id), int(contact_id)) for deal_id, contact_id in cursor.fetchall()]


def _page_lines(ids: list[int]) -> list[tuple[Any, ...]]:
    """(id, deal id, product id, product name, quantity, price) of the deals' lines in the
    lines' order (`DealItem.Meta.ordering`: id), as one plain statement; the values converted
    as the ORM converts the columns' (SQLite gives decimals back as numbers)."""
    qn = connection.ops.quote_name
    item, product = DealItem._meta, Product._meta
    columns = [_field(DealItem, name).get_col("i") for name in ("id", "deal", "product")]
    columns += [_field(Product, "name").get_col("p")]
    columns += [_field(DealItem, name).get_col("i") for name in ("quantity", "price")]
    sql = (
        f"SELECT {', '.join(f'{qn(c.alias)}.{qn(c.target.column)}' for c in columns)} "  # noqa: S608 -- as above
        f"FROM {qn(item.db_table)} i JOIN {qn(product.db_table)} p "
        f"ON p.{qn(product.pk.column)} = i.{qn(item.get_field('product').column)} "
        f"WHERE i.{qn(item.get_field('deal').column)} IN ({', '.join(['%s'] * len(ids))}) "
        f"ORDER BY i.{qn(item.pk.column)}"
    )
    converters = [
        (c, connection.ops.get_db_converters(c) + c.get_db_converters(connection)) for c in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return [
        tuple(
            _converted(value, col, funcs)
            for value, (col, funcs) in zip(row, converters, strict=True)
        )
        for row in rows
    ]


def _converted(value: Any, col: Any, funcs: list[Any]) -> Any:
    for func in funcs:
        value = func(value, col, connection)
    return value


def _deal_page_links(
    ids: list[int],
) -> tuple[dict[int, list[int]], dict[int, list[dict[str, Any]]]]:
    """The contacts' ids (in the contacts' order) and the lines of the page's deals."""
    contacts: dict[int, list[int]] = {pk: [] for pk in ids}
    items: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    if not ids:
        return contacts, items
    for deal_id, contact_id in _page_contact_ids(ids):
        contacts[deal_id].append(contact_id)
    for line_id, deal_id, product_id, product, quantity, price in _page_lines(ids):
        items[deal_id].append(
            {
                "id": line_id,
                "product_id": product_id,
                "product": product,
                "quantity": quantity,
                "price": price,
                "total": line_total(quantity, price),
            }
        )
    return contacts, items


def deal_page_rows(*, actor: User, query: ListQuery) -> RowPage:
    """A page of the visible deals as `DealOut` rows: the same deals, order and fields as
    `deal_list(lookups=False)` through the list query, read as values — no model instances,
    no whole joined rows — with their contacts' ids and their lines in one query each."""
    qs, query = _with_stuck(scope_records(Deal.objects.all(), actor=actor), query)
    qs = apply_list_query(qs, DEAL_LIST_SPEC, query)
    # Counted without the page's joins and columns (`COUNT(*)` over the ids only).
    window = page_window(
        qs.values(*DEAL_ROW_VALUES),
        query,
        count_limit=settings.GREENWAVE_LIST_COUNT_LIMIT,
        counted=qs.values("pk"),
    )
    rows: list[dict[str, Any]] = window.rows
    contacts, items = _deal_page_links([row["id"] for row in rows])
    for row in rows:
        row["stage_name"] = bilingual_label(row.pop("stage__name"), row.pop("stage__name_en"))
        row["lost_reason"] = row.pop("lost_reason__name")
        row["contact_ids"] = contacts[row["id"]]
        row["items"] = items[row["id"]]
    return RowPage(
        rows=rows,
        count=window.count,
        page=query.page,
        page_size=query.page_size,
        next=window.next,
    )


def _contacts_and_lines(deal_pk: int) -> tuple[list[int], list[dict[str, Any]]]:
    """A deal's contacts' ids (in the contacts' order) and its lines as `DealItemOut` rows,
    in one read: the two lists as one union, the lines first (the union's columns take their
    types, so the numbers come back as the lines' columns give them)."""
    columns = ("part", "sort", "ref", "line_product", "line_name", "line_quantity", "line_price")
    lines = (
        DealItem.objects.filter(deal_id=deal_pk)
        .annotate(
            part=Value(0),
            sort=Value("", output_field=CharField()),
            ref=F("pk"),
            line_product=F("product_id"),
            line_name=F("product__name"),
            line_quantity=F("quantity"),
            line_price=F("price"),
        )
        .values(*columns)
        .order_by()  # the union's order is the lines' (SQLite refuses an ordered part)
    )
    contacts = (
        Deal.contacts.through.objects.filter(deal_id=deal_pk)
        .annotate(
            part=Value(1),
            sort=F("contact__full_name"),
            ref=F("contact_id"),
            line_product=Value(None, output_field=IntegerField()),
            line_name=Value(None, output_field=CharField()),
            line_quantity=Value(None, output_field=DecimalField()),
            line_price=Value(None, output_field=DecimalField()),
        )
        .values(*columns)
        .order_by()
    )
    contact_ids: list[int] = []
    items: list[dict[str, Any]] = []
    for row in lines.union(contacts, all=True).order_by("part", "sort", "ref"):
        if row["part"] == 1:
            contact_ids.append(row["ref"])
            continue
        quantity, price = row["line_quantity"], row["line_price"]
        items.append(
            {
                "id": row["ref"],
                "product_id": row["line_product"],
                "product": row["line_name"],
                "quantity": quantity,
                "price": price,
                "total": line_total(quantity, price),
            }
        )
    return contact_ids, items


def deal_written_row(deal: Deal) -> dict[str, Any]:
    """A deal a service has just locked and saved (a stage move), as `DealOut` row: its
    columns from the row in memory, its contacts and lines in one read."""
    row: dict[str, Any] = {
        name: getattr(deal, name) for name in DEAL_ROW_VALUES if "__" not in name
    }
    row["stage_name"] = deal.stage.label
    row["lost_reason"] = deal.lost_reason.name if deal.lost_reason is not None else None
    row["contact_ids"], row["items"] = _contacts_and_lines(deal.pk)
    return row


def deal_get(*, actor: User, pk: int, lookups: bool = True) -> Deal:
    return row_get(deal_list(actor=actor, lookups=lookups), pk, _("Deal not found."))


def _as_stored(value: Decimal, places: int) -> Decimal | None:
    """The decimal as its column gives it back (`10` → `10.00`), or None if it would round."""
    stored = value.quantize(Decimal(1).scaleb(-places))
    return stored if stored == value else None


def deal_created_row(*, deal: Deal, contacts: Sequence[Contact]) -> dict[str, Any] | None:
    """The deal `services.deal_create` has just inserted, as `DealOut` row (the values
    `deal_get(lookups=False)` would read back, `schemas.deal_out_dict` renders it).

    Built from the inserted row, not read back: the creator always sees it (its responsible is
    the creator or a colleague in their write reach, which their read reach contains), it has
    no lines yet, and its stage is the one it was created with. None — read it back — when the
    row in memory could differ from the stored one: several contacts (the database's collation
    orders them) or an amount with more decimal places than the column keeps.
    """
    amount = _as_stored(Decimal(deal.amount), 2)
    share = _as_stored(Decimal(deal.hunter_share_percent), 2)
    if len(contacts) > 1 or amount is None or share is None:
        return None
    row: dict[str, Any] = {name: getattr(deal, name) for name in CREATED_ROW_VALUES}
    row["amount"], row["hunter_share_percent"] = amount, share
    row["stage_name"] = deal.stage.label
    row["lost_reason"] = None
    row["contact_ids"] = [contact.pk for contact in contacts]
    row["items"] = []
    return row


# The columns of `DEAL_ROW_VALUES` a new deal holds in memory (its stage's name is its label).
CREATED_ROW_VALUES = tuple(name for name in DEAL_ROW_VALUES if "__" not in name)


@dataclass
class BoardColumn:
    stage: Stage
    deals: list[Deal] = field(default_factory=list)
    count: int = 0
    total: Decimal = Decimal(0)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]

    @property
    def total(self) -> Decimal:
        return sum((c.total for c in self.columns), Decimal(0))

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns)


BOARD_CARDS_PER_COLUMN = 50


def deal_board(*, actor: User, pipeline: Pipeline, query: ListQuery) -> Board:
    """Open deals of a pipeline by stage: totals from one aggregate, cards from one query."""
    qs = deal_list(actor=actor, query=query).filter(pipeline=pipeline, status=DealStatus.OPEN)
    totals = {
        row["stage_id"]: row
        for row in qs.order_by().values("stage_id").annotate(n=Count("pk"), s=Sum("amount"))
    }
    columns = {
        s.pk: BoardColumn(
            stage=s,
            count=totals.get(s.pk, {}).get("n", 0),
            total=totals.get(s.pk, {}).get("s") or Decimal(0),
        )
        for s in pipeline.stages.all()
    }
    # The first cards of each column in one query: a window ranks deals within their stage.
    ranked = qs.annotate(
        rank=Window(RowNumber(), partition_by=F("stage_id"), order_by=[F("amount").desc(), F("pk")])
    ).filter(rank__lte=BOARD_CARDS_PER_COLUMN)
    for deal in ranked.order_by("stage__order", "-amount", "pk"):
        column = columns.get(deal.stage_id)
        if column is not None:
            column.deals.append(deal)
    return Board(pipeline=pipeline, columns=list(columns.values()))


def lead_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[Lead]:
    qs = scope_records(Lead.objects.all(), actor=actor)
    qs = apply_list_query(qs, LEAD_LIST_SPEC, query)
    return qs.select_related("responsible", "team", "deal")


def lead_get(*, actor: User, pk: int) -> Lead:
    return row_get(lead_list(actor=actor), pk, _("Lead not found."))


def disqualification_reasons() -> list[tuple[str, str]]:
    return [(k, str(v)) for k, v in DisqualificationReason.choices]


def deal_closer_handoff(*, deal: Deal) -> CloserHandoff | None:
    """The deal's hand-over from the hunter to a closer, with the people named; None if the
    hunter still holds it."""
    handoffs = CloserHandoff.objects.select_related("hunter", "closer", "handed_by")
    return handoffs.filter(deal=deal).first()


def deal_visible(actor: User, case_id: str) -> bool:
    """For the event log API: may the actor read the history of this deal?"""
    return row_visible(case_id, deal_list, actor)


def lead_visible(actor: User, case_id: str) -> bool:
    return row_visible(case_id, lead_list, actor)


# What counts as "working with a client": contacts and movement of its deals (seed 004).
TOUCH_ACTIVITIES = (
    "call_completed",
    "meeting_completed",
    "email_sent",
    "task_completed",
    "company_created",
    "deal_created",
    "deal_stage_changed",
    "deal_won",
    "client_handed_off",
)


def abandoned_clients(*, actor: User, now: Any = None) -> QuerySet[Company]:
    """Visible clients with no touch for longer than their segment allows (seed 004: a
    farmer's abandoned clients are the signal of overload)."""
    from django.db.models import Max, OuterRef, Subquery
    from django.db.models.functions import Cast, Coalesce, Greatest

    rules = SalesSettings.objects.filter(pk=1).first() or SalesSettings()
    now = now or timezone.now()
    key = Cast(OuterRef("pk"), CharField())
    as_case = (
        Event.objects.filter(case_type="company", case_id=key, activity__in=TOUCH_ACTIVITIES)
        .order_by()
        .values("case_id")
        .annotate(last=Max("timestamp"))
        .values("last")
    )
    as_object = (
        EventObject.objects.filter(
            object_type="company", object_id=key, event__activity__in=TOUCH_ACTIVITIES
        )
        .order_by()
        .values("object_id")
        .annotate(last=Max("event__timestamp"))
        .values("last")
    )
    epoch = now - timedelta(days=365 * 100)
    qs = scope_records(Company.objects.all(), actor=actor).annotate(
        last_touch=Greatest(
            Coalesce(Subquery(as_case), Value(epoch)), Coalesce(Subquery(as_object), Value(epoch))
        )
    )
    new_limit = now - timedelta(days=rules.abandoned_days_new)
    current_limit = now - timedelta(days=rules.abandoned_days_current)
    return (
        qs.filter(
            Q(segment="new", last_touch__lt=new_limit)
            | Q(segment="current", last_touch__lt=current_limit)
        )
        .select_related("responsible", "team")
        .order_by("last_touch")
    )


def abandoned_by_manager(*, actor: User) -> list[dict[str, Any]]:
    """Abandoned clients counted per responsible manager, most first (the head's view)."""
    rows = (
        abandoned_clients(actor=actor)
        .order_by()
        .values("responsible_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    names = {u.pk: u for u in User.objects.filter(pk__in=[r["responsible_id"] for r in rows])}
    return [{"manager": names.get(r["responsible_id"]), "count": r["n"]} for r in rows]


def home_summary(actor: User) -> dict[str, Any] | None:
    """The home page card: the actor's open deals, stuck ones and new leads (four queries);
    none for those who do not sell (a lawyer, HR)."""
    if not actor.has_role(*SALES_ROLES):
        return None
    mine = Deal.objects.filter(responsible=actor, status=DealStatus.OPEN)
    totals = mine.aggregate(n=Count("pk"), s=Sum("amount"))
    now = timezone.now()
    overdue = stuck_in_stage(now)
    late = list(
        mine.filter(overdue)
        .select_related("stage", "company")
        .only(
            "pk",
            "title",
            "amount",
            "stage_entered_at",
            "stage__name",
            "stage__name_en",
            "company__name",
        )
        .order_by("stage_entered_at")[:6]
    )
    return {
        "user_id": actor.pk,
        "open_deals": totals["n"],
        "open_amount": totals["s"] or 0,
        "stuck": mine.filter(overdue).count() if late else 0,
        "at_risk": late[:5],
        "now": now,
        "new_leads": Lead.objects.filter(responsible=actor, status=LeadStatus.NEW).count(),
    }


def home_team(actor: User) -> dict[str, Any] | None:
    """The head's home card: each person of the teams they see with open deals, their sum and
    how many sit in their stage longer than expected (one grouped query)."""
    if not actor.has_role(RoleCode.HEAD_OF_SALES, RoleCode.ADMIN):
        return None
    now = timezone.now()
    overdue = stuck_in_stage(now)
    rows = list(
        scope_records(Deal.objects.filter(status=DealStatus.OPEN), actor=actor)
        .exclude(responsible__isnull=True)
        .values("responsible_id", "responsible__first_name", "responsible__last_name")
        .annotate(n=Count("pk"), s=Sum("amount"), stuck=Count("pk", filter=overdue))
        .order_by("-stuck", "-s")[:12]
    )
    if not rows:
        return None
    for row in rows:
        row["name"] = f"{row['responsible__first_name']} {row['responsible__last_name']}".strip()
    return {"rows": rows}


# --- the global search (registered with core.search in SalesConfig.ready) ---------------------


def _found(
    model: type[Deal] | type[Lead], actor: User, condition: Q, limit: int, *columns: str
) -> list[tuple[Any, ...]]:
    """The newest `limit` records the actor sees that match a search, as rows of `columns`."""
    scoped = scope_records(model.objects.all(), actor=actor)
    return list(
        scoped.filter(condition).order_by("-created_at", "-pk").values_list(*columns)[:limit]
    )


def deal_search(actor: User, term: SearchTerm, limit: int) -> list[SearchHit]:
    """Deals by title, or all deals of the client whose full INN was typed."""
    condition = Q(title__icontains=term.raw)
    if term.inn:
        condition |= Q(company__inn=term.inn)
    rows = _found(Deal, actor, condition, limit, "pk", "title", "status", "amount", "currency")
    statuses = dict(DealStatus.choices)

    def subtitle(status: str, amount: Decimal, currency: str) -> str:
        return f"{statuses.get(status, status)} · {amount:,.0f} {currency}".replace(",", " ")

    return search_hits("deal", "sales:deal_detail", rows, subtitle)


def lead_search(actor: User, term: SearchTerm, limit: int) -> list[SearchHit]:
    """Leads by title, contact, company, e-mail, INN, or phone (stored in E.164)."""
    condition = (
        Q(title__icontains=term.raw)
        | Q(contact_name__icontains=term.raw)
        | Q(company_name__icontains=term.raw)
        | Q(email__icontains=term.raw)
    )
    if term.inn:
        condition |= Q(inn=term.inn)
    if term.phone:
        condition |= Q(phone__contains=term.phone)
    rows = _found(Lead, actor, condition, limit, "pk", "title", "status", "contact_name", "phone")
    statuses = dict(LeadStatus.choices)

    def subtitle(status: str, contact_name: str, phone: str) -> str:
        return " · ".join(
            str(part) for part in (statuses.get(status, status), contact_name, phone) if part
        )

    return search_hits("lead", "sales:lead_detail", rows, subtitle)


# Who the quick «+» offers a new lead or deal: the call centre qualifies leads but leaves the
# deal to the hunters and closers (seed 004: call centre → hunters → farmers).
LEAD_ROLES = SALES_ROLES
DEAL_ROLES = tuple(role for role in SALES_ROLES if role != RoleCode.CALL_CENTER)


def may_create_leads(actor: User) -> bool:
    return actor.is_greenwave_admin or actor.has_role(*LEAD_ROLES)


def may_create_deals(actor: User) -> bool:
    return actor.is_greenwave_admin or actor.has_role(*DEAL_ROLES)


def deal_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    """Titles and URLs of deals (for `core.case_access.case_links`)."""
    return title_links(Deal, ids, title="title", url_name="sales:deal_detail")


def lead_links(ids: list[int]) -> dict[int, tuple[str, str]]:
    return title_links(Lead, ids, title="title", url_name="sales:lead_detail")


def lead_client_reach(lead: Lead) -> tuple[str, str]:
    """The lead's phone and e-mail that the client base takes: a lead keeps whatever was typed
    (`_lead_phone`; a web form's «звоните вечером»), which must not make it unconvertible —
    the text stays on the lead, the new client and contact get only valid values."""
    valid: list[str] = []
    for value, normalize in ((lead.phone, normalize_phone), (lead.email, normalize_email)):
        try:
            valid.append(normalize(value) if value else "")
        except DomainError:
            valid.append("")
    return valid[0], valid[1]


def lead_existing_client(*, lead: Lead, owner: User) -> Company | None:
    """The client a lead's conversion takes from the base: the first look-alike the owner
    sees (INN, phone, e-mail, similar name); None when the lead names no company, or when
    the conversion will make a new one."""
    if not (lead.company_name or lead.inn):
        return None
    matches = crm_selectors.company_find_duplicates(
        actor=owner, inn=lead.inn, phone=lead.phone, email=lead.email, name=lead.company_name
    )
    return matches[0].company if matches else None


def lead_existing_contact(*, lead: Lead, company: Company | None, owner: User) -> Contact | None:
    """The contact a lead's conversion links instead of making one: at the client (`company`;
    None: among the contacts without a company), the one named as the lead's person, else the
    one holding the lead's phone or e-mail. None when the lead names no person."""
    if not lead.contact_name:
        return None
    if company is not None:
        named = company.contacts.filter(full_name__iexact=lead.contact_name, is_deleted=False)
        if (existing := named.order_by("pk").first()) is not None:
            return existing
    phone, email = lead_client_reach(lead)
    return crm_selectors.contact_holding(actor=owner, company=company, phone=phone, email=email)


def lead_reused_contact(*, lead: Lead, actor: User) -> Contact | None:
    """The contact of the base a converted lead was linked to instead of a new one, as its
    `lead_converted` event names it in `reused_contact`; None when a new one was made."""
    payload = (
        Event.objects.filter(case_type="lead", case_id=str(lead.pk), activity="lead_converted")
        .values_list("payload", flat=True)
        .first()
    )
    pk = (payload or {}).get("reused_contact")
    return None if pk is None else crm_selectors.contact_list(actor=actor).filter(pk=pk).first()


def lead_conversion_contact(*, lead: Lead, actor: User) -> Contact | None:
    """The contact converting the lead now would link (the web form names it beforehand): the
    client's, or, for a lead without a company, one of the base's; none for a new client."""
    owner = lead.responsible or actor
    client = lead_existing_client(lead=lead, owner=owner)
    if client is None and (lead.company_name or lead.inn):
        return None
    return lead_existing_contact(lead=lead, company=client, owner=owner)
