"""FEEL built-ins: the range functions (10.3.4.7), points and ranges alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from feeldmn.feel import operators as ops
from feeldmn.feel.builtins._registry import builtin
from feeldmn.feel.types import (
    Range,
)

# ------------------------------------------------------------------------------ range


def _as_range(value: Any) -> Range | None:
    return value if isinstance(value, Range) else None


def _cmp(a: Any, b: Any) -> int | None:
    return ops.compare(a, b)


def _lt(a: Any, b: Any) -> bool | None:
    c = _cmp(a, b)
    return None if c is None else c < 0


def _eq(a: Any, b: Any) -> bool | None:
    c = _cmp(a, b)
    return None if c is None else c == 0


def _range_fn(name: str, impl: Callable[[Any, Any], Any], *signatures: tuple[str, str]) -> None:
    def wrapped(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        try:
            return impl(a, b)
        except TypeError:
            return None

    for params in signatures:
        builtin(name, *params)(wrapped)


def _r(value: Any) -> Range:
    """A point as the degenerate range [p..p]."""
    return value if isinstance(value, Range) else Range(value, True, value, True)


def _before(a: Any, b: Any) -> Any:
    ra, rb = _r(a), _r(b)
    if ra.end is None or rb.start is None:
        return False
    c = _cmp(ra.end, rb.start)
    if c is None:
        return None
    return c < 0 or (c == 0 and not (ra.end_included and rb.start_included))


def _after(a: Any, b: Any) -> Any:
    return _before(b, a)


def _meets(a: Any, b: Any) -> Any:
    if not isinstance(a, Range) or not isinstance(b, Range):
        return None
    return a.end_included and b.start_included and _eq(a.end, b.start)


def _met_by(a: Any, b: Any) -> Any:
    return _meets(b, a)


def _overlaps(a: Any, b: Any) -> Any:
    if not isinstance(a, Range) or not isinstance(b, Range):
        return None
    return not _before(a, b) and not _before(b, a)


def _overlaps_before(a: Any, b: Any) -> Any:
    if not isinstance(a, Range) or not isinstance(b, Range):
        return None
    c1 = _cmp(a.start, b.start)
    c2 = _cmp(a.end, b.start)
    c3 = _cmp(a.end, b.end)
    if c1 is None or c2 is None or c3 is None:
        return None
    starts_before = c1 < 0 or (c1 == 0 and a.start_included and not b.start_included)
    ends_inside = c2 > 0 or (c2 == 0 and a.end_included and b.start_included)
    ends_before = c3 < 0 or (c3 == 0 and (not a.end_included or b.end_included))
    return starts_before and ends_inside and ends_before


def _overlaps_after(a: Any, b: Any) -> Any:
    return _overlaps_before(b, a)


def _shares_bound(a: Any, b: Any, here: str, there: str, inward: int) -> Any:
    """``finishes`` (here "end") and ``starts`` (here "start"): ``a`` (a point or a range)
    shares the bound ``here`` of range ``b``, included alike, and its other bound ``there``
    lies inside ``b`` (``inward``: the sign of that comparison that means inside)."""
    if not isinstance(b, Range):
        return None
    bound, included = getattr(b, here), getattr(b, f"{here}_included")
    if not isinstance(a, Range):
        return included and _eq(a, bound)
    c1 = _cmp(getattr(a, here), bound)
    c2 = _cmp(getattr(a, there), getattr(b, there))
    if c1 is None or c2 is None:
        return None
    a_other, b_other = getattr(a, f"{there}_included"), getattr(b, f"{there}_included")
    return (
        getattr(a, f"{here}_included") == included
        and c1 == 0
        and (c2 * inward > 0 or (c2 == 0 and (not a_other or b_other)))
    )


def _finishes(a: Any, b: Any) -> Any:
    return _shares_bound(a, b, "end", "start", 1)


def _finished_by(a: Any, b: Any) -> Any:
    return _finishes(b, a)


def _includes(a: Any, b: Any) -> Any:
    if not isinstance(a, Range):
        return None
    if not isinstance(b, Range):
        return ops.in_range(b, a)
    c1 = _cmp(a.start, b.start)
    c2 = _cmp(a.end, b.end)
    if c1 is None or c2 is None:
        return None
    start_ok = c1 < 0 or (c1 == 0 and (a.start_included or not b.start_included))
    end_ok = c2 > 0 or (c2 == 0 and (a.end_included or not b.end_included))
    return start_ok and end_ok


def _during(a: Any, b: Any) -> Any:
    return _includes(b, a)


def _starts(a: Any, b: Any) -> Any:
    return _shares_bound(a, b, "start", "end", -1)


def _started_by(a: Any, b: Any) -> Any:
    return _starts(b, a)


def _coincides(a: Any, b: Any) -> Any:
    if isinstance(a, Range) != isinstance(b, Range):
        return None
    if not isinstance(a, Range):
        return _eq(a, b)
    assert isinstance(b, Range)
    c1, c2 = _cmp(a.start, b.start), _cmp(a.end, b.end)
    if c1 is None or c2 is None:
        return None
    return (
        c1 == 0
        and c2 == 0
        and a.start_included == b.start_included
        and a.end_included == b.end_included
    )


_PP = ("point1", "point2")
_PR = ("point", "range")
_RP = ("range", "point")
_RR = ("range1", "range2")
_range_fn("before", _before, _PP, _PR, _RP, _RR)
_range_fn("after", _after, _PP, _PR, _RP, _RR)
_range_fn("meets", _meets, _RR)
_range_fn("met by", _met_by, _RR)
_range_fn("overlaps", _overlaps, _RR)
_range_fn("overlaps before", _overlaps_before, _RR)
_range_fn("overlaps after", _overlaps_after, _RR)
_range_fn("finishes", _finishes, _PR, _RR)
_range_fn("finished by", _finished_by, _RP, _RR)
_range_fn("includes", _includes, _RP, _RR)
_range_fn("during", _during, _PR, _RR)
_range_fn("starts", _starts, _PR, _RR)
_range_fn("started by", _started_by, _RP, _RR)
_range_fn("coincides", _coincides, _PP, _RR)
