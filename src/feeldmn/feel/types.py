"""FEEL values: how each FEEL type is represented in Python, and how it is written.

| FEEL                       | Python                                   |
| -------------------------- | ---------------------------------------- |
| null                       | ``None``                                 |
| number                     | ``Decimal`` (34 digits, half even)       |
| string / boolean           | ``str`` / ``bool``                       |
| date                       | ``datetime.date``                        |
| time                       | ``datetime.time`` (tzinfo for an offset) |
| date and time              | ``datetime.datetime``                    |
| days and time duration     | ``datetime.timedelta``                   |
| years and months duration  | ``YMDuration``                           |
| list / context             | ``list`` / ``dict[str, Any]``            |
| range                      | ``Range``                                |
| function                   | ``FeelFunction``                         |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

# The spec: IEEE 754-2008 Decimal128, 34 digits, round half even.
CTX = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=6144, Emin=-6143, traps=[])
ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, order=True, slots=True)
class YMDuration:
    """A years-and-months duration, kept as a signed number of months."""

    months: int

    def __str__(self) -> str:
        if self.months == 0:
            return "P0M"
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        out = f"{sign}P"
        if years:
            out += f"{years}Y"
        if months:
            out += f"{months}M"
        return out


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range; ``None`` as an end means the range is unbounded on that side."""

    start: Any
    start_included: bool
    end: Any
    end_included: bool
    # "<", "<=", ">", ">=" for a range written as a unary comparison (< 10): its open
    # side is unbounded, unlike an interval with a null end point ((null..10)).
    unary: str = ""


@dataclass(frozen=True, slots=True)
class UnaryTest:
    """The value of ``= x`` or ``!= x`` written where an expression is expected."""

    op: str
    value: Any


@dataclass(eq=False)
class FeelFunction:
    """A callable FEEL value: a built-in, a user function, a BKM or a decision service.

    ``invoke`` receives positional arguments already matched to ``params`` and the
    evaluation context; ``params`` may end with ``*`` for variadic functions.
    """

    name: str
    params: list[str]
    invoke: Callable[..., Any]
    param_types: list[Any] = field(default_factory=list)
    # Built-ins with several signatures (date(from) and date(y, m, d)) list them here.
    overloads: list[FeelFunction] = field(default_factory=list)
    # Set when the function needs the evaluation context as its first argument.
    wants_context: bool = False
    # Built-ins report a null result for non-null arguments as a warning.
    builtin: bool = False


# ---------------------------------------------------------------------------- numbers


def to_decimal(value: Any) -> Decimal | None:
    """A Python number as a FEEL number (bool is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return CTX.create_decimal(repr(value))
    return None


def number_text(value: Decimal) -> str:
    """A number written the way FEEL ``string()`` writes it: no exponent, no trailing 0."""
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(CTX), "f")


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


# ------------------------------------------------------------------- date and time

_DATE_RE = re.compile(r"(-?(?:[1-9]\d{4,8}|\d{4}))-(\d\d)-(\d\d)")
_TIME_RE = re.compile(
    r"(\d\d):(\d\d):(\d\d)(\.\d+)?(?:(Z|z)|([+-]\d\d:\d\d(?::\d\d)?)|@([A-Za-z0-9_+\-/]+))?"
)
_DURATION_RE = re.compile(
    r"(-)?P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?"
)


class NamedZone(tzinfo):
    """An IANA zone written with ``@``; kept apart from offsets so that it prints back."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.zone = ZoneInfo(key)

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self.zone.utcoffset(dt if dt is not None else datetime(2000, 1, 1))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self.zone.dst(dt if dt is not None else datetime(2000, 1, 1))

    def tzname(self, dt: datetime | None) -> str | None:
        return self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamedZone) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"NamedZone({self.key!r})"


def _zone(offset: str | None, zulu: str | None, name: str | None) -> tzinfo | bool | None:
    """The tzinfo of a time text; False when the zone is invalid."""
    if zulu:
        return UTC
    if offset:
        sign = -1 if offset[0] == "-" else 1
        parts = [int(p) for p in offset[1:].split(":")]
        delta = timedelta(
            hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0
        )
        if delta > timedelta(hours=14):
            return False
        return timezone(sign * delta)
    if name:
        try:
            return NamedZone(name)
        except (KeyError, ValueError, OSError):
            return False
    return None


