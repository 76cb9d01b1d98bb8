"""The header's quick «+» menu: apps register what a user may create in one click.

Like `core.navigation`, core knows no app; each app adds its create forms in
`AppConfig.ready()` with a predicate saying which roles use them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class QuickAddItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    icon: str
    order: int = 100
    query: str = ""  # appended to the URL, e.g. "kind=task"
    # Who sees the item: None = every signed-in user; otherwise a predicate on the user.
    visible: Callable[[Any], bool] | None = None


_REGISTRY: dict[str, QuickAddItem] = {}


def register_quick_add(item: QuickAddItem) -> None:
    _REGISTRY[item.key] = item


def quick_add_for(user: Any) -> list[dict[str, Any]]:
    """The create links the user's roles may use, in menu order."""
    entries: list[dict[str, Any]] = []
    for item in sorted(_REGISTRY.values(), key=lambda i: (i.order, i.key)):
        if item.visible is not None and not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {
                "key": item.key,
                "label": item.label,
                "url": f"{url}?{item.query}" if item.query else url,
                "icon": item.icon,
            }
        )
    return entries
