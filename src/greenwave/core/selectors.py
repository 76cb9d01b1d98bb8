"""Readers of the shared kernel: the event log by case and by involved object; and the two
reads every app's selectors end with — one visible row by id, and whether a case is one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Max, Model, Q, QuerySet
from django.utils.functional import Promise

from .errors import not_found
from .models import Event, SavedFilter

M = TypeVar("M", bound=Model)


def event_list_for_case(*, case_type: str, case_id: str | int) -> QuerySet[Event]:
    """Events of one case, newest first. Callers check the case is visible to the actor."""
    return (
        Event.objects.filter(case_type=case_type, case_id=str(case_id))
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


def event_last_id() -> int:
    """The id of the log's newest event (0 while it is empty): where a reader that follows
    the log (the webhook dispatch, the mining rollups) starts or stops."""
    return int(Event.objects.aggregate(m=Max("id"))["m"] or 0)


def event_list_for_object(*, object_type: str, object_id: str | int) -> QuerySet[Event]:
    """Events where the object is the case or is involved (a company's timeline)."""
    key = str(object_id)
    return (
        Event.objects.filter(
            Q(case_type=object_type, case_id=key)
            | Q(links__object_type=object_type, links__object_id=key)
        )
        .distinct()
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


def saved_filters_for(*, actor: Any, path: str) -> QuerySet[SavedFilter]:
    return SavedFilter.objects.filter(user=actor, path=path).order_by("name")


def row_get(rows: QuerySet[M], pk: Any, message: str | Promise) -> M:
    """The row `pk` among `rows` (those the actor may see), or a not-found error that says
    `message`."""
    row = rows.filter(pk=pk).first()
    if row is None:
        raise not_found(message)
    return row


def row_visible(case_id: str, rows: Callable[..., QuerySet[Any]], actor: Any) -> bool:
    """Whether a case id of the event log names one of the records `rows(actor=actor)` lists
    (a selector's list of what the actor sees; not even built for an id that is no number)."""
    return case_id.isdigit() and rows(actor=actor).filter(pk=int(case_id)).exists()
