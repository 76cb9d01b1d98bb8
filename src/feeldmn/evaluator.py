"""DMN evaluator: decisions with their requirement graph, boxed expressions, hit policies.

``DmnModel`` holds one or more ``Definitions`` loaded together (imports resolve by
namespace). ``evaluate`` runs one decision: its required decisions are evaluated first
(once each), BKMs and decision services become FEEL functions, values are checked
against their item definitions (a non-conforming value becomes null, as the spec says).
Decision tables report which rules matched, for the API and for explanations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from feeldmn.errors import DmnEvaluationError, DmnModelError, FeelError
from feeldmn.feel.api import to_feel
from feeldmn.feel.builtins import external_function
from feeldmn.feel.interpreter import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_TIME_BUDGET,
    EvalContext,
    Scope,
    call_function,
)
from feeldmn.feel.lexer import special_names
from feeldmn.feel.parser import (
    compile_expression,
)
from feeldmn.feel.types import FeelFunction
from feeldmn.item_types import ItemTypeMixin
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
from feeldmn.plan import _UNPLANNED, PlanMixin, _Plan
from feeldmn.results import DecisionResult, RuleMatch, _Run
from feeldmn.tables import _HIT, TableMixin, _CompiledTable


class DmnModel(PlanMixin, TableMixin, ItemTypeMixin):
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
        # The shortcuts of the planned decisions that have one, by decision name.
        self._quick: dict[str, Callable[[dict[Any, Any]], DecisionResult | None]] = {}

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
            # The shortcut of a planned decision first (see plan._quick_function).
            quick = self._quick.get(decision)
            if quick is not None and type(inputs) is dict:
                answer = quick(inputs)
                if answer is not None:
                    return answer
            plan: _Plan | None = self._plans.get(decision, _UNPLANNED)
            if plan is _UNPLANNED:
                plan = self._plans[decision] = self._plan(decision)
                if plan is not None and plan.quick is not None:
                    self._quick[decision] = plan.quick
            if plan is not None and (inputs is None or type(inputs) is dict):
                return self._evaluate_plan(plan, {} if inputs is None else inputs)
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
        for kind, evaluate in _BOXED:
            if isinstance(expr, kind):
                return evaluate(self, run, defs, expr, scope)
        return None

    def _literal(self, run: _Run, defs: Definitions, expr: LiteralExpression, scope: Scope) -> Any:
        text = expr.text.strip()
        if not text:
            return None
        return compile_expression(text, self.known)(scope)

    def _list(self, run: _Run, defs: Definitions, expr: ListExpression, scope: Scope) -> Any:
        return [self._expression(run, defs, item, scope) for item in expr.items]

    def _relation(self, run: _Run, defs: Definitions, expr: Relation, scope: Scope) -> Any:
        return [
            {
                col: self._expression(run, defs, cell, scope)
                for col, cell in zip(expr.columns, row, strict=False)
            }
            for row in expr.rows
        ]

    def _invocation(self, run: _Run, defs: Definitions, expr: Invocation, scope: Scope) -> Any:
        fn = compile_expression(expr.callee, self.known)(scope) if expr.callee else None
        named = {b.name: self._expression(run, defs, b.expression, scope) for b in expr.bindings}
        return call_function(fn, None, named, scope)

    def _anonymous_function(
        self, run: _Run, defs: Definitions, expr: FunctionDefinition, scope: Scope
    ) -> Any:
        return self._function(run, defs, expr, scope, "anonymous")

    def _conditional(self, run: _Run, defs: Definitions, expr: Conditional, scope: Scope) -> Any:
        cond = self._expression(run, defs, expr.condition, scope)
        if cond is not None and not isinstance(cond, bool):
            run.ctx.warn("the condition of a boxed conditional is not a boolean")
            return None
        branch = expr.then if cond is True else expr.otherwise
        return self._expression(run, defs, branch, scope)

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


# How each kind of boxed expression is evaluated (DmnModel methods), tried in this order.
_BOXED: tuple[tuple[type, Callable[..., Any]], ...] = (
    (LiteralExpression, DmnModel._literal),
    (DecisionTable, DmnModel._table),
    (ContextExpression, DmnModel._context),
    (ListExpression, DmnModel._list),
    (Relation, DmnModel._relation),
    (Invocation, DmnModel._invocation),
    (FunctionDefinition, DmnModel._anonymous_function),
    (Conditional, DmnModel._conditional),
    (FilterExpression, DmnModel._filter),
    (Iterator, DmnModel._iterator),
)


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
    else:
        yield from _invocation_and_iteration_names(expr)


def _invocation_and_iteration_names(expr: Expression) -> Iterable[str]:
    """``_expression_names`` of invocations, iterators, conditionals and filters."""
    if isinstance(expr, Invocation):
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


__all__ = ["DecisionResult", "DmnModel", "RuleMatch"]
