"""Safe reading of uploaded BPMN XML and the Greenwave metadata it carries.

The uploaded bytes are the source of truth (DESIGN.md "BPMN files"): they are parsed with
lxml with entities, DTDs and the network off and a size limit, duplicate ids are refused
before anything else reads the file, and the round trip re-serialises this same tree, so
every id, the diagram and unknown extensions survive.

Greenwave's own extensions live in the namespace `GW_NS`:
    <bpmn:userTask gw:candidateRole="lawyer" gw:assignee="=responsible" gw:dueIn="P2D">
      <bpmn:extensionElements>
        <gw:form><gw:field name="approved" type="boolean" label="…" required="true"/></gw:form>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:serviceTask gw:action="notify"/>
    <bpmn:process gw:subject="deal">   (started from a deal, bound to it)
    <bpmn:endEvent gw:outcome="approved"/>   (the outcome of a run that ends there)
Camunda's `camunda:assignee` / `camunda:candidateGroups` are read as well.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from lxml import etree

from greenwave.core.safe_xml import safe_xml_parser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
OMG_NS = "http://www.omg.org/spec/"
GW_NS = "https://greenwave.dev/schema/bpmn"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MAX_BPMN_BYTES = 5 * 1024 * 1024

FIELD_TYPES = (
    "string",
    "text",
    "integer",
    "decimal",
    "boolean",
    "date",
    "choice",
    "user",
    "file",
)

# Elements the engine executes (besides structure such as flows, lanes and documentation).
EXECUTABLE_TAGS = frozenset(
    {
        "startEvent",
        "endEvent",
        "userTask",
        "task",
        "subProcess",
        "manualTask",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
        "callActivity",
        "transaction",
        "scriptTask",
        "serviceTask",
        "businessRuleTask",
        "sendTask",
        "receiveTask",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    }
)
# Elements Greenwave reads but the engine cannot execute yet: named on deploy.
UNSUPPORTED_TAGS = {
    "complexGateway": "complex gateways are not executable",
    "adHocSubProcess": "ad-hoc sub-processes are not executable",
    "compensateEventDefinition": (
        "compensation is not executable: SpiffWorkflow 3 cannot undo completed steps"
    ),
}


class BpmnFileError(Exception):
    """The file cannot be read as BPMN; the message says what to fix."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


@dataclass
class Unsupported:
    element_id: str
    tag: str
    reason: str
    line: int = 0  # of the element in the file, when known

    def as_dict(self) -> dict[str, str]:
        found = {"id": self.element_id, "tag": self.tag, "reason": self.reason}
        return {**found, "line": str(self.line)} if self.line else found


@dataclass
class BpmnDocument:
    """What Greenwave needs to know about a file without running it."""

    root: etree._Element
    processes: list[dict[str, Any]]
    main_process_id: str
    name: str
    is_executable: bool
    elements: dict[str, dict[str, Any]]  # id -> {tag, name, process, lane}
    user_tasks: dict[str, dict[str, Any]]
    service_actions: dict[str, str]
    scripts: dict[str, str]
    expressions: dict[str, str]
    message_starts: list[str]
    timer_dates: dict[str, str] = field(default_factory=dict)
    unsupported: list[Unsupported] = field(default_factory=list)
    has_diagram: bool = False

    def metadata(self) -> dict[str, Any]:
        return {
            "processes": self.processes,
            "main_process_id": self.main_process_id,
            "elements": self.elements,
            "user_tasks": self.user_tasks,
            "service_actions": self.service_actions,
            "message_starts": self.message_starts,
            "has_diagram": self.has_diagram,
        }


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _ns(tag: Any) -> str:
    return etree.QName(tag).namespace or "" if isinstance(tag, str) else ""


