"""Who may read the events of a case: each app registers a check for its case types.

The events API (and any timeline) asks here, so core needs no knowledge of deals or clients.
A case type without a registered check is visible to nobody through the API.

`case_team` reads the team of a team-owned record (a model with `EVENT_CASE_TYPE` and a
`team` field) through the app registry: the process engine scopes a process bound to a
record by the record's team without importing the record's app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Model
from django.urls import reverse
from django.utils.text import capfirst

_CHECKS: dict[str, Callable[[Any, str], bool]] = {}
# case type → its list selector `rows(actor=…)`: which of many records a reader sees, in one query
_ROWS: dict[str, Callable[..., Any]] = {}


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


def register_case_access(
    case_type: str, check: Callable[[Any, str], bool], *, rows: Callable[..., Any] | None = None
) -> None:
    """`check(actor, case_id)` answers for one record; `rows(actor=…)`, the app's list selector
    the check scopes by, lets a page of links ask for all its records in one query."""
    _CHECKS[case_type] = check
    if rows is not None:
        _ROWS[case_type] = rows


def can_read_case(actor: Any, case_type: str, case_id: str) -> bool:
    check = _CHECKS.get(case_type)
    return bool(check and check(actor, case_id))


def readable_case_ids(actor: Any, case_type: str, ids: Iterable[int]) -> set[int]:
    """Which of these records of one case type the actor may read: one query when the app
    registered its list selector, else the check record by record."""
    wanted = set(ids)
    rows = _ROWS.get(case_type)
    if rows is not None:
        found = rows(actor=actor).filter(pk__in=wanted).values_list("pk", flat=True)
        return set(found.order_by())
    return {pk for pk in wanted if can_read_case(actor, case_type, str(pk))}


def case_types() -> list[str]:
    """The case types some app answers for (what a process may be bound to)."""
    return sorted(_CHECKS)


# -- what a case is called and where it lives -------------------------------------------------


@dataclass(frozen=True)
class CaseLink:
    """A record as people see it: «Сделка» «Поставка труб — 12» at /sales/deals/12/."""

    case_type: str
    case_id: str
    type_label: str
    title: str
    url: str  # "" when the record is gone or the reader may not open it


# case type → (its name, ids → {id: (title, url)} in one query)
_LINKS: dict[str, tuple[Any, Callable[[list[int]], dict[int, tuple[str, str]]]]] = {}


# case type → its name, for the types with no record page (the demo company, a dataset)
_NAMES: dict[str, Any] = {}


def register_case_name(case_type: str, label: Any) -> None:
    """An app names a case type of its events that has no record to link to."""
    _NAMES[case_type] = label


def register_case_link(
    case_type: str, label: Any, resolve: Callable[[list[int]], dict[int, tuple[str, str]]]
) -> None:
    """An app names its case type and tells the title and URL of its records (by ids)."""
    _LINKS[case_type] = (label, resolve)


def title_links(
    model: type[Model], ids: list[int], *, title: str, url_name: str
) -> dict[int, tuple[str, str]]:
    """The resolver most case types register: each record's `title` column and its page
    `url_name` (taking the id), in one query."""
    rows = model._default_manager.filter(pk__in=ids).values_list("pk", title)
    return {pk: (text, reverse(url_name, args=[pk])) for pk, text in rows}


def parse_case_key(key: str) -> tuple[str, str] | None:
    """A business key `deal:12` as (case type, id) when the type is a registered one."""
    case_type, sep, case_id = (key or "").partition(":")
    if sep and case_id.isdigit() and case_type in _LINKS:
        return case_type, case_id
    return None


@cache
def _case_models() -> dict[str, type[Model]]:
    """The model of each case type (its `EVENT_CASE_TYPE`), the first one where two share it."""
    models: dict[str, type[Model]] = {}
    for model in apps.get_models():
        case_type = getattr(model, "EVENT_CASE_TYPE", None)
        if isinstance(case_type, str):
            models.setdefault(case_type, model)
    return models


def case_type_label(case_type: str) -> str:
    """What a case type is called: its registered name, else its model's, else the code."""
    entry = _LINKS.get(case_type)
    if entry:
        return str(entry[0])
    if case_type in _NAMES:
        return capfirst(str(_NAMES[case_type]))
    model = _case_models().get(case_type)
    return capfirst(str(model._meta.verbose_name)) if model else case_type


def case_links(
    refs: Iterable[tuple[str, str]], actor: Any = None
) -> dict[tuple[str, str], CaseLink]:
    """Titles and URLs of the records named by (case type, id), one query per case type.

    With an actor, a record the actor may not read keeps its type and number but no title
    and no link (one more query per case type whose app registered its `rows`). A record of
    an unregistered type, or gone, is «<type> #<id>» with no link."""
    wanted: dict[str, set[int]] = {}
    for case_type, case_id in refs:
        if case_type in _LINKS and str(case_id).isdigit():
            wanted.setdefault(case_type, set()).add(int(case_id))
    found: dict[tuple[str, str], CaseLink] = {}
    for case_type, ids in wanted.items():
        label, resolve = _LINKS[case_type]
        rows = resolve(sorted(ids))
        readable = ids if actor is None else readable_case_ids(actor, case_type, ids)
        for pk in ids:
            key = (case_type, str(pk))
            if pk in rows and pk in readable:
                title, url = rows[pk]
                found[key] = CaseLink(case_type, str(pk), str(label), title, url)
            else:
                found[key] = CaseLink(case_type, str(pk), str(label), f"#{pk}", "")
    return found


def case_link(case_type: str, case_id: Any, actor: Any = None) -> CaseLink | None:
    """One record's title and URL (see `case_links`); None for an unregistered type."""
    return case_links([(case_type, str(case_id))], actor=actor).get((case_type, str(case_id)))
