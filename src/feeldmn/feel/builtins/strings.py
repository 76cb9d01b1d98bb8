"""FEEL built-ins: string functions and XML-Schema regular expressions (10.3.4.3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Decimal,
)
from typing import Any

from feeldmn.feel.builtins._registry import Fn, builtin

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


def _on_string(fn: Callable[[str], Any]) -> Fn:
    return lambda s: fn(s) if isinstance(s, str) else None


def _on_strings(fn: Callable[[str, str], Any]) -> Fn:
    return lambda s, match: fn(s, match) if isinstance(s, str) and isinstance(match, str) else None


# The functions of one string, and of a string and a match, that only wrap a str method.
_ONE_STRING: dict[str, Callable[[str], Any]] = {
    "string length": lambda s: Decimal(len(s)),
    "upper case": str.upper,
    "lower case": str.lower,
}
_TWO_STRINGS: dict[str, Callable[[str, str], Any]] = {
    "contains": lambda s, match: match in s,
    "starts with": str.startswith,
    "ends with": str.endswith,
}
for _name, _fn in _ONE_STRING.items():
    builtin(_name, "string")(_on_string(_fn))


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


for _name, _fn2 in _TWO_STRINGS.items():
    builtin(_name, "string", "match")(_on_strings(_fn2))


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


_REGEX_FLAGS = {"i": re.IGNORECASE, "s": re.DOTALL, "m": re.MULTILINE}


def _translate_regex(pattern: str, flags: str | None) -> re.Pattern[str] | None:
    """An XPath (XML Schema) regular expression as a Python pattern; None if invalid."""
    if _nested_quantifier(pattern):
        return None
    py_flags = 0
    literal = False
    for flag in flags or "":
        if flag in _REGEX_FLAGS:
            py_flags |= _REGEX_FLAGS[flag]
        elif flag == "x":
            pattern = _strip_whitespace(pattern)
        elif flag == "q":
            literal = True
        else:
            return None
    translated = re.escape(pattern) if literal else _translate_pattern(pattern, py_flags)
    if translated is None:
        return None
    try:
        return re.compile(translated, py_flags)
    except (re.error, OverflowError, RecursionError):
        return None


def _translate_pattern(pattern: str, py_flags: int) -> str | None:
    """The Python form of an XML Schema pattern: class subtraction, \\p{..} categories, "."
    without line ends and "$" at the very end unless the flags say otherwise; None if the
    pattern uses what Python would read differently (back-references in classes, \\0)."""
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
            ch = "[^\\n\\r]"
        elif ch == "$" and not in_class and not py_flags & re.MULTILINE:
            ch = r"\Z"
        out.append(ch)
        i += 1
    return "".join(out)


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
