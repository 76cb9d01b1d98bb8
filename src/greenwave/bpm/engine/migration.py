"""Moving a running instance onto another version of its process.

Allowed when every element the instance is at — ready and started tasks (a running
sub-process or call activity counts), waiting timers and message catches, a failed step —
exists in the target version under the same id (or the id an explicit mapping names) with the
same kind of task and, for events, the same kind of event; the sub-process a running
sub-process or call activity executes must exist in the target as well. Anything else is a
refusal that names the element, and the state is not touched.

The swap keeps the task tree: every task keeps its id, state, data and internal data (a
waiting timer keeps its due moment); tasks are re-attached to the target's specs by id;
finished tasks whose element no longer exists are folded out of the tree (their children
move up to their parent — the event log keeps the history); everything the instance has not
reached yet is dropped and predicted again from the target, so a step added after the
current one is where the token goes next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
NOT_REACHED = TaskState.FUTURE | TaskState.PREDICTED_MASK

# Problem codes (the services turn them into sentences).
MISSING = "missing"
KIND_CHANGED = "kind_changed"
EVENT_CHANGED = "event_changed"
SUBPROCESS_MISSING = "subprocess_missing"
UNKNOWN_SOURCE = "unknown_source"


@dataclass(frozen=True)
class MigrationStep:
    """One element the instance is at, and where it lands in the target version."""

    element_id: str
    name: str
    kind: str
    state: str  # active, waiting or failed
    target_id: str
    target_kind: str = ""
    problem: str = ""


@dataclass
class MigrationPlan:
    steps: list[MigrationStep]
    added: list[str] = field(default_factory=list)  # target elements the source lacks
    removed: list[str] = field(default_factory=list)  # source elements the target lacks
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[MigrationStep]:
        return [s for s in self.steps if s.problem]

    @property
    def allowed(self) -> bool:
        return not self.problems


def target_name(name: str, mapping: Mapping[str, str]) -> str:
    """A spec name in the target: the mapped id, also for Spiff's derived names
    (`review.BoundaryEventSplit`, `items [child]`)."""
    if name in mapping:
        return mapping[name]
    for old, new in mapping.items():
        if name.startswith((f"{old}.", f"{old} [")):
            return new + name[len(old) :]
    return name


def _kind(spec: Any) -> str:
    return type(spec).__name__


def _event_kind(spec: Any) -> str:
    definition = getattr(spec, "event_definition", None)
    return type(definition).__name__ if definition is not None else ""


def _state_name(task: Any) -> str:
    if task.has_state(TaskState.ERROR):
        return "failed"
    if task.has_state(TaskState.WAITING):
        return "waiting"
    return "active"


def _bpmn_ids(spec: Any) -> set[str]:
    return {s.bpmn_id for s in spec.task_specs.values() if getattr(s, "bpmn_id", None)}


def _workflows(top: Any) -> list[Any]:
    """The top workflow, then sub-workflows, parents before children."""
    subs = sorted(top.subprocesses.values(), key=lambda sp: sp.depth)
    return [top, *subs]


def _targets(
    top: Any, spec: Any, subprocess_specs: Mapping[str, Any], mapping: Mapping[str, str]
) -> dict[int, Any]:
    """id(workflow) -> its spec in the target version (None: the sub-process is gone)."""
    targets: dict[int, Any] = {id(top): spec}
    for wf in _workflows(top)[1:]:
        parent = top.get_task_from_id(wf.parent_task_id)
        parent_target = targets.get(id(parent.workflow)) if parent is not None else None
        task_spec = (
            parent_target.task_specs.get(target_name(parent.task_spec.name, mapping))
            if parent_target is not None
            else None
        )
        name = getattr(task_spec, "spec", None)
        targets[id(wf)] = subprocess_specs.get(name) if isinstance(name, str) else None
    return targets


def plan_migration(
    top: Any, spec: Any, subprocess_specs: Mapping[str, Any], mapping: Mapping[str, str]
) -> MigrationPlan:
    """What a migration would do; nothing is changed."""
    mapping = {top.spec.name: spec.name, **dict(mapping)}
    targets = _targets(top, spec, subprocess_specs, mapping)
    source_ids = _bpmn_ids(top.spec) | {
        i for s in top.subprocess_specs.values() for i in _bpmn_ids(s)
    }
    target_ids = _bpmn_ids(spec) | {i for s in subprocess_specs.values() for i in _bpmn_ids(s)}
    steps = [
        MigrationStep(old, "", "", "", mapping[old], problem=UNKNOWN_SOURCE)
        for old in sorted(set(mapping) - source_ids - {top.spec.name})
    ]
    by_element: dict[str, MigrationStep] = {}
    for wf in _workflows(top):
        target = targets[id(wf)]
        for task in wf.get_tasks(state=ACTIVE, skip_subprocesses=True):
            old_spec = task.task_spec
            new_name = target_name(old_spec.name, mapping)
            new_spec = target.task_specs.get(new_name) if target is not None else None
            problem, target_kind = "", ""
            if new_spec is None:
                problem = MISSING
            else:
                target_kind = _kind(new_spec)
                if _kind(old_spec) != target_kind:
                    problem = KIND_CHANGED
                elif _event_kind(old_spec) != _event_kind(new_spec):
                    problem = EVENT_CHANGED
                elif (
                    isinstance(new_spec, SubWorkflowTask)
                    and task.id in top.subprocesses
                    and new_spec.spec not in subprocess_specs
                ):
                    problem = SUBPROCESS_MISSING
            element = old_spec.bpmn_id or old_spec.name.split(".")[0].split(" [")[0]
            if not old_spec.bpmn_id and not problem:
                continue  # Spiff's own joins and splits: listed only when they block
            step = MigrationStep(
                element_id=element,
                name=old_spec.bpmn_name or "",
                kind=_kind(old_spec),
                state=_state_name(task),
                target_id=target_name(element, mapping) if new_spec is not None else "",
                target_kind=target_kind,
                problem=problem,
            )
            # One line per element (a multi-instance task and its instances share the id):
            # a problem wins, then the line that carries the element's name.
            seen = by_element.get(element)
            if seen is None or (problem and not seen.problem) or not (seen.problem or seen.name):
                by_element[element] = step
    steps.extend(by_element.values())
    mapped_source = {target_name(i, mapping) for i in source_ids}
    return MigrationPlan(
        steps=steps,
        added=sorted(target_ids - mapped_source),
        removed=sorted(i for i in source_ids if target_name(i, mapping) not in target_ids),
        mapping={k: v for k, v in mapping.items() if k != top.spec.name},
    )


def _fold(wf: Any, task: Any) -> None:
    """Take a finished task out of the tree; its children move up to its parent."""
    parent = task.parent
    children = list(task._children)
    if parent is None:
        return
    at = parent._children.index(task.id)
    parent._children[at : at + 1] = children
    for child_id in children:
        wf.tasks[child_id]._parent = parent.id
    wf.tasks.pop(task.id)
    if wf.last_task is task:
        wf.last_task = parent


def _drop_subprocess(top: Any, wf: Any) -> None:
    for child in [sp for sp in top.subprocesses.values() if sp.parent_workflow is wf]:
        _drop_subprocess(top, child)
    top.subprocesses.pop(wf.parent_task_id, None)


def apply_migration(
    top: Any, spec: Any, subprocess_specs: Mapping[str, Any], mapping: Mapping[str, str]
) -> None:
    """Swap the specs under the task tree (the caller checked `plan_migration` first)."""
    mapping = {top.spec.name: spec.name, **dict(mapping)}
    targets = _targets(top, spec, subprocess_specs, mapping)
    workflows = _workflows(top)
    for wf in workflows:
        target = targets[id(wf)]
        if target is None:
            if wf is not top and not wf.get_tasks(state=ACTIVE):
                _drop_subprocess(top, wf)
            continue
        # What the instance has not reached yet is predicted again from the target.
        for task in list(wf.get_tasks(state=ACTIVE, skip_subprocesses=True)):
            for child in list(task.children):
                if child.has_state(NOT_REACHED) and not child.triggered:
                    wf._remove_task(child.id)
        wf.spec = target
        for task in list(wf.tasks.values()):
            new_spec = target.task_specs.get(target_name(task.task_spec.name, mapping))
            if new_spec is not None:
                task.task_spec = new_spec
            elif task.has_state(TaskState.FINISHED_MASK):
                if task.id in top.subprocesses:
                    _drop_subprocess(top, top.subprocesses[task.id])
                _fold(wf, task)
            else:
                wf._remove_task(task.id)
    top.subprocess_specs = dict(subprocess_specs)
    for wf in _workflows(top):
        for task in list(wf.get_tasks(state=ACTIVE, skip_subprocesses=True)):
            task.task_spec._predict_hook(task)
            task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