def parse_xml(data: bytes) -> etree._Element:
    """Parse bytes safely: no DTD, no entities, no network, no huge trees, unique ids."""
    if len(data) > MAX_BPMN_BYTES:
        raise BpmnFileError(
            f"The file is larger than {MAX_BPMN_BYTES // (1024 * 1024)} MB.",
            details={"size": len(data), "limit": MAX_BPMN_BYTES},
        )
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise BpmnFileError("Document type declarations and entities are not allowed.")
    parser = safe_xml_parser(remove_comments=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BpmnFileError(f"The file is not well-formed XML: {exc}.") from exc
    if root.getroottree().docinfo.doctype:
        raise BpmnFileError("Document type declarations are not allowed.")
    if _ns(root.tag) != BPMN_NS or _local(root.tag) != "definitions":
        raise BpmnFileError("This is not a BPMN 2.0 file: the root must be bpmn:definitions.")
    # Only BPMN's own elements: vendor extensions reuse ids to point at them (ADONIS does).
    counts = Counter(
        el.get("id") for el in root.iter() if el.get("id") and _ns(el.tag).startswith(OMG_NS)
    )
    duplicates = sorted(i for i, n in counts.items() if n > 1 and i)
    if duplicates:
        raise BpmnFileError(
            "Element ids must be unique; duplicated: " + ", ".join(duplicates) + ".",
            details={"duplicate_ids": duplicates},
        )
    return root


def serialize(root: etree._Element) -> bytes:
    """Write the (possibly edited) tree back: the same elements, ids and diagram."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _children(el: etree._Element, name: str, ns: str = BPMN_NS) -> list[etree._Element]:
    return [c for c in el if _ns(c.tag) == ns and _local(c.tag) == name]


def _form_of(task: etree._Element) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = []
    for ext in _children(task, "extensionElements"):
        for form in _children(ext, "form", GW_NS):
            for f in _children(form, "field", GW_NS):
                kind = f.get("type", "string")
                if kind not in FIELD_TYPES:
                    raise BpmnFileError(
                        f"Form field {f.get('name')!r} of {task.get('id')} has an unknown "
                        f"type {kind!r}; use one of: {', '.join(FIELD_TYPES)}.",
                    )
                name = f.get("name") or ""
                if not name.isidentifier() or name.startswith("_"):
                    raise BpmnFileError(
                        f"Form field name {name!r} of {task.get('id')} must be an identifier."
                    )
                fields.append(
                    {
                        "name": name,
                        "label": f.get("label") or name,
                        "type": kind,
                        "required": f.get("required", "false") == "true",
                        "choices": [
                            [c.get("value", ""), c.get("label") or c.get("value", "")]
                            for c in _children(f, "choice", GW_NS)
                        ],
                        "min": f.get("min"),
                        "max": f.get("max"),
                        "help": f.get("help", ""),
                    }
                )
    return fields


def _zeebe(el: etree._Element, name: str) -> etree._Element | None:
    for ext in _children(el, "extensionElements"):
        for found in ext.iter(f"{{{ZEEBE_NS}}}{name}"):
            return found
    return None


def _names(value: str) -> list[str]:
    """`a, b`, or Zeebe's FEEL list `=["a", "b"]` of a static value, as names."""
    text = value.strip()
    if text.startswith("="):
        text = text[1:].strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        else:
            return []  # an expression: not a fixed group
    return [n.strip().strip("\"'") for n in text.split(",") if n.strip().strip("\"'")]


_CAMUNDA7_TYPES = {"string": "string", "long": "integer", "boolean": "boolean", "date": "date"}
_CAMUNDA_FORM_TYPES = {
    "textfield": "string",
    "textarea": "text",
    "number": "decimal",
    "checkbox": "boolean",
    "select": "choice",
    "radio": "choice",
    "datetime": "date",
}


def _field(
    name: str, label: str, kind: str, required: bool, choices: list[list[str]]
) -> dict[str, Any]:
    return {
        "name": name,
        "label": label or name,
        "type": kind,
        "required": required,
        "choices": choices,
        "min": None,
        "max": None,
        "help": "",
    }


def _camunda7_form(task: etree._Element) -> list[dict[str, Any]]:
    """Camunda 7's generated task form (`camunda:formData`) as Greenwave form fields."""
    fields: list[dict[str, Any]] = []
    for ext in _children(task, "extensionElements"):
        for f in ext.iter(f"{{{CAMUNDA_NS}}}formField"):
            name, kind = f.get("id") or "", f.get("type") or "string"
            if not name.isidentifier() or name.startswith("_"):
                continue
            choices = [
                [v.get("id") or "", v.get("name") or v.get("id") or ""]
                for v in f.iter(f"{{{CAMUNDA_NS}}}value")
            ]
            required = any(
                c.get("name") == "required" for c in f.iter(f"{{{CAMUNDA_NS}}}constraint")
            )
            fields.append(
                _field(
                    name,
                    f.get("label") or "",
                    "choice" if kind == "enum" else _CAMUNDA7_TYPES.get(kind, "string"),
                    required,
                    choices,
                )
            )
    return fields


def _components(items: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            out.append(item)
            out += _components(item.get("components"))
    return out


def _camunda8_form(task: etree._Element, root: etree._Element) -> list[dict[str, Any]]:
    """A Camunda Form embedded in the file (`zeebe:userTaskForm`, named by the task's
    `zeebe:formDefinition formKey="camunda-forms:bpmn:<id>"`) as Greenwave form fields."""
    import json

    definition = _zeebe(task, "formDefinition")
    key = (definition.get("formKey") or "") if definition is not None else ""
    if not key.startswith("camunda-forms:bpmn:"):
        return []
    form_id = key.rsplit(":", 1)[1]
    for embedded in root.iter(f"{{{ZEEBE_NS}}}userTaskForm"):
        if embedded.get("id") != form_id:
            continue
        try:
            schema = json.loads(embedded.text or "")
        except ValueError:
            return []
        fields = []
        for c in _components(schema.get("components") if isinstance(schema, dict) else None):
            name, kind = str(c.get("key") or ""), _CAMUNDA_FORM_TYPES.get(str(c.get("type")))
            if not kind or not name.isidentifier() or name.startswith("_"):
                continue
            rules = c.get("validate")
            validate: dict[str, Any] = rules if isinstance(rules, dict) else {}
            choices = [
                [str(v.get("value", "")), str(v.get("label") or v.get("value", ""))]
                for v in c.get("values") or []
                if isinstance(v, dict)
            ]
            fields.append(
                _field(
                    name, str(c.get("label") or ""), kind, bool(validate.get("required")), choices
                )
            )
        return fields
    return []


def _assignment_of(task: etree._Element, lane: str) -> dict[str, Any]:
    """Who does the task: Greenwave's attributes, else Camunda 7's, else Zeebe's
    `zeebe:assignmentDefinition`, else the lane. Groups become roles; a single candidate
    user with nobody assigned becomes the assignee."""
    zeebe = _zeebe(task, "assignmentDefinition")

    def z(name: str) -> str:
        return (zeebe.get(name) or "") if zeebe is not None else ""

    groups = _names(task.get(f"{{{CAMUNDA_NS}}}candidateGroups") or z("candidateGroups"))
    users = _names(task.get(f"{{{CAMUNDA_NS}}}candidateUsers") or z("candidateUsers"))
    assignee = (
        task.get(f"{{{GW_NS}}}assignee")
        or task.get(f"{{{CAMUNDA_NS}}}assignee")
        or z("assignee")
        or (users[0] if len(users) == 1 else "")
    )
    if assignee.startswith("${") and assignee.endswith("}"):
        assignee = "=" + assignee[2:-1].strip()
    return {
        "assignee": assignee,
        "candidate_role": task.get(f"{{{GW_NS}}}candidateRole") or (groups[0] if groups else lane),
        "candidate_groups": groups,
        "candidate_users": users,
        "candidate_team": task.get(f"{{{GW_NS}}}candidateTeam") or "",
        "due_in": task.get(f"{{{GW_NS}}}dueIn") or "",
    }


def _form_ref(task: etree._Element) -> str:
    """The form another modeler names (Camunda 7 `formKey`, Zeebe `formDefinition`)."""
    ref = task.get(f"{{{CAMUNDA_NS}}}formKey") or ""
    zeebe = _zeebe(task, "formDefinition")
    if zeebe is not None:
        ref = zeebe.get("formKey") or zeebe.get("formId") or zeebe.get("externalReference") or ref
    return ref


def decision_of(el: etree._Element) -> tuple[str, str]:
    """(decision key, result variable) of a business-rule task, as each modeler writes it."""
    zeebe = _zeebe(el, "calledDecision")
    key = el.get(f"{{{GW_NS}}}decision") or el.get(f"{{{CAMUNDA_NS}}}decisionRef") or ""
    result = el.get(f"{{{GW_NS}}}resultVariable") or el.get(f"{{{CAMUNDA_NS}}}resultVariable")
    if zeebe is not None:
        key = key or zeebe.get("decisionId") or ""
        result = result or zeebe.get("resultVariable")
    if not key:  # a Zeebe job worker of type DMN with the decision in a task header
        for ext in _children(el, "extensionElements"):
            for header in ext.iter(f"{{{ZEEBE_NS}}}header"):
                if header.get("key") in {"decisionRef", "decisionId"}:
                    key = header.get("value") or ""
    return key.strip(), (result or "decision_result").strip()


def compensation_can_trigger(process: etree._Element) -> bool:
    """Whether a compensation of this process could ever start: BPMN starts one only from a
    compensation throw (an intermediate throw or end event with a compensateEventDefinition)
    or from a cancelled transaction. Without either, compensation boundary events and their
    handlers are never reached, so the process runs without them."""
    for definition in process.iter(f"{{{BPMN_NS}}}compensateEventDefinition"):
        event = definition.getparent()
        if event is not None and _local(event.tag) in {"intermediateThrowEvent", "endEvent"}:
            return True
    return next(process.iter(f"{{{BPMN_NS}}}transaction"), None) is not None


def read_document(data: bytes) -> BpmnDocument:
    """Parse the file and collect what the services and the inbox need (no Spiff here)."""
    root = parse_xml(data)
    processes = _processes_of(root)
    main = next((p for p in processes if p["is_executable"]), processes[0])
    lanes: dict[str, str] = {}
    for lane in root.iter(f"{{{BPMN_NS}}}lane"):
        for ref in _children(lane, "flowNodeRef"):
            lanes[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    doc = BpmnDocument(
        root=root,
        processes=processes,
        main_process_id=main["id"],
        name=str(main["name"]),
        is_executable=any(p["is_executable"] for p in processes),
        elements={},
        user_tasks={},
        service_actions={},
        scripts={},
        expressions={},
        message_starts=[],
        has_diagram=bool(list(root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram"))),
    )
    messages = {
        m.get("id"): m.get("name") or m.get("id") for m in root.iter(f"{{{BPMN_NS}}}message")
    }
    main_el = main_process(root, doc)
    for process in _children(root, "process"):
        pid = process.get("id", "")
        inert_compensation = not compensation_can_trigger(process)
        for el in process.iter():
            tag, el_id = _local(el.tag), el.get("id")
            if _ns(el.tag) != BPMN_NS:
                continue
            _note_unsupported(doc, el, tag, el_id, inert_compensation)
            _note_texts(doc, el, tag)
            if not el_id or tag not in EXECUTABLE_TAGS | set(UNSUPPORTED_TAGS):
                continue
            lane = lanes.get(el_id, "")
            doc.elements[el_id] = {
                "tag": tag,
                "name": (el.get("name") or "").strip(),
                "process": pid,
                "lane": lane,
            }
            if tag == "endEvent" and el.get(f"{{{GW_NS}}}outcome"):
                # The outcome of a run that ends here (e.g. approved / rejected).
                doc.elements[el_id]["outcome"] = el.get(f"{{{GW_NS}}}outcome", "").strip()
            if tag == "startEvent":
                if process is main_el:
                    for med in _children(el, "messageEventDefinition"):
                        ref = med.get("messageRef")
                        doc.message_starts.append(str(messages.get(ref) or ref or ""))
            else:
                _note_task(doc, el, tag, el_id, lane)
        _note_dangling_flows(doc, process)
    return doc


def _note_dangling_flows(doc: BpmnDocument, process: etree._Element) -> None:
    """A sequence flow whose end names no element of its process: SpiffWorkflow's own error
    for it ("we found two items, perhaps a form has the same ID?") misleads."""
    ids = {el.get("id") for el in process.iter() if el.get("id")}
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for end in ("sourceRef", "targetRef"):
            ref = (flow.get(end) or "").strip()
            if ref not in ids:
                doc.unsupported.append(
                    Unsupported(
                        flow.get("id") or "",
                        "sequenceFlow",
                        f"the flow's {end} {ref!r} names no element of the process",
                    )
                )


def _processes_of(root: etree._Element) -> list[dict[str, Any]]:
    """The file's processes (id, name, executable, subject), named by their pool if unnamed."""
    processes = [
        {
            "id": p.get("id", ""),
            "name": p.get("name") or p.get("id", ""),
            "is_executable": p.get("isExecutable", "false").lower() == "true",
            # What the process is about (e.g. "deal"): started from that record, bound to it.
            "subject": (p.get(f"{{{GW_NS}}}subject") or "").strip(),
        }
        for p in _children(root, "process")
    ]
    if not processes:
        raise BpmnFileError("The file has no bpmn:process.")
    names = {p.get("processRef"): p.get("name") for p in root.iter(f"{{{BPMN_NS}}}participant")}
    for p in processes:
        p["name"] = p["name"] if p["name"] != p["id"] else names.get(p["id"]) or p["id"]
    return processes


def _note_unsupported(
    doc: BpmnDocument, el: etree._Element, tag: str, el_id: str | None, inert_compensation: bool
) -> None:
    """An element the engine cannot run, named by its event if it is an event definition."""
    if tag == "compensateEventDefinition" and inert_compensation:
        pass  # never triggered: prepare() leaves it out of the engine's copy
    elif tag in UNSUPPORTED_TAGS:
        owner = el.getparent() if tag.endswith("EventDefinition") else el
        if owner is None:
            owner = el
        # An event definition is named by its event (what the diagram shows).
        doc.unsupported.append(
            Unsupported(owner.get("id") or el_id or "", _local(owner.tag), UNSUPPORTED_TAGS[tag])
        )


def _note_texts(doc: BpmnDocument, el: etree._Element, tag: str) -> None:
    """A timer's date and the expressions of conditions and loops, by their element."""
    if tag == "timeDate" and el.text and el.text.strip():
        event = el.getparent()
        event = event.getparent() if event is not None else None
        if event is not None:
            doc.timer_dates[str(event.get("id") or "")] = el.text.strip()
    if tag in {"conditionExpression", "completionCondition", "loopCardinality"}:
        parent = el.getparent()
        owner = parent.get("id") if parent is not None else None
        if el.text and el.text.strip() and owner:
            doc.expressions[f"{owner}:{tag}"] = el.text.strip()


def _note_task(doc: BpmnDocument, el: etree._Element, tag: str, el_id: str, lane: str) -> None:
    """What a user, service, business-rule or script task needs when it runs."""
    if tag == "userTask":
        form = _form_of(el) or _camunda7_form(el) or _camunda8_form(el, doc.root)
        doc.user_tasks[el_id] = {
            "name": (el.get("name") or el_id).strip(),
            "form": form,
            # The other modeler's form is not in the file: the task page says so.
            "form_ref": "" if form else _form_ref(el),
            **_assignment_of(el, lane),
        }
    elif tag == "serviceTask" and el.get(f"{{{GW_NS}}}action"):
        doc.service_actions[el_id] = el.get(f"{{{GW_NS}}}action", "")
    elif tag == "businessRuleTask":
        # Bound to Greenwave's DMN decisions by key (Camunda's and Zeebe's ways read).
        key, result = decision_of(el)
        if key:
            doc.service_actions[el_id] = f"decision:{key}:{result}"
        else:
            doc.unsupported.append(
                Unsupported(
                    el_id,
                    tag,
                    "a business-rule task needs the key of a decision (gw:decision, "
                    "camunda:decisionRef or zeebe:calledDecision)",
                )
            )
    elif tag == "scriptTask":
        script = _children(el, "script")
        doc.scripts[el_id] = (script[0].text or "") if script else ""


def main_process(root: etree._Element, doc: BpmnDocument) -> etree._Element | None:
    for p in _children(root, "process"):
        if p.get("id") == doc.main_process_id:
            return p
    return None


def element_ids(data: bytes) -> set[str]:
    return {str(el.get("id")) for el in parse_xml(data).iter() if el.get("id")}


_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def iso_duration(text: str) -> timedelta | None:
    """`P2D`, `PT4H`, `P1DT2H` → timedelta (weeks, days, hours, minutes, seconds only)."""
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in {"P", "PT"}:
        return None
    return timedelta(**{k: int(v) for k, v in match.groupdict().items() if v})


def element_place(root: etree._Element, element_id: str) -> tuple[str, int]:
    """The tag and line of the BPMN element `element_id` ("", 0 if the file has none)."""
    for el in root.iter():
        if (
            isinstance(el.tag, str)
            and el.get("id") == element_id
            and _ns(el.tag).startswith(OMG_NS)
        ):
            return _local(el.tag), el.sourceline or 0
    return "", 0


def element_named_in(root: etree._Element, message: str) -> tuple[str, str]:
    """The id and tag of the BPMN element whose name or id an engine message mentions."""
    for el in root.iter():
        if not isinstance(el.tag, str) or not _ns(el.tag).startswith(OMG_NS):
            continue
        name, el_id = el.get("name"), el.get("id")
        called = el.get("calledElement")  # a call activity whose process is missing
        if el_id and (
            (name and f"name {name}" in message)
            or f"'{el_id}'" in message
            or (called and f"'{called}'" in message)
        ):
            return el_id, _local(el.tag)
    return "", ""
