"""Who may read the events of a case: each app registers a check for its case types.

The events API (and any timeline) asks here, so core needs no knowledge of deals or clients.
A case type without a registered check is visible to nobody through the API.

Apps whose records belong to a team also register how to read that team
(`register_case_team`): the process engine scopes a process bound to a record by the
record's team without importing the record's app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

_CHECKS: dict[str, Callable[[Any, str], bool]] = {}
_TEAMS: dict[str, Callable[[str], int | None]] = {}


def register_case_access(case_type: str, check: Callable[[Any, str], bool]) -> None:
    _CHECKS[case_type] = check


def can_read_case(actor: Any, case_type: str, case_id: str) -> bool:
    check = _CHECKS.get(case_type)
    return bool(check and check(actor, case_id))


def record_case_types() -> frozenset[str]:
    """The case types whose records a user's scope is checked against."""
    return frozenset(_CHECKS)


def register_case_team(case_type: str, model: type[Model], team_field: str = "team") -> None:
    """`case_team(case_type, id)` reads the record's team from this model's `team_field`."""

    def team_of(case_id: str) -> int | None:
        if not case_id.isdigit():
            return None
        rows = model._default_manager.filter(pk=int(case_id)).values_list(
            f"{team_field}_id", flat=True
        )
        return next(iter(rows), None)

    _TEAMS[case_type] = team_of


def case_team(case_type: str, case_id: str) -> int | None:
    """The team a record belongs to; None for no team, no such record or an unknown type."""
    team_of = _TEAMS.get(case_type)
    return team_of(case_id) if team_of else None
