"""The list- and detail-page pattern every app's HTML views reuse.

A list view calls `render_list_page` with its `ListSpec`, a scoped selector and the partial
that renders its table rows. The same partial answers the first load and every htmx update
(search as you type, filters, sorting, pages).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import DomainError
from .listing import ListQuery, ListSpec, page_window, unknown_params
from .selectors import saved_filters_for

M = TypeVar("M", bound=Model)


def _query_from_request(request: HttpRequest, spec: ListSpec) -> ListQuery:
    unknown = unknown_params(request.GET, spec)
    if unknown:
        # A page keeps working (a bookmarked link may hold an old filter) but says so.
        messages.warning(
            request,
            _("Unknown filters were ignored: %(names)s.") % {"names": ", ".join(unknown)},
        )
    try:
        return ListQuery.from_params(
            request.GET,
            spec,
            page_size=settings.GREENWAVE_PAGE_SIZE,
            max_page_size=settings.GREENWAVE_API_MAX_PAGE_SIZE,
        )
    except DomainError:
        messages.warning(request, _("Some list parameters were invalid and have been reset."))
        return ListQuery(sort=spec.default_sort, page_size=settings.GREENWAVE_PAGE_SIZE)


@dataclass(frozen=True)
class ListPage(Generic[M]):
    """A page of an HTML list with what the pagination partial reads of Django's `Page`, but
    a count that is None when more than `GREENWAVE_LIST_COUNT_LIMIT` rows match: counting
    them all would make the page's cost grow with the table (`listing.page_window`)."""

    object_list: list[M]
    number: int
    page_size: int
    count: int | None
    next: int | None
    count_limit: int

    @property
    def paginator(self) -> ListPage[M]:  # `page.paginator.count` as with Django's Page
        return self

    @property
    def num_pages(self) -> int | None:
        return None if self.count is None else max(1, math.ceil(self.count / self.page_size))

    def has_next(self) -> bool:
        return self.next is not None

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int | None:
        return self.next

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.object_list)


def _page_of(qs: QuerySet[M], query: ListQuery) -> ListPage[M]:
    limit = settings.GREENWAVE_LIST_COUNT_LIMIT
    window = page_window(qs, query, count_limit=limit)
    if not window.rows and query.page > 1 and window.count is not None:
        # Past the end (an old link): the last page, as Django's `Paginator.get_page` does.
        query = replace(query, page=max(1, math.ceil(window.count / query.page_size)))
        window = page_window(qs, query, count_limit=limit)
    return ListPage(
        object_list=window.rows,
        number=query.page,
        page_size=query.page_size,
        count=window.count,
        next=window.next,
        count_limit=limit,
    )


def request_page(request: HttpRequest, rows: Any, per_page: int | None = None) -> Page[Any]:
    """The page of `rows` that the request's `?page=` asks for, `per_page` rows a page (by default
    the lists' page size); as Django's `Paginator.get_page`, a bad number is the first page and
    one past the end the last."""
    size = settings.GREENWAVE_PAGE_SIZE if per_page is None else per_page
    return Paginator(rows, size).get_page(request.GET.get("page"))


def render_list_page(  # noqa: PLR0913 -- keyword-only: the parts of a list page, each by name
    request: HttpRequest,
    *,
    spec: ListSpec,
    selector: Callable[[ListQuery], QuerySet[M]],
    title: str,
    table_template: str,
    create_url: str | None = None,
    create_label: str | None = None,
    empty_message: str | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    query = _query_from_request(request, spec)
    page = _page_of(selector(query), query)
    filters = [
        {
            "spec": f,
            "value": query.filters.get(f.name, ""),
            "choices": f.choices(request.user) if f.choices else None,
        }
        for f in spec.filters
    ]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "title": title,
        "spec": spec,
        "query": query,
        "page": page,
        "filters": filters,
        "table_template": table_template,
        "create_url": create_url,
        "create_label": create_label,
        "empty_message": empty_message or _("Nothing here yet."),
        "is_filtered": bool(query.q or query.filters),
        "base_params": params.urlencode(),
        "saved_filters": saved_filters_for(actor=request.user, path=request.path),
        **(extra or {}),
    }
    # An htmx update (search, filter, page) gets the results partial; a boosted link the page.
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, "core/partials/list_results.html", context)
    return render(request, "core/list_page.html", context)
