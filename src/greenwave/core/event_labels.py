"""Human names of event-log activities; apps register theirs so timelines read as sentences."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_LABELS: dict[str, Any] = {}


def register_activity_labels(labels: Mapping[str, Any]) -> None:
    _LABELS.update(labels)


def activity_label(code: str) -> str:
    label = _LABELS.get(code)
    return str(label) if label is not None else code.replace("_", " ")


def activity_choices() -> list[tuple[str, str]]:
    """Every registered activity as (code, readable name), by name: what a form offers."""
    return sorted(((code, str(label)) for code, label in _LABELS.items()), key=lambda c: c[1])
