"""Column indexes for decision tables: find the matching rules without testing each one.

A column whose cells are all constants (``"gold"``, ``[100..500)``, ``>= 1000``, ``-``)
becomes a lookup from the input value to a bit mask of the rules whose cell matches:
a dict for strings, a binary search over the boundaries for numbers. The table's
matches are the AND of the column masks, so a table with hundreds of rules costs a few
lookups. Every mask is computed with the ordinary unary-test predicates, so indexed and
unindexed evaluation agree by construction.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from greenwave.bpm.dmn.feel.interpreter import EvalContext, Scope
from greenwave.bpm.dmn.feel.types import CTX, Range
from greenwave.bpm.dmn.feel.unary import UnaryPredicate

ColumnIndex = Callable[[Any], int]

_PROBE_SCOPE = Scope({}, None, EvalContext(time_budget=3600.0))


def _is_numeric(value: Any) -> bool:
    if type(value) is Decimal:
        return True
    if isinstance(value, Range):
        ends = [e for e in (value.start, value.end) if e is not None]
        return bool(ends) and all(type(e) is Decimal for e in ends)
    return False


def _points(constants: Sequence[tuple[Any, ...]]) -> list[Decimal]:
    points: set[Decimal] = set()
    for values in constants:
        for value in values:
            if isinstance(value, Range):
                points.update(e for e in (value.start, value.end) if e is not None)
            else:
                points.add(value)
    return sorted(points)


def _numeric_index(
    cells: Sequence[tuple[Any, ...] | None], tests: Sequence[UnaryPredicate | None]
) -> ColumnIndex:
    always = sum(1 << r for r, test in enumerate(tests) if test is None)
    points = _points([c for c in cells if c is not None])
    # Segments: below the first point, each point, each gap, above the last point.
    probes: list[Decimal] = [points[0] - 1] if points else []
    for i, point in enumerate(points):
        probes.append(point)
        upper = points[i + 1] if i + 1 < len(points) else point + 2
        probes.append(CTX.divide(CTX.add(point, upper), Decimal(2)))
    masks = []
    for probe in probes:
        mask = always
        for r, test in enumerate(tests):
            if test is not None and test(probe, _PROBE_SCOPE):
                mask |= 1 << r
        masks.append(mask)

    def lookup(value: Any) -> int:
        if type(value) is not Decimal:
            return always
        i = bisect_left(points, value)
        if i < len(points) and points[i] == value:
            return masks[2 * i + 1]
        return masks[2 * i]

    return lookup


def _string_index(
    cells: Sequence[tuple[Any, ...] | None], tests: Sequence[UnaryPredicate | None]
) -> ColumnIndex:
    always = sum(1 << r for r, test in enumerate(tests) if test is None)
    by_value: dict[str, int] = {}
    for r, values in enumerate(cells):
        for value in values or ():
            by_value[value] = by_value.get(value, always) | (1 << r)

    def lookup(value: Any) -> int:
        if type(value) is not str:
            return always
        return by_value.get(value, always)

    return lookup


def column_index(
    cells: Sequence[tuple[Any, ...] | None], tests: Sequence[UnaryPredicate | None]
) -> ColumnIndex | None:
    """An index for one column, or None when its cells are not all simple constants.

    ``cells[r]`` holds the constants of rule r's cell (None for ``-``) and ``tests[r]``
    its predicate (None for ``-``).
    """
    constants = [c for c in cells if c is not None]
    if not constants:
        return None
    flat = [v for values in constants for v in values]
    if all(_is_numeric(v) for v in flat):
        return _numeric_index(cells, tests)
    if all(type(v) is str for v in flat):
        return _string_index(cells, tests)
    return None
