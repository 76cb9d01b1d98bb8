"""A list filter that offers the choices of a model field (status, kind…) as a select."""

from __future__ import annotations

from typing import Any

from django.db.models import Choices

from .listing import FilterSpec


def choice_filter(
    name: str, label: Any, options: type[Choices], field: str | None = None
) -> FilterSpec:
    """Filter the field `field` (by default `name`, the URL parameter) by one of `options`'
    values."""
    return FilterSpec(
        name,
        label,
        field or name,
        choices=lambda _actor: [(k, str(v)) for k, v in options.choices],
        allowed=tuple(str(value) for value in options.values),
    )
