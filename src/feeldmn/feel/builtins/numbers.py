"""FEEL built-ins: numeric and date-and-time functions (10.3.4.5, 10.3.4.8)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
)
from typing import Any

from feeldmn.feel.builtins._registry import Fn, _int, builtin
from feeldmn.feel.types import (
    CTX,
    YMDuration,
)

# --------------------------------------------------------------------------- numeric


def _scaled(n: Any, scale: Any, rounding: str) -> Any:
    if not isinstance(n, Decimal) or not isinstance(scale, Decimal) or not scale.is_finite():
        return None
    s = int(scale)  # a fractional scale is truncated
    if not -6111 <= s <= 6176:
        return None
    exponent = n.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -s:
        return n  # already no more decimals than asked for
    try:
        result = n.quantize(Decimal(1).scaleb(-s), rounding=rounding, context=CTX)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def _rounding(mode: str, fixed_scale: bool) -> Fn:
    if fixed_scale:
        return lambda n: _scaled(n, Decimal(0), mode)
    return lambda n, scale: _scaled(n, scale, mode)


# name, whether the scale is a parameter (else 0), the rounding mode; in overload order.
_ROUNDINGS = [
    ("decimal", True, ROUND_HALF_EVEN),
    ("floor", False, ROUND_FLOOR),
    ("floor", True, ROUND_FLOOR),
    ("ceiling", False, ROUND_CEILING),
    ("ceiling", True, ROUND_CEILING),
    ("round up", True, ROUND_UP),
    ("round down", True, ROUND_DOWN),
    ("round half up", True, ROUND_HALF_UP),
    ("round half down", True, ROUND_HALF_DOWN),
]
for _name, _with_scale, _mode in _ROUNDINGS:
    _params = ("n", "scale") if _with_scale else ("n",)
    builtin(_name, *_params)(_rounding(_mode, not _with_scale))


@builtin("abs", "n")
def _abs(n: Any) -> Any:
    if isinstance(n, Decimal):
        return CTX.abs(n)
    if isinstance(n, timedelta):
        return abs(n)
    if isinstance(n, YMDuration):
        return YMDuration(abs(n.months))
    return None


@builtin("modulo", "dividend", "divisor")
def _modulo(a: Any, b: Any) -> Any:
    if not isinstance(a, Decimal) or not isinstance(b, Decimal) or b == 0:
        return None
    # FEEL: the result has the sign of the divisor, like floored division.
    try:
        r = CTX.remainder(a, b)
    except InvalidOperation:
        return None
    if not r.is_finite():
        return None  # the quotient does not fit in 34 digits
    if r != 0 and (r < 0) != (b < 0):
        r = CTX.add(r, b)
    return r


@builtin("sqrt", "number")
def _sqrt(n: Any) -> Any:
    if not isinstance(n, Decimal) or n < 0:
        return None
    return CTX.sqrt(n)


@builtin("log", "number")
def _log(n: Any) -> Any:
    if not isinstance(n, Decimal) or n <= 0:
        return None
    return CTX.ln(n)


@builtin("exp", "number")
def _exp(n: Any) -> Any:
    if not isinstance(n, Decimal):
        return None
    try:
        r = CTX.exp(n)
    except InvalidOperation:
        return None
    return r if r.is_finite() else None


@builtin("odd", "number")
def _odd(n: Any) -> Any:
    i = _int(n)
    return None if i is None else i % 2 == 1


@builtin("even", "number")
def _even(n: Any) -> Any:
    i = _int(n)
    return None if i is None else i % 2 == 0


# --------------------------------------------------------------------- date and time

_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


# The functions of one date (or date and time) that read one of its fields.
_DATE_FIELDS: dict[str, Callable[[date], Any]] = {
    "day of year": lambda d: Decimal(d.timetuple().tm_yday),
    "day of week": lambda d: _DAYS[d.weekday()],
    "month of year": lambda d: calendar.month_name[d.month],
    "week of year": lambda d: Decimal(d.isocalendar()[1]),
}


def _on_date(fn: Callable[[date], Any]) -> Fn:
    return lambda d: fn(d) if isinstance(d, date) else None


for _name, _field in _DATE_FIELDS.items():
    builtin(_name, "date")(_on_date(_field))


@builtin("now")
def _now() -> Any:
    return datetime.now(UTC)


@builtin("today")
def _today() -> Any:
    return datetime.now(UTC).date()
