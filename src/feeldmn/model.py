"""DMN XML reader: turns DMN 1.1-1.5 definitions into plain dataclasses.

The XML is parsed with entity resolution, DTDs and network access off and a size limit,
because models are uploaded by users. Element namespaces are ignored (every DMN version
uses the same local names); the DMNDI diagram and extension elements are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from feeldmn.errors import DmnErrorCode, DmnModelError

MAX_MODEL_BYTES = 10 * 1024 * 1024
MAX_ELEMENTS = 200_000


# ------------------------------------------------------------------------ expressions


@dataclass
class Expression:
    id: str = ""
    type_ref: str | None = None


@dataclass
class LiteralExpression(Expression):
    text: str = ""


@dataclass
class InputClause:
    expression: LiteralExpression
    allowed: str | None = None
    label: str | None = None  # what people call the column; the engine never reads it


@dataclass
class OutputClause:
    name: str | None
    type_ref: str | None
    allowed: str | None
    default: LiteralExpression | None
    label: str | None = None  # what people call it (dmn-js «label»), the name being the key


@dataclass
class Rule:
    id: str
    input_entries: list[str]
    output_entries: list[LiteralExpression]
    description: str = ""  # the rule's annotation (dmn-js «Annotation»), for people only


@dataclass
class DecisionTable(Expression):
    hit_policy: str = "UNIQUE"
    aggregation: str | None = None
    inputs: list[InputClause] = field(default_factory=list)
    outputs: list[OutputClause] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    output_label: str | None = None


@dataclass
class ContextEntry:
    name: str | None
    type_ref: str | None
    expression: Expression | None


@dataclass
class ContextExpression(Expression):
    entries: list[ContextEntry] = field(default_factory=list)


@dataclass
class ListExpression(Expression):
    items: list[Expression] = field(default_factory=list)


@dataclass
class Relation(Expression):
    columns: list[str] = field(default_factory=list)
    rows: list[list[Expression]] = field(default_factory=list)


@dataclass
class Binding:
    name: str
    expression: Expression | None


@dataclass
class Invocation(Expression):
    callee: str = ""
    bindings: list[Binding] = field(default_factory=list)


@dataclass
class Parameter:
    name: str
    type_ref: str | None


@dataclass
class FunctionDefinition(Expression):
    kind: str = "FEEL"
    parameters: list[Parameter] = field(default_factory=list)
    body: Expression | None = None


@dataclass
class Conditional(Expression):
    condition: Expression | None = None
    then: Expression | None = None
    otherwise: Expression | None = None


@dataclass
class FilterExpression(Expression):
    source: Expression | None = None
    match: Expression | None = None


@dataclass
class Iterator(Expression):
    """Boxed ``for``, ``some`` and ``every`` (DMN 1.5)."""

    kind: str = "for"
    variable: str = ""
    source: Expression | None = None
    body: Expression | None = None


# ------------------------------------------------------------------------ DRG elements


@dataclass
class ItemDefinition:
    name: str
    type_ref: str | None = None
    is_collection: bool = False
    allowed: str | None = None
    type_constraint: str | None = None
    components: list[ItemDefinition] = field(default_factory=list)
    is_function: bool = False


@dataclass
class InputData:
    id: str
    name: str
    type_ref: str | None


@dataclass
class Requirements:
    decisions: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    knowledge: list[str] = field(default_factory=list)


@dataclass
class Decision:
    id: str
    name: str
    type_ref: str | None
    requirements: Requirements
    expression: Expression | None
    label: str | None = None  # what people call it; FEEL refers to the name


@dataclass
class BusinessKnowledgeModel:
    id: str
    name: str
    type_ref: str | None
    requirements: Requirements
    logic: FunctionDefinition | None


@dataclass
class DecisionService:
    id: str
    name: str
    type_ref: str | None
    outputs: list[str]
    encapsulated: list[str]
    input_decisions: list[str]
    input_data: list[str]


@dataclass
class Import:
    namespace: str
    name: str
    location: str | None


@dataclass
class Definitions:
    name: str
    namespace: str
    imports: list[Import] = field(default_factory=list)
    item_definitions: dict[str, ItemDefinition] = field(default_factory=dict)
    inputs: dict[str, InputData] = field(default_factory=dict)
    decisions: dict[str, Decision] = field(default_factory=dict)
    bkms: dict[str, BusinessKnowledgeModel] = field(default_factory=dict)
    services: dict[str, DecisionService] = field(default_factory=dict)
    source: str = ""

    def element_names(self) -> list[str]:
        return [
            *(e.name for e in self.inputs.values()),
            *(e.name for e in self.decisions.values()),
            *(e.name for e in self.bkms.values()),
            *(e.name for e in self.services.values()),
        ]


# ----------------------------------------------------------------------------- reader


def local_name(el: Any) -> str:
    """An XML element's tag without its namespace ("" for a comment or processing
    instruction)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def child_elements(el: Any, name: str | None = None) -> list[Any]:
    """An element's child elements, those with the local name `name` where given."""
    return [c for c in el if isinstance(c.tag, str) and (name is None or local_name(c) == name)]


