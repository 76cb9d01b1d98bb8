"""The copy of an uploaded file that SpiffWorkflow parses, and what Greenwave runs itself.

The stored bytes are never changed (DESIGN.md "BPMN files"); this module edits a *copy* of
the tree before Spiff reads it, so that what other modelers export runs:

- FEEL expressions get the `=` prefix (see `expressions`), FEEL script tasks (Zeebe's
  `zeebe:script`, a `scriptFormat` of FEEL) become a marked script;
- Zeebe's `zeebe:calledElement processId` becomes the `calledElement` Spiff reads;
- input/output mappings (`zeebe:ioMapping`, `camunda:inputOutput`) and data associations to
  data objects, properties and data inputs are taken out of the copy and kept as
  `Mapping`s, which the runtime applies by variable *name* (Spiff's own association and
  io-specification semantics key data by element id and refuse a task whose every input
  is not set, which real exports never satisfy);
- what still cannot run is collected as `Unsupported`, one per element, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from . import expressions, sandbox
from .bpmn_xml import (
    BPMN_NS,
    CAMUNDA_NS,
    OMG_NS,
    Unsupported,
    _local,
    _ns,
    compensation_can_trigger,
)

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.+\-Z]+)?)(/P[0-9YMWDTHS.,]+)?$",
    re.IGNORECASE,
)
_EXPRESSION_TAGS = (
    "conditionExpression",
    "completionCondition",
    "loopCardinality",
    "timeDuration",
    "timeDate",
    "timeCycle",
)
_TIMER_TAGS = frozenset({"timeDuration", "timeDate", "timeCycle"})
_SANDBOX_SCRIPT_FORMATS = ("", "python", "text/x-python", "greenwave")


@dataclass(frozen=True)
class Mapping:
    """`target` := the value of `source`. kind: feel (FEEL text), sandbox (Python-like
    text), literal (a constant string) or variable (the variable named `source`, copied
    only if it is set)."""

    target: str
    source: str
    kind: str


@dataclass
class Prepared:
    inputs: dict[str, list[Mapping]] = field(default_factory=dict)
    outputs: dict[str, list[Mapping]] = field(default_factory=dict)
    # (element id, tag, text as Spiff's copy holds it) of every expression, for checking.
    expressions: list[tuple[str, str, str]] = field(default_factory=list)
    scripts: dict[str, str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)
    called: dict[str, str] = field(default_factory=dict)
    problems: list[Unsupported] = field(default_factory=list)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _ext(el: etree._Element, ns: str, name: str) -> list[etree._Element]:
    return [
        c for ext in el.findall(_q(BPMN_NS, "extensionElements")) for c in ext.iter(_q(ns, name))
    ]


def _owner(el: etree._Element, tag: str) -> str:
    parent = el.getparent()
    if tag in _TIMER_TAGS and parent is not None:  # timerEventDefinition → the event
        parent = parent.getparent()
    return str(parent.get("id") or "") if parent is not None else ""


def _mark_expressions(root: etree._Element, feel_default: bool, out: Prepared) -> None:
    for tag in _EXPRESSION_TAGS:
        for el in list(root.iter(_q(BPMN_NS, tag))):
            text = (el.text or "").strip()
            if not text:
                continue
            language = el.get("language") or ("feel" if feel_default else "")
            if expressions.is_feel(text):
                pass
            elif expressions.is_feel_language(language):
                if tag in _TIMER_TAGS and _ISO_LITERAL.match(text):
                    continue  # an ISO literal stays a literal
                text = f"{expressions.FEEL_PREFIX}{text}"
            el.text = text
            out.expressions.append((_owner(el, tag), tag, text))


def _mark_scripts(root: etree._Element, out: Prepared) -> None:
    for task in root.iter(_q(BPMN_NS, "scriptTask")):
        task_id = str(task.get("id") or "")
        zeebe = _ext(task, ZEEBE_NS, "script")
        scripts = task.findall(_q(BPMN_NS, "script"))
        fmt = (task.get("scriptFormat") or "").strip().lower()
        result = task.get(_q(CAMUNDA_NS, "resultVariable")) or ""
        if zeebe:
            body = zeebe[0].get("expression") or ""
            result = zeebe[0].get("resultVariable") or ""
            body = expressions.feel_body(body) if expressions.is_feel(body) else body
        elif scripts and expressions.is_feel_language(fmt):
            body = scripts[0].text or ""
            outputs = task.findall(f"{_q(BPMN_NS, 'ioSpecification')}/{_q(BPMN_NS, 'dataOutput')}")
            if not result and len(outputs) == 1:  # Trisotech: the script's one data output
                result = outputs[0].get("name") or outputs[0].get("id") or ""
        else:
            text = scripts[0].text or "" if scripts else ""
            if text.strip() and fmt not in _SANDBOX_SCRIPT_FORMATS:
                out.problems.append(
                    Unsupported(
                        task_id,
                        "scriptTask",
                        f"a script in {fmt!r} cannot run here; write it in FEEL or in "
                        "Greenwave's Python-like language",
                    )
                )
            out.scripts[task_id] = text
            continue
        for s in scripts:
            task.remove(s)
        script = etree.SubElement(task, _q(BPMN_NS, "script"))
        script.text = f"{expressions.FEEL_SCRIPT_MARK}{result}\n{body.strip()}"
        out.scripts[task_id] = script.text
        if result:
            out.names.add(result)


def _source(value: str, *, juel: bool) -> tuple[str, str]:
    """(kind, text) of a mapping's source as the modeler wrote it."""
    text = value.strip()
    if expressions.is_feel(text):
        return "feel", expressions.feel_body(text)
    if juel and text.startswith("${") and text.endswith("}"):
        return "sandbox", text
    return "literal", value


