"""Decision tables: compiled once per table (column indexes, folded constant outputs),
then matched and their hit policies applied (``TableMixin`` of ``DmnModel``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from feeldmn.errors import DmnError
from feeldmn.feel import operators as ops
from feeldmn.feel.interpreter import (
    EvalContext,
    Scope,
    builtin_type_check,
)
from feeldmn.feel.parser import (
    compile_expression,
    expression_is_constant,
    expression_name,
)
from feeldmn.feel.types import CTX
from feeldmn.feel.unary import (
    UnaryPredicate,
    compile_unary_test_items,
    compile_unary_tests,
    unary_test_constants,
    unary_tests_are_constant,
)
from feeldmn.model import (
    DecisionTable,
    Definitions,
)
from feeldmn.results import RuleMatch, _Run
from feeldmn.table_index import Column, ColumnIndex, column_index

if TYPE_CHECKING:
    from feeldmn.evaluator import DmnModel


# An output that has to be computed on each evaluation (see _CompiledTable.folded).
_DYNAMIC: Any = object()
# Values a folded output may hold: shared between evaluations, so never mutable.
_IMMUTABLE = frozenset({type(None), bool, str, Decimal, date, datetime, time, timedelta})


@dataclass
class _CompiledTable:
    inputs: list[Callable[[Scope], Any]]
    # Per rule, the (input index, test) pairs of columns without an index; "-" cells,
    # which always match, are left out.
    rules: list[list[tuple[int, UnaryPredicate]]]
    # (input index, column index) for the columns that could be indexed.
    indexes: list[tuple[int, ColumnIndex]]
    # The same indexes by input index, with what they were built from.
    columns: dict[int, Column]
    outputs: list[list[Callable[[Scope], Any]]]
    priorities: list[list[UnaryPredicate]]
    defaults: list[Callable[[Scope], Any] | None]
    allowed: list[UnaryPredicate | None]
    names: list[str]
    policy: str
    output_types: list[tuple[int, str]]
    # Per rule, its output when that is the same on every evaluation (constant entries
    # of immutable values that conform to their output types), else _DYNAMIC.
    folded: list[Any]
    # The output when no rule matches, likewise (None without default entries).
    folded_default: Any
    # Per input, the name when its expression is nothing but a name.
    input_names: list[str | None]
    # Whether no test of the table (input entries, input and output values) reads the
    # scope: all are constants, ranges, comparisons with constants or not(...) of those.
    scope_free: bool
    # The bit mask of all rules.
    all_rules: int
    # Per rule, its RuleMatch (a fact about the table, shared by the results).
    rule_matches: list[RuleMatch]

    def match(self, values: list[Any], scope: Scope) -> list[int]:
        """The 0-based positions of the rules whose input entries all match, in order."""
        candidates = self.all_rules
        for position, column in self.indexes:
            candidates &= column(values[position])
        matched: list[int] = []
        rules = self.rules
        while candidates:
            lowest = candidates & -candidates
            candidates ^= lowest
            index = lowest.bit_length() - 1
            for position, test in rules[index]:
                if not test(values[position], scope):
                    break
            else:
                matched.append(index)
        return matched


_HIT = {
    "U": "UNIQUE",
    "A": "ANY",
    "P": "PRIORITY",
    "F": "FIRST",
    "R": "RULE ORDER",
    "O": "OUTPUT ORDER",
    "C": "COLLECT",
}


_TYPE_FAST: dict[str, Callable[[Any], bool]] = {
    name: check
    for name in ("number", "string", "boolean", "date", "time", "dateTime", "date and time")
    if (check := builtin_type_check(name)) is not None
}


def _column_indexes(
    table: DecisionTable, known: frozenset[str]
) -> tuple[list[tuple[int, ColumnIndex]], dict[int, Column]]:
    """The index of every input column whose cells are all constants (or "-"): as
    (input index, lookup) pairs and by input index."""
    indexes: list[tuple[int, ColumnIndex]] = []
    columns: dict[int, Column] = {}
    for column in range(len(table.inputs)):
        cells = [
            r.input_entries[column].strip() if column < len(r.input_entries) else "-"
            for r in table.rules
        ]
        tests = [None if t in ("", "-") else compile_unary_tests(t, known) for t in cells]
        constants = [None if t in ("", "-") else unary_test_constants(t, known) for t in cells]
        if all(c is not None for c, t in zip(constants, tests, strict=True) if t is not None):
            index = column_index(constants, tests)
            if index is not None:
                indexes.append((column, index.lookup))
                columns[column] = index
    return indexes, columns


def _no_match(table: DecisionTable, compiled: _CompiledTable, scope: Scope) -> Any:
    """The result of a table when no rule matched: its default outputs, else by policy."""
    if any(d is not None for d in compiled.defaults):
        folded = compiled.folded_default
        if folded is not _DYNAMIC:
            return dict(folded) if type(folded) is dict else folded
        cells = [d(scope) if d is not None else None for d in compiled.defaults]
        names = compiled.names
        return dict(zip(names, cells, strict=False)) if len(names) > 1 else cells[0]
    policy = compiled.policy
    if policy == "COLLECT" and table.aggregation == "COUNT":
        return Decimal(0)
    if policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and not table.aggregation:
        return []
    return None


def _single_hit(run: _Run, policy: str, results: list[Any], matched: list[int]) -> Any:
    """UNIQUE: one matched rule at most; ANY: matched rules that agree."""
    if policy == "UNIQUE":
        if len(results) > 1:
            rules = ", ".join(str(i + 1) for i in matched)
            run.error(f"hit policy UNIQUE: rules {rules} all matched")
            return None
        return results[0]
    first = results[0]
    if any(ops.equal(first, r) is not True for r in results[1:]):
        run.error("hit policy ANY: matched rules give different outputs")
        return None
    return first


class TableMixin:
    """The decision-table part of ``DmnModel``."""

    def _compile_table(self: DmnModel, table: DecisionTable) -> _CompiledTable:  # type: ignore[misc]  # a mixin of DmnModel
        compiled = self._table_cache.get(id(table))
        if compiled is not None:
            return compiled
        known = self.known
        texts = [i.expression.text.strip() or "null" for i in table.inputs]
        inputs = [compile_expression(t, known) for t in texts]
        indexes, columns = _column_indexes(table, known)
        indexed = {column for column, _ in indexes}
        rules = [
            [
                (i, compile_unary_tests(text.strip(), known))
                for i, text in enumerate(r.input_entries)
                if text.strip() not in ("", "-") and i not in indexed
            ]
            for r in table.rules
        ]
        outputs = [
            [compile_expression(e.text.strip() or "null", known) for e in r.output_entries]
            for r in table.rules
        ]
        priorities = [compile_unary_test_items(o.allowed or "", known) for o in table.outputs]
        default_texts = [
            o.default.text.strip() if o.default is not None and o.default.text.strip() else None
            for o in table.outputs
        ]
        defaults = [compile_expression(t, known) if t is not None else None for t in default_texts]
        allowed_texts = [i.allowed.strip() if i.allowed else "" for i in table.inputs]
        allowed = [compile_unary_tests(t, known) if t else None for t in allowed_texts]
        names = [o.name or table.output_label or "" for o in table.outputs]
        output_types = [(i, o.type_ref) for i, o in enumerate(table.outputs) if o.type_ref]
        unary_texts = [
            *(e for r in table.rules for e in r.input_entries),
            *allowed_texts,
            *(o.allowed or "" for o in table.outputs),
        ]
        folded = [
            self._fold(
                names,
                [e.text.strip() or "null" for e in r.output_entries],
                [o.type_ref for o in table.outputs],
            )
            for r in table.rules
        ]
        compiled = _CompiledTable(
            inputs,
            rules,
            indexes,
            columns,
            outputs,
            priorities,
            defaults,
            allowed,
            names,
            _HIT.get(table.hit_policy, table.hit_policy),
            output_types,
            folded,
            (
                self._fold(names, [t or "null" for t in default_texts], [])
                if any(t is not None for t in default_texts)
                else None
            ),
            [expression_name(t, known) for t in texts],
            all(unary_tests_are_constant(t.strip(), known) for t in unary_texts),
            (1 << len(table.rules)) - 1,
            [RuleMatch(table.id, r.id, i) for i, r in enumerate(table.rules, start=1)],
        )
        self._table_cache[id(table)] = compiled
        return compiled

    def _fold(self: DmnModel, names: list[str], texts: list[str], types: list[str | None]) -> Any:  # type: ignore[misc]  # a mixin of DmnModel
        """The output of constant entries ``texts`` under output ``names``, computed once,
        or _DYNAMIC when it has to be computed on each evaluation: an entry reads the
        scope, warns, gives a mutable value or does not conform to its built-in type."""
        cells = []
        for position, text in enumerate(texts):
            if not expression_is_constant(text, self.known):
                return _DYNAMIC
            ctx = EvalContext()
            try:
                value = compile_expression(text, self.known)(Scope({}, None, ctx))
            except (DmnError, ArithmeticError, ValueError, TypeError, LookupError, RecursionError):
                return _DYNAMIC  # it fails again, and is reported, when the rule matches
            if ctx.warnings or type(value) not in _IMMUTABLE:
                return _DYNAMIC
            type_ref = types[position] if position < len(types) else None
            if value is not None and type_ref:
                check = _TYPE_FAST.get(type_ref)
                if check is None or not check(value):
                    return _DYNAMIC
            cells.append(value)
        if len(names) > 1:
            return dict(zip(names, cells, strict=False))
        return cells[0] if cells else None

    def _table(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel, run: _Run, defs: Definitions, table: DecisionTable, scope: Scope
    ) -> Any:
        compiled = self._table_cache.get(id(table)) or self._compile_table(table)
        values = [fn(scope) for fn in compiled.inputs]
        for allowed, value in zip(compiled.allowed, values, strict=True):
            if allowed is not None and value is not None and not allowed(value, scope):
                run.error(f"input value {value!r} is not among the allowed values")
                return None
        run.ctx.tick()
        matched = compiled.match(values, scope)
        record = run.matches.setdefault(run.current or table.id, [])
        record.extend(compiled.rule_matches[index] for index in matched)
        return self._hit(run, defs, table, compiled, matched, scope)

    def _hit(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel,
        run: _Run,
        defs: Definitions,
        table: DecisionTable,
        compiled: _CompiledTable,
        matched: list[int],
        scope: Scope,
    ) -> Any:
        """The table's result from its matched rules, by its hit policy."""
        names = compiled.names
        policy = compiled.policy
        if not matched:
            return _no_match(table, compiled, scope)
        results = [self._rule_output(run, defs, compiled, i, scope) for i in matched]
        if policy in ("UNIQUE", "ANY"):
            return _single_hit(run, policy, results, matched)
        if policy == "FIRST":
            return results[0]
        if policy == "RULE ORDER":
            return results
        if policy in ("PRIORITY", "OUTPUT ORDER"):
            ordered = sorted(
                range(len(results)),
                key=lambda i: self._priority(results[i], compiled, names, scope),
            )
            if policy == "PRIORITY":
                return results[ordered[0]]
            return [results[i] for i in ordered]
        if policy == "COLLECT":
            return self._aggregate(run, table.aggregation, results)
        run.error(f"unknown hit policy {table.hit_policy}")
        return None

    def _rule_output(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel,
        run: _Run,
        defs: Definitions,
        compiled: _CompiledTable,
        index: int,
        scope: Scope,
    ) -> Any:
        folded = compiled.folded[index]
        if folded is not _DYNAMIC:
            return dict(folded) if type(folded) is dict else folded
        cells = [fn(scope) for fn in compiled.outputs[index]]
        for i, type_ref in compiled.output_types:
            if i < len(cells):
                cells[i] = self._coerce(run, defs, cells[i], type_ref, "output")
        if len(compiled.names) > 1:
            return dict(zip(compiled.names, cells, strict=False))
        return cells[0] if cells else None

    def _priority(  # type: ignore[misc]  # a mixin of DmnModel
        self: DmnModel, result: Any, compiled: _CompiledTable, names: list[str], scope: Scope
    ) -> tuple[int, ...]:
        values = (
            [result.get(n) for n in names]
            if isinstance(result, dict) and len(names) > 1
            else [result]
        )
        key = []
        for value, tests in zip(values, compiled.priorities, strict=False):
            position = next((i for i, t in enumerate(tests) if t(value, scope)), len(tests))
            key.append(position)
        return tuple(key)

    def _aggregate(self: DmnModel, run: _Run, aggregation: str | None, results: list[Any]) -> Any:  # type: ignore[misc]  # a mixin of DmnModel
        if not aggregation:
            return results
        if aggregation == "COUNT":
            return Decimal(len(results))
        if aggregation == "SUM":
            if not all(isinstance(r, Decimal) for r in results):
                run.error("hit policy C+: outputs are not numbers")
                return None
            total = Decimal(0)
            for r in results:
                total = CTX.add(total, r)
            return total
        if aggregation in ("MIN", "MAX"):
            best = results[0]
            for r in results[1:]:
                c = ops.compare(r, best)
                if c is None:
                    run.error(f"hit policy {aggregation}: outputs do not compare")
                    return None
                if (c < 0) if aggregation == "MIN" else (c > 0):
                    best = r
            return best
        run.error(f"unknown aggregation {aggregation}")
        return None

    # -- types