def _kid(el: Any, name: str) -> Any:
    for c in el:
        if isinstance(c.tag, str) and local_name(c) == name:
            return c
    return None


def _text(el: Any, name: str = "text") -> str:
    node = _kid(el, name) if el is not None else None
    return (node.text or "") if node is not None else ""


def _href(el: Any) -> str:
    href = el.get("href") or ""
    return href


def _type_ref(el: Any) -> str | None:
    value = el.get("typeRef")
    if value is None:
        node = _kid(el, "typeRef")
        if node is not None and node.text:
            value = node.text.strip()
    return value or None


class _Reader:
    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def expression(self, el: Any) -> Expression | None:
        """Read the first boxed expression child of ``el``."""
        for child in child_elements(el):
            expr = self.boxed(child)
            if expr is not None:
                return expr
        return None

    def boxed(self, el: Any) -> Expression | None:
        kind = local_name(el)
        eid = el.get("id") or ""
        type_ref = _type_ref(el) if kind != "literalExpression" else el.get("typeRef")
        if kind == "literalExpression":
            return LiteralExpression(eid, type_ref, _text(el))
        if kind == "decisionTable":
            return self.decision_table(el)
        if kind == "context":
            entries = []
            for entry in child_elements(el, "contextEntry"):
                var = _kid(entry, "variable")
                entries.append(
                    ContextEntry(
                        var.get("name") if var is not None else None,
                        _type_ref(var) if var is not None else None,
                        self.expression(entry),
                    )
                )
            return ContextExpression(eid, type_ref, entries)
        if kind == "list":
            items = [x for x in (self.boxed(c) for c in child_elements(el)) if x is not None]
            return ListExpression(eid, type_ref, items)
        if kind == "relation":
            columns = [c.get("name") or "" for c in child_elements(el, "column")]
            rows = [
                [x for x in (self.boxed(c) for c in child_elements(row)) if x is not None]
                for row in child_elements(el, "row")
            ]
            return Relation(eid, type_ref, columns, rows)
        if kind == "invocation":
            callee = self.expression(el)
            bindings = []
            for b in child_elements(el, "binding"):
                param = _kid(b, "parameter")
                bindings.append(Binding(param.get("name") or "", self.expression(b)))
            text = callee.text if isinstance(callee, LiteralExpression) else ""
            return Invocation(eid, type_ref, text.strip(), bindings)
        if kind == "functionDefinition":
            params = [
                Parameter(p.get("name") or "", _type_ref(p))
                for p in child_elements(el, "formalParameter")
            ]
            body = None
            for child in child_elements(el):
                if local_name(child) != "formalParameter":
                    body = self.boxed(child) or body
                    if body is not None:
                        break
            return FunctionDefinition(eid, type_ref, el.get("kind") or "FEEL", params, body)
        if kind in ("conditional", "filter", "for", "some", "every"):
            return self._control(kind, el, eid, type_ref)
        return None

    def _control(self, kind: str, el: Any, eid: str, type_ref: str | None) -> Expression:
        """The boxed conditional, filter and iterators (``for``, ``some``, ``every``)."""
        if kind == "conditional":
            return Conditional(
                eid,
                type_ref,
                self.expression(_kid(el, "if")),
                self.expression(_kid(el, "then")),
                self.expression(_kid(el, "else")),
            )
        if kind == "filter":
            return FilterExpression(
                eid, type_ref, self.expression(_kid(el, "in")), self.expression(_kid(el, "match"))
            )
        body_tag = "return" if kind == "for" else "satisfies"  # for; some and every
        return Iterator(
            eid,
            type_ref,
            kind,
            el.get("iteratorVariable") or "",
            self.expression(_kid(el, "in")),
            self.expression(_kid(el, body_tag)),
        )

    def decision_table(self, el: Any) -> DecisionTable:
        table = DecisionTable(el.get("id") or "", _type_ref(el))
        table.hit_policy = (el.get("hitPolicy") or "UNIQUE").upper()
        table.aggregation = el.get("aggregation")
        table.output_label = el.get("outputLabel")
        for inp in child_elements(el, "input"):
            expr_el = _kid(inp, "inputExpression")
            expr = LiteralExpression(
                expr_el.get("id") or "" if expr_el is not None else "",
                expr_el.get("typeRef") if expr_el is not None else None,
                _text(expr_el) if expr_el is not None else "",
            )
            values = _kid(inp, "inputValues")
            table.inputs.append(
                InputClause(expr, _text(values) if values is not None else None, inp.get("label"))
            )
        for out in child_elements(el, "output"):
            values = _kid(out, "outputValues")
            default = _kid(out, "defaultOutputEntry")
            table.outputs.append(
                OutputClause(
                    out.get("name"),
                    out.get("typeRef"),
                    _text(values) if values is not None else None,
                    LiteralExpression("", None, _text(default)) if default is not None else None,
                    out.get("label"),
                )
            )
        for rule in child_elements(el, "rule"):
            table.rules.append(
                Rule(
                    rule.get("id") or "",
                    [_text(e) for e in child_elements(rule, "inputEntry")],
                    [
                        LiteralExpression(e.get("id") or "", None, _text(e))
                        for e in child_elements(rule, "outputEntry")
                    ],
                    _text(rule, "description").strip(),
                )
            )
        return table

    def item_definition(self, el: Any) -> ItemDefinition:
        allowed = _kid(el, "allowedValues")
        constraint = _kid(el, "typeConstraint")
        item = ItemDefinition(
            el.get("name") or "",
            _type_ref(el),
            (el.get("isCollection") or "false").strip() == "true",
            _text(allowed) if allowed is not None else None,
            _text(constraint) if constraint is not None else None,
            [self.item_definition(c) for c in child_elements(el, "itemComponent")],
            _kid(el, "functionItem") is not None,
        )
        return item

    def requirements(self, el: Any) -> Requirements:
        req = Requirements()
        for info in child_elements(el, "informationRequirement"):
            for child in child_elements(info):
                if local_name(child) == "requiredDecision":
                    req.decisions.append(_href(child))
                elif local_name(child) == "requiredInput":
                    req.inputs.append(_href(child))
        for know in child_elements(el, "knowledgeRequirement"):
            for child in child_elements(know, "requiredKnowledge"):
                req.knowledge.append(_href(child))
        return req

    def definitions(self, root: Any, source: str) -> Definitions:
        if local_name(root) != "definitions":
            raise DmnModelError("the root element is not a DMN <definitions>")
        defs = Definitions(root.get("name") or "", root.get("namespace") or "", source=source)
        for el in child_elements(root):
            kind = local_name(el)
            name = el.get("name") or ""
            eid = el.get("id") or name
            var = _kid(el, "variable")
            type_ref = _type_ref(var) if var is not None else None
            if kind == "import":
                defs.imports.append(Import(el.get("namespace") or "", name, el.get("locationURI")))
            elif kind == "itemDefinition":
                defs.item_definitions[name] = self.item_definition(el)
            elif kind == "inputData":
                defs.inputs[eid] = InputData(eid, name, type_ref)
            elif kind == "decision":
                defs.decisions[eid] = Decision(
                    eid, name, type_ref, self.requirements(el), self.expression(el), el.get("label")
                )
            elif kind == "businessKnowledgeModel":
                logic = _kid(el, "encapsulatedLogic")
                function = None
                if logic is not None:
                    # encapsulatedLogic is itself a functionDefinition element.
                    params = [
                        Parameter(p.get("name") or "", _type_ref(p))
                        for p in child_elements(logic, "formalParameter")
                    ]
                    body = None
                    for child in child_elements(logic):
                        if local_name(child) != "formalParameter":
                            body = self.boxed(child)
                            if body is not None:
                                break
                    function = FunctionDefinition(
                        logic.get("id") or "",
                        _type_ref(logic),
                        logic.get("kind") or "FEEL",
                        params,
                        body,
                    )
                defs.bkms[eid] = BusinessKnowledgeModel(
                    eid, name, type_ref, self.requirements(el), function
                )
            elif kind == "decisionService":
                defs.services[eid] = DecisionService(
                    eid,
                    name,
                    type_ref,
                    [_href(c) for c in child_elements(el, "outputDecision")],
                    [_href(c) for c in child_elements(el, "encapsulatedDecision")],
                    [_href(c) for c in child_elements(el, "inputDecision")],
                    [_href(c) for c in child_elements(el, "inputData")],
                )
        return defs


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_definitions(data: bytes, source: str = "") -> Definitions:
    """Read one DMN file's bytes; raises DmnModelError for bad or oversized input."""
    if len(data) > MAX_MODEL_BYTES:
        raise DmnModelError(
            f"DMN model is larger than {MAX_MODEL_BYTES} bytes", code=DmnErrorCode.MODEL_TOO_LARGE
        )
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data:
        raise DmnModelError("DMN models may not declare a DOCTYPE or entities")
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise DmnModelError(f"DMN XML is not well-formed: {exc}") from None
    count = sum(1 for _ in root.iter())
    if count > MAX_ELEMENTS:
        raise DmnModelError(
            f"DMN model has more than {MAX_ELEMENTS} elements", code=DmnErrorCode.MODEL_TOO_LARGE
        )
    return _Reader().definitions(root, source)


def load_definitions(path: Path) -> Definitions:
    return parse_definitions(path.read_bytes(), str(path))