def _io_mappings(root: etree._Element, out: Prepared) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str) or _ns(el.tag) != BPMN_NS or not el.get("id"):
            continue
        el_id = str(el.get("id"))
        for m in _ext(el, ZEEBE_NS, "input"):
            kind, text = _source(m.get("source") or "", juel=False)
            out.inputs.setdefault(el_id, []).append(Mapping(m.get("target") or "", text, kind))
        for m in _ext(el, ZEEBE_NS, "output"):
            kind, text = _source(m.get("source") or "", juel=False)
            out.outputs.setdefault(el_id, []).append(Mapping(m.get("target") or "", text, kind))
        for direction, store in (("inputParameter", out.inputs), ("outputParameter", out.outputs)):
            for m in _ext(el, CAMUNDA_NS, direction):
                if len(m):  # camunda:script, camunda:list, camunda:map
                    out.problems.append(
                        Unsupported(
                            el_id,
                            _local(el.tag),
                            f"the {direction} {m.get('name')!r} is a script, list or map; "
                            "only expressions and text are supported",
                        )
                    )
                    continue
                kind, text = _source(m.text or "", juel=True)
                store.setdefault(el_id, []).append(Mapping(m.get("name") or "", text, kind))
    for store in (out.inputs, out.outputs):
        for mappings in store.values():
            out.names.update(m.target for m in mappings if m.target)


def _names_by_id(root: etree._Element) -> dict[str, str]:
    """Data objects, their references, properties and data inputs/outputs: id → name."""
    objects = {
        str(o.get("id")): str(o.get("name") or o.get("id"))
        for o in root.iter(_q(BPMN_NS, "dataObject"))
    }
    names = dict(objects)
    for ref in root.iter(_q(BPMN_NS, "dataObjectReference")):
        names[str(ref.get("id"))] = objects.get(str(ref.get("dataObjectRef")), "") or str(
            ref.get("name") or ref.get("id")
        )
    for tag in ("property", "dataInput", "dataOutput"):
        for el in root.iter(_q(BPMN_NS, tag)):
            names[str(el.get("id"))] = str(el.get("name") or el.get("id"))
    return names


