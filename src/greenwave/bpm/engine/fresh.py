"""A new instance's task tree, predicted once per process and copied for every start.

Spiff's `Workflow.__init__` makes the root task (FUTURE), predicts the whole tree from it
(`TaskSpec._predict`: a task for every spec reachable, with its state), logs
`Initialized workflow` and makes the root READY. The prediction reads nothing but the specs
(and each task's state, which it sets itself): the start's variables are set on the root
after it, so every new instance of a process gets the same tree, and a start spent about a
third of its engine time making it again.

`FreshTree` keeps that tree's shape — per task its spec, state and the positions of its
parent and children, in the order Spiff created them (`workflow.tasks`'s order, which the
saved state follows) — and `workflow` builds a new workflow from it: new task ids
(`uuid4`, as Spiff draws them), empty data, the current time and thread id, then Spiff's own
`_ready()` of the root. Only the ids and times differ from Spiff's own tree, as they differ
between any two of Spiff's. Whenever Spiff would log something here (`spiff.workflow` or
`spiff.task` at INFO or below), or the tree is not of the plain kind this copies (a task
with data, internal data, a trigger, a thread id of its own, or attributes this module does
not know: another Spiff), Spiff builds the workflow itself.

`bpm/tests/test_fresh_tree.py` holds the copy to Spiff's tree for every process the tests
ship."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any
from uuid import uuid4

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# What `Task.__init__` sets (SpiffWorkflow 3.x); a task with anything else is not copied.
_TASK_ATTRIBUTES = frozenset(
    (
        "id",
        "workflow",
        "_parent",
        "_children",
        "_state",
        "triggered",
        "task_spec",
        "thread_id",
        "data",
        "internal_data",
        "last_state_change",
    )
)
_WORKFLOW_LOG = logging.getLogger("spiff.workflow")
_TASK_LOG = logging.getLogger("spiff.task")

# One task of the tree: (spec, state, parent's position or -1, children's positions).
Shape = tuple[Any, int, int, tuple[int, ...]]


def spiff_logs() -> bool:
    """Whether Spiff would log a record while it builds a workflow (then it builds it)."""
    return _WORKFLOW_LOG.isEnabledFor(logging.INFO) or _TASK_LOG.isEnabledFor(logging.INFO)


def predicted(spec: Any, subprocess_specs: dict[str, Any]) -> list[Shape] | None:
    """The shape of the tree Spiff's `Workflow.__init__` predicts for `spec` (its steps
    before the log record and `_ready()`), or None if it is not one `FreshTree` copies."""
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    pool = Task.thread_id_pool
    root = Task(workflow, spec.start, state=TaskState.FUTURE)
    workflow.task_tree = root
    root.task_spec._predict(root, mask=TaskState.NOT_FINISHED_MASK)
    position = {uid: index for index, uid in enumerate(workflow.tasks)}
    shape: list[Shape] = []
    for task in workflow.tasks.values():
        if (
            task.__class__ is not Task
            or set(vars(task)) != _TASK_ATTRIBUTES
            or task.data
            or task.internal_data
            or task.triggered
            or task.thread_id != pool
            or (task._parent is None) != (task is root)
        ):
            return None
        parent = -1 if task._parent is None else position[task._parent]
        shape.append(
            (task.task_spec, task._state, parent, tuple(position[c] for c in task._children))
        )
    return shape


class FreshTree:
    """The predicted tree of one process (top spec and its sub-process specs), made on the
    first start that may use it and kept with the compiled process (the specs are shared
    and never change once compiled)."""

    def __init__(self, spec: Any, subprocess_specs: dict[str, Any]) -> None:
        self.spec = spec
        self.subprocess_specs = subprocess_specs
        self._shape: list[Shape] | None = None
        self._made = False
        self._lock = threading.Lock()

    def shape(self) -> list[Shape] | None:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._shape = predicted(self.spec, self.subprocess_specs)
                    self._made = True
        return self._shape

    def workflow(self, script_engine: Any) -> Any:
        """A new workflow of the process, as `BpmnWorkflow(spec, subprocess_specs,
        script_engine=script_engine)` makes it."""
        shape = None if spiff_logs() else self.shape()
        if shape is None:
            return BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=script_engine)
        workflow = BpmnWorkflow(
            self.spec, self.subprocess_specs, script_engine=script_engine, deserializing=True
        )
        ids = [uuid4() for _ in shape]
        tasks = workflow.tasks
        now, pool, new = time.time(), Task.thread_id_pool, Task.__new__
        for uid, (task_spec, state, parent, children) in zip(ids, shape, strict=True):
            task = new(Task)
            task.id = uid
            task.workflow = workflow
            task._parent = ids[parent] if parent >= 0 else None
            task._children = [ids[c] for c in children]
            task._state = state
            task.triggered = False
            task.task_spec = task_spec
            task.thread_id = pool
            task.data = {}
            task.internal_data = {}
            task.last_state_change = now
            tasks[uid] = task
        workflow.task_tree = tasks[ids[0]]
        workflow.task_tree._ready()
        return workflow
