"""Reading an uploaded DMN model for the decisions app: validation of every FEEL text with
the position of the cell it sits in, the decision at the top of the graph, and the input
data a test form asks for. Pure functions over bytes; services decide what to store."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy
from lxml import etree

from feeldmn import DmnError, DmnModel, FeelSyntaxError
from feeldmn.feel.parser import compile_expression
from feeldmn.feel.unary import compile_unary_tests
from feeldmn.model import MAX_MODEL_BYTES, DecisionTable, Definitions, child_elements, local_name
from greenwave.core.safe_xml import safe_xml_parser

__all__ = ["MAX_MODEL_BYTES", "CellError", "ModelInfo", "coerce_inputs", "read_model"]


@dataclass
class CellError:
    """A FEEL text that does not parse, located the way the editor shows it."""

    element_id: str  # id of the XML element holding the text (dmn-js: data-element-id)
    decision_id: str
    decision: str
    kind: str  # input_entry, output_entry, input_expression, literal_expression, ...
    text: str
    message: str
    line: int = 1
    column: int = 1
    rule: int | None = None  # 1-based rule number in the table
    rule_id: str = ""
    column_index: int | None = None  # 1-based input or output column
    column_label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class InputField:
    name: str
    label: str = ""
    type_ref: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass
class ModelInfo:
    model: DmnModel
    name: str
    decision_name: str
    decision_names: list[str]
    inputs: list[InputField]
    errors: list[CellError]


def _text_of(el: Any) -> str:
    for child in el:
        if local_name(child) == "text":
            return child.text or ""
    return ""


def _input_label(clause: Any) -> str:
    expressions = child_elements(clause, "inputExpression")
    return str(clause.get("label") or (_text_of(expressions[0]).strip() if expressions else ""))


def _safe_root(data: bytes) -> Any:
    parser = safe_xml_parser(remove_comments=True)
    return etree.fromstring(data, parser=parser)


# The FEEL texts of a table's input and output columns: (tag, unary test?, kind of text).
_INPUT_PARTS = (
    ("inputExpression", False, "input_expression"),
    ("inputValues", True, "input_values"),
)
_OUTPUT_PARTS = (
    ("outputValues", True, "output_values"),
    ("defaultOutputEntry", False, "default_output"),
)


class _Checker:
    def __init__(self, known: frozenset[str]) -> None:
        self.known = known
        self.errors: list[CellError] = []

    def check(self, text: str, *, unary: bool, where: dict[str, Any]) -> None:
        stripped = text.strip()
        if not stripped or (unary and stripped == "-"):
            return
        try:
            if unary:
                compile_unary_tests(stripped, self.known)
            else:
                compile_expression(stripped, self.known)
        except FeelSyntaxError as exc:
            message = str(exc)
            self.errors.append(
                CellError(text=stripped, message=message, line=exc.line, column=exc.column, **where)
            )
        except DmnError as exc:
            self.errors.append(CellError(text=stripped, message=exc.message, **where))

    def table(self, table: Any, base: dict[str, Any]) -> None:
        inputs = child_elements(table, "input")
        outputs = child_elements(table, "output")
        labels_in = [_input_label(i) for i in inputs]
        labels_out = [o.get("label") or o.get("name") or "" for o in outputs]
        for clauses, labels, parts in (
            (inputs, labels_in, _INPUT_PARTS),
            (outputs, labels_out, _OUTPUT_PARTS),
        ):
            for n, clause in enumerate(clauses, 1):
                where = {**base, "column_index": n, "column_label": labels[n - 1]}
                for tag, unary, kind in parts:
                    for child in child_elements(clause, tag):
                        self.check(
                            _text_of(child),
                            unary=unary,
                            where={**where, "kind": kind, "element_id": child.get("id") or ""},
                        )
        for r, rule in enumerate(child_elements(table, "rule"), 1):
            rule_where = {**base, "rule": r, "rule_id": rule.get("id") or ""}
            for tag, unary, kind, labels in (
                ("inputEntry", True, "input_entry", labels_in),
                ("outputEntry", False, "output_entry", labels_out),
            ):
                for n, entry in enumerate(child_elements(rule, tag), 1):
                    self.check(
                        _text_of(entry),
                        unary=unary,
                        where={
                            **rule_where,
                            "kind": kind,
                            "element_id": entry.get("id") or "",
                            "column_index": n,
                            "column_label": labels[n - 1] if n <= len(labels) else "",
                        },
                    )

    def element(self, el: Any, base: dict[str, Any]) -> None:
        """Every FEEL text under a decision or BKM, tables cell by cell."""
        for node in el.iter():
            kind = local_name(node)
            if kind == "decisionTable":
                self.table(node, {**base, "element_id": ""})
            elif kind == "literalExpression" and not any(
                local_name(a) == "decisionTable" for a in node.iterancestors()
            ):
                self.check(
                    _text_of(node),
                    unary=False,
                    where={
                        **base,
                        "kind": "literal_expression",
                        "element_id": node.get("id") or el.get("id") or "",
                    },
                )


def _top_decision(defs: Definitions) -> str:
    """The decision no other decision requires (the first such, in document order)."""
    required = {
        href.partition("#")[2] for d in defs.decisions.values() for href in d.requirements.decisions
    }
    for decision in defs.decisions.values():
        if decision.id not in required:
            return decision.name
    return next(iter(defs.decisions.values())).name if defs.decisions else ""


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _input_fields(defs: Definitions, labels: dict[str, str]) -> list[InputField]:
    """Input data with their types and, where tables or item definitions list them, the
    string values a user may pick."""
    choices: dict[str, list[str]] = {}
    for decision in defs.decisions.values():
        table = decision.expression
        if not isinstance(table, DecisionTable):
            continue
        for column, clause in enumerate(table.inputs):
            name = clause.expression.text.strip()
            found = choices.setdefault(name, [])
            texts = [clause.allowed or ""] + [
                r.input_entries[column] for r in table.rules if column < len(r.input_entries)
            ]
            for text in texts:
                for value in _QUOTED.findall(text):
                    if value not in found:
                        found.append(value)
    fields = []
    for element in defs.inputs.values():
        type_ref = element.type_ref or ""
        item = defs.item_definitions.get(type_ref)
        listed = choices.get(element.name, [])
        if item is not None:
            if item.allowed:
                listed = _QUOTED.findall(item.allowed) or listed
            type_ref = item.type_ref or type_ref
        label = labels.get(element.name) or element.name
        fields.append(InputField(element.name, label, type_ref, listed))
    return fields


def read_model(data: bytes) -> ModelInfo:
    """Parse the model and every FEEL text in it. Raises DmnError when the XML itself is
    unusable; FEEL errors are collected (all of them, not just the first)."""
    model = DmnModel.from_bytes(data)
    defs = model.main
    checker = _Checker(model.known)
    root = _safe_root(data)
    labels = {
        str(el.get("name")): str(el.get("label") or "")
        for el in root
        if local_name(el) == "inputData" and el.get("name")
    }
    for el in root:
        kind = local_name(el)
        if kind in ("decision", "businessKnowledgeModel"):
            base = {"decision_id": el.get("id") or "", "decision": el.get("name") or ""}
            checker.element(el, base)
        elif kind == "itemDefinition":
            for node in el.iter():
                if local_name(node) in ("allowedValues", "typeConstraint"):
                    checker.check(
                        _text_of(node),
                        unary=True,
                        where={
                            "decision_id": el.get("id") or "",
                            "decision": el.get("name") or "",
                            "kind": "allowed_values",
                            "element_id": node.get("id") or "",
                        },
                    )
    return ModelInfo(
        model=model,
        name=defs.name,
        decision_name=_top_decision(defs),
        decision_names=model.decision_names(),
        inputs=_input_fields(defs, labels),
        errors=checker.errors,
    )


def _coerce(value: Any, type_ref: str) -> Any:
    """A JSON or form value as the type the model declares; unknown types pass through."""
    if value is None or value == "":
        return None
    kind = type_ref.rsplit(".", 1)[-1].lower()
    if kind == "number" and isinstance(value, str):
        try:
            return Decimal(value.strip().replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise ValueError(value) from None
    if kind == "boolean" and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered not in ("true", "false", "on", "1", "0"):
            raise ValueError(value)
        return lowered in ("true", "on", "1")
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value.strip())
    if kind == "datetime" and isinstance(value, str):
        return datetime.fromisoformat(value.strip())
    return value


def coerce_inputs(
    raw: dict[str, Any], fields: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Convert values of declared inputs; unknown keys pass as they are. Returns the
    values and, per field, the values that could not be read."""
    types = {str(f.get("name")): str(f.get("type_ref") or "") for f in fields}
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for key, value in raw.items():
        try:
            values[key] = _coerce(value, types.get(key, ""))
        except ValueError:
            bad[key] = str(value)
    return values, bad


