"""The sandboxed expression and script evaluator of process conditions and script tasks.

BPMN files come from users, so their expressions are hostile text. They are never handed to
Python's `eval`/`exec` (SpiffWorkflow's default script engine does that): the text is parsed
with `ast`, every node is checked against an allow-list, and the tree is *interpreted* here.
No imports, no attribute access except a few read-only methods of str/dict/list, no names
starting with an underscore, only allow-listed functions, bounded size, steps and time.

Sizes are checked *before* an operation that could build a large value (`*`, `**`, `%` on
text, `str.replace`, `str()` of a collection), so a refusal never allocates first; every value
an operation returns is checked again (numbers, text, collections and their nesting), so each
single step stays small and cheap and the time budget, checked between steps, holds.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

MAX_SOURCE_CHARS = 4000
MAX_NODES = 800
MAX_STEPS = 20_000
MAX_SECONDS = 0.5
MAX_COLLECTION = 10_000
MAX_STRING = 100_000
MAX_INT_BITS = 14_000  # about 4 200 decimal digits: below Python's int/str conversion limit
MAX_DECIMAL_DIGITS = 4_000  # digits and exponent of a Decimal
MAX_WEIGHT = 2 * MAX_STRING  # a value's size, about its length as text, nesting included


class SandboxError(Exception):
    """An expression or script the sandbox refuses or cannot evaluate; the message says why."""


def _to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _days_between(a: Any, b: Any) -> int:
    return (_to_date(b) - _to_date(a)).days


def _weight(value: Any, limit: int) -> int:
    """About the length of `repr(value)`, counting shared parts each time they appear (as
    `repr`, `==` and `in` walk them); the walk stops as soon as it passes `limit`."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 2
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        else:
            total += 40  # float, Decimal (bounded below), date
        if total > limit:
            return total
    return total


def _str(value: Any = "") -> str:
    if isinstance(value, str):
        return value
    if _weight(value, MAX_STRING) > MAX_STRING:
        raise SandboxError("The expression builds a string that is too long.")
    return str(value)


def _sum(values: Any, start: Any = 0) -> Any:
    items = list(values)
    if not all(isinstance(v, int | float | Decimal) for v in [*items, start]):
        raise SandboxError("sum() adds numbers only.")
    return sum(items, start)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": _str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "sum": _sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "decimal": Decimal,
    "date": _to_date,
    "today": dt.date.today,
    "days_between": _days_between,
}

