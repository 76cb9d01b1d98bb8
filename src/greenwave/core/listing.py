"""The one list convention every app reuses: search, filters, sort and pagination.

A `ListSpec` is declared once per entity next to its selector; the HTML list page and the REST
list endpoint both parse request parameters into a `ListQuery` and apply it with
`apply_list_query`, so the two surfaces always filter the same way (NetBox's shared FilterSet).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_
from typing import Any, Generic, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import Expression, OrderBy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .errors import CoreError, DomainError

FilterKind = Literal["choice", "text", "bool", "date_from", "date_to", "int"]
MAX_PAGE = 1_000_000  # the row offset stays far inside a 64-bit integer
_INT = re.compile(r"-?[0-9]{1,18}")  # a bigint, in ASCII digits (`"²".isdigit()` is True)
INT_LIMIT = 10**18 - 1  # the largest value `_INT` takes
_DIGITS = re.compile(r"[0-9]{1,18}")  # what `int()` alone would widen: "+5", " 5", "٥", "1_0"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # not `fromisoformat`'s "20240101"
M = TypeVar("M", bound=Model)
R = TypeVar("R")
ChoicesFn = Callable[[Any], Sequence[tuple[str, str]]]
OrderTerm = str | F | Expression  # a field path ("-x": descending) or an expression


@dataclass(frozen=True)
class FilterSpec:
    """One filter: its URL parameter, label, ORM lookup and (for a select) its choices;
    `allowed`, the values of a fixed set of choices (an enum): any other value is refused, not
    answered as an empty list."""

    name: str
    label: Any
    lookup: str
    kind: FilterKind = "choice"
    choices: ChoicesFn | None = None
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class SortSpec:
    """One sort of a list: its URL key (`?sort=key`, `-key` reversed), label and ORDER BY
    terms. A term is a field path (`"-x"`: descending) or an expression for an order the
    rows do not hold as a field (`Case(…).asc()`, `F("x").desc(nulls_last=True)`), which an
    expression index can serve. An order read one way only ("most urgent first") is not
    `reversible`: its reverse is neither offered nor accepted."""

    key: str
    label: Any
    order_by: tuple[OrderTerm, ...]
    reversible: bool = True

    def terms(self, *, descending: bool = False) -> list[OrderTerm]:
        """The ORDER BY terms, reversed for `-key`: an expression's direction flips, a field path
        already descending (`"-x"`, a fixed tie-break) stays so."""
        if not descending:
            return list(self.order_by)
        return [_descending(term) for term in self.order_by]


def _descending(term: OrderTerm) -> OrderTerm:
    if isinstance(term, str):
        return term if term.startswith("-") else f"-{term}"
    if isinstance(term, OrderBy):
        flipped = term.copy()
        flipped.reverse_ordering()
        return flipped
    return term.desc()


@dataclass(frozen=True)
class ListSpec:
    search_fields: tuple[str, ...] = ()
    sorts: tuple[SortSpec, ...] = ()
    default_sort: str = ""
    filters: tuple[FilterSpec, ...] = ()
    # The id a searched record number names («П-12» → 12), None for other text: that
    # record is found beside the text matches (a number is its id behind a prefix).
    search_id: Callable[[str], int | None] | None = None

    def sort_keys(self) -> list[str]:
        return [s.key for s in self.sorts] + [f"-{s.key}" for s in self.sorts if s.reversible]


@dataclass
class ListQuery:
    q: str = ""
    sort: str = ""
    page: int = 1
    page_size: int = 25
    filters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(
        cls,
        params: Mapping[str, Any],
        spec: ListSpec,
        *,
        page_size: int,
        max_page_size: int,
        extra_params: Collection[str] | None = None,
    ) -> ListQuery:
        """Parse `?q=&sort=&page=&page_size=&<filter>=`; bad values are refused, not guessed.

        With `extra_params` (the caller's own parameters) an unknown parameter is refused too:
        a misspelt filter silently ignored answers the whole list as if it were filtered.
        """
        errors: dict[str, Problem] = {}
        allowed: dict[str, list[str]] = {}
        if extra_params is not None:
            for name in unknown_params(params, spec, extra_params):
                errors[name] = (gettext_noop("unknown parameter"), {})
            for name in repeated_params(params):
                errors.setdefault(name, (gettext_noop("given more than once"), {}))
        page = _positive_int(params.get("page"), 1, "page", errors)
        if page > MAX_PAGE:
            errors["page"] = (gettext_noop("at most %(limit)s"), {"limit": MAX_PAGE})
        size = _positive_int(params.get("page_size"), page_size, "page_size", errors)
        if size > max_page_size:
            errors["page_size"] = (gettext_noop("at most %(limit)s"), {"limit": max_page_size})
        sort = str(params.get("sort") or spec.default_sort)
        if sort and sort not in spec.sort_keys():
            allowed["sort"] = spec.sort_keys()
        filters: dict[str, str] = {}
        for f in spec.filters:
            value = filter_value(f, params.get(f.name))
            if value:
                _check_filter(f, value, errors, allowed)
                filters[f.name] = value
        for name, values in allowed.items():
            errors[name] = (gettext_noop("one of %(values)s"), {"values": ", ".join(values)})
        if errors:
            raise _invalid_params(errors, allowed)
        return cls(
            q=str(params.get("q") or "").strip()[:200],
            sort=sort,
            page=page,
            page_size=size,
            filters=filters,
        )


LIST_PARAMS = ("q", "sort", "page", "page_size")


def filter_value(f: FilterSpec, raw: Any) -> str:
    """A filter's value as sent; empty (what a form's «Any» sends) means no filter. Only a
    text filter's surrounding spaces are dropped: a value of a fixed form (a choice, a yes/no,
    a date, an id) is taken exactly as its published schema describes it."""
    value = str(raw or "")
    return value.strip() if f.kind == "text" else value


def unknown_params(
    params: Mapping[str, Any], spec: ListSpec, extra_params: Collection[str] = ()
) -> list[str]:
    """The parameters of `params` that neither the list convention, the spec's filters nor the
    caller (`extra_params`) know."""
    known = {*LIST_PARAMS, *(f.name for f in spec.filters), *extra_params}
    return sorted(name for name in params if name not in known)


def repeated_params(params: Mapping[str, Any]) -> list[str]:
    """The parameters sent more than once (`?page_size=a&page_size=5`): each takes one value,
    and reading the last one alone would answer as if the others were not there."""
    getlist = getattr(params, "getlist", None)
    if getlist is None:
        return []
    return sorted(name for name in params if len(getlist(name)) > 1)


# What is wrong with one list parameter: an English text (with its %-parameters) that
# `details.fields` keeps as it is — stable, for programs — and the message translates.
Problem = tuple[str, dict[str, Any]]


def _invalid_params(errors: dict[str, Problem], allowed: dict[str, list[str]]) -> DomainError:
    """The 400 of bad list parameters: the message names each (in the caller's language),
    `details.fields` says what each takes and `details.allowed` lists a fixed set's values."""
    fields = {name: text % values for name, (text, values) in errors.items()}
    named = "; ".join(f"{name}: {_(text) % values}" for name, (text, values) in errors.items())
    details: dict[str, Any] = {"fields": fields}
    if allowed:
        details["allowed"] = allowed
    return DomainError(
        CoreError.VALIDATION,
        _("Invalid list parameters: %(fields)s.") % {"fields": named},
        details=details,
    )


def _check_filter(
    f: FilterSpec, value: str, errors: dict[str, Problem], allowed: dict[str, list[str]]
) -> None:
    """Note in `errors` (or `allowed`, for a value outside a fixed set) a filter's bad value."""
    if f.kind == "bool" and value not in {"true", "false", "1", "0"}:
        errors[f.name] = (gettext_noop("true or false"), {})
    elif f.kind in {"date_from", "date_to"} and not _is_iso_date(value):
        errors[f.name] = (gettext_noop("a date YYYY-MM-DD"), {})
    elif f.kind == "int" and not _INT.fullmatch(value):
        errors[f.name] = (gettext_noop("an integer"), {})
    elif f.kind == "choice" and f.allowed and value not in f.allowed:
        allowed[f.name] = list(f.allowed)


def _positive_int(raw: Any, default: int, name: str, errors: dict[str, Problem]) -> int:
    if raw in (None, ""):
        return default
    if not _DIGITS.fullmatch(str(raw)):
        errors[name] = (gettext_noop("a positive integer"), {})
        return default
    value = int(raw)
    if value < 1:
        errors[name] = (gettext_noop("a positive integer"), {})
        return default
    return value


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def apply_list_query(qs: QuerySet[M], spec: ListSpec, query: ListQuery | None) -> QuerySet[M]:
    """Search, filter and sort a (scoped) queryset; pagination is left to the caller. Without
    a query (a selector called for its rows, not by a list page) the queryset as it is."""
    if query is None:
        return qs
    if query.q and (spec.search_fields or spec.search_id):
        found = [Q(**{f"{f}__icontains": query.q}) for f in spec.search_fields]
        record_id = spec.search_id(query.q) if spec.search_id else None
        if record_id is not None:
            found.append(Q(pk=record_id))
        qs = qs.filter(reduce(or_, found)) if found else qs.none()
    for f in spec.filters:
        value = query.filters.get(f.name)
        if value is None:
            continue
        if f.kind == "bool":
            qs = qs.filter(**{f.lookup: value in {"true", "1"}})
        elif f.kind == "date_from":
            qs = qs.filter(**{f"{f.lookup}__gte": value})
        elif f.kind == "date_to":
            qs = qs.filter(**{f"{f.lookup}__lte": value})
        elif f.kind == "text":
            qs = qs.filter(**{f"{f.lookup}__icontains": value})
        else:
            try:
                qs = qs.filter(**{f.lookup: value})
            except (ValueError, ValidationError) as exc:  # "²" for an id column
                raise _invalid_params(
                    {f.name: (gettext_noop("one of the choices"), {})}, {}
                ) from exc
    sorts = {s.key: s for s in spec.sorts}
    if query.sort:
        descending = query.sort.startswith("-")
        order = sorts[query.sort.lstrip("-")].terms(descending=descending)
        qs = qs.order_by(*order, "-pk" if descending else "pk")
    return qs


@dataclass(frozen=True)
class PageWindow(Generic[R]):
    """One page of a list, its count (None: more than the limit match) and the next page."""

    rows: list[R]
    count: int | None
    next: int | None


def count_up_to(qs: QuerySet[Any] | Sequence[Any], limit: int) -> int | None:
    """The exact number of rows of `qs`, or None if more than `limit` match.

    Counts at most `limit + 1` rows (`SELECT COUNT(*) FROM (… LIMIT limit + 1)`), so the cost
    stays the same however many rows the caller sees: an exact `COUNT(*)` reads them all.
    """
    # A list page's own sequence (as Django's Paginator takes) is counted by its length.
    found = qs.order_by()[: limit + 1].count() if isinstance(qs, QuerySet) else len(qs)
    return found if found <= limit else None


def page_window(
    qs: QuerySet[Any] | Sequence[Any],
    query: ListQuery,
    *,
    count_limit: int,
    counted: QuerySet[Any] | None = None,
) -> PageWindow[Any]:
    """Cut the query's page out of an ordered `qs`, reading one row more to know whether a
    next page exists, and count with `count_up_to(count_limit)`: two statements, however
    many rows there are (a short list is counted too, so the statements never depend on the
    rows). Past the limit, the last page still knows the exact count from its own rows.
    `counted`: the same rows to count, where that is cheaper than `qs` (the ids alone)."""
    start = (query.page - 1) * query.page_size
    rows = list(qs[start : start + query.page_size + 1])
    more = len(rows) > query.page_size
    del rows[query.page_size :]
    count = count_up_to(qs if counted is None else counted, count_limit)
    if count is None and rows and not more:
        count = start + len(rows)
    return PageWindow(rows=rows, count=count, next=query.page + 1 if more else None)
