"""FEEL operators on values: equality, ordering, arithmetic, range membership.

Every function here is total: a type mismatch gives ``None`` (FEEL null), never an
exception; the interpreter records a warning when it sees one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from feeldmn.feel.types import CTX, FeelFunction, Range, UnaryTest, YMDuration

_UTC = UTC


def _time_key(value: time) -> tuple[int, Decimal | int]:
    """Seconds since midnight in UTC (for times with an offset) or local."""
    secs = value.hour * 3600 + value.minute * 60 + value.second
    micro = Decimal(value.microsecond) / Decimal(1_000_000)
    if value.tzinfo is not None:
        offset = value.tzinfo.utcoffset(None)
        if offset is not None:
            secs -= int(offset.total_seconds())
    return (1 if value.tzinfo is not None else 0, Decimal(secs) + micro)


# Types whose values are equal (and ordered) as Python compares them.
_PLAIN_EQUAL = (Decimal, str, timedelta, YMDuration)
_PLAIN_ORDER = (Decimal, str, timedelta)


def equal(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: null equals only null; values of different types give null."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b if isinstance(a, bool) and isinstance(b, bool) else None
    for kind in _PLAIN_EQUAL:
        if isinstance(a, kind) and isinstance(b, kind):
            return bool(a == b)
    if isinstance(a, date | time) or isinstance(b, date | time):
        return _equal_temporal(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return False if len(a) != len(b) else _equal_all(zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return False if set(a) != set(b) else _equal_all((x, b[key]) for key, x in a.items())
    if isinstance(a, UnaryTest | Range) or isinstance(b, UnaryTest | Range):
        return _equal_tests(a, b)
    if isinstance(a, FeelFunction) and isinstance(b, FeelFunction):
        return a is b
    return None


def _equal_temporal(a: Any, b: Any) -> bool | None:
    if isinstance(a, datetime) and isinstance(b, datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return False
        # The value resolution of times and date-times is the second.
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    if isinstance(a, datetime) or isinstance(b, datetime):
        return None
    if isinstance(a, date) and isinstance(b, date):
        return a == b
    if isinstance(a, time) and isinstance(b, time):
        return _time_key(a.replace(microsecond=0)) == _time_key(b.replace(microsecond=0))
    return None


def _equal_all(pairs: Iterable[tuple[Any, Any]]) -> bool | None:
    """Lists and contexts: false at the first unequal pair, else null if any pair is null."""
    result: bool | None = True
    for x, y in pairs:
        r = equal(x, y)
        if r is False:
            return False
        if r is None:
            result = None
    return result


def _equal_tests(a: Any, b: Any) -> bool | None:
    """Unary tests and ranges (one of ``a``, ``b`` at least)."""
    if isinstance(a, UnaryTest) and isinstance(b, UnaryTest):
        return a.op == b.op and equal(a.value, b.value) is True
    if isinstance(a, UnaryTest) != isinstance(b, UnaryTest):
        return (
            False if isinstance(a, UnaryTest | Range) and isinstance(b, UnaryTest | Range) else None
        )
    if isinstance(a, Range) and isinstance(b, Range):
        return (
            a.unary == b.unary
            and a.start_included == b.start_included
            and a.end_included == b.end_included
            and equal(a.start, b.start) is True
            and equal(a.end, b.end) is True
        )
    return None


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for ordered FEEL values of the same type; None otherwise."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return None
    try:
        for kind in _PLAIN_ORDER:
            if isinstance(a, kind) and isinstance(b, kind):
                return int(a > b) - int(a < b)
        if isinstance(a, datetime) and isinstance(b, datetime):
            if (a.tzinfo is None) != (b.tzinfo is None):
                # A date-time without a zone is taken as UTC to make it comparable.
                a = a if a.tzinfo else a.replace(tzinfo=_UTC)
                b = b if b.tzinfo else b.replace(tzinfo=_UTC)
            return int(a > b) - int(a < b)
        if isinstance(a, datetime) or isinstance(b, datetime):
            return None
        if isinstance(a, date) and isinstance(b, date):
            return (a > b) - (a < b)
        if isinstance(a, time) and isinstance(b, time):
            ka, kb = _time_key(a)[1], _time_key(b)[1]
            return int(ka > kb) - int(ka < kb)
        if isinstance(a, YMDuration) and isinstance(b, YMDuration):
            return (a.months > b.months) - (a.months < b.months)
    except (TypeError, ValueError, OverflowError):
        return None
    return None


def in_range(value: Any, rng: Range) -> bool | None:
    """Membership of a point in a range; null when the types do not compare."""
    if value is None:
        return None
    if not rng.unary and (rng.start is None or rng.end is None):
        # An interval with a null end point is not an unbounded range.
        return None
    if rng.start is not None:
        c = compare(rng.start, value)
        if c is None:
            return None
        if c > 0 or (c == 0 and not rng.start_included):
            return False
    if rng.end is not None:
        c = compare(value, rng.end)
        if c is None:
            return None
        if c > 0 or (c == 0 and not rng.end_included):
            return False
    return True


def matches_test(value: Any, test: Any) -> bool | None:
    """``value in test`` for a test value: a range, a list of tests, = x / != x, or x."""
    if isinstance(test, Range):
        return in_range(value, test)
    if isinstance(test, UnaryTest):
        r = equal(value, test.value)
        if test.op == "!=":
            return None if r is None else not r
        return r
    if isinstance(test, list):
        if isinstance(value, list) and equal(value, test) is True:
            return True
        for item in test:
            r = (
                matches_test(value, item)
                if isinstance(item, Range | UnaryTest)
                else equal(value, item)
            )
            if r is True:
                return True
        return False
    return equal(value, test)


# ------------------------------------------------------------------------ arithmetic


def _dec(op: str, a: Decimal, b: Decimal) -> Decimal | None:
    try:
        if op == "+":
            r = CTX.add(a, b)
        elif op == "-":
            r = CTX.subtract(a, b)
        elif op == "*":
            r = CTX.multiply(a, b)
        elif op == "/":
            if b == 0:
                return None
            r = CTX.divide(a, b)
        else:
            if b != b.to_integral_value() and a < 0:
                return None
            if b == b.to_integral_value() and abs(b) < 1_000_000:
                r = CTX.power(a, int(b)) if not (a == 0 and b < 0) else Decimal("NaN")
            else:
                r = CTX.power(a, b)
    except (InvalidOperation, ZeroDivisionError, OverflowError):
        return None
    return r if r.is_finite() else None


def _date_of(value: date) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def add_months(value: date, months: int) -> date | None:
    total = value.year * 12 + (value.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        return None
    import calendar

    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def _seconds(delta: timedelta) -> Decimal:
    return (
        Decimal(delta.days) * 86400
        + Decimal(delta.seconds)
        + Decimal(delta.microseconds) / Decimal(1_000_000)
    )


def seconds_to_delta(value: Decimal) -> timedelta | None:
    try:
        micro = int(CTX.multiply(value, Decimal(1_000_000)).to_integral_value())
        return timedelta(microseconds=micro)
    except (OverflowError, InvalidOperation):
        return None


def arith(op: str, a: Any, b: Any) -> Any:
    """Binary ``+ - * / **``; None for null operands or unsupported type pairs."""
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return None
    try:
        return _arith(op, a, b)
    except (OverflowError, ValueError, TypeError, InvalidOperation):
        return None


def _arith(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return _dec(op, a, b)
    operation = _TEMPORAL_ARITH.get(op)
    return None if operation is None else operation(a, b)


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str):
        return a + b
    if isinstance(a, YMDuration) and isinstance(b, YMDuration):
        return YMDuration(a.months + b.months)
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a + b
    if isinstance(a, timedelta | YMDuration) and isinstance(b, date | time):
        a, b = b, a
    if isinstance(a, datetime) and isinstance(b, timedelta):
        return a + b
    if isinstance(a, datetime) and isinstance(b, YMDuration):
        return add_months(a, b.months)
    if isinstance(a, date) and isinstance(b, timedelta):
        r = _date_of(a) + b
        return r.date()
    if isinstance(a, date) and isinstance(b, YMDuration):
        return add_months(a, b.months)
    if isinstance(a, time) and isinstance(b, timedelta):
        base = datetime(2000, 1, 1, a.hour, a.minute, a.second, a.microsecond)
        return (base + b).time().replace(tzinfo=a.tzinfo)
    return None


def _subtract(a: Any, b: Any) -> Any:
    if isinstance(a, YMDuration) and isinstance(b, YMDuration):
        return YMDuration(a.months - b.months)
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return a - b
    if isinstance(a, datetime) and isinstance(b, datetime):
        if (a.tzinfo is None) != (b.tzinfo is None):
            return None
        return a - b
    if isinstance(a, date) and isinstance(b, date):
        return _date_of(a) - _date_of(b)
    if isinstance(a, datetime) and isinstance(b, timedelta):
        return a - b
    if isinstance(a, date) and isinstance(b, timedelta):
        return (_date_of(a) - b).date()
    if isinstance(a, date) and isinstance(b, YMDuration):
        return add_months(a, -b.months)
    if isinstance(a, time):
        return _subtract_from_time(a, b)
    return None


def _subtract_from_time(a: time, b: Any) -> Any:
    if isinstance(b, time):
        ka, kb = _time_key(a), _time_key(b)
        if ka[0] != kb[0]:
            return None
        return seconds_to_delta(Decimal(ka[1]) - Decimal(kb[1]))
    if isinstance(b, timedelta):
        return _add(a, -b)
    return None


def _multiply(a: Any, b: Any) -> Any:
    if isinstance(a, Decimal) and isinstance(b, timedelta | YMDuration):
        a, b = b, a
    if isinstance(a, timedelta) and isinstance(b, Decimal):
        return seconds_to_delta(CTX.multiply(_seconds(a), b))
    if isinstance(a, YMDuration) and isinstance(b, Decimal):
        return YMDuration(int(CTX.multiply(Decimal(a.months), b).to_integral_value()))
    return None


def _divide(a: Any, b: Any) -> Any:
    if isinstance(a, timedelta) and isinstance(b, Decimal):
        return None if b == 0 else seconds_to_delta(CTX.divide(_seconds(a), b))
    if isinstance(a, YMDuration) and isinstance(b, Decimal):
        if b == 0:
            return None
        return YMDuration(int(CTX.divide(Decimal(a.months), b).to_integral_value()))
    if isinstance(a, timedelta) and isinstance(b, timedelta):
        return None if not b else CTX.divide(_seconds(a), _seconds(b))
    if isinstance(a, YMDuration) and isinstance(b, YMDuration):
        return None if not b.months else CTX.divide(Decimal(a.months), Decimal(b.months))
    return None


# The operators on other values than two numbers (those go to _dec).
_TEMPORAL_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _subtract,
    "*": _multiply,
    "/": _divide,
}


def negate(value: Any) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return CTX.minus(value)
    if isinstance(value, timedelta):
        return -value
    if isinstance(value, YMDuration):
        return YMDuration(-value.months)
    return None
