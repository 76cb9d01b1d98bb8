"""Trees kept as a parent link on each row (teams, product groups): what lies below a node."""

from __future__ import annotations

from collections.abc import Iterable


def subtree_ids(edges: Iterable[tuple[int, int | None]], roots: Iterable[int]) -> set[int]:
    """The `roots` and every node below them, however deep, given each node's
    `(id, parent id)` — the whole tree read in one query, walked here."""
    children: dict[int, list[int]] = {}
    for node, parent in edges:
        if parent is not None:
            children.setdefault(parent, []).append(node)
    result: set[int] = set()
    stack = list(roots)
    while stack:
        current = stack.pop()
        if current not in result:
            result.add(current)
            stack.extend(children.get(current, []))
    return result
