"""The registry of FEEL built-ins: ``builtin`` registers a function under its spec name."""

from __future__ import annotations

from collections.abc import Callable
from decimal import (
    Decimal,
)
from typing import Any

from feeldmn.feel.types import (
    FeelFunction,
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
