"""`GET /api/v1/events?case=deal:12` (or `?object=company:5`): the event log of one case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from .api import Page
from .case_access import can_read_case
from .errors import CoreError, DomainError
from .event_labels import activity_label
from .selectors import event_list_for_case, event_list_for_object

router = Router(tags=["events"])
MAX_PAGE = 200


class EventHead(Schema):
    """What every answer about an event starts with: its case, what happened (also as people
    read it) and when."""

    id: int
    case_type: str
    case_id: str
    activity: str
    activity_label: str
    timestamp: datetime

    @staticmethod
    def resolve_activity_label(obj: Any) -> str:
        return activity_label(obj.activity)


class EventOut(EventHead):
    actor_id: int | None
    payload: dict[str, Any]
    prev_activity: str
    prev_timestamp: datetime | None


def _parse(ref: str) -> tuple[str, str]:
    kind, _sep, key = ref.partition(":")
    if not kind or not key:
        raise DomainError(CoreError.VALIDATION, _("Give the case as type:id, for example deal:12."))
    return kind, key


@router.get("", response=Page[EventOut], summary="Events of one case or object, newest first")
def events(
    request: HttpRequest,
    case: str | None = None,
    object: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    if (case is None) == (object is None):
        raise DomainError(CoreError.VALIDATION, _("Give exactly one of case or object."))
    if page < 1 or not 1 <= page_size <= MAX_PAGE:
        raise DomainError(CoreError.VALIDATION, _("Invalid page or page_size."))
    kind, key = _parse(case or object or "")
    if not can_read_case(request.user, kind, key):
        raise DomainError(CoreError.NOT_FOUND, _("Not found."))
    qs = (
        event_list_for_case(case_type=kind, case_id=key)
        if case
        else event_list_for_object(object_type=kind, object_id=key)
    )
    start = (page - 1) * page_size
    return {
        "items": list(qs[start : start + page_size]),
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
    }
