"""The task trees of a saved state, written by Greenwave: the dictionaries Spiff's converters
(`WorkflowConverter`, `BpmnSubWorkflowConverter`, `TaskConverter`) make — key for key, value
for value, in the same order, so `json.dumps` writes the same text and the state format
(`runtime.STATE_FORMAT`) is unchanged; restoring is still Spiff's own code.

Why: Spiff's dump dispatches every task through its registry (a typename lookup, a
`functools.partial`, a `dict.update` for the typename), reads `task.parent` — a lookup by
UUID, hashed in Python — four times a task, and formats each task's UUID about four times
(its key, its id, as a child, as a parent). Here each id is formatted once per dump and the
parent looked up once. `bpm/tests/test_state_format.py` holds the dumps of both writers
equal, text for text, for every process of the library and of the conformance suite, after
every step.

`state_text` writes the same text from fragments a run keeps between its dumps
(`Fragments`): a task whose text cannot have changed since the last dump is not converted
and encoded again (see `Fragments`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
)
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

_updated_keys = DeepMerge.get_updated_keys
_deleted_keys = DeepMerge.get_deleted_keys


def tasks_dict(workflow: Any, registry: Any) -> dict[str, Any]:
    """`mapping_to_dict(workflow.tasks)` as Spiff's registry writes it in its encoder mode
    (`serialize_json`): each `Task` as `TaskConverter.to_dict` plus its typename. A task of
    another class (none in Spiff 3.x) goes through the registry as before."""
    tasks = workflow.tasks
    text = {key: str(key) for key in tasks}
    convert = registry.convert
    out: dict[str, Any] = {}
    for key, task in tasks.items():
        if task.__class__ is not Task:
            out[text[key]] = convert(task)
            continue
        out[text[key]] = task_dict(task, tasks.get(task._parent), text, convert)
    return out


def task_dict(
    task: Any, parent: Any, text: Mapping[Any, str] | Names, convert: Any
) -> dict[str, Any]:
    """`TaskConverter.to_dict(task)` plus its typename; `parent` is `task.parent`, `text`
    the formatted ids known (others are formatted here)."""
    if parent is None:
        data, delta = task.data, {}
        parent_text = None
    else:
        # Only what differs from the parent's data (Spiff's delta, the same two calls).
        data = {}
        delta = {
            "updates": _updated_keys(parent.data, task.data),
            "deletions": _deleted_keys(parent.data, task.data),
        }
        parent_id = task._parent
        parent_text = text.get(parent_id) or str(parent_id)
    task_id = task.id
    return {
        "id": text.get(task_id) or str(task_id),
        "parent": parent_text,
        "children": [text.get(child) or str(child) for child in task._children],
        "last_state_change": task.last_state_change,
        "state": task._state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": convert(task.internal_data),
        "data": data,
        "delta": delta,
        "typename": "Task",
    }


class Names:
    """The text of each task id a run's dumps wrote, by the id object itself: `str(UUID)`
    and `hash(UUID)` are Python code, and a dump writes each id three or four times (its
    key, its id, as a parent, as a child). A task keeps its id object for its life, and
    its parent and children hold the same objects; an id object the run dropped stays
    referenced here, so its `id()` cannot name another object meanwhile."""

    __slots__ = ("known",)

    def __init__(self) -> None:
        self.known: dict[int, tuple[Any, str]] = {}

    def get(self, uid: Any) -> str:
        known = self.known.get(id(uid))
        if known is not None and known[0] is uid:
            return known[1]
        text = str(uid)
        self.known[id(uid)] = (uid, text)
        return text

    def forget_beyond(self, count: int) -> None:
        """Start afresh when more ids are known than `count` (dropped tasks' ids)."""
        if len(self.known) > count:
            self.known = {}


_FINAL = TaskState.COMPLETED | TaskState.CANCELLED
# id(task) -> (task, mark, children, final, parent task, the text `"key": value`)
_Entries = dict[int, tuple[Any, tuple[Any, ...], list[Any], bool, Any, str]]


class Fragments:
    """The text of each task at a run's last dump, with what it was written from, so that
    the next dump of the same run writes again only the tasks that may have changed.

    A task's text is Spiff's dictionary of it: its ids, state, time of its last state
    change, spec, `triggered`, children, internal data, and its data as a delta from its
    parent's. Every state change sets a new `last_state_change` (`Task._set_state`), so a
    text is reused only when the task object, its state and that time, its spec, parent,
    `triggered` flag and children are what they were — and then:

    - `final`: the task and its parent (if any) had finished (COMPLETED or CANCELLED)
      when the text was written. Spiff changes the data of a task only while it runs: a
      finished task's data, internal data and its parent's data no longer change (a
      reset or a loop gives the task a new state, a migration makes a new workflow).
    - otherwise: the task had no data and no internal data, nor had its parent data (a
      predicted or waiting task, most of a tree): the text is reused while all three are
      still empty.

    The tests (`bpm/tests/conftest.py`) hold every dump a run writes this way to Spiff's
    own writer's text, step after step, for every bpm test and the conformance runs."""

    __slots__ = ("entries", "names")

    def __init__(self) -> None:
        self.entries: _Entries = {}
        self.names = Names()

    def clear(self) -> None:
        self.entries = {}
        self.names = Names()


def _mark(task: Any) -> tuple[Any, ...]:
    return (task._state, task.last_state_change, task.task_spec, task._parent, task.triggered)


def _tasks_text(
    workflow: Any, registry: Any, encode: Any, fragments: Fragments, kept: _Entries
) -> str:
    """`tasks_dict(workflow)` encoded, reusing the texts in `fragments`; the texts that
    hold for the next dump go into `kept`."""
    tasks = workflow.tasks
    entries, names = fragments.entries, fragments.names
    convert = registry.convert
    parts: list[str] = []
    for key, task in tasks.items():
        ident = id(task)
        entry = entries.get(ident)
        if (
            entry is not None
            and entry[0] is task
            and entry[1] == _mark(task)
            and entry[2] == task._children
            and (
                entry[3]
                or not (task.data or task.internal_data or (entry[4] is not None and entry[4].data))
            )
        ):
            kept[ident] = entry
            parts.append(entry[5])
            continue
        key_text = names.get(key)
        if task.__class__ is not Task:
            parts.append(f'"{key_text}": {encode(convert(task))}')
            continue
        parent = tasks.get(task._parent)
        fragment = f'"{key_text}": {encode(task_dict(task, parent, names, convert))}'
        parts.append(fragment)
        final = task._state & _FINAL != 0 and (parent is None or parent._state & _FINAL != 0)
        if final or not (task.data or task.internal_data or (parent is not None and parent.data)):
            kept[ident] = (task, _mark(task), list(task._children), final, parent, fragment)
    return "{" + ", ".join(parts) + "}"


_LITERALS = {True: "true", False: "false", None: "null"}


def _literal(value: Any, encode: Any) -> str:
    """`encode(value)`, without the encoder for True, False and None."""
    if value is True or value is False or value is None:
        return _LITERALS[value]
    return str(encode(value))


def _converted(value: Any, registry: Any, encode: Any, empty: str) -> str:
    """`encode(registry.convert(registry.clean(value)))`; for an empty plain dict or list
    (a workflow's data, its events, most of the time) its text without the encoder."""
    if not value and value.__class__ in (dict, list):
        return empty
    return str(encode(registry.convert(registry.clean(value))))


def _workflow_text(
    workflow: Any, registry: Any, encode: Any, fragments: Fragments, kept: _Entries
) -> list[str]:
    """`workflow_dict(workflow)`'s items encoded, each as `"key": value` (a UUID's text
    needs no escaping)."""
    names = fragments.names
    last_task = workflow.last_task
    last_text = "null" if last_task is None else f'"{names.get(last_task.id)}"'
    correlations = workflow.correlations
    empty = type(correlations) is dict and not correlations
    return [
        f'"data": {_converted(workflow.data, registry, encode, "{}")}',
        f'"correlations": {"{}" if empty else encode(correlations)}',
        f'"last_task": {last_text}',
        f'"success": {_literal(workflow.success, encode)}',
        f'"completed": {_literal(workflow.completed, encode)}',
        f'"tasks": {_tasks_text(workflow, registry, encode, fragments, kept)}',
        f'"root": "{names.get(workflow.task_tree.id)}"',
    ]


# Per serializer: (the serializer, its encoder's `encode`, the state's last two items).
_ENCODING: dict[int, tuple[Any, Any, str]] = {}


def _encoding(serializer: Any) -> tuple[Any, str]:
    """The serializer's encoder (one: it keeps no state between calls) and the text of the
    items every state ends with: the workflow's typename and the serializer's version."""
    known = _ENCODING.get(id(serializer))
    if known is None or known[0] is not serializer:
        encode = serializer._encoder_cls().encode
        typename = encode(serializer.registry.typenames[BpmnWorkflow])
        version = f"{encode(serializer.VERSION_KEY)}: {encode(serializer.VERSION)}"
        known = (serializer, encode, f'"typename": {typename}, {version}')
        _ENCODING[id(serializer)] = known
    return known[1], known[2]


def state_text(workflow: Any, serializer: Any, fragments: Fragments) -> str | None:
    """`serializer.serialize_json(workflow)` for the state converter (`runtime`'s
    `_StateConverter`: `workflow_dict`, then the sub-workflows, the events, the typename
    the registry adds and the serializer's version), its parts encoded one by one with the
    serializer's encoder — the same text, as JSON's encoder writes a value nested the way
    it writes it alone — and the tasks from `fragments`, which are brought up to date.
    None for a workflow of another class (the caller writes it the usual way)."""
    registry = serializer.registry
    subtype = registry.typenames.get(BpmnSubWorkflow)
    if workflow.__class__ is not BpmnWorkflow or any(
        sub.__class__ is not BpmnSubWorkflow for sub in workflow.subprocesses.values()
    ):
        return None
    encode, tail = _encoding(serializer)
    kept: _Entries = {}
    registry._encoder_mode = True
    try:
        parts = _workflow_text(workflow, registry, encode, fragments, kept)
        subs = []
        for key, sub in workflow.subprocesses.items():
            items = _workflow_text(sub, registry, encode, fragments, kept)
            items.append(f'"parent_task_id": {encode(str(sub.parent_task_id))}')
            items.append(f'"spec": {encode(sub.spec.name)}')
            items.append(f'"typename": {encode(subtype)}')
            subs.append(f"{encode(str(key))}: {{{', '.join(items)}}}")
        parts.append(f'"subprocesses": {{{", ".join(subs)}}}')
        parts.append(f'"bpmn_events": {_converted(workflow.bpmn_events, registry, encode, "[]")}')
        parts.append(tail)
    finally:
        registry._encoder_mode = False
    fragments.entries = kept
    count = len(workflow.tasks) + sum(len(sub.tasks) for sub in workflow.subprocesses.values())
    fragments.names.forget_beyond(4 * count + 256)
    return "{" + ", ".join(parts) + "}"


def workflow_dict(workflow: Any, registry: Any) -> dict[str, Any]:
    """`WorkflowConverter.to_dict` (the part a top workflow and a sub-process share)."""
    last_task = workflow.last_task
    return {
        "data": registry.convert(registry.clean(workflow.data)),
        "correlations": workflow.correlations,
        "last_task": str(last_task.id) if last_task is not None else None,
        "success": workflow.success,
        "completed": workflow.completed,
        "tasks": tasks_dict(workflow, registry),
        "root": str(workflow.task_tree.id),
    }


class SubWorkflowStateConverter(BpmnSubWorkflowConverter):
    """Spiff's sub-process converter (restoring unchanged), its dictionary written here."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct = workflow_dict(workflow, self.registry)
        dct["parent_task_id"] = str(workflow.parent_task_id)
        dct["spec"] = workflow.spec.name
        return dct


class _SpiffStateConverter(BpmnWorkflowConverter):
    """The state converter as it was before this module: Spiff's `WorkflowConverter.to_dict`
    itself, without the specs (see `runtime._StateConverter`)."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def spiff_writer(config: dict[Any, Any]) -> Callable[[Any], str]:
    """A state's JSON as Spiff's own converters write it, from the serializer `config`
    (without its workflow converter): what the tests hold every dump of ours to."""
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
    _SpiffStateConverter(BpmnWorkflow, serializer.registry)

    def write(workflow: Any) -> str:
        return str(serializer.serialize_json(workflow))

    return write
