"""Readers of the shared kernel: the event log by case and by involved object."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Event, SavedFilter


def event_list_for_case(*, case_type: str, case_id: str | int) -> QuerySet[Event]:
    """Events of one case, newest first. Callers check the case is visible to the actor."""
    return (
        Event.objects.filter(case_type=case_type, case_id=str(case_id))
        .select_related("actor")
        .order_by("-timestamp", "-id")
    )


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
