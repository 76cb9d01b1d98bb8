"""DMN evaluator: decisions with their requirement graph, boxed expressions, hit policies.

``DmnModel`` holds one or more ``Definitions`` loaded together (imports resolve by
namespace). ``evaluate`` runs one decision: its required decisions are evaluated first
(once each), BKMs and decision services become FEEL functions, values are checked
against their item definitions (a non-conforming value becomes null, as the spec says).
Decision tables report which rules matched, for the API and for explanations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from feeldmn.errors import DmnError, DmnEvaluationError, DmnModelError, FeelError
from feeldmn.feel import operators as ops
from feeldmn.feel.api import to_feel
from feeldmn.feel.builtins import external_function
from feeldmn.feel.interpreter import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_TIME_BUDGET,
    EvalContext,
    Scope,
    builtin_type_check,
    call_function,
)
from feeldmn.feel.lexer import special_names
from feeldmn.feel.parser import (
    compile_expression,
    expression_is_constant,
    expression_name,
)
from feeldmn.feel.types import CTX, FeelFunction, type_name
from feeldmn.feel.unary import (
    UnaryPredicate,
    compile_unary_test_items,
    compile_unary_tests,
    unary_test_constants,
    unary_tests_are_constant,
)
from feeldmn.model import (
    BusinessKnowledgeModel,
    Conditional,
    ContextExpression,
    Decision,
    DecisionService,
    DecisionTable,
    Definitions,
    Expression,
    FilterExpression,
    FunctionDefinition,
    InputData,
    Invocation,
    ItemDefinition,
    Iterator,
    ListExpression,
    LiteralExpression,
    Relation,
    Requirements,
    load_definitions,
    parse_definitions,
)
from feeldmn.table_index import Column, ColumnIndex, column_index


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A decision-table rule that matched: its id and its 1-based position."""

    table_id: str
    rule_id: str
    index: int


@dataclass
class DecisionResult:
    value: Any
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    matched_rules: dict[str, list[RuleMatch]] = field(default_factory=dict)


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


@dataclass(slots=True)
class _Plan:
    """A decision that is one decision table over input data of the main model, whose
    tests and outputs are all constant (``_CompiledTable.scope_free`` and ``folded``).

    Such a decision needs no scope, no requirement walk and no interpreter: the inputs
    are converted and type-checked, the column indexes give the matched rules and the
    outputs are ready. Anything unusual on the way (a type needing an item definition,
    no or several matches, a multi-hit policy) goes through the general code with the
    same warnings and errors.
    """

    decision: Decision
    table: DecisionTable
    compiled: _CompiledTable
    # The key of matched_rules (the decision's name).
    key: str
    # Required inputs in requirement order: name, typeRef, built-in check of the typeRef.
    inputs: list[tuple[str, str | None, Callable[[Any], bool] | None]]
    # For each input of the table, the position of its input data in ``inputs``.
    columns: list[int]
    # UNIQUE, ANY, FIRST or PRIORITY: one matched rule gives the result as it is.
    single_hit: bool
    # When set, the shortcut for the common case (see _quick_function): the result, or
    # None when the inputs need the careful way.
    quick: Callable[[dict[Any, Any]], DecisionResult | None] | None


_HIT = {
    "U": "UNIQUE",
    "A": "ANY",
    "P": "PRIORITY",
    "F": "FIRST",
    "R": "RULE ORDER",
    "O": "OUTPUT ORDER",
    "C": "COLLECT",
}


class _Run:
    """State of one evaluation: input values, evaluated decisions, matched rules."""

    def __init__(self, model: DmnModel, inputs: Mapping[str, Any], ctx: EvalContext) -> None:
        self.model = model
        self.inputs = inputs
        self.ctx = ctx
        self.values: dict[tuple[str, str], Any] = {}
        self.active: set[tuple[str, str]] = set()
        self.errors: list[str] = []
        self.matches: dict[str, list[RuleMatch]] = {}
        self.current: str = ""
        self.root = Scope({}, None, ctx)

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.ctx.warn(message)


