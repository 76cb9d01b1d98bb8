"""``function(...) external``: the Java static methods the TCK uses, sandboxed."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    Decimal,
    InvalidOperation,
)
from typing import Any

from feeldmn.feel.types import (
    CTX,
    FeelFunction,
    parse_number,
    to_decimal,
    to_text,
)

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
