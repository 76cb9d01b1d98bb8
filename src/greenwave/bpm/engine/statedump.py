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
every step."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge

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
        parent_id = task._parent
        parent = tasks.get(parent_id)  # `task.parent`
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
            parent_text = text.get(parent_id) or str(parent_id)
        task_id = task.id
        out[text[key]] = {
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
    return out


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
