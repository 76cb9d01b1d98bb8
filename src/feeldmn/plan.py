"""The fast path: a decision that is one table over input data with constant cells is
planned once and evaluated through the column indexes (``PlanMixin`` of ``DmnModel``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from feeldmn.errors import DmnError
from feeldmn.feel.api import to_feel
from feeldmn.feel.interpreter import (
    EvalContext,
    Scope,
)
from feeldmn.feel.types import type_name
from feeldmn.feel.unary import (
    UnaryPredicate,
)
from feeldmn.model import (
    Decision,
    DecisionTable,
    InputData,
)
from feeldmn.results import DecisionResult, RuleMatch, _Run
from feeldmn.tables import _DYNAMIC, _TYPE_FAST, _CompiledTable

if TYPE_CHECKING:
    from feeldmn.evaluator import DmnModel


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


class PlanMixin:
    """The planned (fast) evaluation of ``DmnModel``."""

    def _plan(self: DmnModel, name: str) -> _Plan | None:  # type: ignore[misc]  # a mixin of DmnModel
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

    def _functions_are_quiet(self: DmnModel) -> bool:  # type: ignore[misc]  # a mixin of DmnModel
        """Whether making the function values of the models' BKMs can neither warn nor
        fail (FEEL functions only), so that a decision not calling them may skip them."""
        return all(
            bkm.logic is None or bkm.logic.kind.upper() == "FEEL"
            for d in self.definitions
            for bkm in d.bkms.values()
        )

    def _side_run(self: DmnModel, warnings: list[str], errors: list[str]) -> _Run:  # type: ignore[misc]  # a mixin of DmnModel
        """A run for the general code called from the fast path, writing to its lists."""
        ctx = EvalContext()
        ctx.warnings = warnings
        run = _Run(self, {}, ctx)
        run.errors = errors
        run.current = ""
        ctx.type_resolver = lambda name: self._type_check(run, self.main, name)
        return run

    def _evaluate_plan(self: DmnModel, plan: _Plan, given: dict[Any, Any]) -> DecisionResult:  # type: ignore[misc]  # a mixin of DmnModel
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


_UNPLANNED: Any = object()
_MISSING: Any = object()

_NO_SCOPE = Scope({}, None, EvalContext())
# Makes a result whose fields the shortcut sets itself (cheaper than its __init__).
_new = object.__new__


_QUICK_SAMPLES: dict[type, Any] = {str: "", bool: True, Decimal: Decimal(0)}


def _passes(type_ref: str | None, kind: type) -> bool:
    """Whether every value of ``kind`` conforms to a built-in typeRef (None: no check)."""
    if type_ref is None:
        return True
    check = _TYPE_FAST.get(type_ref)
    return check is not None and check(_QUICK_SAMPLES[kind])


# A column of strings or booleans: the input's name, the type, the masks of its values
# and the mask of a value of that type among none of them (0: the careful way).
_Keyed = tuple[str, type, dict[Any, int], int]
# Any other column or checked input: the name and a function of the value giving the mask
# (None: the careful way).
_Called = tuple[str, Callable[[Any], int | None]]


def _matched_function(
    keyed: list[_Keyed], called: list[_Called], everything: int
) -> Callable[[dict[Any, Any]], int | None]:
    """The mask of the rules whose every column accepts the given inputs (0: none), or
    None when a value is missing or of another type than its column's keys."""

    def matched(given: dict[Any, Any]) -> int | None:
        mask = everything
        for name, kind, accepted, unmentioned in keyed:
            value = given.get(name)
            if type(value) is not kind:
                return None
            mask &= accepted.get(value, unmentioned)
        for name, other in called:
            found = other(given.get(name, _MISSING))
            if found is None:
                return None
            mask &= found
        return mask

    return matched


