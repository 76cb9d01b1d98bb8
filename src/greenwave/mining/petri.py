"""The to-be model as a Petri net, and token-based replay of the real cases against it.

A BPMN process (the stored XML, parsed safely with lxml as `bpm` does, without the engine)
becomes a workflow net: every sequence flow is a place; a task is a visible transition named
`el:<id>` (several incoming flows join exclusively through silent transitions, several
outgoing flows split in parallel); an exclusive (or inclusive, approximated as exclusive)
gateway is a place with a silent transition per incoming and per outgoing flow; a parallel
gateway is one silent transition; start and end events are silent transitions from the
source place and into the sink place; any other flow node (intermediate events,
sub-processes) is a silent pass-through. A pipeline's model is its stage order.

Replay follows the token game of Rozinat & van der Aalst, as pm4py implements it: a visible
transition not enabled is first enabled through the shortest sequence of silent transitions,
else the missing tokens are created (m); at the end the final marking is reached through
silent transitions if possible; fitness = ½(1 − m/c) + ½(1 − r/p).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from greenwave.core.safe_xml import safe_xml_parser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_BPMN_BYTES = 5 * 1024 * 1024
SOURCE, SINK = "source", "sink"
TASK_TAGS = {
    "task",
    "userTask",
    "serviceTask",
    "scriptTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
}
EXCLUSIVE = {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
# Bounds of the search for silent steps (a well-formed model needs a handful).
MAX_SILENT_STEPS = 12
MAX_SILENT_MARKINGS = 5000


class ModelError(ValueError):
    """The model cannot be read or has no start or end."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str | None  # None: silent
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass
class PetriNet:
    places: set[str] = field(default_factory=set)
    transitions: list[Transition] = field(default_factory=list)

    def add(
        self, name: str, label: str | None, inputs: Iterable[str], outputs: Iterable[str]
    ) -> None:
        ins, outs = tuple(inputs), tuple(outputs)
        self.places.update(ins, outs)
        self.transitions.append(Transition(name, label, ins, outs))

    @property
    def labels(self) -> set[str]:
        return {t.label for t in self.transitions if t.label}


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_bpmn(data: bytes) -> etree._Element:
    """Parse bytes safely: no DTD, no entities, no network, no huge trees."""
    if (
        len(data) > MAX_BPMN_BYTES
        or b"<!DOCTYPE" in data[:4096].upper()
        or b"<!ENTITY" in data.upper()
    ):
        raise ModelError("The BPMN file is too large or declares a document type.")
    parser = safe_xml_parser()
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ModelError(f"The BPMN file is not well-formed XML: {exc}.") from exc


_NOT_NODES = (
    "laneSet",
    "documentation",
    "extensionElements",
    "textAnnotation",
    "association",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
)


def _process_of(root: etree._Element, process_id: str) -> etree._Element:
    """The process named `process_id`, else the first executable one, else the first."""
    processes = [el for el in root if _local(el.tag) == "process"]
    chosen = [p for p in processes if p.get("id") == process_id]
    chosen += [p for p in processes if p.get("isExecutable") != "false"] + processes
    if not chosen:
        raise ModelError("The BPMN file has no process.")
    return chosen[0]


def _graph_of(
    process: etree._Element,
) -> tuple[dict[str, str], dict[str, list[str]], dict[str, list[str]]]:
    """The flow nodes (id -> tag) and each node's incoming and outgoing flow places."""
    nodes: dict[str, str] = {}
    flows: list[tuple[str, str, str]] = []
    for el in process:
        tag, el_id = _local(el.tag), el.get("id") or ""
        if tag == "sequenceFlow":
            flows.append((el_id, el.get("sourceRef") or "", el.get("targetRef") or ""))
        elif el_id and tag not in _NOT_NODES:
            nodes[el_id] = tag
    incoming: dict[str, list[str]] = {n: [] for n in nodes}
    outgoing: dict[str, list[str]] = {n: [] for n in nodes}
    for flow_id, src, tgt in flows:
        if src in nodes and tgt in nodes:
            outgoing[src].append(f"f:{flow_id}")
            incoming[tgt].append(f"f:{flow_id}")
    return nodes, incoming, outgoing


