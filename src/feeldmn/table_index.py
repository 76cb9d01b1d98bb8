"""Column indexes for decision tables: find the matching rules without testing each one.

A column whose cells are all constant tests (``"gold"``, ``[100..500)``, ``>= 1000``,
``not("bad")``, ``true``, ``-``) becomes a lookup from the input value to a bit mask of
the rules whose cell matches: a dict for strings and booleans, a binary search over the
boundaries for numbers. The table's matches are the AND of the column masks, so a table
with hundreds of rules costs a few lookups. Every mask is computed with the ordinary
unary-test predicates (probed once per key or segment, at compile time), and a value of
another type is tested against the predicates themselves, so indexed and unindexed
evaluation agree by construction.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from feeldmn.feel.interpreter import EvalContext, Scope
from feeldmn.feel.types import CTX, Range
from feeldmn.feel.unary import UnaryPredicate

ColumnIndex = Callable[[Any], int]


@dataclass(frozen=True)
class Column:
    """The index of one column: ``lookup(value)`` is the mask of the rules it matches."""

    lookup: ColumnIndex
    # The type of value the index is built for: Decimal, str or bool.
    kind: type
    # For str and bool: the mask of each constant the cells mention.
    masks: dict[Any, int] = field(default_factory=dict)
    # For numbers: the mask of an int or a finite Decimal, None for any other value.
    by_number: Callable[[Any], int | None] | None = None
    # For str: the mask of every string the cells do not mention (None for bool).
    other: int | None = None


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


def _prober(tests: Sequence[UnaryPredicate | None]) -> Callable[[Any], int]:
    """The mask of a value by asking every predicate (``-`` cells always match)."""
    always = sum(1 << r for r, test in enumerate(tests) if test is None)
    live = [(1 << r, test) for r, test in enumerate(tests) if test is not None]

    def probe(value: Any) -> int:
        mask = always
        for bit, test in live:
            if test(value, _PROBE_SCOPE):
                mask |= bit
        return mask

    return probe


def _numeric_index(
    cells: Sequence[tuple[Any, ...] | None], tests: Sequence[UnaryPredicate | None]
) -> Column:
    probe = _prober(tests)
    points = _points([c for c in cells if c is not None])
    # Segments: below the first point, each point, each gap, above the last point.
    probes: list[Decimal] = [points[0] - 1] if points else []
    for i, point in enumerate(points):
        probes.append(point)
        upper = points[i + 1] if i + 1 < len(points) else point + 2
        probes.append(CTX.divide(CTX.add(point, upper), Decimal(2)))
    masks = [probe(p) for p in probes]
    # A value equal to a point has its mask; any other lies in the gap after the points
    # below it (an int compares exactly with the Decimal points and hashes like them).
    at_point = {point: masks[2 * i + 1] for i, point in enumerate(points)}
    in_gap = masks[0::2]
    # Whole-number points (the usual case) are searched as ints, which compare faster.
    whole = [int(p) for p in points] if all(p == p.to_integral_value() for p in points) else None

    # The same points as ints when they are whole: an int input finds its own kind.
    at_whole = {int(p): mask for p, mask in at_point.items()} if whole is not None else at_point

    def by_number(value: Any) -> int | None:
        kind = type(value)
        if kind is int:
            found = at_whole.get(value)
            if found is None:
                return in_gap[bisect_right(whole if whole is not None else points, value)]
            return found
        if kind is Decimal and value.is_finite():
            found = at_point.get(value)
            return in_gap[bisect_right(points, value)] if found is None else found
        return None

    def lookup(value: Any) -> int:
        found = by_number(value) if type(value) is Decimal else None
        return probe(value) if found is None else found

    return Column(lookup, Decimal, by_number=by_number)


def _unseen(strings: set[str]) -> str:
    """A string equal to none of ``strings``."""
    return "\x00" + max(strings, key=len, default="") + "\x00"


def _keyed_index(
    cells: Sequence[tuple[Any, ...] | None],
    tests: Sequence[UnaryPredicate | None],
    kind: type,
) -> Column:
    """Strings or booleans: the cells test equality (or its negation) with constants."""
    probe = _prober(tests)
    keys: set[Any] = {v for values in cells for v in values or ()}
    if kind is bool:
        keys |= {True, False}
    by_value = {key: probe(key) for key in keys}
    other = probe(_unseen(keys)) if kind is str else None

    def lookup(value: Any) -> int:
        if type(value) is kind:
            found = by_value.get(value, other)
            if found is not None:
                return found
        return probe(value)

    return Column(lookup, kind, by_value, other=other)


def column_index(
    cells: Sequence[tuple[Any, ...] | None], tests: Sequence[UnaryPredicate | None]
) -> Column | None:
    """An index for one column, or None when its cells are not all simple constants.

    ``cells[r]`` holds the constants rule r's cell compares with (also those inside a
    ``not(...)``; None for ``-``) and ``tests[r]`` its predicate (None for ``-``).
    """
    constants = [c for c in cells if c is not None]
    if not constants:
        return None
    flat = [v for values in constants for v in values]
    if not flat:
        return None
    if all(_is_numeric(v) for v in flat):
        return _numeric_index(cells, tests)
    for kind in (str, bool):
        if all(type(v) is kind for v in flat):
            return _keyed_index(cells, tests, kind)
    return None
