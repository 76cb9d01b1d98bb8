"""FEEL built-ins: conversion functions and the boolean ones (DMN 1.5, 10.3.4.1, 10.3.4.2)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import (
    Decimal,
)
from typing import Any

from feeldmn.feel import operators as ops
from feeldmn.feel.builtins._registry import _int, builtin
from feeldmn.feel.types import (
    YMDuration,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_number,
    parse_time,
    to_text,
)

# ------------------------------------------------------------------------ conversion


@builtin("date", "from")
def _date_from(value: Any) -> Any:
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


@builtin("date", "year", "month", "day")
def _date_ymd(year: Any, month: Any, day: Any) -> Any:
    y, m, d = _int(year), _int(month), _int(day)
    if y is None or m is None or d is None:
        return None
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


@builtin("date and time", "from")
def _dt_from(value: Any) -> Any:
    if isinstance(value, str):
        return parse_date_time(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


@builtin("date and time", "date", "time")
def _dt_combine(d: Any, t: Any) -> Any:
    if not isinstance(d, date) or not isinstance(t, time):
        return None
    if isinstance(d, datetime):
        d = d.date()
    return datetime.combine(d, t)


@builtin("time", "from")
def _time_from(value: Any) -> Any:
    if isinstance(value, str):
        return parse_time(value)
    if isinstance(value, datetime):
        return value.timetz()
    if isinstance(value, date):
        return time(0, 0, 0, tzinfo=UTC)
    if isinstance(value, time):
        return value
    return None


@builtin("time", "hour", "minute", "second", "offset?")
def _time_hms(hour: Any, minute: Any, second: Any, offset: Any) -> Any:
    h, m = _int(hour), _int(minute)
    if h is None or m is None or not isinstance(second, Decimal):
        return None
    whole = int(second)
    micro = int((second - whole) * 1_000_000)
    tz = None
    if offset is not None:
        if not isinstance(offset, timedelta) or abs(offset) > timedelta(hours=14):
            return None
        tz = timezone(offset)
    try:
        return time(h, m, whole, micro, tzinfo=tz)
    except (ValueError, OverflowError):
        return None


@builtin("number", "from", "grouping separator?", "decimal separator?")
def _number(value: Any, grouping: Any, decimal_sep: Any) -> Any:
    if not isinstance(value, str):
        return None
    if grouping not in (None, " ", ",", ".") or decimal_sep not in (None, ",", "."):
        return None
    if grouping is not None and grouping == decimal_sep:
        return None
    text = value
    if grouping:
        text = text.replace(grouping, "")
    if decimal_sep:
        text = text.replace(decimal_sep, ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return None
    return parse_number(text)


@builtin("string", "from")
def _string(value: Any) -> Any:
    return to_text(value)


@builtin("duration", "from")
def _duration(value: Any) -> Any:
    if isinstance(value, str):
        return parse_duration(value)
    return None


@builtin("years and months duration", "from", "to")
def _ym_duration(start: Any, end: Any) -> Any:
    if not isinstance(start, date) or not isinstance(end, date):
        return None
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return YMDuration(months)


@builtin("context", "entries")
def _context(entries: Any) -> Any:
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        return None
    out: dict[str, Any] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "key" not in entry or "value" not in entry:
            return None
        key = entry["key"]
        if not isinstance(key, str) or key in out:
            return None
        out[key] = entry["value"]
    return out


@builtin("range", "from")
def _range(value: Any) -> Any:
    if not isinstance(value, str):
        return None
    from feeldmn.feel.api import evaluate_literal_range

    return evaluate_literal_range(value)


# --------------------------------------------------------------------------- boolean


@builtin("not", "negand")
def _not(value: Any) -> Any:
    return (not value) if isinstance(value, bool) else None


@builtin("is", "value1", "value2")
def _is(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return a is None and b is None
    if type(a) is not type(b):
        return False
    if isinstance(a, time | datetime):
        return a == b and a.tzinfo == b.tzinfo and a.utcoffset() == b.utcoffset()
    return ops.equal(a, b) is True
