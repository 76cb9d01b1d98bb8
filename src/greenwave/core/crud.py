"""The plain entity page and API handler, written once for crm, sales and activities.

HTML: `form_view` is every create/edit page — a GET (or an invalid POST) renders the form page,
a valid POST calls the one service with the form's data (`saving(request, service, **record)`);
the service's `DomainError` shows on the form (`form_posts.show_form_error`: next to the fields
its details name), success flashes a message and redirects (`to_page`: the saved record's page;
by default back where the form came from). An entity's view only says which form, which
service and where to go back.

API: an `Entity` bundles the scoped selector (`get(actor=, pk=)`, a 404 outside the actor's
scope) and the services of one record kind, so that a plain handler is one line: the row
(`row`), a PATCH through the service (`patch`), a soft delete (`delete`, 204), a restore and
the history. Creation stays in the handler (each entity resolves its own ids), answered by
`created` (201 with the row).

Adding an entity: a `ListSpec` and its selectors, a schema, a form — then its views call
`form_view` and its handlers an `Entity` (CONTRIBUTING.md, «Adding an entity»).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from django import forms
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import Schema, Status

from .api import patch_fields
from .errors import DomainError
from .form_posts import form_post, show_form_error

T = TypeVar("T")
M = TypeVar("M", bound=Model)

HISTORY_LIMIT = 200  # the events an API history answer holds, newest first


class Back(NamedTuple):
    """A page's way back: the link and its label."""

    url: str
    label: str

    def context(self) -> dict[str, str]:
        """The way back as the page templates read it (`back_url`, `back_label`)."""
        return {"back_url": self.url, "back_label": self.label}


def saving(request: HttpRequest, service: Callable[..., T], **record: Any) -> Callable[..., T]:
    """A form page's `save` through one service: `service(actor=request.user, **record, **data)`,
    the edited record by its keyword (`saving(request, services.contact_update, contact=row)`)."""
    return lambda data: service(actor=request.user, **record, **data)


def to_page(url_name: str, anchor: str = "") -> Callable[[Model], str]:
    """A form page's `done` that leads to the saved record's page (`"sales:deal_detail"`)."""
    return lambda row: reverse(url_name, args=[row.pk]) + anchor


def back_to(url_name: str, row: Model) -> Back:
    """The way back to a record's page, labelled with the record."""
    return Back(reverse(url_name, args=[row.pk]), str(row))


def form_data(form: forms.BaseForm) -> dict[str, Any]:
    """What a valid form hands its service: `service_data()` where the form shapes it (ids to
    rows, text to lists), else its cleaned data."""
    service_data = getattr(form, "service_data", None)
    return service_data() if callable(service_data) else form.cleaned_data


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back: Back,
    template: str = "core/form_page.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    context = {"form": form, "title": title, **back.context()}
    return render(request, template, {**context, **(extra or {})})


def form_view(  # noqa: PLR0913 -- keyword-only: the parts of a form page, each by name
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    title: str,
    back: Back,
    done: str | Callable[[T], str] | None = None,
    message: str | Callable[[T], str] = "",
    template: str = "core/form_page.html",
    extra: dict[str, Any] | None = None,
    show_error: Callable[[forms.BaseForm, DomainError], None] = show_form_error,
) -> HttpResponse:
    """A create/edit page: a valid POST calls the one service, `save(form_data(form))`; its
    `DomainError` shows on the form (`show_error`), success flashes `message` and redirects to
    `done` (a URL, a URL name, or made from what `save` returned; by default `back`, the page
    the form came from); anything else shows the form page."""
    answer = form_post(
        request,
        form,
        lambda: save(form_data(form)),
        to=back.url if done is None else done,
        success=message or None,
        show_error=show_error,
    )
    return answer or form_page(
        request, form, title=title, back=back, template=template, extra=extra
    )


def created(row: T) -> Status[T]:
    """A creation's answer: 201 with the row (the handler's `response={201: …Out}`)."""
    return Status(201, row)


@dataclass(frozen=True)
class Entity(Generic[M]):
    """One record kind as its plain API handlers reach it.

    `get` is the scoped selector (`get(actor=, pk=, **options)`: a record outside the actor's
    scope is a 404); the services take the actor and the record by the keyword `keyword`
    (`services.price_list_update(actor=, price_list=, **fields)`). With `reread`, a write
    answers the row read again through `get` (its annotations, its joined rows) instead of
    what the service returned.
    """

    model: type[M]
    keyword: str
    get: Callable[..., M]
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    restore: Callable[..., Any] | None = None
    history: Callable[..., Any] | None = None
    reread: bool = False

    def row(self, request: HttpRequest, pk: int, **options: Any) -> M:
        return self.get(actor=request.user, pk=pk, **options)

    def _write(
        self, service: Callable[..., T] | None, request: HttpRequest, row: M, **kw: Any
    ) -> T:
        if service is None:
            raise NotImplementedError(f"{self.model.__name__}: no service for this write")
        return service(actor=request.user, **{self.keyword: row}, **kw)

    def _answer(self, request: HttpRequest, pk: int, result: Any) -> Any:
        return self.row(request, pk) if self.reread else result

    def patch(
        self,
        request: HttpRequest,
        pk: int,
        payload: Schema,
        *,
        exclude: Iterable[str] = (),
        **kw: Any,
    ) -> Any:
        """PATCH: the fields the body sets (`patch_fields`, less `exclude`) through the update
        service, with `kw` beside them (`expected_version=payload.version`)."""
        row = self.row(request, pk)
        fields = patch_fields(payload, self.model, exclude=exclude)
        return self._answer(request, pk, self._write(self.update, request, row, **kw, **fields))

    def act(self, request: HttpRequest, pk: int, service: Callable[..., Any], **kw: Any) -> Any:
        """One action of the record (`services.activity_cancel(actor=, activity=, **kw)`)."""
        return self._answer(request, pk, self._write(service, request, self.row(request, pk), **kw))

    def remove(self, request: HttpRequest, pk: int) -> Status[None]:
        """DELETE (a soft delete where the model keeps deleted rows): 204 without a body."""
        self._write(self.delete, request, self.row(request, pk))
        return Status(204, None)

    def restored(self, request: HttpRequest, pk: int) -> M:
        """Undo a soft delete; the answer is the row as the live list reads it."""
        self._write(self.restore, request, self.row(request, pk, deleted=True))
        return self.row(request, pk)

    def events(self, request: HttpRequest, pk: int) -> list[Any]:
        """The record's history, newest first, at most `HISTORY_LIMIT` events."""
        if self.history is None:
            raise NotImplementedError(f"{self.model.__name__}: no history selector")
        events = self.history(actor=request.user, **{self.keyword: self.row(request, pk)})
        return list(events[:HISTORY_LIMIT])
