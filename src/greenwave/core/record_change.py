"""The steps most state changes of a service end with: set a few fields of a (locked) record,
save just those columns and log the change as one event (`record_change`); log what
changed, if anything did (`changes_log`); insert a new record and open its case
(`record_insert`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models

from .services import HasPk, ObjectRef, event_append_for

M = TypeVar("M", bound=models.Model)


def record_change(
    record: M,
    values: Mapping[str, Any],
    *,
    activity: str,
    actor: HasPk | None,
    payload: Mapping[str, Any] | None = None,
    case: models.Model | None = None,
    objects: Iterable[ObjectRef] = (),
) -> M:
    """Set `values` on `record`, save only those columns (and its `auto_now` ones, such as
    `updated_at`) and append one `activity` event to the record's case, or to `case` when the
    change belongs to another record's history. One UPDATE, then the event."""
    for name, value in values.items():
        setattr(record, name, value)
    stamped = [
        f.name
        for f in record._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.name not in values
    ]
    record.save(update_fields=[*values, *stamped])
    event_append_for(
        case if case is not None else record,
        activity=activity,
        actor=actor,
        payload=payload,
        objects=objects,
    )
    return record


def changes_log(
    case: models.Model,
    changes: Mapping[str, Any],
    *,
    activity: str,
    actor: HasPk | None,
    payload: Mapping[str, Any] | None = None,
    objects: Iterable[ObjectRef] = (),
) -> None:
    """Log a *changed* event, `{**payload, "changes": changes}`, on `case` — unless nothing
    changed (`changes` as `changes_between` gives them, `{field: [old, new]}`)."""
    if changes:
        event_append_for(
            case,
            activity=activity,
            actor=actor,
            payload={**(payload or {}), "changes": changes},
            objects=objects,
        )


def record_insert(
    record: M,
    *,
    activity: str,
    actor: HasPk | None,
    payload: Mapping[str, Any],
    objects: Iterable[ObjectRef] = (),
) -> M:
    """Insert a new record (what `objects.create` does) and open its case with its first
    event; the record back."""
    record.save(force_insert=True)
    event_append_for(
        record, activity=activity, actor=actor, payload=payload, objects=objects, new_case=True
    )
    return record
