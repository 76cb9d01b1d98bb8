"""Figure records (dataclasses of computed numbers) as the plain dicts the API and pages read."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def field_values(record: DataclassInstance, *, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The record's fields by name in declaration order, the values themselves: unlike
    `dataclasses.asdict` nothing is copied and nested dataclasses stay objects."""
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name not in leave_out}