def parse_date(text: str) -> date | None:
    m = _DATE_RE.fullmatch(text)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _micro(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int((fraction[1:] + "000000")[:6])


def parse_time(text: str) -> time | None:
    m = _TIME_RE.fullmatch(text)
    if not m:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    tz = _zone(m.group(6), m.group(5), m.group(7))
    if tz is False or hour > 23 or minute > 59 or second > 59:
        if not (hour == 24 and minute == 0 and second == 0):
            return None
        hour = 0
    if not isinstance(tz, tzinfo | None):
        return None
    return time(hour, minute, second, _micro(m.group(4)), tzinfo=tz)


def parse_date_time(text: str) -> datetime | None:
    if "T" not in text:
        d = parse_date(text)
        return datetime(d.year, d.month, d.day) if d else None
    date_part, time_part = text.split("T", 1)
    d = parse_date(date_part)
    m = _TIME_RE.fullmatch(time_part)
    if d is None or m is None:
        return None
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    tz = _zone(m.group(6), m.group(5), m.group(7))
    if not isinstance(tz, tzinfo | None):
        return None
    extra = timedelta(0)
    if hour == 24 and minute == 0 and second == 0 and not m.group(4):
        hour, extra = 0, timedelta(days=1)
    try:
        value = datetime(
            d.year, d.month, d.day, hour, minute, second, _micro(m.group(4)), tzinfo=tz
        )
        return value + extra
    except (ValueError, OverflowError):
        return None


def parse_duration(text: str) -> timedelta | YMDuration | None:
    m = _DURATION_RE.fullmatch(text)
    if not m or text.endswith("T"):
        return None
    neg, years, months, days, hours, minutes, seconds = m.groups()
    sign = -1 if neg else 1
    if (years or months) and not (days or hours or minutes or seconds):
        return YMDuration(sign * (int(years or 0) * 12 + int(months or 0)))
    if years or months:
        return None
    try:
        delta = timedelta(
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=float(seconds) if seconds and "." in seconds else int(seconds or 0),
        )
    except OverflowError:
        return None
    return -delta if neg else delta


def _offset_text(tz: tzinfo | None, when: datetime | None) -> str:
    if tz is None:
        return ""
    if isinstance(tz, NamedZone):
        return "@" + tz.key
    offset = tz.utcoffset(when)
    if offset is None:
        return ""
    if offset == timedelta(0):
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    total = abs(int(offset.total_seconds()))
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    out = f"{sign}{hours:02d}:{minutes:02d}"
    return out + (f":{seconds:02d}" if seconds else "")


def time_text(value: time, when: datetime | None = None) -> str:
    out = f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if value.microsecond:
        out += f".{value.microsecond:06d}".rstrip("0")
    return out + _offset_text(value.tzinfo, when)


def date_text(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def duration_text(value: timedelta) -> str:
    if value == timedelta(0):
        return "PT0S"
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days = value.days
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    if hours or minutes or seconds or value.microseconds:
        out += "T"
        if hours:
            out += f"{hours}H"
        if minutes:
            out += f"{minutes}M"
        if seconds or value.microseconds:
            sec = str(seconds)
            if value.microseconds:
                sec += f".{value.microseconds:06d}".rstrip("0")
            out += f"{sec}S"
    return out


def to_text(value: Any) -> str | None:
    """FEEL ``string(value)``; ``None`` for null."""
    if value is None:
        return None
    for kind, text in _TEXTS:
        if isinstance(value, kind):
            return text(value)
    return None


def _range_text(value: Range) -> str:
    return (
        ("[" if value.start_included else "(")
        + _literal_text(value.start)
        + ".."
        + _literal_text(value.end)
        + ("]" if value.end_included else ")")
    )


# The text of a value by its type, in this order (a date-time is also a date).
_TEXTS: tuple[tuple[type, Callable[[Any], str]], ...] = (
    (str, lambda value: value),
    (bool, lambda value: "true" if value else "false"),
    (Decimal, lambda value: number_text(value)),
    (datetime, lambda value: f"{date_text(value)}T{time_text(value.timetz(), value)}"),
    (date, lambda value: date_text(value)),
    (time, lambda value: time_text(value)),
    (timedelta, lambda value: duration_text(value)),
    (YMDuration, str),
    (list, lambda value: "[" + ", ".join(_literal_text(v) for v in value) + "]"),
    (
        dict,
        lambda value: "{" + ", ".join(f"{k}: {_literal_text(v)}" for k, v in value.items()) + "}",
    ),
    (Range, _range_text),
    (FeelFunction, lambda value: f"function {value.name}"),
)


def _literal_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_text(value) or "null"


# The FEEL type names by Python type, in this order (a bool is no number here, a date-time
# is also a date).
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (Decimal, "number"),
    (str, "string"),
    (datetime, "date and time"),
    (date, "date"),
    (time, "time"),
    (timedelta, "days and time duration"),
    (YMDuration, "years and months duration"),
    (list, "list"),
    (dict, "context"),
    (Range, "range"),
    (FeelFunction, "function"),
)


def is_plain_date(value: Any) -> bool:
    """A FEEL date: a `date` that is not a `datetime` (which is a `date` subclass)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def type_name(value: Any) -> str:
    """The FEEL type name of a value, as used by ``instance of`` and warnings."""
    if value is None:
        return "Null"
    for kind, name in _TYPE_NAMES:
        if isinstance(value, kind):
            return name
    return "Any"