def _quick_function(
    table: DecisionTable, compiled: _CompiledTable, inputs: list[InputData], key: str
) -> Callable[[dict[Any, Any]], DecisionResult | None] | None:
    """The shortcut of a planned table for the common case: every column finds its
    value among its keys (or numbers), and under a single-hit policy exactly one rule
    matches, under COLLECT (without aggregation) or RULE ORDER at least one; the outputs
    are folded. It answers None — the careful way then runs — on anything else.

    Each answer is new: its value (a dict copied from the folded output, whose entries
    are immutable, or an immutable value itself), its lists and its matched-rules dict
    belong to the caller alone; only the frozen ``RuleMatch`` objects are shared."""
    if compiled.policy in ("UNIQUE", "ANY", "FIRST", "PRIORITY"):
        collect = False
    elif compiled.policy in ("COLLECT", "RULE ORDER") and not table.aggregation:
        collect = True
    else:
        return None
    steps = _quick_columns(compiled, inputs)
    if steps is None:
        return None
    keyed, called = steps
    everything = compiled.all_rules
    # Per mask of a single rule: its output, its RuleMatch and whether the output is a
    # dict (copied for each answer).
    singles = {
        1 << i: (result, rule, type(result) is dict)
        for i, (result, rule) in enumerate(zip(compiled.folded, compiled.rule_matches, strict=True))
    }
    if collect:
        return _collect_function(keyed, called, everything, singles, key)
    first = compiled.policy == "FIRST"

    matched = _matched_function(keyed, called, everything)

    def quick(given: dict[Any, Any]) -> DecisionResult | None:
        mask = matched(given)
        # A value missing or of another type (None), or a mask of no rule (0, which no
        # single rule has): the careful way.
        if mask is None:
            return None
        single = singles.get(mask)
        if single is None:
            # No rule or several rules matched: under FIRST several give the first's output.
            return _first(mask, singles, key) if first and mask else None
        result, rule, copied = single
        answer = _new(DecisionResult)
        answer.value = result.copy() if copied else result
        answer.warnings = []
        answer.errors = []
        answer.matched_rules = {key: [rule]}
        return answer

    return quick


def _first(mask: int, singles: dict[int, tuple[Any, RuleMatch, bool]], key: str) -> DecisionResult:
    """Several rules matched under FIRST: the output of the first, every matched rule."""
    result, _rule, copied = singles[mask & -mask]
    rules: list[RuleMatch] = []
    while mask:
        lowest = mask & -mask
        mask ^= lowest
        rules.append(singles[lowest][1])
    return DecisionResult(result.copy() if copied else result, [], [], {key: rules})


def _collect_function(
    keyed: list[_Keyed],
    called: list[_Called],
    everything: int,
    singles: dict[int, tuple[Any, RuleMatch, bool]],
    key: str,
) -> Callable[[dict[Any, Any]], DecisionResult | None]:
    """The shortcut under COLLECT or RULE ORDER: the outputs of the matched rules in rule
    order, None when no rule matched."""

    matched = _matched_function(keyed, called, everything)

    def quick(given: dict[Any, Any]) -> DecisionResult | None:
        mask = matched(given)
        if not mask:
            return None
        results: list[Any] = []
        rules: list[RuleMatch] = []
        while mask:
            lowest = mask & -mask
            mask ^= lowest
            result, rule, copied = singles[lowest]
            results.append(result.copy() if copied else result)
            rules.append(rule)
        return DecisionResult(results, [], [], {key: rules})

    return quick


def _quick_columns(
    compiled: _CompiledTable, inputs: list[InputData]
) -> tuple[list[_Keyed], list[_Called]] | None:
    """The steps of the shortcut, or None when some column or input cannot have one.

    Per table column (and per required input that no column reads but whose type is
    checked): the input's name, then either a type and the masks of the values of that
    type the column accepts, or a function of the value giving the mask. Whenever a
    step gives a mask it is the careful way's (no warning, no error on the way); None
    (or a value of another type, or without a key) sends the evaluation the careful
    way: a conversion, a warning, a value without a key, a missing input."""
    by_name = {i.name: i for i in inputs}
    keyed: list[_Keyed] = []
    called: list[_Called] = []
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
            called.append((name, by_number))
        else:
            accepted = {
                key: mask
                for key, mask in column.masks.items()
                if allowed is None or allowed(key, _NO_SCOPE)
            }
            # Any other string tests as one the cells do not mention, unless input values
            # have to be tested (the careful way).
            unmentioned = column.other if column.other is not None and allowed is None else 0
            keyed.append((name, column.kind, accepted, unmentioned))
    used = {n for n in compiled.input_names if n is not None}
    everything = compiled.all_rules
    for element in inputs:
        if element.name not in used and element.type_ref:
            kinds = frozenset(k for k in (str, bool, Decimal) if _passes(element.type_ref, k))
            called.append((element.name, _quick_guard(kinds, everything)))
    return keyed, called


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
