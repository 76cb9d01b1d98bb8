"""The list- and detail-page pattern every app's HTML views reuse.

A list view calls `render_list_page` with its `ListSpec`, a scoped selector and the partial
that renders its table rows. The same partial answers the first load and every htmx update
(search as you type, filters, sorting, pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import DomainError
from .listing import ListQuery, ListSpec, unknown_params
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


def _page_of(qs: QuerySet[M], query: ListQuery) -> Page[M]:
    paginator = Paginator(qs, query.page_size)
    return paginator.get_page(query.page)


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
