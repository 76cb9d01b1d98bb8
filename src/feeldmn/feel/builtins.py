"""The FEEL built-in function library (DMN 1.5, chapter 10.3.4).

Each function is registered with its spec parameter names so that named invocation
works (``substring(string: "abc", start position: 2)``). A trailing ``?`` marks an
optional parameter, a leading ``*`` a variadic one. Wrong argument types give null.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
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
from functools import cmp_to_key
from typing import Any

from feeldmn.feel import operators as ops
from feeldmn.feel.types import (
    CTX,
    FeelFunction,
    Range,
    YMDuration,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_number,
    parse_time,
    to_decimal,
    to_text,
)

BUILTINS: dict[str, FeelFunction] = {}

Fn = Callable[..., Any]


def builtin(name: str, *params: str, scope: bool = False) -> Callable[[Fn], Fn]:
    """Register ``fn`` as (an overload of) the FEEL built-in ``name``."""

    def register(fn: Fn) -> Fn:
        function = FeelFunction(
            name, list(params), _coercing(fn, params, scope), wants_context=scope, builtin=True
        )
        if name in BUILTINS:
            BUILTINS[name].overloads.append(function)
        else:
            BUILTINS[name] = function
        return fn

    return register


# Parameters that take a list accept a single value as a one-item list, and parameters
# that take a string accept a one-item list as its item (DMN 1.4, 10.3.2.9.4).
_LIST_PARAMS = frozenset({"list", "contexts"})
_SCALAR_PARAMS = frozenset({"string", "input"})


def _coercing(fn: Fn, params: tuple[str, ...], scope: bool) -> Fn:
    to_list = [i for i, p in enumerate(params) if p.rstrip("?") in _LIST_PARAMS]
    to_scalar = [i for i, p in enumerate(params) if p.rstrip("?") in _SCALAR_PARAMS]
    if not to_list and not to_scalar:
        return fn
    offset = 1 if scope else 0

    def coerced(*args: Any) -> Any:
        values = list(args)
        for i in to_list:
            j = i + offset
            if j < len(values) and values[j] is not None and not isinstance(values[j], list):
                values[j] = [values[j]]
        for i in to_scalar:
            j = i + offset
            if j < len(values) and isinstance(values[j], list) and len(values[j]) == 1:
                values[j] = values[j][0]
        return fn(*values)

    return coerced


def _int(value: Any) -> int | None:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


def _is_num(value: Any) -> bool:
    return isinstance(value, Decimal)


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


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


# ---------------------------------------------------------------------------- string


@builtin("substring", "string", "start position", "length?")
def _substring(s: Any, start: Any, length: Any) -> Any:
    if not isinstance(s, str) or not isinstance(start, Decimal):
        return None
    pos = int(start.to_integral_value(rounding=ROUND_HALF_EVEN))
    chars = list(s)
    n = len(chars)
    if pos == 0 or (pos < 0 and -pos > n):
        return None
    begin = pos - 1 if pos > 0 else n + pos
    if length is None:
        return "".join(chars[begin:])
    if not isinstance(length, Decimal):
        return None
    count = int(length.to_integral_value(rounding=ROUND_HALF_EVEN))
    return "".join(chars[begin : begin + max(count, 0)])


@builtin("string length", "string")
def _string_length(s: Any) -> Any:
    return Decimal(len(s)) if isinstance(s, str) else None


@builtin("upper case", "string")
def _upper(s: Any) -> Any:
    return s.upper() if isinstance(s, str) else None


@builtin("lower case", "string")
def _lower(s: Any) -> Any:
    return s.lower() if isinstance(s, str) else None


@builtin("substring before", "string", "match")
def _substring_before(s: Any, match: Any) -> Any:
    if not isinstance(s, str) or not isinstance(match, str):
        return None
    i = s.find(match)
    return "" if i < 0 else s[:i]


@builtin("substring after", "string", "match")
def _substring_after(s: Any, match: Any) -> Any:
    if not isinstance(s, str) or not isinstance(match, str):
        return None
    i = s.find(match)
    return "" if i < 0 else s[i + len(match) :]


@builtin("contains", "string", "match")
def _contains(s: Any, match: Any) -> Any:
    return match in s if isinstance(s, str) and isinstance(match, str) else None


@builtin("starts with", "string", "match")
def _starts_with(s: Any, match: Any) -> Any:
    return s.startswith(match) if isinstance(s, str) and isinstance(match, str) else None


@builtin("ends with", "string", "match")
def _ends_with(s: Any, match: Any) -> Any:
    return s.endswith(match) if isinstance(s, str) and isinstance(match, str) else None


_MAX_REGEX_INPUT = 100_000
_CATEGORY = {
    "L": r"^\W\d_",
    "Lu": "A-Z\u00c0-\u00de",
    "Ll": "a-z\u00df-\u00ff",
    "N": r"\d",
    "Nd": r"\d",
    "P": r"!-/:-@\[-`{-~",
    "Z": r"\s",
    "Zs": " ",
}


_BLOCKS = {"IsBasicLatin": "\\x00-\\x7f", "IsLatin-1Supplement": "\\x80-\\xff"}
_SUBTRACTION = re.compile(r"\[([^\[\]]*)-\[([^\[\]]*)\]\]")


def _strip_whitespace(pattern: str) -> str:
    """The XPath ``x`` flag: whitespace goes, except inside character classes."""
    out: list[str] = []
    in_class = False
    escaped = False
    for ch in pattern:
        if ch.isspace() and not in_class:
            continue  # also after a backslash: "\\ s" is "\\s"
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch.isspace() and not in_class:
            continue
        out.append(ch)
    return "".join(out)


def _category(name: str, negate: bool, in_class: bool) -> str | None:
    body = _CATEGORY.get(name) or _BLOCKS.get(name)
    if body is None:
        return None
    if in_class:
        return None if negate or body.startswith("^") else body
    if body.startswith("^"):
        return ("[" + body[1:] + "]") if negate else ("[" + body + "]")
    return ("[^" + body + "]") if negate else ("[" + body + "]")


def _nested_quantifier(pattern: str) -> bool:
    """Whether a quantified group holds a quantifier, as in ``(a+)+``.

    Python's ``re`` cannot be interrupted, and such patterns backtrack exponentially:
    refusing them keeps one evaluation from hanging a worker.
    """
    stack: list[bool] = []
    escaped = in_class = False
    last_group_quantified = False
    for ch in pattern:
        if escaped:
            escaped = False
            continue
        if ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            stack.append(False)
        elif ch == ")" and stack:
            last_group_quantified = stack.pop()
            if stack:
                stack[-1] = stack[-1] or last_group_quantified
            continue
        elif ch in "*+{":
            if last_group_quantified:
                return True
            if stack:
                stack[-1] = True
        last_group_quantified = False
    return False


def _translate_regex(pattern: str, flags: str | None) -> re.Pattern[str] | None:
    """An XPath (XML Schema) regular expression as a Python pattern; None if invalid."""
    if _nested_quantifier(pattern):
        return None
    py_flags = 0
    literal = False
    for flag in flags or "":
        if flag == "i":
            py_flags |= re.IGNORECASE
        elif flag == "s":
            py_flags |= re.DOTALL
        elif flag == "m":
            py_flags |= re.MULTILINE
        elif flag == "x":
            pattern = _strip_whitespace(pattern)
        elif flag == "q":
            literal = True
        else:
            return None
    if literal:
        pattern = re.escape(pattern)
    else:
        # Character-class subtraction: [A-Z-[OI]] is A-Z without O and I.
        pattern = _SUBTRACTION.sub(lambda m: f"(?:(?![{m.group(2)}])[{m.group(1)}])", pattern)
        out: list[str] = []
        i = 0
        in_class = False
        while i < len(pattern):
            ch = pattern[i]
            if ch == "\\" and i + 1 < len(pattern):
                nxt = pattern[i + 1]
                m = re.match(r"[pP]\{([\w-]+)\}", pattern[i + 1 :])
                if m:
                    body = _category(m.group(1), nxt == "P", in_class)
                    if body is None:
                        return None
                    out.append(body)
                    i += 1 + len(m.group())
                    continue
                if nxt.isdigit() and (in_class or nxt == "0"):
                    return None  # no back-references inside classes, no \0
                out.append(pattern[i : i + 2])
                i += 2
                continue
            if ch == "[" and not in_class:
                in_class = True
            elif ch == "]" and in_class:
                in_class = False
            elif ch == "." and not in_class and not py_flags & re.DOTALL:
                out.append("[^\\n\\r]")
                i += 1
                continue
            elif ch == "$" and not in_class and not py_flags & re.MULTILINE:
                out.append(r"\Z")
                i += 1
                continue
            out.append(ch)
            i += 1
        pattern = "".join(out)
    try:
        return re.compile(pattern, py_flags)
    except (re.error, OverflowError, RecursionError):
        return None


@builtin("matches", "input", "pattern", "flags?")
def _matches(s: Any, pattern: Any, flags: Any) -> Any:
    if not isinstance(s, str) or not isinstance(pattern, str) or len(s) > _MAX_REGEX_INPUT:
        return None
    if flags is not None and not isinstance(flags, str):
        return None
    compiled = _translate_regex(pattern, flags)
    return None if compiled is None else compiled.search(s) is not None


def _expand(replacement: str, m: re.Match[str]) -> str | None:
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\":
            if i + 1 < len(replacement) and replacement[i + 1] in "\\$":
                out.append(replacement[i + 1])
                i += 2
                continue
            return None
        if ch == "$":
            j = i + 1
            while j < len(replacement) and replacement[j].isdigit():
                j += 1
            if j == i + 1:
                return None
            digits = replacement[i + 1 : j]
            # The longest group number that exists wins, as in XPath.
            while len(digits) > 1 and int(digits) > (m.re.groups or 0):
                digits = digits[:-1]
                j -= 1
            group = int(digits)
            if group <= (m.re.groups or 0):
                out.append(m.group(group) or "")
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@builtin("replace", "input", "pattern", "replacement", "flags?")
def _replace(s: Any, pattern: Any, replacement: Any, flags: Any) -> Any:
    if not all(isinstance(x, str) for x in (s, pattern, replacement)):
        return None
    if (flags is not None and not isinstance(flags, str)) or len(s) > _MAX_REGEX_INPUT:
        return None
    compiled = _translate_regex(pattern, flags)
    if compiled is None or compiled.match(""):
        return None
    if flags and "q" in flags:
        return compiled.sub(lambda m: replacement, s)
    failed = False

    def substitute(m: re.Match[str]) -> str:
        nonlocal failed
        text = _expand(replacement, m)
        if text is None:
            failed = True
            return ""
        return text

    result = compiled.sub(substitute, s)
    return None if failed else result


@builtin("split", "string", "delimiter")
def _split(s: Any, delimiter: Any) -> Any:
    if not isinstance(s, str) or not isinstance(delimiter, str) or len(s) > _MAX_REGEX_INPUT:
        return None
    compiled = _translate_regex(delimiter, None)
    if compiled is None or compiled.match(""):
        return None
    return compiled.split(s)


@builtin("string join", "list", "delimiter?")
def _string_join(items: Any, delimiter: Any) -> Any:
    if not isinstance(items, list):
        return None
    if delimiter is not None and not isinstance(delimiter, str):
        return None
    if any(x is not None and not isinstance(x, str) for x in items):
        return None
    return (delimiter or "").join(x for x in items if x is not None)


# ------------------------------------------------------------------------------ list


def _items(args: tuple[Any, ...]) -> list[Any] | None:
    """Aggregates take one list or several values: max([1, 2]) == max(1, 2)."""
    if len(args) == 1 and isinstance(args[0], list):
        return args[0]
    if len(args) == 0:
        return None
    return list(args)


@builtin("list contains", "list", "element")
def _list_contains(items: Any, element: Any) -> Any:
    if not isinstance(items, list):
        return None
    return any(ops.equal(x, element) is True for x in items)


@builtin("count", "*list")
def _count(*args: Any) -> Any:
    items = _items(args)
    return None if items is None else Decimal(len(items))


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        c = ops.compare(x, best)
        if c is None:
            return None
        if c * sign > 0:
            best = x
    if len(items) == 1 and ops.compare(best, best) is None:
        return None
    return best


@builtin("min", "*list")
def _min(*args: Any) -> Any:
    return _extreme(args, -1)


@builtin("max", "*list")
def _max(*args: Any) -> Any:
    return _extreme(args, 1)


def _numbers(args: tuple[Any, ...]) -> list[Decimal] | None:
    items = _items(args)
    if items is None or not all(isinstance(x, Decimal) for x in items):
        return None
    return items


@builtin("sum", "*list")
def _sum(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(0)
    for x in items:
        total = CTX.add(total, x)
    return total


@builtin("mean", "*list")
def _mean(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    return CTX.divide(_sum(items), Decimal(len(items)))


@builtin("product", "*list")
def _product(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    total = Decimal(1)
    for x in items:
        total = CTX.multiply(total, x)
    return total


@builtin("median", "*list")
def _median(*args: Any) -> Any:
    items = _numbers(args)
    if not items:
        return None
    ordered = sorted(items)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return CTX.divide(CTX.add(ordered[mid - 1], ordered[mid]), Decimal(2))


@builtin("stddev", "*list")
def _stddev(*args: Any) -> Any:
    items = _numbers(args)
    if not items or len(items) < 2:
        return None
    mean = CTX.divide(_sum(items), Decimal(len(items)))
    square = sum((CTX.power(CTX.subtract(x, mean), 2) for x in items), Decimal(0))
    return CTX.sqrt(CTX.divide(square, Decimal(len(items) - 1)))


@builtin("mode", "*list")
def _mode(*args: Any) -> Any:
    items = _numbers(args)
    if items is None:
        return None
    if not items:
        return []
    counts: dict[Decimal, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    top = max(counts.values())
    return sorted(x for x, c in counts.items() if c == top)


@builtin("all", "*list")
def _all(*args: Any) -> Any:
    items = _items(args)
    if items is None:
        return None
    if any(x is False for x in items):
        return False
    if all(x is True for x in items):
        return True
    return None


@builtin("any", "*list")
def _any(*args: Any) -> Any:
    items = _items(args)
    if items is None:
        return None
    if any(x is True for x in items):
        return True
    if all(x is False for x in items):
        return False
    return None


@builtin("sublist", "list", "start position", "length?")
def _sublist(items: Any, start: Any, length: Any) -> Any:
    pos = _int(start)
    if not isinstance(items, list) or pos is None or pos == 0 or abs(pos) > len(items):
        return None
    begin = pos - 1 if pos > 0 else len(items) + pos
    if length is None:
        return items[begin:]
    n = _int(length)
    if n is None or n < 0 or begin + n > len(items):
        return None
    return items[begin : begin + n]


@builtin("append", "list", "*item")
def _append(items: Any, *new: Any) -> Any:
    return [*items, *new] if isinstance(items, list) else None


@builtin("concatenate", "*list")
def _concatenate(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if not isinstance(x, list):
            return None
        out.extend(x)
    return out


@builtin("insert before", "list", "position", "newItem")
def _insert_before(items: Any, position: Any, item: Any) -> Any:
    pos = _int(position)
    if not isinstance(items, list) or pos is None or pos == 0 or abs(pos) > len(items):
        return None
    index = pos - 1 if pos > 0 else len(items) + pos
    return [*items[:index], item, *items[index:]]


@builtin("remove", "list", "position")
def _remove(items: Any, position: Any) -> Any:
    pos = _int(position)
    if not isinstance(items, list) or pos is None or pos == 0 or abs(pos) > len(items):
        return None
    index = pos - 1 if pos > 0 else len(items) + pos
    return [*items[:index], *items[index + 1 :]]


@builtin("reverse", "list")
def _reverse(items: Any) -> Any:
    return items[::-1] if isinstance(items, list) else None


@builtin("index of", "list", "match")
def _index_of(items: Any, match: Any) -> Any:
    if not isinstance(items, list):
        return None
    return [Decimal(i + 1) for i, x in enumerate(items) if ops.equal(x, match) is True]


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not any(ops.equal(x, y) is True for y in out):
            out.append(x)
    return out


@builtin("union", "*list")
def _union(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if not isinstance(x, list):
            return None
        out.extend(x)
    return _distinct(out)


@builtin("distinct values", "list")
def _distinct_values(items: Any) -> Any:
    return _distinct(items) if isinstance(items, list) else None


def _flat(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if isinstance(x, list):
            out.extend(_flat(x))
        else:
            out.append(x)
    return out


@builtin("flatten", "list")
def _flatten(items: Any) -> Any:
    return _flat(items) if isinstance(items, list) else None


@builtin("sort", "list", "precedes?", scope=True)
def _sort(scope: Any, items: Any, precedes: Any) -> Any:
    from feeldmn.feel.interpreter import call_function

    if not isinstance(items, list):
        return None
    if precedes is None:
        if not items:
            return []
        for x in items[1:]:
            if ops.compare(items[0], x) is None:
                return None
        return sorted(items, key=cmp_to_key(lambda a, b: ops.compare(a, b) or 0))
    if not isinstance(precedes, FeelFunction):
        return None

    def order(a: Any, b: Any) -> int:
        if call_function(precedes, [a, b], None, scope) is True:
            return -1
        if call_function(precedes, [b, a], None, scope) is True:
            return 1
        return 0

    return sorted(items, key=cmp_to_key(order))


@builtin("list replace", "list", "position", "newItem", scope=True)
def _list_replace(scope: Any, items: Any, position: Any, item: Any) -> Any:
    from feeldmn.feel.interpreter import call_function

    if not isinstance(items, list):
        return None
    if isinstance(position, FeelFunction):
        if len(position.params) != 2:
            return None
        out = []
        for x in items:
            verdict = call_function(position, [x, item], None, scope)
            if not isinstance(verdict, bool):
                return None
            out.append(item if verdict else x)
        return out
    if not isinstance(position, Decimal):
        return None
    pos = int(position)  # a fractional position is truncated
    if pos == 0 or abs(pos) > len(items):
        return None
    index = pos - 1 if pos > 0 else len(items) + pos
    out = list(items)
    out[index] = item
    return out


@builtin("list replace", "list", "match", "newItem", scope=True)
def _list_replace_match(scope: Any, items: Any, match: Any, item: Any) -> Any:
    if not isinstance(match, FeelFunction):
        return None
    return _list_replace(scope, items, match, item)


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


@builtin("decimal", "n", "scale")
def _decimal(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_HALF_EVEN)


@builtin("floor", "n")
def _floor_n(n: Any) -> Any:
    return _scaled(n, Decimal(0), ROUND_FLOOR)


@builtin("floor", "n", "scale")
def _floor(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_FLOOR)


@builtin("ceiling", "n")
def _ceiling_n(n: Any) -> Any:
    return _scaled(n, Decimal(0), ROUND_CEILING)


@builtin("ceiling", "n", "scale")
def _ceiling(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_CEILING)


@builtin("round up", "n", "scale")
def _round_up(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_UP)


@builtin("round down", "n", "scale")
def _round_down(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_DOWN)


@builtin("round half up", "n", "scale")
def _round_half_up(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_HALF_UP)


@builtin("round half down", "n", "scale")
def _round_half_down(n: Any, scale: Any) -> Any:
    return _scaled(n, scale, ROUND_HALF_DOWN)


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


@builtin("day of year", "date")
def _day_of_year(d: Any) -> Any:
    return Decimal(d.timetuple().tm_yday) if isinstance(d, date) else None


@builtin("day of week", "date")
def _day_of_week(d: Any) -> Any:
    return _DAYS[d.weekday()] if isinstance(d, date) else None


@builtin("month of year", "date")
def _month_of_year(d: Any) -> Any:
    return calendar.month_name[d.month] if isinstance(d, date) else None


@builtin("week of year", "date")
def _week_of_year(d: Any) -> Any:
    return Decimal(d.isocalendar()[1]) if isinstance(d, date) else None


@builtin("now")
def _now() -> Any:
    return datetime.now(UTC)


@builtin("today")
def _today() -> Any:
    return datetime.now(UTC).date()


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


def _finishes(a: Any, b: Any) -> Any:
    if not isinstance(b, Range):
        return None
    if not isinstance(a, Range):
        return b.end_included and _eq(a, b.end)
    c1 = _cmp(a.end, b.end)
    c2 = _cmp(a.start, b.start)
    if c1 is None or c2 is None:
        return None
    return (
        a.end_included == b.end_included
        and c1 == 0
        and (c2 > 0 or (c2 == 0 and (not a.start_included or b.start_included)))
    )


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
    if not isinstance(b, Range):
        return None
    if not isinstance(a, Range):
        return b.start_included and _eq(a, b.start)
    c1 = _cmp(a.start, b.start)
    c2 = _cmp(a.end, b.end)
    if c1 is None or c2 is None:
        return None
    return (
        a.start_included == b.start_included
        and c1 == 0
        and (c2 < 0 or (c2 == 0 and (not a.end_included or b.end_included)))
    )


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


# ---------------------------------------------------------------------------- context


@builtin("get value", "m", "key")
def _get_value(m: Any, key: Any) -> Any:
    if not isinstance(m, dict):
        return None
    if isinstance(key, str):
        return m.get(key)
    if isinstance(key, list):
        current: Any = m
        for k in key:
            if not isinstance(current, dict) or not isinstance(k, str):
                return None
            current = current.get(k)
        return current
    return None


@builtin("get entries", "m")
def _get_entries(m: Any) -> Any:
    if not isinstance(m, dict):
        return None
    return [{"key": k, "value": v} for k, v in m.items()]


def _put(context: dict[str, Any], keys: list[Any], value: Any) -> Any:
    key = keys[0]
    if not isinstance(key, str):
        return None
    out = dict(context)
    if len(keys) == 1:
        out[key] = value
        return out
    inner = out.get(key)
    if not isinstance(inner, dict):
        return None
    nested = _put(inner, keys[1:], value)
    if nested is None:
        return None
    out[key] = nested
    return out


@builtin("context put", "context", "keys", "value")
def _context_put(context: Any, keys: Any, value: Any) -> Any:
    if not isinstance(context, dict):
        return None
    if isinstance(keys, str):
        keys = [keys]
    if not isinstance(keys, list) or not keys:
        return None
    return _put(context, keys, value)


@builtin("context put", "context", "key", "value")
def _context_put_key(context: Any, key: Any, value: Any) -> Any:
    if not isinstance(key, str):
        return None
    return _context_put(context, [key], value)


@builtin("context merge", "contexts")
def _context_merge(contexts: Any) -> Any:
    if not isinstance(contexts, list):
        return None
    out: dict[str, Any] = {}
    for c in contexts:
        if not isinstance(c, dict):
            return None
        out.update(c)
    return out


# ---------------------------------------------------------------------- external (Java)


def _float_fn(fn: Callable[[float], float]) -> Callable[[Decimal], Decimal | None]:
    def apply(a: Decimal) -> Decimal | None:
        try:
            return to_decimal(fn(float(a)))
        except (ValueError, OverflowError):
            return None

    return apply


def _java_number(a: Any) -> Decimal | None:
    if isinstance(a, Decimal):
        return a
    if isinstance(a, str):
        return parse_number(a.strip())
    return None


def _java_integer(a: Any) -> Decimal | None:
    value = _java_number(a)
    if value is None or value != value.to_integral_value():
        return None
    return value


def _java_format(pattern: Any, *args: Any) -> str | None:
    if not isinstance(pattern, str):
        return None
    values = iter(args)

    def substitute(m: re.Match[str]) -> str:
        if m.group() == "%%":
            return "%"
        if m.group() == "%n":
            return "\n"
        return to_text(next(values, None)) or "null"

    try:
        return re.sub(r"%%|%n|%[-#+ 0,(]*\d*(?:\.\d+)?[sdfgexXbc]", substitute, pattern)
    except StopIteration:
        return None


# Only pure static methods are offered: loading arbitrary Java classes is exactly what a
# sandbox must refuse, so anything else gives null.
_JAVA: dict[tuple[str, str], Callable[..., Any]] = {
    ("java.lang.Math", "max"): lambda a, b: max(a, b),
    ("java.lang.Math", "min"): lambda a, b: min(a, b),
    ("java.lang.Math", "abs"): lambda a: abs(a),
    ("java.lang.Math", "floor"): lambda a: a.to_integral_value(rounding=ROUND_FLOOR),
    ("java.lang.Math", "ceil"): lambda a: a.to_integral_value(rounding=ROUND_CEILING),
    ("java.lang.Math", "sqrt"): lambda a: CTX.sqrt(a) if a >= 0 else None,
    ("java.lang.Math", "exp"): lambda a: CTX.exp(a),
    ("java.lang.Math", "log"): lambda a: CTX.ln(a) if a > 0 else None,
    ("java.lang.Math", "log10"): lambda a: CTX.log10(a) if a > 0 else None,
    ("java.lang.Math", "pow"): lambda a, b: CTX.power(a, b),
    ("java.lang.Math", "signum"): lambda a: Decimal((a > 0) - (a < 0)),
    ("java.lang.Math", "cos"): _float_fn(math.cos),
    ("java.lang.Math", "sin"): _float_fn(math.sin),
    ("java.lang.Math", "tan"): _float_fn(math.tan),
    ("java.lang.Math", "acos"): _float_fn(math.acos),
    ("java.lang.Math", "asin"): _float_fn(math.asin),
    ("java.lang.Math", "atan"): _float_fn(math.atan),
    ("java.lang.Short", "valueOf"): _java_integer,
    ("java.lang.Short", "parseShort"): _java_integer,
    ("java.lang.Byte", "valueOf"): _java_integer,
    ("java.lang.Byte", "parseByte"): _java_integer,
    ("java.lang.Integer", "valueOf"): _java_integer,
    ("java.lang.Integer", "parseInt"): _java_integer,
    ("java.lang.Long", "valueOf"): _java_integer,
    ("java.lang.Long", "parseLong"): _java_integer,
    ("java.lang.Float", "valueOf"): _java_number,
    ("java.lang.Float", "parseFloat"): _java_number,
    ("java.lang.Double", "valueOf"): _java_number,
    ("java.lang.Double", "parseDouble"): _java_number,
    ("java.lang.String", "valueOf"): to_text,
    ("java.lang.String", "format"): _java_format,
}
_MATH_CLASSES = {"java.lang.StrictMath": "java.lang.Math"}
_JAVA_NUMBERS = frozenset({"int", "short", "byte", "long", "float", "double"})


def _java_accepts(java_type: str, value: Any) -> bool:
    """Whether a FEEL value can be passed as a Java parameter of that type."""
    if java_type == "char":
        return isinstance(value, str) and len(value) == 1
    if java_type in _JAVA_NUMBERS:
        return isinstance(value, Decimal)
    if java_type == "java.lang.String":
        return isinstance(value, str)
    return True


def external_function(definition: Any, params: list[str]) -> Any:
    """``function(...) external {java: {class: ..., method signature: ...}}``."""
    if not isinstance(definition, dict):
        return None
    java = definition.get("java", definition)
    if not isinstance(java, dict):
        return None
    cls, method = java.get("class"), java.get("method signature")
    if not isinstance(cls, str) or not isinstance(method, str):
        return None
    m = re.fullmatch(r"\s*(\w+)\s*\(([^)]*)\)\s*", method)
    if not m:
        return None
    cls = _MATH_CLASSES.get(cls.strip(), cls.strip())
    impl = _JAVA.get((cls, m.group(1)))
    if impl is None:
        return None
    numeric = cls == "java.lang.Math"
    signature = [t.strip() for t in m.group(2).split(",") if t.strip()]
    fn = impl

    def invoke(*args: Any) -> Any:
        if numeric and not all(isinstance(a, Decimal) for a in args):
            return None
        for arg, java_type in zip(args, signature, strict=False):
            if not _java_accepts(java_type, arg):
                return None
        try:
            return fn(*args)
        except (TypeError, InvalidOperation, ValueError):
            return None

    return FeelFunction(f"{cls}.{m.group(1)}", list(params), invoke)


__all__ = ["BUILTINS", "builtin", "external_function"]