def _data_associations(root: etree._Element, feel_default: bool, out: Prepared) -> None:
    names = _names_by_id(root)
    stores = {str(r.get("id")) for r in root.iter(_q(BPMN_NS, "dataStoreReference"))}
    out.names.update(n for n in names.values() if n)
    for assoc in list(root.iter(_q(BPMN_NS, "dataInputAssociation"))):
        task = assoc.getparent()
        sources = [(s.text or "").strip() for s in assoc.findall(_q(BPMN_NS, "sourceRef"))]
        if task is None or any(s in stores for s in sources):
            continue  # data stores: Spiff's association with Greenwave's store
        target_el = assoc.find(_q(BPMN_NS, "targetRef"))
        target = names.get((target_el.text or "").strip(), "") if target_el is not None else ""
        _association(assoc, task, target, sources, out.inputs, names, feel_default)
    for assoc in list(root.iter(_q(BPMN_NS, "dataOutputAssociation"))):
        task = assoc.getparent()
        target_el = assoc.find(_q(BPMN_NS, "targetRef"))
        target_id = (target_el.text or "").strip() if target_el is not None else ""
        if task is None or target_id in stores:
            continue
        sources = [(s.text or "").strip() for s in assoc.findall(_q(BPMN_NS, "sourceRef"))]
        target = names.get(target_id, "")
        _association(assoc, task, target, sources, out.outputs, names, feel_default)
    # A task's own ioSpecification only declares names (kept as variables by name); a
    # multi-instance task's loop data refers to it, so that one stays.
    for io in list(root.iter(_q(BPMN_NS, "ioSpecification"))):
        owner = io.getparent()
        if owner is None or _local(owner.tag) == "process":
            continue
        if owner.find(_q(BPMN_NS, "multiInstanceLoopCharacteristics")) is None:
            owner.remove(io)


def _association(
    assoc: etree._Element,
    task: etree._Element,
    target: str,
    sources: list[str],
    store: dict[str, list[Mapping]],
    names: dict[str, str],
    feel_default: bool,
) -> None:
    """Move a data input or output association of `task` into `store` (the task's inputs or
    outputs): its assignments, or else its first source copied to its target by name."""
    task_id = str(task.get("id") or "")
    assignments = assoc.findall(_q(BPMN_NS, "assignment"))
    for assignment in assignments:
        _assignment(assignment, task_id, feel_default, store, names)
    if target and sources and not assignments:
        source = names.get(sources[0], "")
        if source and source != target:
            store.setdefault(task_id, []).append(Mapping(target, source, "variable"))
    task.remove(assoc)


def _assignment(
    assignment: etree._Element,
    task_id: str,
    feel_default: bool,
    store: dict[str, list[Mapping]],
    names: dict[str, str],
) -> None:
    source = assignment.find(_q(BPMN_NS, "from"))
    target = assignment.find(_q(BPMN_NS, "to"))
    if source is None or target is None:
        return
    text = (source.text or "").strip()
    to = (target.text or "").strip()
    to = names.get(to, to)
    if not text or not to:
        return
    language = source.get("language") or ("feel" if feel_default else "")
    if expressions.is_feel(text):
        store.setdefault(task_id, []).append(Mapping(to, expressions.feel_body(text), "feel"))
    elif expressions.is_feel_language(language):
        store.setdefault(task_id, []).append(Mapping(to, text, "feel"))
    else:
        store.setdefault(task_id, []).append(Mapping(to, text, "sandbox"))


def _call_activities(root: etree._Element, out: Prepared) -> None:
    for call in root.iter(_q(BPMN_NS, "callActivity")):
        call_id = str(call.get("id") or "")
        zeebe = _ext(call, ZEEBE_NS, "calledElement")
        if zeebe and not call.get("calledElement"):
            call.set("calledElement", zeebe[0].get("processId") or "")
        called = (call.get("calledElement") or "").strip()
        if called.startswith(("=", "${", "#{")):
            out.problems.append(
                Unsupported(
                    call_id,
                    "callActivity",
                    f"the called process is chosen by an expression ({called}); name its key",
                )
            )
        elif called:
            out.called[call_id] = called


_SIMPLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _zeebe_loops(root: etree._Element, out: Prepared) -> None:
    """Zeebe's `zeebe:loopCharacteristics inputCollection="=items" inputElement="item"` as
    the BPMN loop data references Spiff reads (a collection named by a variable)."""
    for loop in list(root.iter(_q(BPMN_NS, "multiInstanceLoopCharacteristics"))):
        zeebe = _ext(loop, ZEEBE_NS, "loopCharacteristics")
        if not zeebe or loop.find(_q(BPMN_NS, "loopDataInputRef")) is not None:
            continue
        owner = loop.getparent()
        owner_id = str(owner.get("id") or "") if owner is not None else ""
        z = zeebe[0]
        collection = (z.get("inputCollection") or "").strip()
        collection = expressions.feel_body(collection) if expressions.is_feel(collection) else ""
        if not _SIMPLE_NAME.match(collection):
            out.problems.append(
                Unsupported(
                    owner_id,
                    "multiInstanceLoopCharacteristics",
                    "the items of this multi-instance step must be one variable "
                    f"(inputCollection =name), not {z.get('inputCollection')!r}",
                )
            )
            continue
        parts = [("loopDataInputRef", collection, "inputDataItem", z.get("inputElement"))]
        output = (z.get("outputCollection") or "").strip()
        if output:
            element = (z.get("outputElement") or "").strip()
            item = expressions.feel_body(element) if expressions.is_feel(element) else element
            parts.append(("loopDataOutputRef", output, "outputDataItem", item))
        position = 0
        for ref_tag, ref, item_tag, item in parts:
            ref_el = etree.Element(_q(BPMN_NS, ref_tag))
            ref_el.text = ref
            loop.insert(position, ref_el)
            position += 1
            if item and _SIMPLE_NAME.match(item):
                loop.insert(position, etree.Element(_q(BPMN_NS, item_tag), id=item, name=item))
                position += 1
                out.names.add(item)


_GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)


def _implicit_splits(root: etree._Element) -> None:
    """A task or event with several outgoing flows splits (BPMN: unconditioned flows all
    run, conditioned ones run when true). Spiff refuses it, so the copy gets the gateway
    the diagram implies: parallel, or inclusive when a flow has a condition."""
    for process in root.iter(_q(BPMN_NS, "process"), _q(BPMN_NS, "subProcess")):
        flows = [f for f in process if f.tag == _q(BPMN_NS, "sequenceFlow")]
        by_source: dict[str, list[etree._Element]] = {}
        for f in flows:
            by_source.setdefault(str(f.get("sourceRef")), []).append(f)
        nodes = {str(n.get("id")): n for n in process if isinstance(n.tag, str) and n.get("id")}
        for source, outgoing in by_source.items():
            node = nodes.get(source)
            if node is None or len(outgoing) < 2 or _local(node.tag) in _GATEWAYS:
                continue
            conditional = any(
                f.find(_q(BPMN_NS, "conditionExpression")) is not None for f in outgoing
            )
            split_id = f"{source}__gw_split"
            kind = "inclusiveGateway" if conditional else "parallelGateway"
            gateway = etree.SubElement(process, _q(BPMN_NS, kind), id=split_id)
            if conditional and node.get("default"):  # the task's default flow
                gateway.set("default", str(node.get("default")))
            link = etree.SubElement(
                process,
                _q(BPMN_NS, "sequenceFlow"),
                id=f"{source}__gw_flow",
                sourceRef=source,
                targetRef=split_id,
            )
            for out in node.findall(_q(BPMN_NS, "outgoing")):
                node.remove(out)
            etree.SubElement(node, _q(BPMN_NS, "outgoing")).text = link.get("id")
            etree.SubElement(gateway, _q(BPMN_NS, "incoming")).text = link.get("id")
            for f in outgoing:
                f.set("sourceRef", split_id)
                etree.SubElement(gateway, _q(BPMN_NS, "outgoing")).text = f.get("id")


def _compensation(root: etree._Element, out: Prepared) -> None:
    """Compensation events and handlers leave Spiff's copy. Where the process can trigger a
    compensation (`compensation_can_trigger`) that is refused: `read_document` names the
    events and the handlers are named here (Spiff 3 cannot undo completed steps). Where it
    cannot, the boundary events and handlers are never reached and the process runs as
    drawn without them."""
    for process in root.iter(_q(BPMN_NS, "process")):
        refused = compensation_can_trigger(process)
        handlers: set[str] = set()
        for definition in list(process.iter(_q(BPMN_NS, "compensateEventDefinition"))):
            event = definition.getparent()
            if event is not None and event.getparent() is not None:
                handlers.add(str(event.get("id") or ""))
                event.getparent().remove(event)
        for el in list(process.iter()):
            if not isinstance(el.tag, str) or _ns(el.tag) != BPMN_NS:
                continue
            if el.get("isForCompensation", "false").lower() == "true":
                handlers.add(str(el.get("id") or ""))
                if refused:
                    out.problems.append(
                        Unsupported(
                            str(el.get("id") or ""),
                            _local(el.tag),
                            "a compensation handler: SpiffWorkflow 3 cannot undo completed "
                            "steps (compensation is not executable)",
                        )
                    )
                if el.getparent() is not None:
                    el.getparent().remove(el)
        for association in list(process.iter(_q(BPMN_NS, "association"))):
            ends = {association.get("sourceRef"), association.get("targetRef")}
            if ends & handlers and association.getparent() is not None:
                association.getparent().remove(association)


