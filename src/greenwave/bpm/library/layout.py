"""Build a BPMN 2.0 file (with its diagram) from a compact process description.

The built-in processes are written as data (nodes, flows, lanes: `specs` reads them) and laid
out here left to right, one lane per role, so that they open in any modeler and in
Greenwave's viewer.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from greenwave.bpm.engine import GW_NS

SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (120, 80)}
TAGS = {
    "start": ("startEvent", "event"),
    "end": ("endEvent", "event"),
    "user": ("userTask", "task"),
    "service": ("serviceTask", "task"),
    "xor": ("exclusiveGateway", "gateway"),
    "and": ("parallelGateway", "gateway"),
    "timer": ("intermediateCatchEvent", "event"),
    "boundary": ("boundaryEvent", "event"),
}
LANE_HEIGHT = 170
COLUMN = 170
LEFT = 200  # room for the pool and lane labels
# Label boxes written into the diagram (bpmn-js's 11 px font): the viewer's default places a
# flow's name at its middle, where the flows leaving one gateway share their segments — the
# names «На доработку» and «Отклонён» were drawn on top of each other.
LABEL_LINE = 18  # a label box's height and the step between stacked labels
LABEL_CHAR = 7  # an ample character width: a box too narrow wraps its name in the middle
GATEWAY_LABEL = (100, 27)


@dataclass
class Field:
    name: str
    label: str
    type: str = "string"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    min: str = ""
    max: str = ""

    def xml(self) -> str:
        attrs = (
            f"name={quoteattr(self.name)} type={quoteattr(self.type)} label={quoteattr(self.label)}"
        )
        if self.required:
            attrs += ' required="true"'
        if self.min:
            attrs += f" min={quoteattr(self.min)}"
        if self.max:
            attrs += f" max={quoteattr(self.max)}"
        if not self.choices:
            return f"<gw:field {attrs}/>"
        inner = "".join(
            f"<gw:choice value={quoteattr(v)} label={quoteattr(label)}/>"
            for v, label in self.choices
        )
        return f"<gw:field {attrs}>{inner}</gw:field>"


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    attrs: dict[str, str] = field(default_factory=dict)
    form: tuple[Field, ...] = ()
    timer: str = ""
    default: str = ""
    extra_xml: str = ""


@dataclass
class Flow:
    source: str
    target: str
    condition: str = ""
    name: str = ""
    id: str = ""


@dataclass
class Process:
    key: str
    name: str
    lanes: tuple[str, ...]
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    documentation: str = ""
    messages: tuple[str, ...] = ()
    subject: str = ""  # the record type the process is started from (gw:subject)


def chain(*node_ids: str) -> tuple[Flow, ...]:
    """Plain flows from each node to the next: `chain("a", "b", "c")` is a → b → c."""
    return tuple(Flow(source, target) for source, target in itertools.pairwise(node_ids))


def _columns(process: Process) -> dict[str, int]:
    """Longest-path column of each node, ignoring flows that go back (rework loops)."""
    order = {n.id: i for i, n in enumerate(process.nodes)}
    column = {n.id: 0 for n in process.nodes}
    hosts = {n.id: n.attrs["attachedToRef"] for n in process.nodes if n.kind == "boundary"}
    for _ in process.nodes:
        for b, host in hosts.items():
            column[b] = column[host]
        for f in process.flows:
            if order[f.target] > order[f.source]:
                column[f.target] = max(column[f.target], column[f.source] + 1)
    return column


def build(process: Process) -> bytes:
    for i, f in enumerate(process.flows):
        f.id = f.id or f"Flow_{i + 1}"
    columns = _columns(process)
    bounds = _place(process, columns)
    width = LEFT + (max(columns.values()) + 1) * COLUMN + 60
    out = _process_xml(process)
    out.extend(
        f'<bpmn:message id="Message_{name}" name={quoteattr(name)}/>' for name in process.messages
    )
    out.extend(_diagram_xml(process, columns, bounds, width))
    return "\n".join(out).encode()


def _place(process: Process, columns: dict[str, int]) -> dict[str, tuple[int, int, int, int]]:
    """The bounds of each shape: one per cell of (column, lane), moved right when taken; a
    boundary event on its host's lower right corner (`columns` gets the columns moved to)."""
    lane_index = {name: i for i, name in enumerate(process.lanes)}
    bounds: dict[str, tuple[int, int, int, int]] = {}
    per_cell: dict[tuple[int, int], int] = {}
    for n in process.nodes:
        w, h = SIZES[TAGS[n.kind][1]]
        if n.kind == "boundary":
            hx, hy, hw, hh = bounds[n.attrs["attachedToRef"]]
            bounds[n.id] = (hx + hw - 30, hy + hh - 18, w, h)
            column = columns[n.attrs["attachedToRef"]]
            columns[n.id] = column
            continue
        row = lane_index[n.lane]
        while (columns[n.id], row) in per_cell:  # one shape per cell: move right
            columns[n.id] += 1
        per_cell[(columns[n.id], row)] = 1
        cx = LEFT + columns[n.id] * COLUMN + 60
        cy = 40 + row * LANE_HEIGHT + LANE_HEIGHT // 2
        bounds[n.id] = (cx - w // 2, cy - h // 2, w, h)
    return bounds


def _process_xml(process: Process) -> list[str]:
    """The file's lines up to the end of the process: header, pool, lanes, nodes, flows."""
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xmlns:gw="{GW_NS}" id="Definitions_{process.key}" '
        'targetNamespace="https://greenwave.dev/library" exporter="Greenwave" exporterVersion="1">',
        f'<bpmn:collaboration id="Collaboration_{process.key}">'
        f'<bpmn:participant id="Participant_{process.key}" name={quoteattr(process.name)} '
        f'processRef="{process.key}"/></bpmn:collaboration>',
        f'<bpmn:process id="{process.key}" name={quoteattr(process.name)}'
        + (f" gw:subject={quoteattr(process.subject)}" if process.subject else "")
        + ' isExecutable="true">',
    ]
    if process.documentation:
        out.append(f"<bpmn:documentation>{escape(process.documentation)}</bpmn:documentation>")
    out.append(f'<bpmn:laneSet id="LaneSet_{process.key}">')
    for i, lane in enumerate(process.lanes):
        refs = "".join(
            f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in process.nodes if n.lane == lane
        )
        out.append(f'<bpmn:lane id="Lane_{i + 1}" name={quoteattr(lane)}>{refs}</bpmn:lane>')
    out.append("</bpmn:laneSet>")
    out.extend(_node_xml(process, n) for n in process.nodes)
    for f in process.flows:
        name = f" name={quoteattr(f.name)}" if f.name else ""
        head = f'<bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}"'
        if f.condition:
            out.append(
                f'{head}><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                f"{escape(f.condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
            )
        else:
            out.append(f"{head}/>")
    out.append("</bpmn:process>")
    return out