@dataclass
class RuleRow:
    index: int
    id: str
    inputs: list[str]
    outputs: list[str]
    description: str = ""  # the rule's annotation


@dataclass
class TableView:
    """A decision's logic as the test page shows it (tables row by row)."""

    decision: str
    hit_policy: str
    input_labels: list[str] = field(default_factory=list)
    input_expressions: list[str] = field(default_factory=list)  # what each column tests
    output_labels: list[str] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)
    literal: str = ""
    matched: set[int] = field(default_factory=set)
    label: str = ""  # what people call the decision (its label, else its name)

    @property
    def input_columns(self) -> list[tuple[str, str]]:
        """Each input column as (label, the expression it tests)."""
        return list(zip(self.input_labels, self.input_expressions, strict=False))

    @property
    def annotated(self) -> bool:
        return any(rule.description for rule in self.rules)


# Hit policies by name, as the editor (decisions/static/decisions/dmn-ru.js) names them.
HIT_POLICIES = {
    "UNIQUE": gettext_lazy("Unique"),
    "FIRST": gettext_lazy("First"),
    "PRIORITY": pgettext_lazy("hit policy", "Priority"),
    "ANY": pgettext_lazy("hit policy", "Any"),
    "COLLECT": gettext_lazy("Collect"),
    "RULE ORDER": gettext_lazy("Rule order"),
    "OUTPUT ORDER": gettext_lazy("Output order"),
}


