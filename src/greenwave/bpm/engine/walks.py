"""The engine's walks of a run's task tree, and the walks of Spiff's it spares.

Spiff finds the tasks it must act on by walking the whole tree from its root: after every
task that completes, for the tasks that WAIT (`Workflow.update_waiting_tasks`), and in each
round of `do_engine_steps`, for the READY tasks that are not manual. A step of a process of
user tasks has neither, mostly: the walks find nothing and change nothing, and they cost more
than the step itself (the tree grows with every task done). Here the same question is first
asked of the workflows' task dictionaries (`tasks.values()`: no tree, no UUID hashed); when
the answer is "none", the walk is not made; otherwise Spiff's own walk runs, unchanged. So
the tasks Spiff acts on and their order are Spiff's in every case: when a dictionary holds no
task of the state asked, the walk (which visits only tasks of these dictionaries) can find
none either.

`bpm/tests/conftest.py` holds every walk spared in the bpm tests to Spiff's answer (empty)."""

from __future__ import annotations

from types import MethodType
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

_FUTURE = TaskState.FUTURE
_READY = TaskState.READY
_WAITING = TaskState.WAITING


def every_task(workflow: Any) -> list[Any] | None:
    """`workflow.get_tasks(state=TaskState.ANY_MASK)` for a workflow without sub-processes
    of fewer than 1000 tasks (None for another: the caller asks Spiff). Spiff's iterator
    then lists every task, depth first, a task before its children in their order: its
    filter takes every state, its walk descends into every task (every state is at least
    MAYBE) and its limit of 1000 levels cannot be reached. Here without its per-task
    filter, sub-process lookup and depth bookkeeping."""
    return _depth_first(workflow, ready_only=False)


def nothing_to_run(workflow: Any) -> bool:
    """Whether `workflow.do_engine_steps()` would run no task: no sub-process is active and
    no task of the workflow or of a sub-process is READY with a spec that is not manual.

    Then Spiff's `do_engine_steps` walks the tree for the READY tasks, runs none of them (it
    runs those of them that are not manual), finds no new active sub-process and only
    refreshes the timers (`refresh_timers`): the caller does just that."""
    subprocesses = workflow.subprocesses
    for sub in subprocesses.values():
        if not sub.completed:  # Spiff updates an active sub-process's task after its round
            return False
    for wf in (workflow, *subprocesses.values()) if subprocesses else (workflow,):
        for task in wf.tasks.values():
            if task._state == _READY and not task.task_spec.manual:
                return False
    return True


def ready_tasks(workflow: Any) -> list[Any] | None:
    """`workflow.get_tasks(state=TaskState.READY)` for a workflow without sub-processes of
    fewer than 1000 tasks (None for another: the caller asks Spiff): its walk, depth first
    from the root, a task before its children in their order, into the children of a task
    at least FUTURE (what it descends into for a READY filter; a predicted task's children
    are not visited), without its per-task filter object, sub-process lookup and depth
    bookkeeping (its limit of 1000 levels cannot be reached)."""
    return _depth_first(workflow, ready_only=True)


def _depth_first(workflow: Any, *, ready_only: bool) -> list[Any] | None:
    """The walk of `every_task` (`ready_only=False`: every task, into every task's
    children) and of `ready_tasks` (the READY tasks, into the children of a task at least
    FUTURE); None for a workflow with sub-processes, of 1000 tasks or more, or whose tree
    names a child it does not hold (the caller asks Spiff)."""
    tasks = workflow.tasks
    if workflow.subprocesses or len(tasks) >= 1000:
        return None
    get = tasks.get
    out: list[Any] = []
    stack = [workflow.task_tree]
    while stack:
        task = stack.pop()
        if task is None:  # a child the tree does not hold: Spiff's walk says what it says
            return None
        if ready_only:
            state = task._state
            if state == _READY:
                out.append(task)
            if state < _FUTURE:
                continue  # a predicted task's children are not visited
        else:
            out.append(task)
        children = task._children
        if children:
            stack.extend([get(child) for child in reversed(children)])
    return out


def engine_round(workflow: Any, will_complete: Any, did_complete: Any) -> bool:
    """One round of Spiff's `BpmnWorkflow._do_engine_steps`: run the READY tasks that are
    not manual, listed before the first runs; True when one ran or a sub-process started
    (another round is due). For a workflow without sub-processes the list is `ready_tasks`'s
    (the same tasks in the same order) and the round is Spiff's own steps for that case (no
    sub-process to advance before it); otherwise Spiff's round itself."""
    ready = ready_tasks(workflow)
    if ready is None:
        return bool(workflow._do_engine_steps(will_complete, did_complete))
    count = 0
    for task in ready:
        if not task.task_spec.manual:
            will_complete(task)
            task.run()
            count += 1
            did_complete(task)
    return count > 0 or len(workflow.get_active_subprocesses()) > 0


def _update_waiting_tasks(workflow: Any) -> None:
    """Spiff's `update_waiting_tasks` (its walk of the tree from the root for the WAITING
    tasks, each updated as it is met), unless no task of the workflow waits: then the walk
    would meet none, and nothing is done. (Spiff's walk does not enter sub-processes: a
    sub-process's tasks are in its own dictionary.)"""
    for task in workflow.tasks.values():
        if task._state == _WAITING:
            break
    else:
        return
    BpmnWorkflow.update_waiting_tasks(workflow)


def spare_waiting_walks(workflow: Any) -> None:
    """Make `workflow` (a top workflow a run holds) skip its walk for waiting tasks when none
    waits (`_update_waiting_tasks`), as Spiff calls it after every completed task. Set on the
    object, not its class: nothing else changes, a saved state does not hold it, and the
    sub-processes keep Spiff's own (their tasks are walked from their own roots)."""
    if workflow.__class__ is BpmnWorkflow:
        workflow.update_waiting_tasks = MethodType(_update_waiting_tasks, workflow)
