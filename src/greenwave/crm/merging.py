"""Hooks for other apps when two companies become one.

`company_merge` moves what the crm owns (contacts, decision makers, competitors, profile,
history links). Deals, activities and other records of other apps point at the merged-away
company too; each app registers a handler here that moves its own records through its own
services, inside the same transaction (DESIGN.md: one app writes another's data only through
that app's services).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class CompanyMergeHandler(Protocol):
    def __call__(self, *, actor: Any, source: Any, target: Any) -> None: ...


_HANDLERS: dict[str, Callable[..., None]] = {}


def register_company_merge_handler(name: str, handler: Callable[..., None]) -> None:
    """`handler(*, actor, source, target)` re-points the app's records from source to target."""
    _HANDLERS[name] = handler


def company_merge_handlers() -> list[Callable[..., None]]:
    return [_HANDLERS[name] for name in sorted(_HANDLERS)]
