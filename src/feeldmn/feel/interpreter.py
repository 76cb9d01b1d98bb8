"""FEEL interpreter: compiles a parse tree once into Python closures, then runs them.

A compiled expression is a ``Compiled`` callable taking a ``Scope``. Names are looked up
through the scope chain and end in the built-in library. The sandbox lives here: the
``EvalContext`` of an evaluation carries its warnings, its wall-clock deadline and the
depth of user-function calls; reaching a limit raises ``FeelError``.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from lark import Token, Tree

from feeldmn.errors import FeelError, FeelSyntaxError
from feeldmn.feel import operators as ops
from feeldmn.feel.builtins import BUILTINS, external_function
from feeldmn.feel.types import (
    CTX,
    FeelFunction,
    NamedZone,
    Range,
    UnaryTest,
    YMDuration,
    is_plain_date,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
    type_name,
)

Compiled = Callable[["Scope"], Any]
TypeCheck = Callable[[Any], bool]

DEFAULT_TIME_BUDGET = 5.0
DEFAULT_MAX_DEPTH = 120
_MISSING = object()


class EvalContext:
    """State of one evaluation: warnings, limits and the item-definition types in scope."""

    __slots__ = ("deadline", "depth", "max_depth", "steps", "type_resolver", "warnings")

    def __init__(
        self,
        *,
        time_budget: float = DEFAULT_TIME_BUDGET,
        max_depth: int = DEFAULT_MAX_DEPTH,
        type_resolver: Callable[[str], TypeCheck | None] | None = None,
    ) -> None:
        self.warnings: list[str] = []
        self.deadline = _time.monotonic() + time_budget
        self.depth = 0
        self.max_depth = max_depth
        self.steps = 0
        self.type_resolver = type_resolver

    def warn(self, message: str) -> None:
        if len(self.warnings) < 1000:
            self.warnings.append(message)

    def tick(self) -> None:
        """Called on loops and calls; checks the clock every 256 steps to stay cheap."""
        self.steps += 1
        if self.steps & 0xFF == 0 and _time.monotonic() > self.deadline:
            raise FeelError("evaluation exceeded its time budget")


class Scope:
    """A frame of names; frames chain to their parent and finally to the built-ins."""

    __slots__ = ("ctx", "parent", "vars")

    def __init__(self, vars: dict[str, Any], parent: Scope | None, ctx: EvalContext) -> None:
        self.vars = vars
        self.parent = parent
        self.ctx = ctx

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            value = scope.vars.get(name, _MISSING)
            if value is not _MISSING:
                return value
            scope = scope.parent
        return BUILTINS.get(name, _MISSING)

    def child(self, vars: dict[str, Any]) -> Scope:
        return Scope(vars, self, self.ctx)


# ------------------------------------------------------------------------ invocation


def call_function(
    fn: Any, args: list[Any] | None, named: dict[str, Any] | None, scope: Scope
) -> Any:
    """Invoke a FEEL function value with positional or named arguments."""
    ctx = scope.ctx
    if not isinstance(fn, FeelFunction):
        ctx.warn(f"cannot invoke a {type_name(fn)}")
        return None
    ctx.tick()
    candidates = [fn, *fn.overloads]
    attempts = [(c, _bind(c, args, named, lenient=False)) for c in candidates]
    if named is not None and all(b is None for _, b in attempts):
        # A named parameter left out is null, when no signature fits the names exactly.
        attempts = [(c, _bind(c, args, named, lenient=True)) for c in candidates]
    for candidate, bound in attempts:
        if bound is None:
            continue
        ctx.depth += 1
        if ctx.depth > ctx.max_depth:
            ctx.depth = 0
            raise FeelError("evaluation exceeded the maximum call depth")
        try:
            if candidate.wants_context:
                result = candidate.invoke(scope, *bound)
            else:
                result = candidate.invoke(*bound)
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as exc:
            if not candidate.builtin:
                raise
            # A built-in must never leak a Python error: it is a null with a warning.
            ctx.warn(f"{candidate.name} failed: {type(exc).__name__}")
            result = None
        finally:
            ctx.depth -= 1
        if type(result) is Decimal and not result.is_finite():
            result = None  # overflow to infinity is not a FEEL number
        given = args if args is not None else list((named or {}).values())
        if result is None and candidate.builtin and all(a is not None for a in given):
            kinds = ", ".join(type_name(a) for a in given)
            ctx.warn(f"{candidate.name}({kinds}) gives null")
        return result
    ctx.warn(f"no signature of {fn.name} matches the arguments")
    return None


def _bind(
    fn: FeelFunction, args: list[Any] | None, named: dict[str, Any] | None, *, lenient: bool
) -> list[Any] | None:
    params = fn.params
    if args is not None:
        if params and params[-1].startswith("*"):
            required = sum(1 for p in params[:-1] if not p.endswith("?"))
            return list(args) if len(args) >= required else None
        required = sum(1 for p in params if not p.endswith("?"))
        if not required <= len(args) <= len(params):
            return None
        return list(args) + [None] * (len(params) - len(args))
    assert named is not None
    names = [p.rstrip("?").lstrip("*") for p in params]
    if any(key not in names for key in named):
        return None
    out: list[Any] = []
    for param, plain in zip(params, names, strict=True):
        if plain in named:
            value = named[plain]
            if param.startswith("*"):
                out.extend(value if isinstance(value, list) else [value])
            else:
                out.append(value)
        elif param.endswith("?") or param.startswith("*"):
            if not param.startswith("*"):
                out.append(None)
        elif lenient:
            out.append(None)
        else:
            return None
    return out


# ------------------------------------------------------------------------ type checks


_TYPE_CHECKS: dict[str, TypeCheck] = {
    "number": lambda v: isinstance(v, Decimal),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "date": is_plain_date,
    "time": lambda v: isinstance(v, time),
    "date and time": lambda v: isinstance(v, datetime),
    "dateTime": lambda v: isinstance(v, datetime),
    "days and time duration": lambda v: isinstance(v, timedelta),
    "dayTimeDuration": lambda v: isinstance(v, timedelta),
    "years and months duration": lambda v: isinstance(v, YMDuration),
    "yearMonthDuration": lambda v: isinstance(v, YMDuration),
    "duration": lambda v: isinstance(v, timedelta | YMDuration),
    "list": lambda v: isinstance(v, list),
    "context": lambda v: isinstance(v, dict),
    "range": lambda v: isinstance(v, Range),
    "function": lambda v: isinstance(v, FeelFunction),
    "Any": lambda v: v is not None,
    "Null": lambda v: v is None,
}


def builtin_type_check(name: str) -> TypeCheck | None:
    """The check for a built-in FEEL type name (``feel:`` prefix allowed), or None."""
    check = _TYPE_CHECKS.get(name)
    if check is None and ":" in name:
        # feel:number, xsd:string (DMN 1.1 models): the prefix does not matter.
        check = _TYPE_CHECKS.get(name.split(":", 1)[1])
    return check


# ------------------------------------------------------------------------ compiler


def _children(tree: Tree[Token]) -> list[Any]:
    """Sub-trees and the value tokens of a node (punctuation and keywords dropped)."""
    return [
        c
        for c in tree.children
        if isinstance(c, Tree) or (c is not None and c.type in _VALUE_TOKENS)
    ]


_VALUE_TOKENS = frozenset({"NAME", "NUMBER", "STRING", "AT_STRING"})


def name_of(tree: Tree[Token]) -> str:
    return " ".join(str(t) for t in tree.children)


def at_literal(text: str) -> Any:
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_date_time(text)
    if ":" in text:
        return parse_time(text)
    return parse_date(text)


class Compiler:
    """Turns a lark tree into closures; one instance per compiled text."""

    def compile(self, node: Tree[Token] | Token) -> Compiled:
        if isinstance(node, Token):
            raise FeelSyntaxError(
                f"unexpected {node}", text=str(node), line=node.line or 1, column=node.column or 1
            )
        method = getattr(self, "c_" + str(node.data), None)
        if method is None:
            raise FeelSyntaxError(f"unsupported construct {node.data}", text="", line=1, column=1)
        result: Compiled = method(node)
        return result

    # -- literals and names

    def c_start(self, node: Tree[Token]) -> Compiled:
        return self.compile(_children(node)[0])

    def c_number(self, node: Tree[Token]) -> Compiled:
        value = CTX.create_decimal(str(node.children[0]))
        return lambda s: value

    def c_string(self, node: Tree[Token]) -> Compiled:
        value = str(node.children[0])
        return lambda s: value

    def c_at_literal(self, node: Tree[Token]) -> Compiled:
        value = at_literal(str(node.children[0]))
        return lambda s: value

    def c_true(self, node: Tree[Token]) -> Compiled:
        return lambda s: True

    def c_false(self, node: Tree[Token]) -> Compiled:
        return lambda s: False

    def c_null(self, node: Tree[Token]) -> Compiled:
        return lambda s: None

    def c_var(self, node: Tree[Token]) -> Compiled:
        name = name_of(node.children[0])  # type: ignore[arg-type]

        def var(s: Scope) -> Any:
            value = s.lookup(name)
            if value is _MISSING:
                if "." in name:
                    # A known name such as "Person.Gender" used where only "Person" is in
                    # scope is a path after all.
                    head, *rest = (part.strip() for part in name.split("."))
                    value = s.lookup(head)
                    if value is not _MISSING:
                        for key in rest:
                            value = get_property(value, key, s.ctx)
                        return value
                s.ctx.warn(f"unknown name {name!r}")
                return None
            return value

        return var

    def c_paren(self, node: Tree[Token]) -> Compiled:
        items = [self.compile(c) for c in _children(node)]
        if len(items) == 1:
            return items[0]
        return lambda s: [f(s) for f in items]

    def c_list(self, node: Tree[Token]) -> Compiled:
        items = [self.compile(c) for c in _children(node)]
        return lambda s: [f(s) for f in items]

    def c_context(self, node: Tree[Token]) -> Compiled:
        entries: list[tuple[str, Compiled]] = []
        for entry in _children(node):
            key_node, value_node = _children(entry)
            key_child = key_node.children[0]
            key = name_of(key_child) if isinstance(key_child, Tree) else str(key_child)
            entries.append((key, self.compile(value_node)))

        def context(s: Scope) -> Any:
            result: dict[str, Any] = {}
            inner = s.child(result)
            for key, fn in entries:
                if key in result:
                    s.ctx.warn(f"duplicate context key {key!r}")
                    return None
                result[key] = fn(inner)
            return result

        return context

    def c_range(self, node: Tree[Token]) -> Compiled:
        start_tok = node.children[0]
        assert isinstance(start_tok, Token)
        start_incl = start_tok.type == "LSQB"
        lo, hi, end_node = (c for c in node.children[1:] if isinstance(c, Tree))
        end_incl = str(end_node.children[0]) == "]"
        lo_f, hi_f = self.compile(lo), self.compile(hi)

        def rng(s: Scope) -> Any:
            a, b = lo_f(s), hi_f(s)
            if a is not None and b is not None and ops.compare(a, b) is None:
                s.ctx.warn("range ends of different types")
                return None
            return Range(a, start_incl, b, end_incl)

        return rng

    def c_unary_compare(self, node: Tree[Token]) -> Compiled:
        op_node, operand = _children(node)
        op = str(op_node.children[0])
        fn = self.compile(operand)

        def unary(s: Scope) -> Any:
            v = fn(s)
            if op == "<":
                return Range(None, False, v, False, "<")
            if op == "<=":
                return Range(None, False, v, True, "<=")
            if op == ">":
                return Range(v, False, None, False, ">")
            if op == ">=":
                return Range(v, True, None, False, ">=")
            return UnaryTest(op, v)

        return unary

    # -- arithmetic

    def _binary(self, node: Tree[Token], op: str) -> Compiled:
        left, right = (self.compile(c) for c in _children(node))

        def binary(s: Scope) -> Any:
            a, b = left(s), right(s)
            r = ops.arith(op, a, b)
            if r is None and a is not None and b is not None:
                s.ctx.warn(f"cannot apply {op} to {type_name(a)} and {type_name(b)}")
            return r

        return binary

    def c_add(self, node: Tree[Token]) -> Compiled:
        return self._binary(node, "+")

    def c_sub(self, node: Tree[Token]) -> Compiled:
        return self._binary(node, "-")

    def c_mul(self, node: Tree[Token]) -> Compiled:
        return self._binary(node, "*")

    def c_div(self, node: Tree[Token]) -> Compiled:
        return self._binary(node, "/")

    def c_pow(self, node: Tree[Token]) -> Compiled:
        return self._binary(node, "**")

    def c_neg(self, node: Tree[Token]) -> Compiled:
        fn = self.compile(_children(node)[0])
        return lambda s: ops.negate(fn(s))

    # -- logic and comparison

    def c_and_expr(self, node: Tree[Token]) -> Compiled:
        return self._junction(node, decisive=False)

    def c_or_expr(self, node: Tree[Token]) -> Compiled:
        return self._junction(node, decisive=True)

    def _junction(self, node: Tree[Token], *, decisive: bool) -> Compiled:
        """Three-valued `and` (`decisive` False) or `or` (True): the decisive value as soon as
        an operand is it (the right one unevaluated if the left is), the other value if both
        are the other, else null."""
        left, right = (self.compile(c) for c in _children(node))
        other = not decisive

        def junction(s: Scope) -> Any:
            a = left(s)
            if a is decisive:
                return decisive
            b = right(s)
            if b is decisive:
                return decisive
            if a is other and b is other:
                return other
            return None

        return junction

    def c_compare(self, node: Tree[Token]) -> Compiled:
        left_node, op_node, right_node = _children(node)
        op = str(op_node.children[0])
        left, right = self.compile(left_node), self.compile(right_node)
        return _comparison(op, left, right)

    def c_between(self, node: Tree[Token]) -> Compiled:
        value, lo, hi = (self.compile(c) for c in _children(node))

        def between(s: Scope) -> Any:
            v, a, b = value(s), lo(s), hi(s)
            c1, c2 = ops.compare(a, v), ops.compare(v, b)
            if c1 is None or c2 is None:
                return None
            return c1 <= 0 and c2 <= 0

        return between

    def c_in_expr(self, node: Tree[Token]) -> Compiled:
        left_node, right_node = _children(node)
        left = self.compile(left_node)
        right = self.compile(right_node)
        multi = right_node.data == "paren" and len(_children(right_node)) > 1

        def in_(s: Scope) -> Any:
            v, t = left(s), right(s)
            if multi:
                return any(ops.matches_test(v, x) is True for x in t)
            return ops.matches_test(v, t)

        return in_

    def c_instance_of(self, node: Tree[Token]) -> Compiled:
        value_node, type_node = _children(node)
        value = self.compile(value_node)
        check = self.type_check(type_node)
        return lambda s: check(value(s), s.ctx)

    def type_check(self, node: Tree[Token]) -> Callable[[Any, EvalContext], bool]:
        kind = str(node.data)
        kids = _children(node)
        if kind == "type_named":
            name = ".".join(name_of(n) for n in kids[0].children)
            builtin = builtin_type_check(name)
            if builtin is not None:
                return lambda v, ctx: builtin(v)

            def named(v: Any, ctx: EvalContext) -> bool:
                resolver = ctx.type_resolver
                check = resolver(name) if resolver else None
                return bool(check and check(v))

            return named
        if kind == "type_generic":
            base = name_of(kids[0])
            inner = self.type_check(kids[1])
            if base == "list":
                return lambda v, ctx: (
                    isinstance(v, list) and all(x is None or inner(x, ctx) for x in v)
                )
            if base == "range":
                return lambda v, ctx: (
                    isinstance(v, Range)
                    and all(x is None or inner(x, ctx) for x in (v.start, v.end))
                )
            return lambda v, ctx: False
        if kind == "type_context":
            fields = [(name_of(e.children[0]), self.type_check(e.children[-1])) for e in kids[1:]]
            return lambda v, ctx: (
                isinstance(v, dict)
                and all(k in v and (v[k] is None or check(v[k], ctx)) for k, check in fields)
            )
        if kind == "type_function":
            return lambda v, ctx: isinstance(v, FeelFunction)
        return lambda v, ctx: False

    # -- paths, filters, calls

    def c_path(self, node: Tree[Token]) -> Compiled:
        base_node, name_node = _children(node)
        base = self.compile(base_node)
        key = name_of(name_node)

        def path(s: Scope) -> Any:
            return get_property(base(s), key, s.ctx)

        return path

    def c_filter(self, node: Tree[Token]) -> Compiled:
        base_node, pred_node = _children(node)
        base, pred = self.compile(base_node), self.compile(pred_node)
        return lambda s: filter_list(base(s), pred, s)

    def c_call_positional(self, node: Tree[Token]) -> Compiled:
        kids = _children(node)
        callee = self.compile(kids[0])
        args = [self.compile(c) for c in kids[1:]]
        return lambda s: call_function(callee(s), [a(s) for a in args], None, s)

    def c_call_named(self, node: Tree[Token]) -> Compiled:
        kids = _children(node)
        callee = self.compile(kids[0])
        named = [(name_of(a.children[0]), self.compile(_children(a)[1])) for a in kids[1:]]
        return lambda s: call_function(callee(s), None, {k: f(s) for k, f in named}, s)

    # -- control

    def c_if_expr(self, node: Tree[Token]) -> Compiled:
        cond, then, other = (self.compile(c) for c in _children(node))
        return lambda s: then(s) if cond(s) is True else other(s)

    def _iterations(self, nodes: list[Any]) -> list[tuple[str, Compiled, Compiled | None]]:
        out: list[tuple[str, Compiled, Compiled | None]] = []
        for it in nodes:
            kids = _children(it)
            name = name_of(kids[0])
            if it.data == "iter_range":
                out.append((name, self.compile(kids[1]), self.compile(kids[2])))
            else:
                out.append((name, self.compile(kids[1]), None))
        return out

    def c_for_expr(self, node: Tree[Token]) -> Compiled:
        kids = _children(node)
        iterations = self._iterations(kids[:-1])
        body = self.compile(kids[-1])

        def for_(s: Scope) -> Any:
            results: list[Any] = []
            for inner in _bindings(iterations, 0, s, results):
                if inner is None:
                    return None
                results.append(body(inner))
            return results

        return for_

    def c_quantified(self, node: Tree[Token]) -> Compiled:
        every = node.children[0].type == "EVERY"  # type: ignore[union-attr]
        kids = _children(node)
        iterations = self._iterations(kids[:-1])
        cond = self.compile(kids[-1])

        def quantified(s: Scope) -> Any:
            for inner in _bindings(iterations, 0, s, None):
                if inner is None:
                    return None
                r = cond(inner)
                if every and r is not True:
                    return False
                if not every and r is True:
                    return True
            return every

        return quantified

    def c_function_def(self, node: Tree[Token]) -> Compiled:
        kids = _children(node)
        params = [name_of(p.children[0]) for p in kids[:-1]]
        external = any(isinstance(c, Token) and c.type == "EXTERNAL" for c in node.children)
        body = self.compile(kids[-1])
        if external:

            def external_fn(s: Scope) -> Any:
                return external_function(body(s), params)

            return external_fn

        checks = [
            self.type_check(typed[1]) if len(typed := _children(p)) > 1 else None for p in kids[:-1]
        ]

        def function(s: Scope) -> Any:
            def invoke(*args: Any) -> Any:
                for arg, check in zip(args, checks, strict=True):
                    if check is not None and arg is not None and not check(arg, s.ctx):
                        s.ctx.warn(f"argument of type {type_name(arg)} does not fit")
                        return None
                return body(s.child(dict(zip(params, args, strict=True))))

            return FeelFunction("anonymous", list(params), invoke)

        return function


def _comparison(op: str, left: Compiled, right: Compiled) -> Compiled:
    if op == "=":
        return lambda s: ops.equal(left(s), right(s))
    if op == "!=":

        def ne(s: Scope) -> Any:
            r = ops.equal(left(s), right(s))
            return None if r is None else not r

        return ne

    def cmp(s: Scope) -> Any:
        a, b = left(s), right(s)
        c = ops.compare(a, b)
        if c is None:
            if a is not None and b is not None:
                s.ctx.warn(f"cannot compare {type_name(a)} with {type_name(b)}")
            return None
        if op == "<":
            return c < 0
        if op == "<=":
            return c <= 0
        if op == ">":
            return c > 0
        return c >= 0

    return cmp


def _iterable(value: Any) -> list[Any] | None:
    if isinstance(value, list):
        return value
    if isinstance(value, Range):
        if ops.compare(value.start, value.end) in (None, 1):
            return None
        if isinstance(value.start, Decimal) and isinstance(value.end, Decimal):
            return _int_range(value.start, value.end, value.start_included, value.end_included)
        if isinstance(value.start, date) and isinstance(value.end, date):
            if isinstance(value.start, datetime) or isinstance(value.end, datetime):
                return None
            days = (value.end - value.start).days
            step = 1 if days >= 0 else -1
            out = [value.start + timedelta(days=i) for i in range(0, days + step, step)]
            if not value.start_included:
                out = out[1:]
            if not value.end_included:
                out = out[:-1]
            return out
        return None
    if value is None:
        return None
    return [value]


def _int_range(
    a: Decimal, b: Decimal, a_incl: bool = True, b_incl: bool = True
) -> list[Any] | None:
    if a != a.to_integral_value() or b != b.to_integral_value():
        return None
    lo, hi = int(a), int(b)
    if abs(hi - lo) > 1_000_000:
        raise FeelError("iteration range too large")
    step = 1 if hi >= lo else -1
    values = list(range(lo, hi + step, step))
    if not a_incl:
        values = values[1:]
    if not b_incl:
        values = values[:-1]
    return [Decimal(v) for v in values]


def _bindings(
    iterations: list[tuple[str, Compiled, Compiled | None]],
    index: int,
    scope: Scope,
    partial: list[Any] | None,
) -> Iterator[Scope | None]:
    """Yield one scope per combination of the iteration variables (nested loops)."""
    if index == len(iterations):
        yield scope
        return
    name, source, upto = iterations[index]
    first = source(scope)
    if upto is not None:
        last = upto(scope)
        if isinstance(first, Decimal) and isinstance(last, Decimal):
            values = _int_range(first, last)
        elif is_plain_date(first) and is_plain_date(last):
            days = (last - first).days
            if abs(days) > 1_000_000:
                raise FeelError("iteration range too large")
            step = 1 if days >= 0 else -1
            values = [first + timedelta(days=i) for i in range(0, days + step, step)]
        else:
            yield None
            return
    else:
        values = _iterable(first)
    if values is None:
        yield None
        return
    for value in values:
        scope.ctx.tick()
        frame: dict[str, Any] = {name: value}
        if partial is not None:
            frame["partial"] = partial
        yield from _bindings(iterations, index + 1, scope.child(frame), partial)


def filter_list(value: Any, pred: Compiled, scope: Scope) -> Any:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    if not items:
        probe = pred(scope.child({"item": None}))
        return None if isinstance(probe, Decimal) else []
    out: list[Any] = []
    for i, item in enumerate(items):
        scope.ctx.tick()
        frame = dict(item) if isinstance(item, dict) else {}
        frame["item"] = item
        r = pred(scope.child(frame))
        if i == 0 and isinstance(r, Decimal):
            return _index(items, r)
        if r is True:
            out.append(item)
    return out


def _index(items: list[Any], position: Decimal) -> Any:
    if position != position.to_integral_value():
        return None
    n = int(position)
    if n > 0 and n <= len(items):
        return items[n - 1]
    if n < 0 and -n <= len(items):
        return items[n]
    return None


def get_property(value: Any, key: str, ctx: EvalContext) -> Any:
    """``value.key``: a context entry, a list map, or a property of a built-in type."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        return [get_property(v, key, ctx) for v in value]
    if isinstance(value, date | time):
        return _temporal_property(value, key)
    if isinstance(value, timedelta):
        sign = -1 if value < timedelta(0) else 1
        v = abs(value)
        props = {
            "days": v.days,
            "hours": v.seconds // 3600,
            "minutes": (v.seconds // 60) % 60,
            "seconds": v.seconds % 60,
        }
        return Decimal(sign * props[key]) if key in props else None
    if isinstance(value, YMDuration):
        sign = -1 if value.months < 0 else 1
        years, months = divmod(abs(value.months), 12)
        if key == "years":
            return Decimal(sign * years)
        if key == "months":
            return Decimal(sign * months)
        return None
    if isinstance(value, Range):
        return {
            "start": value.start,
            "end": value.end,
            "start included": value.start_included,
            "end included": value.end_included,
        }.get(key)
    ctx.warn(f"{type_name(value)} has no property {key!r}")
    return None


def _temporal_property(value: date | time, key: str) -> Any:
    if isinstance(value, date):
        if key in ("year", "month", "day"):
            return Decimal(getattr(value, key))
        if key == "weekday":
            return Decimal(value.isoweekday())
        if not isinstance(value, datetime):
            return None
    if key in ("hour", "minute", "second"):
        return Decimal(getattr(value, key))
    tz = value.tzinfo
    if key == "time offset":
        if tz is None:
            return None
        return tz.utcoffset(value if isinstance(value, datetime) else None)
    if key == "timezone":
        if isinstance(tz, NamedZone):
            return tz.key
        return None
    return None
