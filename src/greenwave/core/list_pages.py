"""A list page declared once, beside the views that show it.

`render_list_page` takes the parts of a list page on every call; most pages only differ in
those parts and read their rows through a scoped selector called as `rows(actor=, query=)`.
A `ListPage` holds the parts (titles lazily translated, so it can be a module constant) and
its view is one line: `PAGE.render(request)`, with what depends on the request (the create
link the actor may follow, extra context for the template) given there.

An entity's list page follows the app's conventions — `ListPage.of(selectors, "deal", title)`
reads the rows from `selectors.deal_list` by `selectors.DEAL_LIST_SPEC`, renders them with
`sales/partials/deal_table.html` and links its create button to `sales:deal_create` — and
`PAGE.view()` is then the whole view (signed in, the create link for whoever `may_create`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise

from .listing import ListSpec
from .pages import render_list_page

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


@dataclass(frozen=True)
class ListPage(Generic[M]):
    """The parts of a list page: its rows (`rows(actor=, query=)`), spec, title and table;
    `create_route` names the page a create button leads to."""

    spec: ListSpec
    rows: Callable[..., QuerySet[M]]
    title: str | Promise
    table_template: str
    empty_message: str | Promise | None = None
    create_label: str | Promise | None = None
    create_route: str | None = None

    @classmethod
    def of(
        cls,
        selectors: ModuleType,
        entity: str,
        title: str | Promise,
        *,
        empty: str | Promise | None = None,
        create: str | Promise | None = None,
        spec: ListSpec | None = None,
    ) -> ListPage[Any]:
        """The list page of `entity` in the app of the `selectors` module, by the conventions
        above; `create` is the create button's label (none, no button); `spec` where the
        spec is not `<ENTITY>_LIST_SPEC`."""
        app = selectors.__name__.split(".")[-2]
        return cls(
            spec=spec or getattr(selectors, f"{entity.upper()}_LIST_SPEC"),
            rows=getattr(selectors, f"{entity}_list"),
            title=title,
            table_template=f"{app}/partials/{entity}_table.html",
            empty_message=empty,
            create_label=create,
            create_route=None if create is None else f"{app}:{entity}_create",
        )

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

    def view(
        self,
        *,
        may_create: Callable[[Any], bool] | None = None,
        extra: Callable[[Any], dict[str, Any]] | None = None,
        guard: Callable[[View], View] = login_required,
        name: str | None = None,
    ) -> View:
        """The page as a whole view behind `guard` (signed in by default): the create link
        for a user `may_create` allows (everyone without it), `extra(request)` beside; `name`
        is the view's name where it is not its rows' (`task_list_mine` shown as `inbox`)."""

        def page(request: HttpRequest) -> HttpResponse:
            allowed = self.create_route is not None and (
                may_create is None or may_create(request.user)
            )
            create_url = reverse(self.create_route) if allowed and self.create_route else None
            return self.render(request, create_url=create_url, **(extra(request) if extra else {}))

        # Named as the written-out view was (its rows' name, in the app's views): tracebacks
        # and the URL resolver's view path read as before.
        view_name = name if name is not None else str(getattr(self.rows, "__name__", "page"))
        page.__name__ = page.__qualname__ = view_name
        page.__module__ = self.rows.__module__.rpartition(".")[0] + ".views"
        return guard(page)


def _text(text: str | Promise | None) -> str | None:
    return None if text is None else str(text)