def _foreign_ids(root: etree._Element) -> None:
    """Vendor extensions that repeat the id of the BPMN element they describe (ADONIS's
    `adonis:attribute id="obj.15.2921"`) would be found by Spiff's id look-ups first."""
    own = {
        el.get("id")
        for el in root.iter()
        if isinstance(el.tag, str) and _ns(el.tag).startswith(OMG_NS) and el.get("id")
    }
    for el in root.iter():
        if isinstance(el.tag, str) and not _ns(el.tag).startswith(OMG_NS) and el.get("id") in own:
            del el.attrib["id"]


def prepare(root: etree._Element) -> Prepared:
    """Edit the tree (a copy: the caller parsed it for Spiff) and say what Greenwave runs."""
    out = Prepared()
    _foreign_ids(root)
    feel_default = expressions.is_feel_language(root.get("expressionLanguage"))
    _mark_expressions(root, feel_default, out)
    _mark_scripts(root, out)
    _io_mappings(root, out)
    _data_associations(root, feel_default, out)
    _call_activities(root, out)
    _zeebe_loops(root, out)
    _implicit_splits(root)
    _compensation(root, out)
    for field_el in root.iter("{https://greenwave.dev/schema/bpmn}field"):
        out.names.add(str(field_el.get("name") or ""))
    out.names.discard("")
    return out


def check(prepared: Prepared) -> list[Unsupported]:
    """Every expression, script and mapping parsed: the errors, one per element."""
    problems = list(prepared.problems)
    for element_id, tag, text in prepared.expressions:
        try:
            validate_expression(text, prepared.names)
        except sandbox.SandboxError as exc:
            problems.append(Unsupported(element_id, tag, str(exc)))
    for element_id, script in prepared.scripts.items():
        try:
            if script.startswith(expressions.FEEL_SCRIPT_MARK):
                expressions.feel_validate(script.split("\n", 1)[1], prepared.names)
            else:
                sandbox.validate_script(script)
        except sandbox.SandboxError as exc:
            problems.append(Unsupported(element_id, "scriptTask", str(exc)))
    for store in (prepared.inputs, prepared.outputs):
        for element_id, mappings in store.items():
            for m in mappings:
                try:
                    if not m.target:
                        raise sandbox.SandboxError("A mapping without a target variable.")
                    if m.kind == "feel":
                        expressions.feel_validate(m.source, prepared.names)
                    elif m.kind == "sandbox":
                        sandbox.validate_expression(normalise(m.source))
                except sandbox.SandboxError as exc:
                    problems.append(Unsupported(element_id, "ioMapping", str(exc)))
    return problems


def validate_expression(text: str, names: set[str] | frozenset[str] = frozenset()) -> None:
    if expressions.is_feel(text):
        expressions.feel_validate(expressions.feel_body(text), names)
    elif not (_ISO_LITERAL.match(text.strip().strip("'\""))):
        sandbox.validate_expression(normalise(text))


def normalise(expression: str) -> str:
    """Accept the forms other modelers write in the Python-like language: `${x > 1}`, `&&`,
    `||`, `!`, a single `=` as comparison, XPath-style `bpmn:getDataObject('x')`, `true()`."""
    text = expression.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    text = re.sub(r"bpmn:getDataObject\(\s*['\"](\w+)['\"]\s*\)", r"\1", text)
    text = re.sub(r"\btrue\(\s*\)", "True", text)  # XPath's boolean constants
    text = re.sub(r"\bfalse\(\s*\)", "False", text)
    text = text.replace("&&", " and ").replace("||", " or ")
    text = re.sub(r"(?<![=!<>])=(?!=)", "==", text)
    return re.sub(r"!(?!=)", " not ", text).strip()


def apply_mappings(mappings: list[Mapping], data: dict[str, Any]) -> dict[str, Any]:
    """The values the mappings give, evaluated over `data` (nothing is written here)."""
    values: dict[str, Any] = {}
    for m in mappings:
        scope = {**data, **values}
        if m.kind == "feel":
            values[m.target] = expressions.evaluate(m.source, scope)
        elif m.kind == "sandbox":
            values[m.target] = sandbox.evaluate(normalise(m.source), scope)
        elif m.kind == "variable":
            if m.source in scope:
                values[m.target] = scope[m.source]
        else:
            values[m.target] = m.source
    return values
