"""The POST half of a plain form page: validate, call the service, say so and go on.

Every app's create and edit pages did it by hand — `if request.method == "POST" and
form.is_valid(): try: service() except DomainError: show it else: message; redirect` — so
the page now calls `form_post` and renders its form only when it answers `None` (a GET, an
invalid form or a service's refusal, already put on the form). A button without a form (send,
pause, issue) calls `action_post`: its service's error is flashed, a refusal is an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .errors import DomainError

T = TypeVar("T")


def show_form_error(form: Any, exc: DomainError) -> None:
    """A service's refusal next to the fields it names (`details["errors"]`: one message a
    field, or `details["field"]`), else on top of the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    per_field = details.get("errors")
    if isinstance(per_field, dict) and per_field:
        for name, message in per_field.items():
            form.add_error(name if name in form.fields else None, message)
        return
    field = details.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def show_on_top(form: Any, exc: DomainError) -> None:
    """A service's refusal on top of the form, whatever field it names."""
    form.add_error(None, exc.message)


def form_post(
    request: HttpRequest,
    form: Any,
    save: Callable[[], T],
    *,
    to: str | Callable[[T], str],
    success: str | Callable[[T], str] | None = None,
    show_error: Callable[[Any, DomainError], None] = show_form_error,
    refusals: Collection[int] = (),
) -> HttpResponse | None:
    """On a valid POST: `save()`; then the `success` message (if any) and a redirect `to` a URL
    (or a URL name), each given as is or made from what `save` returned. `None` when the page should
    render its form: not a POST, the form invalid, or `save` refused (shown on the form; a
    `DomainError` whose status is in `refusals` goes on to the 403/404 page instead)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = save()
    except DomainError as exc:
        if exc.status in refusals:
            raise
        show_error(form, exc)
        return None
    text = success(saved) if callable(success) else success
    if text:
        messages.success(request, text)
    return redirect(to(saved) if callable(to) else to)


def action_post(
    request: HttpRequest,
    act: Callable[[], T],
    *,
    success: str | Callable[[T], str] | None = None,
    refusals: Collection[int] = (403, 404),
) -> bool:
    """A button's POST: `act()` (the one service call). A `DomainError` whose status is in
    `refusals` goes on to the 403/404 page; any other is flashed as an error. On success the
    `success` message (as is or made from what `act` returned) is flashed. True on success."""
    try:
        result = act()
    except DomainError as exc:
        if exc.status in refusals:
            raise
        messages.error(request, exc.message)
        return False
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    return True