AGGREGATIONS = {
    "SUM": gettext_lazy("sum"),
    "MIN": gettext_lazy("minimum"),
    "MAX": gettext_lazy("maximum"),
    "COUNT": gettext_lazy("count"),
}


def hit_policy_label(policy: str, aggregation: str | None = None) -> str:
    name = str(HIT_POLICIES.get(policy.upper(), policy))
    if not aggregation:
        return name
    return f"{name} ({AGGREGATIONS.get(aggregation.upper(), aggregation)})"


def table_views(model: DmnModel) -> list[TableView]:
    views = []
    for decision in model.main.decisions.values():
        expr = decision.expression
        view = TableView(decision.name, "", label=decision.label or decision.name)
        if isinstance(expr, DecisionTable):
            view.hit_policy = hit_policy_label(expr.hit_policy, expr.aggregation)
            view.input_expressions = [i.expression.text.strip() for i in expr.inputs]
            view.input_labels = [
                i.label or text for i, text in zip(expr.inputs, view.input_expressions, strict=True)
            ]
            view.output_labels = [
                o.label or o.name or expr.output_label or "" for o in expr.outputs
            ]
            view.rules = [
                RuleRow(
                    n,
                    r.id,
                    [t.strip() for t in r.input_entries],
                    [o.text.strip() for o in r.output_entries],
                    r.description,
                )
                for n, r in enumerate(expr.rules, 1)
            ]
        elif expr is not None and hasattr(expr, "text"):
            view.literal = str(expr.text).strip()
        views.append(view)
    return views