def _node_xml(process: Process, n: Node) -> str:
    tag = TAGS[n.kind][0]
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in n.attrs.items())
    if n.default:
        attrs += f' default="{n.default}"'
    inner = "".join(
        f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in process.flows if f.target == n.id
    ) + "".join(f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in process.flows if f.source == n.id)
    if n.form:
        fields = "".join(f.xml() for f in n.form)
        form = f"<bpmn:extensionElements><gw:form>{fields}</gw:form></bpmn:extensionElements>"
        inner = form + inner
    inner += n.extra_xml
    if n.timer:
        inner += (
            f'<bpmn:timerEventDefinition id="{n.id}_timer"><bpmn:timeDuration '
            f'xsi:type="bpmn:tFormalExpression">{escape(n.timer)}</bpmn:timeDuration>'
            "</bpmn:timerEventDefinition>"
        )
    return f'<bpmn:{tag} id="{n.id}" name={quoteattr(n.name)}{attrs}>{inner}</bpmn:{tag}>'


def _diagram_xml(
    process: Process,
    columns: dict[str, int],
    bounds: dict[str, tuple[int, int, int, int]],
    width: int,
) -> list[str]:
    """The diagram: the pool, its lanes, a shape per node and an edge per flow."""
    out = [f'<bpmndi:BPMNDiagram id="Diagram_{process.key}">']
    out.append(
        f'<bpmndi:BPMNPlane id="Plane_{process.key}" bpmnElement="Collaboration_{process.key}">'
    )
    height = len(process.lanes) * LANE_HEIGHT
    out.append(
        f'<bpmndi:BPMNShape id="Participant_{process.key}_di" '
        f'bpmnElement="Participant_{process.key}" isHorizontal="true">'
        f'<dc:Bounds x="40" y="40" width="{width}" height="{height}"/></bpmndi:BPMNShape>'
    )
    for i, _lane in enumerate(process.lanes):
        out.append(
            f'<bpmndi:BPMNShape id="Lane_{i + 1}_di" bpmnElement="Lane_{i + 1}" '
            'isHorizontal="true">'
            f'<dc:Bounds x="70" y="{40 + i * LANE_HEIGHT}" width="{width - 30}" '
            f'height="{LANE_HEIGHT}"/></bpmndi:BPMNShape>'
        )
    for n in process.nodes:
        x, y, w, h = bounds[n.id]
        marker = ' isMarkerVisible="true"' if n.kind == "xor" else ""
        label = _label_xml(_gateway_label(bounds[n.id])) if n.kind in ("xor", "and") else ""
        out.append(
            f'<bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{marker}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>{label}</bpmndi:BPMNShape>'
        )
    labels = _flow_labels(process, columns, bounds)
    for f in process.flows:
        points = _edge_points(
            bounds[f.source], bounds[f.target], columns[f.target] > columns[f.source]
        )
        waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
        label = _label_xml(labels[f.id]) if f.id in labels else ""
        out.append(
            f'<bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{waypoints}{label}'
            "</bpmndi:BPMNEdge>"
        )
    out.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>")
    return out


