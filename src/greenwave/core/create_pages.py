"""An entity's create page, declared from its list page.

The «New …» page is where the list page's create button leads, so the list already knows most
of it: the page's title is the button's label, the way back is the list (labelled with its
title), and a saved record leads to its own page, `<app>:<entity>_detail` by the routes'
convention (`core.routes`). What is the create page's own is the form, the service and the
message — `create_view(LEADS, LeadForm, services.lead_create, message=…)` is the whole view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise

from .crud import Back, form_view, saving, to_page
from .errors import DomainError
from .form_posts import show_form_error
from .list_pages import ListPage, View


def create_view(  # noqa: PLR0913 -- keyword-only: what a create page may change, each by name
    listing: ListPage[Any],
    form_class: type[forms.BaseForm],
    service: Callable[..., Any],
    *,
    message: str | Promise = "",
    template: str = "core/form_page.html",
    show_error: Callable[[forms.BaseForm, DomainError], None] = show_form_error,
    to_detail: bool = True,
    check: Callable[[Any], None] | None = None,
    guard: Callable[[View], View] = login_required,
) -> View:
    """The create page of `listing`'s entity behind `guard`: `check(user)` first (a refusal is
    a 403 page, not a form error), then `form_class` saved by `service(actor=, **data)`; done,
    it leads to the new record's page (`to_detail`) or back to the list."""
    route = listing.create_route
    if route is None or listing.create_label is None:
        raise ValueError("create_view: the list page has no create button")
    app, _, name = route.partition(":")
    entity = name.removesuffix("_create")
    title = listing.create_label

    def page(request: HttpRequest) -> HttpResponse:
        if check is not None:
            check(request.user)
        return form_view(
            request,
            form_class(request.POST or None),
            saving(request, service),
            title=str(title),
            back=Back(reverse(f"{app}:{entity}_list"), str(listing.title)),
            done=to_page(f"{app}:{entity}_detail") if to_detail else None,
            message=str(message),
            template=template,
            show_error=show_error,
        )

    # Named as the written-out view was: tracebacks and the URL resolver's view path read as before.
    page.__name__ = page.__qualname__ = name
    page.__module__ = f"greenwave.{app}.views"
    return guard(page)
