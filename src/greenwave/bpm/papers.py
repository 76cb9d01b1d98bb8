"""The paper a process run carries, as the app that owns it knows it.

A contract put on a contract approval run is the document its approvers read, whatever the
run's variables say: the demo's history wrote its runs before any document existed, and a
document's number or title may change after the start. Apps register a resolver (run id →
the record, as a case type and id of `core.case_access`); the record card of the process pages
asks them in turn and falls back to the run's variables."""

from __future__ import annotations

from collections.abc import Callable

PaperResolver = Callable[[int], tuple[str, str] | None]

_RESOLVERS: list[PaperResolver] = []


def register_run_paper(resolver: PaperResolver) -> None:
    if resolver not in _RESOLVERS:
        _RESOLVERS.append(resolver)


def run_paper(instance_id: int) -> tuple[str, str] | None:
    """The record the run `instance_id` carries, or None when no app knows of one."""
    for resolver in _RESOLVERS:
        found = resolver(instance_id)
        if found is not None:
            return found
    return None