class DmnModel:
    """One or several DMN definitions evaluated together."""

    def __init__(self, definitions: list[Definitions], main: Definitions | None = None) -> None:
        if not definitions:
            raise DmnModelError("no DMN definitions given")
        self.definitions = definitions
        self.main = main or definitions[0]
        self.by_namespace = {d.namespace: d for d in definitions}
        names: list[str] = []
        for d in definitions:
            names.extend(d.element_names())
            names.extend(i.name for i in d.imports)
            for item in d.item_definitions.values():
                names.extend(_component_names(item))
            for decision in d.decisions.values():
                names.extend(_expression_names(decision.expression))
            for bkm in d.bkms.values():
                names.extend(_expression_names(bkm.logic))
        self.known = special_names(names)
        self._table_cache: dict[int, _CompiledTable] = {}
        self._find_cache: dict[tuple[int, str], tuple[Definitions, Any] | None] = {}
        self._requirement_cache: dict[int, list[tuple[str, tuple[Definitions, Any] | None]]] = {}
        self._plans: dict[str, _Plan | None] = {}

    # -- construction

    @classmethod
    def from_files(cls, paths: Iterable[Path], main: Path | None = None) -> DmnModel:
        defs = [load_definitions(p) for p in paths]
        chosen = None
        if main is not None:
            chosen = next((d for d in defs if Path(d.source).name == main.name), None)
        return cls(defs, chosen)

    @classmethod
    def from_bytes(cls, data: bytes, *imported: bytes) -> DmnModel:
        """The model in ``data``, with the models it imports (matched by namespace)."""
        return cls([parse_definitions(data), *(parse_definitions(d) for d in imported)])

    # -- lookups

    def _find(self, defs: Definitions, name: str) -> tuple[Definitions, Any] | None:
        """An element by name in ``defs``; ``import.name`` reaches imported models."""
        key = (id(defs), name)
        if key not in self._find_cache:
            self._find_cache[key] = self._find_uncached(defs, name)
        return self._find_cache[key]

    def _find_uncached(self, defs: Definitions, name: str) -> tuple[Definitions, Any] | None:
        for table in (defs.decisions, defs.bkms, defs.services, defs.inputs):
            for element in table.values():
                if element.name == name:
                    return defs, element
        if "." in name:
            prefix, rest = name.split(".", 1)
            for imp in defs.imports:
                if imp.name == prefix and imp.namespace in self.by_namespace:
                    return self._find(self.by_namespace[imp.namespace], rest)
        return None

    def _resolve(self, defs: Definitions, href: str) -> tuple[Definitions, Any] | None:
        namespace, _, eid = href.partition("#")
        target = self.by_namespace.get(namespace, defs) if namespace else defs
        for table in (target.decisions, target.bkms, target.services, target.inputs):
            if eid in table:
                return target, table[eid]
        return None

    def _import_name(self, defs: Definitions, target: Definitions) -> str | None:
        for imp in defs.imports:
            if imp.namespace == target.namespace:
                return imp.name
        return None

    def decision_names(self) -> list[str]:
        return [d.name for d in self.main.decisions.values()]

    # -- public evaluation

    def evaluate(
        self,
        decision: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        time_budget: float = DEFAULT_TIME_BUDGET,
        max_depth: int = DEFAULT_MAX_DEPTH,
    ) -> DecisionResult:
        """Evaluate the decision (or decision service) called ``decision``."""
        try:
            plan: _Plan | None = self._plans.get(decision, _UNPLANNED)
            if plan is _UNPLANNED:
                plan = self._plans[decision] = self._plan(decision)
            if plan is not None and (inputs is None or type(inputs) is dict):
                given = {} if inputs is None else inputs
                quick = plan.quick
                if quick is not None:
                    answer = quick(given)
                    if answer is not None:
                        return answer
                return self._evaluate_plan(plan, given)
            run = self._new_run(inputs, time_budget, max_depth)
            return self._evaluate(run, decision)
        except RecursionError:
            raise FeelError("evaluation exceeded the maximum nesting depth") from None
        except (ArithmeticError, ValueError, TypeError, IndexError, KeyError) as exc:
            # A defect of ours, not of the model: still a DmnError for the caller to report.
            raise DmnEvaluationError(f"internal evaluation error: {exc!r}") from exc

    def _evaluate(self, run: _Run, decision: str) -> DecisionResult:
        found = self._find(self.main, decision)
        if found is None:
            raise DmnEvaluationError(f"no decision named {decision!r}")
        defs, element = found
        if isinstance(element, Decision):
            value = self._decision(run, defs, element)
        elif isinstance(element, DecisionService):
            fn = self._service_function(run, defs, element)
            params = {p: run.inputs.get(p) for p in fn.params}
            value = fn.invoke(*params.values())
        else:
            raise DmnEvaluationError(f"{decision!r} is not a decision")
        return DecisionResult(value, run.ctx.warnings, run.errors, run.matches)

    # -- the fast path of simple decision tables

    def _plan(self, name: str) -> _Plan | None:
        """The plan of decision ``name`` when it qualifies for ``_evaluate_plan``."""
        found = self._find(self.main, name)
        if found is None:
            return None
        defs, decision = found
        if (
            defs is not self.main
            or not isinstance(decision, Decision)
            or not isinstance(decision.expression, DecisionTable)
            or decision.requirements.decisions
            or decision.requirements.knowledge
            or not self._functions_are_quiet()
        ):
            return None
        inputs: list[InputData] = []
        for _href, required in self._requirements(defs, decision.requirements):
            if required is None or required[0] is not defs:
                return None
            if not isinstance(required[1], InputData):
                return None
            inputs.append(required[1])
        names = [i.name for i in inputs]
        if len(set(names)) != len(names):
            return None
        table = decision.expression
        try:
            compiled = self._compile_table(table)
        except DmnError:
            return None  # the general path reports it
        if (
            not compiled.scope_free
            or compiled.folded_default is _DYNAMIC
            or any(f is _DYNAMIC for f in compiled.folded)
            or any(n not in names for n in compiled.input_names)
        ):
            return None
        single_hit = compiled.policy in ("UNIQUE", "ANY", "FIRST", "PRIORITY")
        return _Plan(
            decision,
            table,
            compiled,
            decision.name or table.id,
            [
                (i.name, i.type_ref, _TYPE_FAST.get(i.type_ref) if i.type_ref else None)
                for i in inputs
            ],
            [names.index(n) for n in compiled.input_names if n is not None],
            single_hit,
            _quick_function(table, compiled, inputs, decision.name or table.id)
            if not decision.type_ref
            else None,
        )

    def _functions_are_quiet(self) -> bool:
        """Whether making the function values of the models' BKMs can neither warn nor
        fail (FEEL functions only), so that a decision not calling them may skip them."""
        return all(
            bkm.logic is None or bkm.logic.kind.upper() == "FEEL"
            for d in self.definitions
            for bkm in d.bkms.values()
        )

    def _side_run(self, warnings: list[str], errors: list[str]) -> _Run:
        """A run for the general code called from the fast path, writing to its lists."""
        ctx = EvalContext()
        ctx.warnings = warnings
        run = _Run(self, {}, ctx)
        run.errors = errors
        run.current = ""
        ctx.type_resolver = lambda name: self._type_check(run, self.main, name)
        return run

    def _evaluate_plan(self, plan: _Plan, given: dict[Any, Any]) -> DecisionResult:
        """``evaluate`` of a planned decision: the same result, warnings and errors."""
        warnings: list[str] = []
        errors: list[str] = []
        side: _Run | None = None
        values: list[Any] = []
        for name, type_ref, check in plan.inputs:
            value = given.get(name, _MISSING)
            if value is _MISSING:
                value = _by_text_key(given, name)
            kind = type(value)
            if kind is int:
                value = Decimal(value)
            elif value is not None and kind is not str and kind is not Decimal:
                value = to_feel(value)
            if value is not None and type_ref is not None:
                if check is not None and type(value) is not list:
                    if not check(value):
                        if len(warnings) < 1000:
                            warnings.append(
                                f"input {name!r}: a {type_name(value)} does not conform to "
                                f"{type_ref}"
                            )
                        value = None
                else:
                    side = side or self._side_run(warnings, errors)
                    value = self._coerce(side, self.main, value, type_ref, f"input {name!r}")
            values.append(value)
        compiled = plan.compiled
        cells = [values[c] for c in plan.columns]
        for allowed, value in zip(compiled.allowed, cells, strict=True):
            if allowed is not None and value is not None and not allowed(value, _NO_SCOPE):
                side = side or self._side_run(warnings, errors)
                side.error(f"input value {value!r} is not among the allowed values")
                return DecisionResult(None, warnings, errors, {})
        matched = compiled.match(cells, _NO_SCOPE)
        table = plan.table
        matches = {plan.key: [compiled.rule_matches[i] for i in matched]}
        if len(matched) == 1 and plan.single_hit:
            result = compiled.folded[matched[0]]
            if type(result) is dict:
                result = dict(result)
        else:
            side = side or self._side_run(warnings, errors)
            result = self._hit(side, self.main, table, compiled, matched, _NO_SCOPE)
        decision = plan.decision
        if result is not None and decision.type_ref:
            side = side or self._side_run(warnings, errors)
            result = self._decision_value(side, self.main, decision, result)
        return DecisionResult(result, warnings, errors, matches)

    def evaluate_all(
        self, inputs: Mapping[str, Any] | None = None, *, time_budget: float = DEFAULT_TIME_BUDGET
    ) -> dict[str, DecisionResult]:
        return {
            name: self.evaluate(name, inputs, time_budget=time_budget)
            for name in self.decision_names()
        }

    def _new_run(self, inputs: Mapping[str, Any] | None, budget: float, depth: int) -> _Run:
        ctx = EvalContext(time_budget=budget, max_depth=depth)
        values = {str(k): to_feel(v) for k, v in (inputs or {}).items()}
        run = _Run(self, values, ctx)
        ctx.type_resolver = lambda name: self._type_check(run, self.main, name)
        return run

    # -- DRG

    def _input(self, run: _Run, defs: Definitions, element: InputData) -> Any:
        if defs is self.main or element.name in run.inputs:
            raw = run.inputs.get(element.name)
        else:
            prefix = self._import_name(self.main, defs)
            holder = run.inputs.get(prefix) if prefix else None
            raw = holder.get(element.name) if isinstance(holder, dict) else None
        return self._coerce(run, defs, raw, element.type_ref, f"input {element.name!r}")

    def _decision(self, run: _Run, defs: Definitions, decision: Decision) -> Any:
        key = (defs.namespace, decision.id)
        if key in run.values:
            return run.values[key]
        if key in run.active:
            raise DmnEvaluationError(f"decision {decision.name!r} depends on itself")
        run.active.add(key)
        try:
            scope = self._requirements_scope(run, defs, decision.requirements)
            previous, run.current = run.current, decision.name
            try:
                value = self._expression(run, defs, decision.expression, scope)
            finally:
                run.current = previous
            value = self._decision_value(run, defs, decision, value)
        finally:
            run.active.discard(key)
        run.values[key] = value
        return value

    def _decision_value(self, run: _Run, defs: Definitions, decision: Decision, value: Any) -> Any:
        """The value of a decision checked against its typeRef."""
        what = f"decision {decision.name!r}"
        if (
            _returns_list(decision.expression)
            and isinstance(value, list)
            and decision.type_ref
            and self._is_collection(defs, decision.type_ref) is not True
        ):
            # A multi-hit table's typeRef names the type of one output, not the list.
            return [self._coerce(run, defs, v, decision.type_ref, what) for v in value]
        return self._coerce(run, defs, value, decision.type_ref, what)

    def _requirements(
        self, defs: Definitions, req: Requirements
    ) -> list[tuple[str, tuple[Definitions, Any] | None]]:
        key = id(req)
        cached = self._requirement_cache.get(key)
        if cached is None:
            cached = [
                (href, self._resolve(defs, href))
                for href in [*req.inputs, *req.decisions, *req.knowledge]
            ]
            self._requirement_cache[key] = cached
        return cached

    def _requirements_scope(self, run: _Run, defs: Definitions, req: Requirements) -> Scope:
        frame: dict[str, Any] = {}
        # Functions of the same model are visible even without a knowledge requirement:
        # many exported models omit it, and a function costs nothing until it is called.
        for bkm in defs.bkms.values():
            frame[bkm.name] = self._bkm_function(run, defs, bkm)
        for service in defs.services.values():
            frame[service.name] = self._service_function(run, defs, service)
        for href, found in self._requirements(defs, req):
            if found is None:
                run.error(f"unresolved requirement {href!r}")
                continue
            target, element = found
            if isinstance(element, InputData):
                value = self._input(run, target, element)
            elif isinstance(element, Decision):
                value = self._decision(run, target, element)
            elif isinstance(element, BusinessKnowledgeModel):
                value = self._bkm_function(run, target, element)
            else:
                value = self._service_function(run, target, element)
            if target is defs:
                frame[element.name] = value
            else:
                prefix = self._import_name(defs, target)
                if prefix is None:
                    frame[element.name] = value
                else:
                    holder = frame.setdefault(prefix, {})
                    if isinstance(holder, dict):
                        holder[element.name] = value
        return run.root.child(frame)

    def _bkm_function(
        self, run: _Run, defs: Definitions, bkm: BusinessKnowledgeModel
    ) -> FeelFunction | None:
        key = (defs.namespace, "bkm:" + bkm.id)
        if key in run.values:
            cached: FeelFunction | None = run.values[key]
            return cached
        logic = bkm.logic
        if logic is None:
            run.values[key] = None
            return None
        holder: dict[str, Any] = {}
        scope = run.root.child(holder)
        fn = self._function(run, defs, logic, scope, bkm.name)
        run.values[key] = fn
        # Requirements are bound after the function exists, so that a BKM may call itself.
        inner = self._requirements_scope_lazy(run, defs, bkm)
        holder.update(inner)
        if isinstance(fn, FeelFunction):
            holder.setdefault(bkm.name, fn)
        return fn if isinstance(fn, FeelFunction) else None

    def _requirements_scope_lazy(
        self, run: _Run, defs: Definitions, bkm: BusinessKnowledgeModel
    ) -> dict[str, Any]:
        frame: dict[str, Any] = {}
        for href in bkm.requirements.knowledge:
            found = self._resolve(defs, href)
            if found is None:
                continue
            target, element = found
            value: Any
            if isinstance(element, BusinessKnowledgeModel):
                value = self._bkm_function(run, target, element)
            elif isinstance(element, DecisionService):
                value = self._service_function(run, target, element)
            else:
                continue
            prefix = self._import_name(defs, target) if target is not defs else None
            if prefix:
                holder = frame.setdefault(prefix, {})
                holder[element.name] = value
            else:
                frame[element.name] = value
        for other in defs.bkms.values():
            if other.name not in frame and other is not bkm:
                frame[other.name] = self._bkm_function(run, defs, other)
        return frame

    def _service_function(
        self, run: _Run, defs: Definitions, service: DecisionService
    ) -> FeelFunction:
        key = (defs.namespace, "ds:" + service.id)
        if key in run.values:
            cached: FeelFunction = run.values[key]
            return cached
        input_decisions = [self._resolve(defs, h) for h in service.input_decisions]
        input_data = [self._resolve(defs, h) for h in service.input_data]
        params = [
            e.name for _, e in [*(x for x in input_decisions if x), *(x for x in input_data if x)]
        ]
        outputs = [x for x in (self._resolve(defs, h) for h in service.outputs) if x]

        def invoke(*args: Any) -> Any:
            inner = _Run(self, {}, run.ctx)
            inner.matches = run.matches
            inner.errors = run.errors
            given = dict(zip(params, args, strict=False))
            for found in input_decisions:
                if found:
                    target, element = found
                    value = self._coerce(
                        inner, target, given.get(element.name), element.type_ref, ""
                    )
                    inner.values[(target.namespace, element.id)] = value
            for found in input_data:
                if found:
                    target, element = found
                    inner.inputs = {**inner.inputs, element.name: given.get(element.name)}
            results = {}
            for target, element in outputs:
                results[element.name] = self._decision(inner, target, element)
            value = next(iter(results.values())) if len(results) == 1 else results
            return self._coerce(inner, defs, value, service.type_ref, f"service {service.name!r}")

        fn = FeelFunction(service.name, params, invoke)
        run.values[key] = fn
        return fn

    # -- boxed expressions

    def _expression(
        self,
        run: _Run,
        defs: Definitions,
        expr: Expression | None,
        scope: Scope,
    ) -> Any:
        """Evaluate a boxed expression; its own typeRef, if any, is enforced."""
        value = self._boxed(run, defs, expr, scope)
        if expr is not None and expr.type_ref and not isinstance(expr, DecisionTable):
            value = self._coerce(run, defs, value, expr.type_ref, "expression")
        return value

    def _boxed(self, run: _Run, defs: Definitions, expr: Expression | None, scope: Scope) -> Any:
        if expr is None:
            return None
        if isinstance(expr, LiteralExpression):
            text = expr.text.strip()
            if not text:
                return None
            return compile_expression(text, self.known)(scope)
        if isinstance(expr, DecisionTable):
            return self._table(run, defs, expr, scope)
        if isinstance(expr, ContextExpression):
            return self._context(run, defs, expr, scope)
        if isinstance(expr, ListExpression):
            return [self._expression(run, defs, item, scope) for item in expr.items]
        if isinstance(expr, Relation):
            return [
                {
                    col: self._expression(run, defs, cell, scope)
                    for col, cell in zip(expr.columns, row, strict=False)
                }
                for row in expr.rows
            ]
        if isinstance(expr, Invocation):
            fn = compile_expression(expr.callee, self.known)(scope) if expr.callee else None
            named = {
                b.name: self._expression(run, defs, b.expression, scope) for b in expr.bindings
            }
            return call_function(fn, None, named, scope)
        if isinstance(expr, FunctionDefinition):
            return self._function(run, defs, expr, scope, "anonymous")
        if isinstance(expr, Conditional):
            cond = self._expression(run, defs, expr.condition, scope)
            if cond is not None and not isinstance(cond, bool):
                run.ctx.warn("the condition of a boxed conditional is not a boolean")
                return None
            branch = expr.then if cond is True else expr.otherwise
            return self._expression(run, defs, branch, scope)
        if isinstance(expr, FilterExpression):
            return self._filter(run, defs, expr, scope)
        if isinstance(expr, Iterator):
            return self._iterator(run, defs, expr, scope)
        return None

    def _filter(self, run: _Run, defs: Definitions, expr: FilterExpression, scope: Scope) -> Any:
        source = self._expression(run, defs, expr.source, scope)
        if source is None:
            return None
        items = source if isinstance(source, list) else [source]
        kept = []
        for item in items:
            run.ctx.tick()
            frame = dict(item) if isinstance(item, dict) else {}
            frame["item"] = item
            verdict = self._expression(run, defs, expr.match, scope.child(frame))
            if verdict is not None and not isinstance(verdict, bool):
                run.ctx.warn("the match of a boxed filter is not a boolean")
                return None
            if verdict is True:
                kept.append(item)
        return kept

    def _iterator(self, run: _Run, defs: Definitions, expr: Iterator, scope: Scope) -> Any:
        source = self._expression(run, defs, expr.source, scope)
        if not isinstance(source, list):
            return None
        results = []
        for item in source:
            run.ctx.tick()
            value = self._expression(run, defs, expr.body, scope.child({expr.variable: item}))
            if expr.kind != "for" and value is not None and not isinstance(value, bool):
                run.ctx.warn(f"the condition of a boxed {expr.kind} is not a boolean")
                return None
            if expr.kind == "some" and value is True:
                return True
            if expr.kind == "every" and value is not True:
                return False
            results.append(value)
        if expr.kind == "some":
            return False
        if expr.kind == "every":
            return True
        return results

    def _context(self, run: _Run, defs: Definitions, expr: ContextExpression, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        inner = scope.child(result)
        for entry in expr.entries:
            value = self._expression(run, defs, entry.expression, inner)
            value = self._coerce(run, defs, value, entry.type_ref, f"context entry {entry.name!r}")
            if entry.name is None:
                return value
            result[entry.name] = value
        return dict(result)

    def _function(
        self, run: _Run, defs: Definitions, expr: FunctionDefinition, scope: Scope, name: str
    ) -> FeelFunction | None:
        params = [p.name for p in expr.parameters]
        if expr.kind.upper() == "JAVA":
            definition = self._expression(run, defs, expr.body, scope)
            result: Any = external_function(definition, params)
            return result if isinstance(result, FeelFunction) else None
        if expr.kind.upper() != "FEEL":
            run.error(f"function kind {expr.kind} is not supported")
            return None
        body = expr.body
        types = [p.type_ref for p in expr.parameters]

        def invoke(*args: Any) -> Any:
            frame = {}
            for param, type_ref, arg in zip(params, types, args, strict=True):
                value = self._coerce(run, defs, arg, type_ref, f"parameter {param!r}")
                if value is None and arg is not None:
                    return None  # an argument of the wrong type makes the invocation null
                frame[param] = value
            return self._expression(run, defs, body, scope.child(frame))

        return FeelFunction(name, params, invoke)

    # -- decision tables

    def _compile_table(self, table: DecisionTable) -> _CompiledTable:
        compiled = self._table_cache.get(id(table))
        if compiled is not None:
            return compiled
        known = self.known
        texts = [i.expression.text.strip() or "null" for i in table.inputs]
        inputs = [compile_expression(t, known) for t in texts]
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

    def _fold(self, names: list[str], texts: list[str], types: list[str | None]) -> Any:
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

    def _table(self, run: _Run, defs: Definitions, table: DecisionTable, scope: Scope) -> Any:
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

    def _hit(
        self,
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
            if any(d is not None for d in compiled.defaults):
                folded = compiled.folded_default
                if folded is not _DYNAMIC:
                    return dict(folded) if type(folded) is dict else folded
                cells = [d(scope) if d is not None else None for d in compiled.defaults]
                return dict(zip(names, cells, strict=False)) if len(names) > 1 else cells[0]
            if policy == "COLLECT" and table.aggregation == "COUNT":
                return Decimal(0)
            if policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and not table.aggregation:
                return []
            return None
        results = [self._rule_output(run, defs, compiled, i, scope) for i in matched]
        if policy == "UNIQUE":
            if len(results) > 1:
                rules = ", ".join(str(i + 1) for i in matched)
                run.error(f"hit policy UNIQUE: rules {rules} all matched")
                return None
            return results[0]
        if policy == "ANY":
            first = results[0]
            if any(ops.equal(first, r) is not True for r in results[1:]):
                run.error("hit policy ANY: matched rules give different outputs")
                return None
            return first
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

    def _rule_output(
        self, run: _Run, defs: Definitions, compiled: _CompiledTable, index: int, scope: Scope
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

    def _priority(
        self, result: Any, compiled: _CompiledTable, names: list[str], scope: Scope
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

    def _aggregate(self, run: _Run, aggregation: str | None, results: list[Any]) -> Any:
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

    def _item(self, defs: Definitions, name: str) -> tuple[Definitions, ItemDefinition] | None:
        if name in defs.item_definitions:
            return defs, defs.item_definitions[name]
        if "." in name:
            prefix, rest = name.split(".", 1)
            for imp in defs.imports:
                if imp.name == prefix and imp.namespace in self.by_namespace:
                    return self._item(self.by_namespace[imp.namespace], rest)
        if ":" in name:
            return self._item(defs, name.split(":", 1)[1])
        return None

    def _type_check(self, run: _Run, defs: Definitions, name: str) -> Callable[[Any], bool] | None:
        """The check behind ``instance of``: structure only, allowed values do not count."""
        builtin = builtin_type_check(name.strip())
        if builtin is not None:
            return builtin
        found = self._item(defs, name.strip())
        if found is None:
            return None
        target, item = found
        return lambda value: (
            value is not None and self._conforms_item(run, target, value, item, strict=True)
        )

    def _conforms(
        self, run: _Run, defs: Definitions, value: Any, type_ref: str, *, strict: bool = False
    ) -> bool:
        if value is None:
            return True
        name = type_ref.strip()
        builtin = builtin_type_check(name)
        if builtin is not None:
            return name in ("Any", "feel:Any") or builtin(value)
        found = self._item(defs, name)
        if found is None:
            return True
        target, item = found
        return self._conforms_item(run, target, value, item, strict=strict)

    def _conforms_item(
        self, run: _Run, defs: Definitions, value: Any, item: ItemDefinition, *, strict: bool
    ) -> bool:
        """Whether ``value`` is of type ``item``.

        Every component must be present (null is fine); ``strict`` (instance of) ignores
        allowed values, which conformance of inputs and results checks.
        """
        if value is None:
            return True
        if item.is_collection:
            if not isinstance(value, list):
                return False
            # allowedValues of a collection type constrain its elements.
            single = ItemDefinition(
                item.name,
                item.type_ref,
                False,
                item.allowed,
                item.type_constraint,
                item.components,
                item.is_function,
            )
            return all(self._conforms_item(run, defs, v, single, strict=strict) for v in value)
        if item.components:
            if not isinstance(value, dict):
                return False
            for component in item.components:
                if component.name not in value:
                    return False
                part = value.get(component.name)
                if not self._conforms_item(run, defs, part, component, strict=strict):
                    return False
        elif item.is_function:
            if not isinstance(value, FeelFunction):
                return False
        elif item.type_ref and not self._conforms(run, defs, value, item.type_ref, strict=strict):
            return False
        if strict:
            return True
        for constraint in (item.allowed, item.type_constraint):
            if constraint and constraint.strip():
                test = compile_unary_tests(constraint.strip(), self.known)
                if not test(value, run.root):
                    return False
        return True

    def _is_collection(self, defs: Definitions, type_ref: str) -> bool | None:
        name = type_ref.strip()
        if name.startswith("list") or name in ("feel:list",):
            return True
        if builtin_type_check(name) is not None:
            return None if name in ("Any", "feel:Any") else False
        found = self._item(defs, name)
        if found is None:
            return None
        return found[1].is_collection

    def _coerce(
        self, run: _Run, defs: Definitions, value: Any, type_ref: str | None, what: str
    ) -> Any:
        """Check ``value`` against its declared type; a mismatch gives null and a warning."""
        if value is None or not type_ref:
            return value
        builtin = _TYPE_FAST.get(type_ref)
        if builtin is not None and not isinstance(value, list):
            # The common case: a scalar declared with a built-in type.
            if builtin(value):
                return value
            run.ctx.warn(f"{what}: a {type_name(value)} does not conform to {type_ref}")
            return None
        collection = self._is_collection(defs, type_ref)
        if collection is False and isinstance(value, list) and len(value) == 1:
            value = value[0]
        elif collection is True and not isinstance(value, list):
            value = [value]
        try:
            ok = self._conforms(run, defs, value, type_ref)
        except DmnError:
            ok = True
        if not ok:
            run.ctx.warn(f"{what}: a {type_name(value)} does not conform to {type_ref}")
            return None
        return value


_UNPLANNED: Any = object()
_MISSING: Any = object()
# The scope given to tests that ignore it (the scope_free tables of the fast path).
_NO_SCOPE = Scope({}, None, EvalContext())


_QUICK_SAMPLES: dict[type, Any] = {str: "", bool: True, Decimal: Decimal(0)}


def _passes(type_ref: str | None, kind: type) -> bool:
    """Whether every value of ``kind`` conforms to a built-in typeRef (None: no check)."""
    if type_ref is None:
        return True
    check = _TYPE_FAST.get(type_ref)
    return check is not None and check(_QUICK_SAMPLES[kind])


_Quick = tuple[str, type | None, dict[Any, int], Callable[[Any], int | None] | None]


def _quick_function(
    table: DecisionTable, compiled: _CompiledTable, inputs: list[InputData], key: str
) -> Callable[[dict[Any, Any]], DecisionResult | None] | None:
    """The shortcut of a planned table for the common case: every column finds its
    value among its keys (or numbers), and under a single-hit policy exactly one rule
    matches, under COLLECT (without aggregation) or RULE ORDER at least one; the outputs
    are folded. It answers None — the careful way then runs — on anything else."""
    if compiled.policy in ("UNIQUE", "ANY", "FIRST", "PRIORITY"):
        collect = False
    elif compiled.policy in ("COLLECT", "RULE ORDER") and not table.aggregation:
        collect = True
    else:
        return None
    steps = _quick_columns(compiled, inputs)
    if steps is None:
        return None
    everything = compiled.all_rules
    # Per mask of a single rule: its output and its RuleMatch.
    outcomes = zip(compiled.folded, compiled.rule_matches, strict=True)
    singles = {1 << i: outcome for i, outcome in enumerate(outcomes)}

    def quick(given: dict[Any, Any]) -> DecisionResult | None:
        mask = everything
        for name, kind, accepted, other in steps:
            value = given.get(name, _MISSING)
            if type(value) is kind:
                found = accepted.get(value)
            elif other is not None:
                found = other(value)
            else:
                return None
            if found is None:
                return None
            mask &= found
        if collect:
            return _collected(mask, singles, key)
        single = singles.get(mask)
        if single is None:
            return None  # no rule or several rules matched
        result, rule = single
        if type(result) is dict:
            result = result.copy()
        return DecisionResult(result, [], [], {key: [rule]})

    return quick


def _collected(
    mask: int, singles: dict[int, tuple[Any, RuleMatch]], key: str
) -> DecisionResult | None:
    """The outputs of the matched rules in rule order, None when no rule matched."""
    results: list[Any] = []
    rules: list[RuleMatch] = []
    while mask:
        lowest = mask & -mask
        mask ^= lowest
        result, rule = singles[lowest]
        results.append(result.copy() if type(result) is dict else result)
        rules.append(rule)
    return DecisionResult(results, [], [], {key: rules}) if rules else None


def _quick_columns(compiled: _CompiledTable, inputs: list[InputData]) -> list[_Quick] | None:
    """The steps of the shortcut, or None when some column or input cannot have one.

    Per table column (and per required input that no column reads but whose type is
    checked): the input's name, then either a type and the masks of the values of that
    type the column accepts, or a function of the value giving the mask. Whenever a
    step gives a mask it is the careful way's (no warning, no error on the way); None
    sends the evaluation the careful way: a conversion, a warning, a value without a
    key, a missing input."""
    by_name = {i.name: i for i in inputs}
    quick: list[_Quick] = []
    for position, name in enumerate(compiled.input_names):
        column = compiled.columns.get(position)
        if column is None or name is None:
            return None
        element = by_name[name]
        if not _passes(element.type_ref, column.kind):
            return None
        allowed = compiled.allowed[position]
        if column.by_number is not None:
            by_number = column.by_number
            if allowed is not None:
                by_number = _allowed_number(allowed, by_number)
            quick.append((name, None, {}, by_number))
        else:
            accepted = {
                key: mask
                for key, mask in column.masks.items()
                if allowed is None or allowed(key, _NO_SCOPE)
            }
            quick.append((name, column.kind, accepted, None))
    used = {n for n in compiled.input_names if n is not None}
    everything = compiled.all_rules
    for element in inputs:
        if element.name not in used and element.type_ref:
            kinds = frozenset(k for k in (str, bool, Decimal) if _passes(element.type_ref, k))
            quick.append((element.name, None, {}, _quick_guard(kinds, everything)))
    return quick


def _allowed_number(
    allowed: UnaryPredicate, by_number: Callable[[Any], int | None]
) -> Callable[[Any], int | None]:
    """A number column with input values: they test the value as a FEEL number."""

    def tested(value: Any) -> int | None:
        if type(value) is int:
            value = Decimal(value)
        found = by_number(value)
        return found if found is not None and allowed(value, _NO_SCOPE) else None

    return tested


def _quick_guard(kinds: frozenset[type], everything: int) -> Callable[[Any], int | None]:
    """An input no column reads: it only has to be of a type that conforms."""

    def guard(value: Any) -> int | None:
        kind = type(value)
        if kind is int:
            kind = Decimal
        return everything if value is None or kind in kinds else None

    return guard


def _by_text_key(given: dict[Any, Any], name: str) -> Any:
    """An input given under a key that is not a str but reads as ``name`` (as evaluate()
    converts keys with str()), else None."""
    found = None
    for key, value in given.items():
        if type(key) is not str and str(key) == name:
            found = value
    return found


_TYPE_FAST: dict[str, Callable[[Any], bool]] = {
    name: check
    for name in ("number", "string", "boolean", "date", "time", "dateTime", "date and time")
    if (check := builtin_type_check(name)) is not None
}


def _returns_list(expr: Expression | None) -> bool:
    return (
        isinstance(expr, DecisionTable)
        and _HIT.get(expr.hit_policy, expr.hit_policy) in ("COLLECT", "RULE ORDER", "OUTPUT ORDER")
        and not expr.aggregation
    )


def _component_names(item: ItemDefinition) -> Iterable[str]:
    yield item.name
    for c in item.components:
        yield from _component_names(c)


def _expression_names(expr: Expression | None) -> Iterable[str]:
    """Names declared inside boxed expressions: context entries, parameters, outputs."""
    if expr is None:
        return
    if isinstance(expr, ContextExpression):
        for entry in expr.entries:
            if entry.name:
                yield entry.name
            yield from _expression_names(entry.expression)
    elif isinstance(expr, FunctionDefinition):
        for p in expr.parameters:
            yield p.name
        yield from _expression_names(expr.body)
    elif isinstance(expr, DecisionTable):
        for o in expr.outputs:
            if o.name:
                yield o.name
    elif isinstance(expr, ListExpression):
        for item in expr.items:
            yield from _expression_names(item)
    elif isinstance(expr, Relation):
        yield from expr.columns
        for row in expr.rows:
            for cell in row:
                yield from _expression_names(cell)
    elif isinstance(expr, Invocation):
        for b in expr.bindings:
            yield b.name
            yield from _expression_names(b.expression)
    elif isinstance(expr, Iterator):
        yield expr.variable
        yield from _expression_names(expr.source)
        yield from _expression_names(expr.body)
    elif isinstance(expr, Conditional):
        for sub in (expr.condition, expr.then, expr.otherwise):
            yield from _expression_names(sub)
    elif isinstance(expr, FilterExpression):
        yield from _expression_names(expr.source)
        yield from _expression_names(expr.match)