def _add_node(net: PetriNet, node: str, tag: str, ins: list[str], outs: list[str]) -> None:
    """The transitions of one flow node between its flow places."""
    if tag == "startEvent":
        net.add(f"t:{node}", None, [SOURCE, *ins], outs or [SINK])
    elif tag == "endEvent":
        for k, place in enumerate(ins or [SOURCE]):
            net.add(f"t:{node}:{k}", None, [place], [SINK])
    elif tag in TASK_TAGS:
        entry = ins
        if len(ins) > 1:  # an implicit exclusive join
            entry = [f"in:{node}"]
            for k, place in enumerate(ins):
                net.add(f"t:{node}:join{k}", None, [place], entry)
        net.add(f"t:{node}", f"el:{node}", entry, outs)
    elif tag in EXCLUSIVE:
        hub = ins[0] if len(ins) == 1 else f"p:{node}"
        for k, place in enumerate(ins if len(ins) > 1 else []):
            net.add(f"t:{node}:in{k}", None, [place], [hub])
        for k, place in enumerate(outs):
            net.add(f"t:{node}:out{k}", None, [hub], [place])
    else:  # parallel gateway, intermediate events and the rest: pass the tokens on
        net.add(f"t:{node}", None, ins, outs)


def net_from_bpmn(data: bytes, process_id: str = "") -> PetriNet:
    """The workflow net of one process of a BPMN file (the first executable one by default)."""
    nodes, incoming, outgoing = _graph_of(_process_of(parse_bpmn(data), process_id))
    net = PetriNet(places={SOURCE, SINK})
    starts = [n for n, tag in nodes.items() if tag == "startEvent"]
    ends = [n for n, tag in nodes.items() if tag == "endEvent"]
    if not starts or not ends:
        raise ModelError("The process needs a start event and an end event.")
    for node, tag in sorted(nodes.items()):
        _add_node(net, node, tag, incoming[node], outgoing[node])
    return net


def net_from_sequence(labels: list[str]) -> PetriNet:
    """A pipeline's stage order as a sequence net (start → s1 → … → sn → end)."""
    net = PetriNet(places={SOURCE, SINK})
    previous = SOURCE
    for k, label in enumerate(labels):
        place = SINK if k == len(labels) - 1 else f"p{k}"
        net.add(f"t{k}", label, [previous], [place])
        previous = place
    return net


@dataclass
class Replay:
    fitness: float
    missing: int
    remaining: int
    produced: int
    consumed: int
    deviations: list[tuple[str, str]]  # (kind, label): skipped, inserted, out_of_order, unknown


Marking = Counter[str]


def _enabled(t: Transition, marking: Marking) -> bool:
    need = Counter(t.inputs)
    return all(marking[p] >= n for p, n in need.items())


def _fire(t: Transition, marking: Marking) -> Marking:
    result = Counter(marking)
    result.subtract(Counter(t.inputs))
    result.update(Counter(t.outputs))
    return +result


def _key(marking: Marking) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(marking.items()))


def _silent_path(net: PetriNet, marking: Marking, goal: object) -> list[Transition] | None:
    """The shortest sequence of silent transitions after which `goal(marking)` holds."""
    silent = [t for t in net.transitions if t.label is None]
    queue: deque[tuple[Marking, list[Transition]]] = deque([(marking, [])])
    seen = {_key(marking)}
    while queue and len(seen) < MAX_SILENT_MARKINGS:
        current, path = queue.popleft()
        if path and goal(current):  # type: ignore[operator]
            return path
        if len(path) >= MAX_SILENT_STEPS:
            continue
        for t in silent:
            if _enabled(t, current):
                following = _fire(t, current)
                key = _key(following)
                if key not in seen:
                    seen.add(key)
                    queue.append((following, [*path, t]))
    return None


