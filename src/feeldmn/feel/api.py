"""The FEEL entry points: evaluate a text with variables, convert Python values to FEEL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lark import Token, Tree

from feeldmn.errors import DmnError, FeelError
from feeldmn.feel.interpreter import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_TIME_BUDGET,
    EvalContext,
    Scope,
    name_of,
)
from feeldmn.feel.lexer import special_names
from feeldmn.feel.operators import compare
from feeldmn.feel.parser import compile_expression, compile_tree, parse_tree
from feeldmn.feel.types import FeelFunction, Range, YMDuration, to_decimal, to_text
from feeldmn.feel.unary import compile_unary_tests


@dataclass
class FeelResult:
    value: Any
    warnings: list[str] = field(default_factory=list)


_AS_IS = frozenset({bool, str, Decimal, date, datetime, time, timedelta})


def to_feel(value: Any) -> Any:
    """A Python value (int, float, dict, tuple...) as a FEEL value."""
    if value is None or type(value) in _AS_IS:
        return value
    if isinstance(value, bool | str | Decimal | date | time | timedelta):
        return value
    if isinstance(value, YMDuration | Range | FeelFunction):
        return value
    if isinstance(value, int | float):
        return to_decimal(value)
    if isinstance(value, Mapping):
        return {str(k): to_feel(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_feel(v) for v in value]
    return None


def to_json(value: Any) -> Any:
    """A FEEL value as JSON-ready data: numbers stay Decimal (the caller picks the
    encoding), temporal values, ranges and functions become their FEEL strings."""
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    return to_text(value)


def names_in(values: Mapping[str, Any]) -> Iterable[str]:
    """Every context key reachable from the variables, for name resolution."""
    for key, value in values.items():
        yield key
        if isinstance(value, Mapping):
            yield from names_in(value)


def evaluate(
    text: str,
    variables: Mapping[str, Any] | None = None,
    *,
    time_budget: float = DEFAULT_TIME_BUDGET,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> FeelResult:
    """Evaluate one FEEL expression. Raises FeelSyntaxError or FeelError (limits)."""
    values = {str(k): to_feel(v) for k, v in (variables or {}).items()}
    compiled = compile_expression(text, special_names(names_in(values)))
    ctx = EvalContext(time_budget=time_budget, max_depth=max_depth)
    try:
        value = compiled(Scope(values, None, ctx))
    except RecursionError:
        raise FeelError("evaluation exceeded the maximum nesting depth") from None
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as exc:
        raise FeelError(f"internal evaluation error: {exc!r}") from exc
    return FeelResult(value, ctx.warnings)


def unary_test(text: str, value: Any, variables: Mapping[str, Any] | None = None) -> bool:
    """Whether ``value`` satisfies the unary tests ``text`` (a decision table cell)."""
    values = {str(k): to_feel(v) for k, v in (variables or {}).items()}
    predicate = compile_unary_tests(text, special_names(names_in(values)))
    return predicate(to_feel(value), Scope(values, None, EvalContext()))


_LITERAL_NODES = frozenset({"number", "string", "at_literal", "null"})
_TEMPORAL_CONSTRUCTORS = frozenset({"date", "time", "date and time", "duration"})


def _is_literal(node: Tree[Token]) -> bool:
    """An end point of range(): a literal, or date("...")-style with a string literal."""
    if node.data in _LITERAL_NODES:
        return True
    if node.data == "neg":
        inner = [c for c in node.children if isinstance(c, Tree)]
        return len(inner) == 1 and inner[0].data == "number"
    if node.data == "call_positional":
        callee, *args = [c for c in node.children if isinstance(c, Tree)]
        return (
            callee.data == "var"
            and name_of(callee.children[0]) in _TEMPORAL_CONSTRUCTORS  # type: ignore[arg-type]
            and len(args) == 1
            and args[0].data == "string"
        )
    return False


def evaluate_literal_range(text: str) -> Range | None:
    """FEEL ``range("[1..10)")``: an interval with literal, ascending end points."""
    try:
        tree = parse_tree(text.strip(), frozenset(), "start")
    except DmnError:
        return None
    node = tree.children[0]
    if not isinstance(node, Tree) or node.data != "range":
        return None
    ends = [c for c in node.children if isinstance(c, Tree) and c.data != "range_end"]
    if len(ends) != 2 or not all(_is_literal(e) for e in ends):
        return None
    value = compile_tree(tree, text)(Scope({}, None, EvalContext(time_budget=1.0)))
    if not isinstance(value, Range):
        return None
    if value.start is None and value.end is None:
        return None
    if value.start is not None and value.end is not None:
        order = compare(value.start, value.end)
        if order is None or order > 0:
            return None
    return value
