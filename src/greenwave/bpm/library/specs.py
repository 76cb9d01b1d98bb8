"""The built-in processes as data: the TOML files beside this module, read into `Process`es.

Each file holds processes (`[[process]]`: key, name, lanes, documentation, nodes, flows) of one
part of the seeds. A node is a table: `id`, `kind` (as in `layout.TAGS`), `name`, `lane`, then
its Greenwave attributes in the order they are written (`to` → gw:assignee, `due` → gw:dueIn,
`action`, `outcome`, and for a boundary event `attached_to`, `cancel_activity`), a gateway's
`default` flow, a `timer` (an ISO 8601 duration) and a user task's `form`. Its event or loop
definition: `terminate = true` (a terminate end event), `message` (a message start event),
`timer_date` (a timer at the date-time of that variable), `for_each = [list, item]` (one task
per item of a list variable). A form field is a table (`name`, `label`, `type`, `required`,
`choices`, `min`, `max`) or the key of one of `fields.toml`, the fields several forms ask for.
A flow is `"a > b > c"` (plain flows from each node to the next) or a table: `from`, `to`,
`when` (its condition), `name` and `id` (a gateway's default flow is named by its id).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .layout import Field, Flow, Node, Process, chain

HERE = Path(__file__).parent
# The files of the processes, in the library's order: the base processes (contract and
# document approval, acknowledgement, invoice payment, web lead), HR, the sales manager's
# processes and the claim.
FILES = ("processes", "hr", "manager", "claims")
ATTRIBUTES = {
    "to": "gw:assignee",
    "due": "gw:dueIn",
    "action": "gw:action",
    "outcome": "gw:outcome",
    "attached_to": "attachedToRef",
    "cancel_activity": "cancelActivity",
}
EVENTS = ("terminate", "message", "timer_date", "for_each")
NODE_KEYS = {"id", "kind", "name", "lane", "default", "timer", "form", *ATTRIBUTES, *EVENTS}
FIELD_KEYS = {"name", "label", "type", "required", "choices", "min", "max"}
FLOW_KEYS = {"from", "to", "when", "name", "id"}


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads((HERE / f"{name}.toml").read_text(encoding="utf-8"))


def _known(spec: dict[str, Any], keys: set[str], what: str) -> dict[str, Any]:
    unknown = set(spec) - keys
    if unknown:
        raise ValueError(f"{what} {spec.get('id') or spec.get('name')}: unknown {sorted(unknown)}")
    return spec


def field(spec: dict[str, Any]) -> Field:
    _known(spec, FIELD_KEYS, "field")
    return Field(
        spec["name"],
        spec["label"],
        spec.get("type", "string"),
        required=spec.get("required", False),
        choices=tuple((value, label) for value, label in spec.get("choices", ())),
        min=spec.get("min", ""),
        max=spec.get("max", ""),
    )


def _events(node_id: str, spec: dict[str, Any]) -> str:
    """The XML of the node's event or loop definition (`EVENTS`), if any."""
    if spec.get("terminate"):
        return f'<bpmn:terminateEventDefinition id="{node_id}_terminate"/>'
    if "message" in spec:
        return (
            f'<bpmn:messageEventDefinition id="{node_id}_message" '
            f'messageRef="Message_{spec["message"]}"/>'
        )
    if "timer_date" in spec:
        return (
            f'<bpmn:timerEventDefinition id="{node_id}_timer"><bpmn:timeDate '
            f'xsi:type="bpmn:tFormalExpression">{spec["timer_date"]}</bpmn:timeDate>'
            "</bpmn:timerEventDefinition>"
        )
    if "for_each" in spec:
        items, item = spec["for_each"]
        return (
            f'<bpmn:multiInstanceLoopCharacteristics id="{node_id}_mi">'
            f"<bpmn:loopDataInputRef>{items}</bpmn:loopDataInputRef>"
            f'<bpmn:inputDataItem id="{item}" name="{item}"/>'
            "</bpmn:multiInstanceLoopCharacteristics>"
        )
    return ""


def node(spec: dict[str, Any], shared: dict[str, Field]) -> Node:
    _known(spec, NODE_KEYS, "node")
    attrs = {
        ATTRIBUTES[key]: "true" if value is True else value
        for key, value in spec.items()
        if key in ATTRIBUTES
    }
    form = tuple(shared[f] if isinstance(f, str) else field(f) for f in spec.get("form", ()))
    return Node(
        spec["id"],
        spec["kind"],
        spec["name"],
        spec["lane"],
        attrs,
        form=form,
        timer=spec.get("timer", ""),
        default=spec.get("default", ""),
        extra_xml=_events(spec["id"], spec),
    )


def flows(specs: list[str | dict[str, Any]]) -> tuple[Flow, ...]:
    out: list[Flow] = []
    for spec in specs:
        if isinstance(spec, str):
            out += chain(*spec.split(" > "))
            continue
        _known(spec, FLOW_KEYS, "flow")
        out.append(
            Flow(
                spec["from"],
                spec["to"],
                spec.get("when", ""),
                spec.get("name", ""),
                spec.get("id", ""),
            )
        )
    return tuple(out)


def process(spec: dict[str, Any], shared: dict[str, Field]) -> Process:
    return Process(
        key=spec["key"],
        name=spec["name"],
        lanes=tuple(spec["lanes"]),
        nodes=tuple(node(n, shared) for n in spec["nodes"]),
        flows=flows(spec["flows"]),
        documentation=spec.get("documentation", ""),
        messages=tuple(spec.get("messages", ())),
        subject=spec.get("subject", ""),
    )


def read_library() -> tuple[Process, ...]:
    """Every built-in process, in the order of `FILES` and of each file."""
    shared = {key: field(spec) for key, spec in _read("fields").items()}
    return tuple(process(p, shared) for name in FILES for p in _read(name)["process"])
