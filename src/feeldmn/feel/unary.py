"""Unary tests: the cells of a decision table's input entries (``< 5``, ``[1..3)``, ``-``).

A unary test list is compiled once into a predicate over the input value, which is also
bound to ``?`` for tests written as arbitrary expressions (``? > 5``, ``count(?) = 2``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any

from lark import Token, Tree

from feeldmn.feel import operators as ops
from feeldmn.feel.interpreter import Compiled, Compiler, EvalContext, Scope
from feeldmn.feel.parser import parse_unary_tests
from feeldmn.feel.types import Range

UnaryPredicate = Callable[[Any, Scope], bool]


def _uses_input(tree: Tree[Token]) -> bool:
    """Whether a test mentions ``?`` (then a boolean result is the verdict)."""
    for sub in tree.iter_subtrees():
        for child in sub.children:
            if isinstance(child, Token) and child.type == "NAME" and str(child) == "?":
                return True
    return False


def _is_not_call(tree: Tree[Token]) -> bool:
    if tree.data != "call_positional":
        return False
    callee = tree.children[0]
    return (
        isinstance(callee, Tree)
        and callee.data == "var"
        and isinstance(callee.children[0], Tree)
        and [str(t) for t in callee.children[0].children] == ["not"]
    )


def _is_constant(tree: Tree[Token]) -> bool:
    """No names at all (not even built-ins such as now()): the value never changes."""
    return not any(sub.data in ("var", "function_def") for sub in tree.iter_subtrees())


def _bound_check(bound: Any, included: bool, upper: bool) -> Callable[[Any], bool]:
    if upper:
        return (lambda v: v <= bound) if included else (lambda v: v < bound)
    return (lambda v: v >= bound) if included else (lambda v: v > bound)


def _constant_test(value: Any) -> UnaryPredicate:
    """A specialised predicate for a constant test: the hot path of decision tables."""
    kind = type(value)
    if value is None:
        return lambda v, s: v is None
    if kind is bool:
        return lambda v, s: v is value
    if kind in (Decimal, str):
        return lambda v, s: type(v) is kind and v == value
    if kind is Range:
        bounds = [b for b in (value.start, value.end) if b is not None]
        types = {type(b) for b in bounds}
        if bounds and len(types) == 1 and types <= {Decimal, str}:
            if not value.unary and len(bounds) < 2:
                return lambda v, s: False  # a null end point never matches
            (bound_type,) = types
            checks = []
            if value.start is not None:
                checks.append(_bound_check(value.start, value.start_included, upper=False))
            if value.end is not None:
                checks.append(_bound_check(value.end, value.end_included, upper=True))
            if len(checks) == 1:
                (only,) = checks
                return lambda v, s: type(v) is bound_type and only(v)
            low, high = checks
            return lambda v, s: type(v) is bound_type and low(v) and high(v)
    return lambda v, s: ops.matches_test(v, value) is True


def _single(tree: Tree[Token], compiler: Compiler) -> UnaryPredicate:
    fn: Compiled = compiler.compile(tree)
    uses_input = _uses_input(tree)
    if not uses_input and _is_constant(tree):
        return _constant_test(fn(Scope({}, None, EvalContext())))

    def test(value: Any, scope: Scope) -> bool:
        inner = scope.child({"?": value})
        result = fn(inner)
        if uses_input and isinstance(result, bool):
            return result
        return ops.matches_test(value, result) is True

    return test


def _any_of(tests: list[UnaryPredicate]) -> UnaryPredicate:
    if len(tests) == 1:
        return tests[0]

    def any_test(value: Any, scope: Scope) -> bool:
        for test in tests:  # noqa: SIM110 (any() over a generator is much slower)
            if test(value, scope):
                return True
        return False

    return any_test


def _one_of_strings(items: list[Tree[Token]], compiler: Compiler) -> UnaryPredicate | None:
    """``"a", "b", "c"``: a set lookup instead of one test per string."""
    if len(items) < 2 or any(_uses_input(i) or not _is_constant(i) for i in items):
        return None
    values = [compiler.compile(i)(Scope({}, None, EvalContext())) for i in items]
    if not all(type(v) is str for v in values):
        return None
    strings = frozenset(values)
    return lambda value, scope: type(value) is str and value in strings


def _tests_of(items: list[Tree[Token]], compiler: Compiler) -> UnaryPredicate:
    return _one_of_strings(items, compiler) or _any_of([_single(i, compiler) for i in items])


@lru_cache(maxsize=8192)
def compile_unary_tests(text: str, known: frozenset[str] = frozenset()) -> UnaryPredicate:
    """A predicate ``(input value, scope) -> matched`` for a unary tests text."""
    if not text.strip() or text.strip() == "-":
        return lambda value, scope: True
    tree = parse_unary_tests(text, known)
    compiler = Compiler()
    if tree.data == "ut_any":
        return lambda value, scope: True
    items = [c for c in tree.children if isinstance(c, Tree)]
    if len(items) == 1 and _is_not_call(items[0]):
        args = [c for c in items[0].children[1:] if isinstance(c, Tree)]
        inner = _tests_of(args, compiler)
        return lambda value, scope: not inner(value, scope)
    return _tests_of(items, compiler)


@lru_cache(maxsize=2048)
def compile_unary_test_items(
    text: str, known: frozenset[str] = frozenset()
) -> list[UnaryPredicate]:
    """One predicate per comma-separated test: the order gives output priorities."""
    if not text.strip():
        return []
    tree = parse_unary_tests(text, known)
    if tree.data == "ut_any":
        return []
    compiler = Compiler()
    return [_single(c, compiler) for c in tree.children if isinstance(c, Tree)]


@lru_cache(maxsize=8192)
def unary_constants(text: str, known: frozenset[str] = frozenset()) -> tuple[Any, ...] | None:
    """The constant values of a unary tests text (``"a", "b"`` or ``[1..5), > 10``).

    None when any test depends on names or on ``?``, or is a ``not(...)``: such cells
    cannot be indexed and are tested one by one.
    """
    if not text.strip() or text.strip() == "-":
        return None
    tree = parse_unary_tests(text, known)
    if tree.data == "ut_any":
        return None
    items = [c for c in tree.children if isinstance(c, Tree)]
    if any(_uses_input(i) or not _is_constant(i) or _is_not_call(i) for i in items):
        return None
    compiler = Compiler()
    return tuple(compiler.compile(i)(Scope({}, None, EvalContext())) for i in items)


def _constant_items(tree: Tree[Token]) -> list[Tree[Token]] | None:
    """The test items of a parsed unary tests text, those inside a ``not(...)`` included,
    or None when any of them depends on names or on ``?``."""
    if tree.data == "ut_any":
        return None
    items = [c for c in tree.children if isinstance(c, Tree)]
    if len(items) == 1 and _is_not_call(items[0]):
        items = [c for c in items[0].children[1:] if isinstance(c, Tree)]
    if any(_uses_input(i) or not _is_constant(i) or _is_not_call(i) for i in items):
        return None
    return items


@lru_cache(maxsize=8192)
def unary_test_constants(text: str, known: frozenset[str] = frozenset()) -> tuple[Any, ...] | None:
    """The constants a unary tests text compares with, also inside ``not(...)``.

    None for ``-`` and for tests that depend on names or on ``?``. Unlike
    ``unary_constants`` a negated cell has constants too: its predicate is still a fixed
    function of the input value, which is all a column index needs.
    """
    if not text.strip() or text.strip() == "-":
        return None
    items = _constant_items(parse_unary_tests(text, known))
    if items is None:
        return None
    compiler = Compiler()
    return tuple(compiler.compile(i)(Scope({}, None, EvalContext())) for i in items)


@lru_cache(maxsize=8192)
def unary_tests_are_constant(text: str, known: frozenset[str] = frozenset()) -> bool:
    """Whether the predicate of a unary tests text ignores the scope it is given
    (``-``, constants, ranges, ``not(...)`` of those): it may run without one."""
    if not text.strip() or text.strip() == "-":
        return True
    tree = parse_unary_tests(text, known)
    return tree.data == "ut_any" or _constant_items(tree) is not None
