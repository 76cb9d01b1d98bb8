"""Who may read the events of a case: each app registers a check for its case types.

The events API (and any timeline) asks here, so core needs no knowledge of deals or clients.
A case type without a registered check is visible to nobody through the API.

`case_team` reads the team of a team-owned record (a model with `EVENT_CASE_TYPE` and a
`team` field) through the app registry: the process engine scopes a process bound to a
record by the record's team without importing the record's app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Model

_CHECKS: dict[str, Callable[[Any, str], bool]] = {}


@cache
def _team_owned_models() -> dict[str, type[Model]]:
    return {
        model.EVENT_CASE_TYPE: model  # type: ignore[attr-defined]
        for model in apps.get_models()
        if isinstance(getattr(model, "EVENT_CASE_TYPE", None), str)
        and any(f.name == "team" and f.is_relation for f in model._meta.concrete_fields)
    }


def case_team(case_type: str, case_id: str) -> int | None:
    """The team a record belongs to: the `team` of the model whose `EVENT_CASE_TYPE` is the
    case type. None for no team, no such record, or a case type of no team-owned model."""
    model = _team_owned_models().get(case_type)
    if model is None or not case_id.isdigit():
        return None
    rows = model._default_manager.filter(pk=int(case_id)).values_list("team_id", flat=True)
    return next(iter(rows), None)


def register_case_access(case_type: str, check: Callable[[Any, str], bool]) -> None:
    _CHECKS[case_type] = check


def can_read_case(actor: Any, case_type: str, case_id: str) -> bool:
    check = _CHECKS.get(case_type)
    return bool(check and check(actor, case_id))


def case_types() -> list[str]:
    """The case types some app answers for (what a process may be bound to)."""
    return sorted(_CHECKS)
