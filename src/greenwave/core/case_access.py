"""Who may read the events of a case: each app registers a check for its case types.

The events API (and any timeline) asks here, so core needs no knowledge of deals or clients.
A case type without a registered check is visible to nobody through the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_CHECKS: dict[str, Callable[[Any, str], bool]] = {}


def register_case_access(case_type: str, check: Callable[[Any, str], bool]) -> None:
    _CHECKS[case_type] = check


def can_read_case(actor: Any, case_type: str, case_id: str) -> bool:
    check = _CHECKS.get(case_type)
    return bool(check and check(actor, case_id))


def case_types() -> list[str]:
    """The case types some app answers for (what a process may be bound to)."""
    return sorted(_CHECKS)
