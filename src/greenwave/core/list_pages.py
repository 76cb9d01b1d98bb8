"""A list page declared once, beside the views that show it.

`render_list_page` takes the parts of a list page on every call; most pages only differ in
those parts and read their rows through a scoped selector called as `rows(actor=, query=)`.
A `ListPage` holds the parts (titles lazily translated, so it can be a module constant) and
its view is one line: `PAGE.render(request)`, with what depends on the request (the create
link the actor may follow, extra context for the template) given there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise

from .listing import ListSpec
from .pages import render_list_page

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ListPage(Generic[M]):
    """The parts of a list page: its rows (`rows(actor=, query=)`), spec, title and table."""

    spec: ListSpec
    rows: Callable[..., QuerySet[M]]
    title: str | Promise
    table_template: str
    empty_message: str | Promise | None = None
    create_label: str | Promise | None = None

    def render(
        self, request: HttpRequest, *, create_url: str | None = None, **extra: Any
    ) -> HttpResponse:
        """The page; `create_url` when the actor may add a row, `extra` for its template."""
        return render_list_page(
            request,
            spec=self.spec,
            selector=lambda query: self.rows(actor=request.user, query=query),
            title=str(self.title),
            table_template=self.table_template,
            create_url=create_url,
            create_label=_text(self.create_label),
            empty_message=_text(self.empty_message),
            extra=extra,
        )


def _text(text: str | Promise | None) -> str | None:
    return None if text is None else str(text)