# Read-only methods callable on values (never on anything else, never dunders).
METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        {"lower", "upper", "strip", "startswith", "endswith", "split", "replace", "isdigit"}
    ),
    dict: frozenset({"get", "keys", "values", "items"}),
    list: frozenset({"index", "count"}),
}

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {
    ast.Not: operator.not_,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

_EXPRESSION_NODES: tuple[type, ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.IfExp,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.Subscript,
    ast.Slice,
    ast.Call,
    ast.keyword,
    ast.Attribute,
    *_BINARY,
    *_UNARY,
    *_COMPARE,
)
_SCRIPT_NODES: tuple[type, ...] = (
    *_EXPRESSION_NODES,
    ast.Module,
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.If,
    ast.Pass,
)


def _check(tree: ast.AST, allowed: tuple[type, ...]) -> None:
    for count, node in enumerate(ast.walk(tree), start=1):
        if count > MAX_NODES:
            raise SandboxError(f"The expression is too long (more than {MAX_NODES} elements).")
        if not isinstance(node, allowed):
            raise SandboxError(f"{type(node).__name__} is not allowed in process expressions.")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise SandboxError(f"The name {node.id!r} is not allowed (no names starting with _).")
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise SandboxError(f"Access to {node.attr!r} is not allowed.")
            if not isinstance(node.ctx, ast.Load):
                raise SandboxError("Assigning to attributes is not allowed.")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id not in FUNCTIONS:
                raise SandboxError(
                    f"Calling {func.id!r} is not allowed; allowed functions: "
                    + ", ".join(sorted(FUNCTIONS))
                    + "."
                )
            if not isinstance(func, ast.Name | ast.Attribute):
                raise SandboxError("Only named functions may be called.")
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if not isinstance(target, ast.Name | ast.Subscript):
                    raise SandboxError("Only variables may be assigned.")


def _parse(source: str, mode: str) -> ast.AST:
    if not isinstance(source, str):
        raise SandboxError("An expression must be text.")
    if len(source) > MAX_SOURCE_CHARS:
        raise SandboxError(f"The expression is longer than {MAX_SOURCE_CHARS} characters.")
    try:
        return ast.parse(source.strip() if mode == "eval" else source, mode=mode)
    except SyntaxError as exc:
        raise SandboxError(f"Syntax error in {source.strip()[:80]!r}: {exc.msg}.") from exc


def validate_expression(source: str) -> None:
    """Raise SandboxError if the expression would be refused (used on deploy)."""
    _check(_parse(source, "eval"), _EXPRESSION_NODES)


def validate_script(source: str) -> None:
    _check(_parse(source, "exec"), _SCRIPT_NODES)


_TOO_BIG_NUMBER = "The expression builds a number that is too large."
_TOO_LONG = "The expression builds a value that is too large."


def _length(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else _weight(value, MAX_WEIGHT)


def _check_size_before(op: ast.operator, left: Any, right: Any) -> None:
    """Refuse `left op right` whose result would pass a limit, without computing it."""
    if isinstance(op, ast.Mult):
        _check_product(left, right)
    elif isinstance(op, ast.Pow):
        if not isinstance(right, int | float) or abs(right) > 100:
            raise SandboxError("Exponents above 100 are not allowed.")
        big = _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1
        if big and (left.bit_length() - 1) * right > MAX_INT_BITS:
            raise SandboxError(_TOO_BIG_NUMBER)
    elif isinstance(op, ast.Mod) and isinstance(left, str | bytes):
        # `'%0999999d' % 1`: the width is only known to the formatter.
        raise SandboxError("Text formatting with % is not allowed; use + and str().")


def _check_product(left: Any, right: Any) -> None:
    if _is_int(left) and _is_int(right):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS + 1:
            raise SandboxError(_TOO_BIG_NUMBER)
        return
    sequence = isinstance(left, str | bytes | list | tuple)
    seq, factor = (left, right) if sequence else (right, left)
    if not isinstance(seq, str | bytes | list | tuple) or not _is_int(factor) or factor <= 0:
        return
    if isinstance(seq, list | tuple) and len(seq) * factor > MAX_COLLECTION:
        raise SandboxError("The expression builds a collection that is too large.")
    limit = MAX_STRING if isinstance(seq, str | bytes) else MAX_WEIGHT
    if _length(seq) * factor > limit:
        raise SandboxError(_TOO_LONG)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_replace(text: str, old: Any = None, new: Any = None, count: Any = -1) -> None:
    if not isinstance(old, str) or not isinstance(new, str) or not _is_int(count):
        return  # str.replace itself refuses the arguments
    times = text.count(old) if old else len(text) + 1
    if count >= 0:
        times = min(times, count)
    if len(text) + times * (len(new) - len(old)) > MAX_STRING:
        raise SandboxError("The expression builds a string that is too long.")


class _Interpreter:
    def __init__(self, names: dict[str, Any]) -> None:
        self.names = names
        self.steps = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def _tick(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS or time.monotonic() > self.deadline:
            raise SandboxError("The expression takes too long to evaluate.")

    def _bounded(self, value: Any) -> Any:
        if isinstance(value, str | bytes) and len(value) > MAX_STRING:
            raise SandboxError("The expression builds a string that is too long.")
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise SandboxError(_TOO_BIG_NUMBER)
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.as_tuple().exponent
            assert isinstance(exponent, int)
            if len(value.as_tuple().digits) > MAX_DECIMAL_DIGITS or (
                abs(exponent) > MAX_DECIMAL_DIGITS
            ):
                raise SandboxError(_TOO_BIG_NUMBER)
        if isinstance(value, list | tuple | dict | set):
            if len(value) > MAX_COLLECTION:
                raise SandboxError("The expression builds a collection that is too large.")
            if _weight(value, MAX_WEIGHT) > MAX_WEIGHT:
                raise SandboxError("The expression builds a value that is too large.")
        return value

    def _binary(self, op: ast.operator, left: Any, right: Any) -> Any:
        """`left op right`, refused beforehand when the result would be too large."""
        _check_size_before(op, left, right)
        try:
            return self._bounded(_BINARY[type(op)](left, right))
        except (TypeError, ZeroDivisionError, ArithmeticError, ValueError) as exc:
            raise SandboxError(str(exc)) from exc

    def run(self, node: ast.AST) -> Any:
        self._tick()
        runner = _RUNNERS.get(type(node))
        if runner is None:  # a subclass of an allowed node
            runner = next((r for kind, r in _RUNNERS.items() if isinstance(node, kind)), None)
        if runner is None:
            raise SandboxError(f"{type(node).__name__} is not allowed.")
        return runner(self, node)

    def _run_name(self, node: ast.Name) -> Any:
        if node.id in self.names:
            return self.names[node.id]
        if node.id in FUNCTIONS:
            # Only called by name: as a value (`sorted(x, key=str)`) it would run
            # inside a builtin, out of reach of the size checks and the time budget.
            raise SandboxError(f"The function {node.id!r} can only be called.")
        if node.id in {"true", "false", "null"}:  # JSON-style literals from other modelers
            return {"true": True, "false": False, "null": None}[node.id]
        raise SandboxError(f"Unknown variable {node.id!r}.")

    def _run_bool_op(self, node: ast.BoolOp) -> Any:
        result: Any = None
        for value in node.values:
            result = self.run(value)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result

    def _run_compare(self, node: ast.Compare) -> Any:
        left = self.run(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.run(comparator)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError as exc:
                raise SandboxError(str(exc)) from exc
            left = right
        return True

    def _run_dict(self, node: ast.Dict) -> Any:
        return self._bounded(
            {
                self.run(k) if k is not None else None: self.run(v)
                for k, v in zip(node.keys, node.values, strict=True)
            }
        )

    def _run_subscript(self, node: ast.Subscript) -> Any:
        container = self.run(node.value)
        key = self.run(node.slice)
        try:
            return container[key]
        except (KeyError, IndexError, TypeError) as exc:
            raise SandboxError(f"Cannot read item {key!r}: {exc}.") from exc

    def _run_slice(self, node: ast.Slice) -> Any:
        return slice(
            self.run(node.lower) if node.lower else None,
            self.run(node.upper) if node.upper else None,
            self.run(node.step) if node.step else None,
        )

    def _run_attribute(self, node: ast.Attribute) -> Any:
        raise SandboxError(f"Attribute access ({node.attr!r}) is only allowed as a method call.")

    def _call(self, node: ast.Call) -> Any:
        args = [self.run(a) for a in node.args]
        kwargs = {k.arg: self.run(k.value) for k in node.keywords if k.arg}
        if isinstance(node.func, ast.Attribute):
            target = self.run(node.func.value)
            allowed = next((m for t, m in METHODS.items() if isinstance(target, t)), frozenset())
            if node.func.attr not in allowed:
                raise SandboxError(f"The method {node.func.attr!r} is not allowed.")
            func = getattr(target, node.func.attr)
            if isinstance(target, str) and node.func.attr == "replace":
                _check_replace(target, *args, **kwargs)
        else:
            assert isinstance(node.func, ast.Name)
            func = FUNCTIONS[node.func.id]
        try:
            return self._bounded(func(*args, **kwargs))
        except SandboxError:
            raise
        except Exception as exc:
            raise SandboxError(f"{type(exc).__name__}: {exc}") from exc

    def execute(self, node: ast.AST) -> None:
        self._tick()
        if isinstance(node, ast.Module):
            for statement in node.body:
                self.execute(statement)
        elif isinstance(node, ast.Assign):
            value = self.run(node.value)
            for target in node.targets:
                self._assign(target, value)
        elif isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name):
                raise SandboxError("Only variables may be updated.")
            current = self.run(ast.Name(id=node.target.id, ctx=ast.Load()))
            self._assign(node.target, self._binary(node.op, current, self.run(node.value)))
        elif isinstance(node, ast.If):
            for statement in node.body if self.run(node.test) else node.orelse:
                self.execute(statement)
        elif isinstance(node, ast.Expr):
            self.run(node.value)
        elif not isinstance(node, ast.Pass):
            raise SandboxError(f"{type(node).__name__} is not allowed.")

    def _assign(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, ast.Subscript):
            container = self.run(target.value)
            if not isinstance(container, dict | list):
                raise SandboxError("Only items of dicts and lists may be assigned.")
            try:
                container[self.run(target.slice)] = value
            except (KeyError, IndexError, TypeError) as exc:
                raise SandboxError(f"Cannot assign the item: {exc}.") from exc
            self._bounded(container)  # `a[0] = a` nests without end
        else:
            raise SandboxError("Only variables may be assigned.")


# How `_Interpreter.run` evaluates each kind of node it allows (any other is refused).
_RUNNERS: dict[type[ast.AST], Callable[[_Interpreter, Any], Any]] = {
    ast.Expression: lambda self, node: self.run(node.body),
    ast.Constant: lambda self, node: node.value,
    ast.Name: _Interpreter._run_name,
    ast.BoolOp: _Interpreter._run_bool_op,
    ast.BinOp: lambda self, node: self._binary(node.op, self.run(node.left), self.run(node.right)),
    ast.UnaryOp: lambda self, node: _UNARY[type(node.op)](self.run(node.operand)),
    ast.Compare: _Interpreter._run_compare,
    ast.IfExp: lambda self, node: (
        self.run(node.body) if self.run(node.test) else self.run(node.orelse)
    ),
    ast.List: lambda self, node: self._bounded([self.run(e) for e in node.elts]),
    ast.Tuple: lambda self, node: self._bounded(tuple(self.run(e) for e in node.elts)),
    ast.Set: lambda self, node: self._bounded({self.run(e) for e in node.elts}),
    ast.Dict: _Interpreter._run_dict,
    ast.Subscript: _Interpreter._run_subscript,
    ast.Slice: _Interpreter._run_slice,
    ast.Call: _Interpreter._call,
    ast.Attribute: _Interpreter._run_attribute,
}


def evaluate(source: str, variables: Mapping[str, Any] | None = None) -> Any:
    """Evaluate one expression over the variables; raise SandboxError with a clear message."""
    tree = _parse(source, "eval")
    _check(tree, _EXPRESSION_NODES)
    return _Interpreter(dict(variables or {})).run(tree)


def execute(source: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run a script (assignments, if/else) and return the variables it produced."""
    tree = _parse(source, "exec")
    _check(tree, _SCRIPT_NODES)
    names = dict(variables)
    _Interpreter(names).execute(tree)
    return names