@dataclass
class _Tokens:
    """A replay's marking and its token counts so far."""

    marking: Marking
    produced: int = 1
    consumed: int = 0
    missing: int = 0

    def fire(self, t: Transition) -> None:
        self.consumed += len(t.inputs)
        self.produced += len(t.outputs)
        self.marking = _fire(t, self.marking)

    def fire_path(self, path: list[Transition] | None) -> None:
        for step in path or []:
            self.fire(step)


def _forced(
    net: PetriNet, t: Transition, tokens: _Tokens, label: str, done: set[str]
) -> list[tuple[str, str]]:
    """Put in the tokens `t` lacks (missing) and name the deviation that made it lack them."""
    lacking = Counter(t.inputs) - tokens.marking
    between = _visible_between(net, [p for p, n in tokens.marking.items() if n > 0], lacking)
    tokens.missing += sum(lacking.values())
    tokens.marking.update(lacking)
    passed = [b for b in between if b not in done]
    if label in done:  # a step again without the model's way round to it
        return [("inserted", label)]
    if passed:  # the case jumped over steps of the model
        return [("skipped", b) for b in passed]
    return [("out_of_order", label)]  # behind the tokens: before its turn


def _to_the_end(net: PetriNet, tokens: _Tokens) -> None:
    """Silent steps to the sink (with no token left elsewhere if there is such a way)."""
    marking = tokens.marking
    if marking == Counter({SINK: 1}):
        return
    path = _silent_path(net, marking, lambda m: m[SINK] >= 1 and sum(m.values()) == 1)
    if path is None:
        path = _silent_path(net, marking, lambda m: m[SINK] >= 1)
    tokens.fire_path(path)


def replay(net: PetriNet, trace: list[str]) -> Replay:
    """Token-based replay of one case's visible activities (labels) against the net."""
    by_label: dict[str, list[Transition]] = {}
    for t in net.transitions:
        if t.label:
            by_label.setdefault(t.label, []).append(t)
    tokens = _Tokens(Counter({SOURCE: 1}))
    deviations: list[tuple[str, str]] = []
    done: set[str] = set()
    for label in trace:
        candidates = by_label.get(label)
        if not candidates:
            deviations.append(("inserted", label))
            continue
        t = next((c for c in candidates if _enabled(c, tokens.marking)), candidates[0])
        if not _enabled(t, tokens.marking):
            tokens.fire_path(_silent_path(net, tokens.marking, lambda m, t=t: _enabled(t, m)))
        if not _enabled(t, tokens.marking):
            deviations.extend(_forced(net, t, tokens, label, done))
        tokens.fire(t)
        done.add(label)
    _to_the_end(net, tokens)
    marking = tokens.marking
    lacking_sink = 0 if marking[SINK] >= 1 else 1
    remaining = sum(marking.values()) - (1 - lacking_sink)
    missing = tokens.missing + lacking_sink
    consumed = tokens.consumed + 1
    left = [p for p, n in marking.items() if n > 0 and p != SINK]
    ahead = _visible_between(net, left, Counter({SINK: 1}))
    deviations.extend(("skipped", b) for b in ahead if b not in done)
    # A step reported skipped that the case did later was done out of order.
    late = {lab for kind, lab in deviations if kind == "skipped" and lab in done}
    deviations = [
        ("out_of_order", lab) if kind == "skipped" and lab in late else (kind, lab)
        for kind, lab in deviations
    ]
    fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / tokens.produced)
    return Replay(fitness, missing, remaining, tokens.produced, consumed, deviations)


def _visible_between(net: PetriNet, starts: list[str], goal: Counter[str]) -> list[str]:
    """Visible transitions on the shortest way through the net from marked places to a goal
    place (what a case jumped over to get there); empty when the goal is not ahead."""
    queue: deque[tuple[str, list[str]]] = deque((p, []) for p in sorted(starts))
    seen = set(starts)
    while queue:
        place, passed = queue.popleft()
        if goal[place] > 0:
            return passed
        for t in net.transitions:
            if place in t.inputs:
                for out in t.outputs:
                    if out not in seen:
                        seen.add(out)
                        queue.append((out, [*passed, t.label] if t.label else passed))
    return []