def _label_xml(box: tuple[int, int, int, int]) -> str:
    x, y, w, h = box
    bounds = f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>'
    return f"<bpmndi:BPMNLabel>{bounds}</bpmndi:BPMNLabel>"


def _gateway_label(shape: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A gateway's name centred under it."""
    x, y, w, h = shape
    lw, lh = GATEWAY_LABEL
    return (x + w // 2 - lw // 2, y + h + 5, lw, lh)


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _flow_labels(
    process: Process, columns: dict[str, int], bounds: dict[str, tuple[int, int, int, int]]
) -> dict[str, tuple[int, int, int, int]]:
    """The box of each named flow's name beside the start of its own way: right of the bend
    a flow turns up or down at, above a straight flow, under the shape a loop back leaves —
    moved on a line further that way while it would cover a shape or another label."""
    taken = list(bounds.values())
    taken += [_gateway_label(bounds[n.id]) for n in process.nodes if n.kind in ("xor", "and")]
    labels: dict[str, tuple[int, int, int, int]] = {}
    for f in process.flows:
        if not f.name:
            continue
        sx, sy, sw, sh = bounds[f.source]
        ty, th = bounds[f.target][1], bounds[f.target][3]
        middle, target_middle = sy + sh // 2, ty + th // 2
        if columns[f.target] <= columns[f.source]:
            x, y, step = sx + sw // 2 + 4, sy + sh + 4, LABEL_LINE
        elif target_middle == middle:
            x, y, step = sx + sw + 4, middle - LABEL_LINE - 2, -LABEL_LINE
        elif target_middle < middle:
            x, y, step = sx + sw + 24, middle - LABEL_LINE - 4, -LABEL_LINE
        else:
            x, y, step = sx + sw + 24, middle + 4, LABEL_LINE
        box = (x, y, LABEL_CHAR * len(f.name) + 10, LABEL_LINE)
        for _ in range(12):
            if not any(_overlaps(box, other) for other in taken):
                break
            box = (box[0], box[1] + step, box[2], box[3])
        labels[f.id] = box
        taken.append(box)
    return labels


def _edge_points(
    source: tuple[int, int, int, int], target: tuple[int, int, int, int], forward: bool
) -> list[tuple[int, int]]:
    """A flow's waypoints: to the right (with a bend between lanes), or a loop back round
    below the shapes."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    if forward:
        points = [(sx + sw, sy + sh // 2), (tx, ty + th // 2)]
        if sy != ty:
            mid = sx + sw + 20
            points = [
                (sx + sw, sy + sh // 2),
                (mid, sy + sh // 2),
                (mid, ty + th // 2),
                (tx, ty + th // 2),
            ]
        return points
    low = max(sy + sh, ty + th) + 25
    return [
        (sx + sw // 2, sy + sh),
        (sx + sw // 2, low),
        (tx + tw // 2, low),
        (tx + tw // 2, ty + th),
    ]
