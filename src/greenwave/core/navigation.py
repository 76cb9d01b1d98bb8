"""The navigation of the shell: apps register their sections, the shell shows what a role may use.

Core knows no app; each app adds its items in `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    icon: str
    section: str = "main"
    order: int = 100
    # Who sees the item: None = every signed-in user; otherwise a predicate on the user.
    visible: Callable[[Any], bool] | None = None
    # The roles whose work the item is (empty: everyone's); an administrator sees every item.
    roles: tuple[str, ...] = ()
    # Optional counter badge (e.g. open tasks); must be one cheap query.
    badge: Callable[[Any], int] | None = None


_REGISTRY: dict[str, NavItem] = {}
SECTION_ORDER = {"main": 0, "sales": 1, "processes": 2, "analytics": 3, "admin": 9}


def register_nav(item: NavItem) -> None:
    _REGISTRY[item.key] = item


def _holds_any(user: Any, roles: tuple[str, ...]) -> bool:
    if getattr(user, "is_greenwave_admin", False):
        return True
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role(*roles))


def nav_for(user: Any, current_path: str) -> dict[str, list[dict[str, Any]]]:
    """Items visible to the user, grouped by section, with the active one marked."""
    sections: dict[str, list[dict[str, Any]]] = {}
    entries: list[dict[str, Any]] = []
    for item in sorted(
        _REGISTRY.values(),
        key=lambda i: (SECTION_ORDER.get(i.section, 5), i.section, i.order, i.key),
    ):
        if item.visible is not None and not item.visible(user):
            continue
        if item.roles and not _holds_any(user, item.roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {
            "key": item.key,
            "label": item.label,
            "url": url,
            "icon": item.icon,
            "active": False,
            "badge": item.badge(user) if item.badge else None,
        }
        entries.append(entry)
        sections.setdefault(item.section, []).append(entry)
    # Only the most specific item is active: /sales/leads/ is Leads, not also Deals at /sales/.
    matching = [e for e in entries if current_path == e["url"] or current_path.startswith(e["url"])]
    matching = [e for e in matching if e["url"] != "/" or current_path == "/"]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["active"] = True
    return sections
