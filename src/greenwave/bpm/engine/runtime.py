"""The SpiffWorkflow wrapper: the only module that touches Spiff types.

Callers hand in BPMN bytes and serialized states (strings) and get back plain dataclasses:
ready user tasks, waiting timers and messages, element states for the viewer overlay, the
elements the engine moved through, and the process variables. Expressions and scripts go
through `sandbox`, never through Python's eval/exec."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps
from typing import Any, Concatenate, ParamSpec, TypeVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import BpmnDataSpecificationConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.data_spec import BpmnDataStoreSpecification
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import (
    BoundaryEvent,
    EventBasedGateway,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    LoopTask,
    SequentialMultiInstanceTask,
)
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.version import __version__ as spiff_version

from . import expressions, fresh, migration, prepare, sandbox, statedump, walks
from .bpmn_xml import BpmnFileError, Unsupported, element_named_in, element_place, parse_xml
from .reasons import spiff_reason

# The state format, saved next to every state. "gw-state-2/…" (since November 2026): Spiff's
# dictionary of the workflow WITHOUT its specs (the top process spec and the sub-process
# specs); the specs come from the instance's definition, parsed once per process and cached
# (`compile_process`). The older "spiff-<version>/<Spiff serializer version>" states are
# Spiff's full serialization, specs included; they still restore, and the next save writes
# them in the new format.
STATE_FORMAT = "gw-state-2"
SERIALIZER_VERSION = f"{STATE_FORMAT}/spiff-{spiff_version}/{SPIFF_SERIALIZER_VERSION}"


class ProcessDataStore(BpmnDataStoreSpecification):
    """A BPMN data store kept inside the instance's state (one value per store id).

    Spiff runs data stores only through registered implementations; this one makes every
    store of an uploaded file executable: tasks read and write it by data associations."""

    def get(self, my_task: Any) -> None:
        stores = my_task.workflow.top_workflow.data.setdefault("data_stores", {})
        my_task.data[self.bpmn_id] = deepcopy(stores.get(self.bpmn_id))

    def set(self, my_task: Any) -> None:
        if self.bpmn_id in my_task.data:
            stores = my_task.workflow.top_workflow.data.setdefault("data_stores", {})
            stores[self.bpmn_id] = deepcopy(my_task.data.pop(self.bpmn_id))


class _EveryStore(dict[str, type]):
    """Spiff looks data stores up by name; every name is served by `ProcessDataStore`."""

    def __contains__(self, name: object) -> bool:
        return True

    def __getitem__(self, name: str) -> type:
        return ProcessDataStore


class GreenwaveBpmnParser(BpmnParser):
    DATA_STORE_CLASSES = _EveryStore()
    # A business-rule task runs like a service task: its action evaluates a DMN decision.
    OVERRIDE_PARSER_CLASSES = {full_tag("businessRuleTask"): (TaskParser, ServiceTask)}


# Spiff's default config forgets the plain ServiceTask (its spiff flavour has its own).
_CONFIG = dict(DEFAULT_CONFIG)
_CONFIG[ServiceTask] = BpmnTaskSpecConverter
_CONFIG[ProcessDataStore] = BpmnDataSpecificationConverter
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))


class _StateConverter(BpmnWorkflowConverter):
    """Spiff's workflow converter without the specs: the saved state of an instance holds
    its tasks, data and sub-workflows; the specs are re-attached from the compiled process
    (immutable once deployed) instead of being written and parsed back on every step."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        # Spiff's `WorkflowConverter.to_dict`, its task tree written by `statedump`.
        dct = statedump.workflow_dict(workflow, self.registry)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        raise EngineError("A state without specs is restored with its compiled process.")

    def restore(self, dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> Any:
        """`BpmnWorkflowConverter.from_dict` with the given specs (the same steps)."""
        from uuid import UUID

        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_STATE_CONFIG = {k: v for k, v in _CONFIG.items() if k is not BpmnWorkflow}
_STATE_CONFIG[BpmnSubWorkflow] = statedump.SubWorkflowStateConverter
_STATE_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_STATE_CONFIG))
_STATE_CONVERTER = _StateConverter(BpmnWorkflow, _STATE_SERIALIZER.registry)


def _dump_state(workflow: Any, fragments: statedump.Fragments | None = None) -> str:
    """The state to save; with `fragments` (a run's, kept between its dumps) the tasks
    that did not change are not written again (`statedump.state_text`, the same text)."""
    if fragments is not None:
        text = statedump.state_text(workflow, _STATE_SERIALIZER, fragments)
        if text is not None:
            return text
    return str(_STATE_SERIALIZER.serialize_json(workflow))


_SPIFF_WRITER: list[Callable[[Any], str]] = []


def dump_as_spiff(workflow: Any) -> str:
    """The state of `workflow` as Spiff's own converters write it (`_dump_state` writes the
    task trees itself: `statedump`); the tests hold every dump to this text."""
    if not _SPIFF_WRITER:
        config = {k: v for k, v in _CONFIG.items() if k is not BpmnWorkflow}
        _SPIFF_WRITER.append(statedump.spiff_writer(config))
    return _SPIFF_WRITER[0](workflow)


def _load_state(state: str, compiled: CompiledProcess) -> Any:
    dct = json.loads(state)
    _STATE_SERIALIZER.migrate(dct)  # Spiff's own upgrades of its older dictionaries
    return _STATE_CONVERTER.restore(dct, compiled.state_spec, compiled.state_subprocess_specs)


# A service action: (action name, task element id, process variables) -> variables to merge.
ActionHandler = Callable[[str, str, dict[str, Any]], Mapping[str, Any] | None]

_ISO_TIMER = re.compile(
    r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}(T[0-9:.+\-Z]+)?)(/P[0-9YMWDTHS.,]+)?$",
    re.IGNORECASE,
)


class EngineError(Exception):
    """A refused or failed engine operation; `element_id` names the BPMN element if known."""

    def __init__(self, message: str, *, element_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.element_id = element_id


def _normalise(expression: str) -> str:
    return prepare.normalise(expression)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """Spiff's script environment, with evaluation handed to the sandbox, or to Greenwave's
    FEEL engine for the expressions the file writes in FEEL (marked `=` in Spiff's copy)."""

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        names = {**(external_context or {}), **context}
        if expressions.is_feel(expression):
            return expressions.evaluate(expressions.feel_body(expression), names)
        text = _normalise(expression)
        if _ISO_TIMER.match(text.strip("'\"")):
            return text.strip("'\"")
        return sandbox.evaluate(text, names)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        names = {**(external_context or {}), **context}
        if script.startswith(expressions.FEEL_SCRIPT_MARK):
            head, _newline, body = script.partition("\n")
            value = expressions.evaluate(body, names)
            target = head[len(expressions.FEEL_SCRIPT_MARK) :].strip()
            if target:
                context[target] = value
            return True
        result = sandbox.execute(script, names)
        context.update({k: v for k, v in result.items() if k not in (external_context or {})})
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise EngineError("Service calls go through Greenwave's action registry.")


class SandboxScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=SandboxEnvironment())

    def validate(self, expression: str) -> None:
        prepare.validate_expression(expression)


@dataclass(frozen=True)
class CompiledProcess:
    """A process parsed once. `spec` and `subprocess_specs` are the parser's (a new instance
    starts on them, migrations are planned on them); `state_spec` and
    `state_subprocess_specs` are the same specs rebuilt by Spiff's serializer, which is
    what a saved state is restored onto — as when every state carried its own specs (the
    serializer also wires what the parser leaves to the first run, e.g. a multi-instance
    task listening for its iterations). `fresh_tree` copies the tree a new instance starts
    with, predicted once (`fresh.FreshTree`)."""

    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    state_spec: Any = None
    state_subprocess_specs: dict[str, Any] = field(default_factory=dict)
    prepared: prepare.Prepared | None = None
    fresh_tree: fresh.FreshTree | None = field(default=None, compare=False, repr=False)


def _wire_loops(specs: list[Any]) -> None:
    """Connect each loop or multi-instance task to its iterations now, as Spiff's serializer
    does, rather than on its first run: the specs are shared by every instance (and thread),
    so nothing may change them while they run."""
    for process_spec in specs:
        for task_spec in process_spec.task_specs.values():
            if not isinstance(task_spec, LoopTask):
                continue
            child = process_spec.task_specs.get(task_spec.task_spec)
            if child is not None and not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def _rebuilt(spec: Any, subprocess_specs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The specs through Spiff's serializer once (the path a full state took on restore)."""
    workflow = _SERIALIZER.deserialize_json(
        _SERIALIZER.serialize_json(BpmnWorkflow(spec, subprocess_specs))
    )
    return workflow.spec, dict(workflow.subprocess_specs)


_CACHE: dict[tuple[str, str], CompiledProcess] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def _spiff_parser(
    data: bytes, called: Mapping[str, bytes] | None = None
) -> tuple[BpmnParser, prepare.Prepared]:
    """Spiff's parser over the prepared copy of the file (and of the files of the processes
    its call activities name, when they are not in the file itself)."""
    parser = GreenwaveBpmnParser()
    root = parse_xml(data)
    prepared = prepare.prepare(root)
    parser.add_bpmn_xml(root, filename="definition.bpmn")
    for index, other in enumerate((called or {}).values()):
        other_root = parse_xml(other)
        other_prepared = prepare.prepare(other_root)
        prepared.inputs.update(other_prepared.inputs)
        prepared.outputs.update(other_prepared.outputs)
        prepared.names |= other_prepared.names
        parser.add_bpmn_xml(other_root, filename=f"called-{index}.bpmn")
    return parser, prepared


def _mapping_error(exc: Exception, element_id: str, direction: str) -> EngineError:
    return EngineError(
        f"The {direction} mapping of {element_id!r} failed: {exc}", element_id=element_id
    )


def _wire_mappings(specs: list[Any], prepared: prepare.Prepared) -> None:
    """Input mappings apply when a step becomes ready (after it took its parent's data),
    output mappings when it completes (before the next steps take its data)."""
    for process_spec in specs:
        for task_spec in process_spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if not bpmn_id or getattr(task_spec, "_gw_mapped", False):
                continue
            inputs, outputs = prepared.inputs.get(bpmn_id), prepared.outputs.get(bpmn_id)
            if inputs:
                task_spec._update_hook = _with_inputs(task_spec._update_hook, inputs, bpmn_id)
            if outputs:
                task_spec._on_complete_hook = _with_outputs(
                    task_spec._on_complete_hook, outputs, bpmn_id
                )
            task_spec._gw_mapped = True


def _with_inputs(hook: Any, mappings: list[prepare.Mapping], bpmn_id: str) -> Any:
    def update(my_task: Any) -> Any:
        ready = hook(my_task)
        if ready:
            try:
                my_task.data.update(prepare.apply_mappings(mappings, my_task.data))
            except sandbox.SandboxError as exc:
                raise _mapping_error(exc, bpmn_id, "input") from exc
        return ready

    return update


def _with_outputs(hook: Any, mappings: list[prepare.Mapping], bpmn_id: str) -> Any:
    def complete(my_task: Any) -> Any:
        try:
            my_task.data.update(prepare.apply_mappings(mappings, my_task.data))
        except sandbox.SandboxError as exc:
            raise _mapping_error(exc, bpmn_id, "output") from exc
        return hook(my_task)

    return complete


def _called_key(called: Mapping[str, bytes] | None) -> str:
    return ",".join(
        f"{k}={hashlib.sha256(v).hexdigest()}" for k, v in sorted((called or {}).items())
    )


def compile_process(
    data: bytes, process_id: str, called: Mapping[str, bytes] | None = None
) -> CompiledProcess:
    """Parse a process into Spiff specs once per file content (cached by hash). `called`:
    the files of processes its call activities name that the file does not hold."""
    key = (hashlib.sha256(data).hexdigest() + _called_key(called), process_id)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        parser, prepared = _spiff_parser(data, called)
        spec = parser.get_spec(process_id)
        subprocesses = parser.get_subprocess_specs(process_id)
        _wire_loops([spec, *subprocesses.values()])
        state_spec, state_subprocesses = _rebuilt(spec, subprocesses)
        _wire_mappings(
            [spec, *subprocesses.values(), state_spec, *state_subprocesses.values()], prepared
        )
    except ValidationException as exc:
        # Its message alone: str() appends Spiff's ". " and notes (the «.. » people saw).
        message = str(exc.args[0]) if exc.args else str(exc)
        raise EngineError(
            spiff_reason(message.split("\n")[0]), element_id=getattr(exc, "id", "")
        ) from exc
    except BpmnFileError as exc:
        raise EngineError(exc.message) from exc
    except (SpiffWorkflowException, etree.LxmlError, KeyError, AttributeError, TypeError) as exc:
        raise EngineError(f"The engine cannot read this process: {spiff_reason(str(exc))}") from exc
    compiled = CompiledProcess(
        process_id,
        spec,
        subprocesses,
        state_spec,
        state_subprocesses,
        prepared,
        fresh.FreshTree(spec, subprocesses),
    )
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = compiled
    return compiled


def called_processes(data: bytes) -> dict[str, str]:
    """Call activity id → the process id it calls (Camunda's and Zeebe's ways read)."""
    return prepare.prepare(parse_xml(data)).called


def check_executable(
    data: bytes, process_id: str, called: Mapping[str, bytes] | None = None
) -> list[Unsupported]:
    """What stops this process from running: Spiff's parse errors and refused expressions,
    scripts and mappings (FEEL or the Python-like language), one per element."""
    problems: list[Unsupported] = []
    try:
        compile_process(data, process_id, called)
    except EngineError as exc:
        root = parse_xml(data)
        element_id, tag = exc.element_id, ""
        if not element_id:
            element_id, tag = element_named_in(root, exc.message)
        tag, line = element_place(root, element_id) if element_id else (tag, 0)
        problems.append(Unsupported(element_id, tag, exc.message, line))
    problems += prepare.check(prepare.prepare(parse_xml(data)))
    return problems


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    spec_id: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WaitingTimer:
    task_id: str
    spec_id: str
    name: str
    due_at: datetime | None


@dataclass(frozen=True)
class WaitingMessage:
    task_id: str
    spec_id: str
    message_name: str


@dataclass(frozen=True)
class Move:
    spec_id: str
    name: str
    kind: str


@dataclass
class Snapshot:
    ready_tasks: list[ReadyTask]
    timers: list[WaitingTimer]
    messages: list[WaitingMessage]
    completed: bool
    variables: dict[str, Any]
    element_states: dict[str, str]
    failed: list[str] = field(default_factory=list)


def _event_definitions(spec: Any) -> list[tuple[str, Any]]:
    """(element id, event definition) a waiting task waits for. An event-based gateway holds
    the definitions of the catch events after it (in the order of its outgoing flows)."""
    definition = getattr(spec, "event_definition", None)
    if definition is None:
        return []
    if isinstance(definition, MultipleEventDefinition):
        outputs = spec.outputs if isinstance(spec, EventBasedGateway) else []
        return [
            (outputs[i].bpmn_id if i < len(outputs) else spec.bpmn_id or "", d)
            for i, d in enumerate(definition.event_definitions)
        ]
    return [(spec.bpmn_id or "", definition)]


def _error_code(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    code = getattr(code, "value", code)
    return str(code) if code else ""


def _before_run(task: Any) -> None:
    """A step of a sequential multi-instance without an output item: keep its input item
    (e.g. `reader`) out of what Spiff merges back, or the next step cannot be created."""
    parent = task.parent
    spec = parent.task_spec if parent is not None else None
    if (
        isinstance(spec, SequentialMultiInstanceTask)
        and spec.output_item is None
        and spec.input_item is not None
        and task.task_spec.name == spec.task_spec
    ):
        task.data.pop(spec.input_item.bpmn_id, None)


class _CaughtError(Exception):
    """A failed step whose error a boundary error event catches (handled in `advance`)."""

    def __init__(self, task: Any, catcher: Any, code: str, message: str) -> None:
        super().__init__(message)
        self.task, self.catcher, self.code, self.message = task, catcher, code, message


def _json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key.startswith("_") or key == "data_objects":
            continue
        if isinstance(value, str | int | float | bool | type(None) | list | dict):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _timer_due(task: Any) -> datetime | None:
    value = task._get_internal_data("event_value")
    if value is None:
        try:
            task.task_spec.event_definition.has_fired(task)
        except Exception:
            return None
        value = task._get_internal_data("event_value")
    if isinstance(value, str):
        try:
            moment: datetime = TimerEventDefinition.get_datetime(value)
            return moment
        except ValueError:
            try:
                _cycles, start, _duration = TimerEventDefinition.parse_iso_recurring_interval(value)
                return start if isinstance(start, datetime) else None
            except Exception:
                return None
    return None


# The overlay's state of a task's element by the task's state (other states show nothing),
# and which wins when several tasks of one element differ.
_ELEMENT_STATE = {
    TaskState.COMPLETED: "done",
    TaskState.ERROR: "failed",
    TaskState.READY: "active",
    TaskState.STARTED: "active",
    TaskState.WAITING: "waiting",
}
_ELEMENT_RANK = {"done": 0, "waiting": 1, "active": 2, "failed": 3}

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _changes_run(
    method: Callable[Concatenate[ProcessRun, _P], _R],
) -> Callable[Concatenate[ProcessRun, _P], _R]:
    """A `ProcessRun` method that changes the workflow: the tasks walked before it are
    forgotten when it begins and when it ends (also when it raises)."""

    @wraps(method)
    def changing(self: ProcessRun, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        self._walked = None
        try:
            return method(self, *args, **kwargs)
        finally:
            self._walked = None

    return changing


class ProcessRun:
    """One process instance in memory between a restore and a dump.

    The reading methods (ready tasks, timers, messages, element states…) filter one walk of
    the task tree (`_tasks`), kept until a method that changes the run (`_changes_run`):
    Spiff walks the whole tree again for each of its `get_tasks` calls, and a step asked it
    seven times; a run kept between steps (the services' run cache) answers the next step's
    first questions from the walk of the previous one."""

    def __init__(
        self,
        workflow: Any,
        *,
        actions: ActionHandler | None = None,
        service_actions: Mapping[str, str] | None = None,
    ) -> None:
        self.workflow = workflow
        walks.spare_waiting_walks(workflow)
        self.actions = actions
        self.service_actions = dict(service_actions or {})
        self.moves: list[Move] = []
        self._walked: list[Any] | None = None
        self._fragments = statedump.Fragments()
        self.workflow.script_engine = SandboxScriptEngine()

    @classmethod
    def start(
        cls,
        compiled: CompiledProcess,
        *,
        variables: Mapping[str, Any] | None = None,
        actions: ActionHandler | None = None,
        service_actions: Mapping[str, str] | None = None,
    ) -> ProcessRun:
        if compiled.fresh_tree is not None:
            workflow = compiled.fresh_tree.workflow(SandboxScriptEngine())
        else:
            workflow = BpmnWorkflow(
                compiled.spec, compiled.subprocess_specs, script_engine=SandboxScriptEngine()
            )
        run = cls(workflow, actions=actions, service_actions=service_actions)
        start_task = workflow.get_next_task(state=TaskState.READY)
        if start_task is not None:
            start_task.set_data(**dict(variables or {}))
        workflow.data.update(dict(variables or {}))
        run.advance()
        return run

    @classmethod
    def restore(
        cls,
        state: str,
        serializer_version: str,
        *,
        compiled: CompiledProcess | Callable[[], CompiledProcess] | None = None,
        actions: ActionHandler | None = None,
        service_actions: Mapping[str, str] | None = None,
    ) -> ProcessRun:
        """A saved state back in memory. A state of the current format needs the compiled
        process of the instance's definition (or a callable returning it); an older
        Spiff-only state carries its own specs. Spiff upgrades its older dictionaries itself;
        we only refuse formats we do not know."""
        try:
            if serializer_version.startswith(f"{STATE_FORMAT}/"):
                if callable(compiled):
                    compiled = compiled()
                if compiled is None:
                    raise EngineError("This process state needs its compiled process.")
                workflow = _load_state(state, compiled)
            elif serializer_version.startswith("spiff-"):
                workflow = _SERIALIZER.deserialize_json(state)
            else:
                raise EngineError(f"Unknown serializer version {serializer_version!r}.")
        except EngineError:
            raise
        except Exception as exc:
            raise EngineError(f"The saved process state cannot be read: {exc}") from exc
        return cls(workflow, actions=actions, service_actions=service_actions)

    def dump(self) -> str:
        """The state to save, in the format `SERIALIZER_VERSION` names (without specs)."""
        return _dump_state(self.workflow, self._fragments)

    # -- advancing ---------------------------------------------------------------------------

    def _will_complete(self, task: Any) -> None:
        _before_run(task)
        action = self.service_actions.get(task.task_spec.bpmn_id or "")
        if action and self.actions is not None:
            try:
                result = self.actions(action, task.task_spec.bpmn_id, dict(task.data))
            except Exception as exc:
                code = _error_code(exc)
                catcher = self._error_catcher(task, code)
                if catcher is not None:
                    raise _CaughtError(task, catcher, code, str(exc)) from exc
                task._set_state(TaskState.ERROR)
                raise EngineError(str(exc), element_id=task.task_spec.bpmn_id) from exc
            if result:
                task.set_data(**dict(result))

    def _did_complete(self, task: Any) -> None:
        spec = task.task_spec
        if isinstance(spec, ServiceTask) and task.state == TaskState.STARTED:
            task.complete()  # our actions are synchronous; Spiff's plain one waits otherwise
        if spec.bpmn_id:
            self.moves.append(Move(spec.bpmn_id, spec.bpmn_name or "", type(spec).__name__))

    def _error_catcher(self, task: Any, code: str) -> Any | None:
        """The waiting boundary error event that catches `code` thrown by `task`: one attached
        to the task itself, else to the sub-process or call activity around it, outwards."""
        current = task
        while current is not None:
            parent = current.parent
            if parent is not None and isinstance(parent.task_spec, BoundaryEventSplit):
                for sibling in parent.children:
                    spec = sibling.task_spec
                    definition = getattr(spec, "event_definition", None)
                    if (
                        isinstance(spec, BoundaryEvent)
                        and sibling.state == TaskState.WAITING
                        and isinstance(definition, ErrorEventDefinition)
                        and (definition.code or "") in ("", code)
                    ):
                        return sibling
            workflow = current.workflow
            current = (
                None
                if workflow is self.workflow
                else self.workflow.get_task_from_id(workflow.parent_task_id)
            )
        return None

    def _route_error(self, caught: _CaughtError) -> None:
        """The failed step does not run; the boundary error event fires with the error."""
        spec = caught.task.task_spec
        self.moves.append(Move(spec.bpmn_id or "", spec.bpmn_name or "", "Error"))
        caught.task.cancel()
        catcher = caught.catcher
        event = BpmnEvent(
            ErrorEventDefinition(catcher.task_spec.event_definition.name, code=caught.code or None),
            payload={"error_code": caught.code, "error_message": caught.message},
        )
        catcher.task_spec.catch(catcher, event)
        catcher.task_spec._update(catcher)

    def _engine_steps(self) -> None:
        """Spiff's `do_engine_steps` (rounds until one runs nothing, then the timers), its
        rounds by `walks.engine_round`; a round that would find nothing to run is not made
        (`walks.nothing_to_run`: it would change nothing and end the rounds)."""
        workflow = self.workflow
        while not walks.nothing_to_run(workflow):
            if not walks.engine_round(workflow, self._will_complete, self._did_complete):
                break
        workflow.refresh_timers()

    @_changes_run
    def advance(self) -> None:
        try:
            while True:
                try:
                    self._engine_steps()
                except _CaughtError as caught:
                    self._route_error(caught)
                    continue
                break
        except EngineError:
            raise
        except SpiffWorkflowException as exc:
            task = getattr(exc, "task", None)
            element = task.task_spec.bpmn_id if task is not None else ""
            raise EngineError(_spiff_message(exc), element_id=element or "") from exc
        except sandbox.SandboxError as exc:
            raise EngineError(str(exc)) from exc
        except (TypeError, ValueError, LookupError, AttributeError) as exc:
            # Spiff trips over process data of the wrong shape (a multi-instance step over a
            # variable that is missing or not a list): the step fails, the server does not.
            raise _data_error(exc) from exc

    def _task(self, task_id: str) -> Any:
        from uuid import UUID

        try:
            task = self.workflow.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, SpiffWorkflowException):
            task = None
        if task is None:
            raise EngineError("This step is not part of the process any more.")
        return task

    @_changes_run
    def complete_user_task(self, task_id: str, data: Mapping[str, Any]) -> None:
        task = self._task(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise EngineError("This task is not waiting for completion.")
        task.set_data(**dict(data))
        _before_run(task)
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise EngineError(_spiff_message(exc), element_id=task.task_spec.bpmn_id) from exc
        self._did_complete(task)
        self.advance()

    @_changes_run
    def fire_timer(self, task_id: str) -> bool:
        """Fire the timer now (our Timer row says it is due); False if it already went."""
        task = self._task(task_id)
        if task.state != TaskState.WAITING:
            return False
        definition = task.task_spec.event_definition
        if isinstance(definition, MultipleEventDefinition):  # an event-based gateway
            timer = next(
                d for d in definition.event_definitions if isinstance(d, TimerEventDefinition)
            )
            seen = task.internal_data.get("seen_events", [])
            task._set_internal_data(seen_events=[*seen, BpmnEvent(timer)])
        else:
            task._set_internal_data(event_fired=True)
        task.task_spec._update(task)
        self.advance()
        return True

    @_changes_run
    def deliver_message(self, name: str, payload: Mapping[str, Any]) -> bool:
        waiting = self.waiting_messages()
        if not any(m.message_name == name for m in waiting):
            return False
        event = BpmnEvent(MessageEventDefinition(name), payload=dict(payload))
        self.workflow.catch(event)
        self.advance()
        return True

    @_changes_run
    def cancel(self) -> None:
        self.workflow.cancel()

    def plan_migration(
        self, target: CompiledProcess, mapping: Mapping[str, str] | None = None
    ) -> migration.MigrationPlan:
        """What moving this instance onto `target` would do (nothing is changed)."""
        return migration.plan_migration(
            self.workflow, target.spec, target.subprocess_specs, dict(mapping or {})
        )

    @_changes_run
    def migrate(
        self, target: CompiledProcess, mapping: Mapping[str, str] | None = None
    ) -> migration.MigrationPlan:
        """Re-attach the instance to `target`'s specs; refused (unchanged) if not allowed."""
        plan = self.plan_migration(target, mapping)
        self._fragments.clear()  # the tasks are changed in place, then restored anew
        if not plan.allowed:
            names = ", ".join(p.element_id for p in plan.problems)
            raise EngineError(f"The instance cannot move to this version: {names}.")
        try:
            migration.apply_migration(
                self.workflow, target.spec, target.subprocess_specs, plan.mapping
            )
            # Through the serializer once: the state must load, and Spiff reconnects the
            # callbacks of running sub-processes to the new specs as on every restore.
            self.workflow = _load_state(_dump_state(self.workflow), target)
            walks.spare_waiting_walks(self.workflow)
        except (SpiffWorkflowException, KeyError, AttributeError, TypeError, ValueError) as exc:
            raise EngineError(f"The engine cannot move this instance: {exc}") from exc
        self.workflow.script_engine = SandboxScriptEngine()
        return plan

    @_changes_run
    def retry_failed(self) -> list[str]:
        retried: list[str] = []
        for task in self.workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
            retried.append(task.task_spec.bpmn_id or "")
        self.advance()
        return retried

    # -- reading -----------------------------------------------------------------------------

    def _tasks(self) -> list[Any]:
        """Every task of the run, sub-processes' included, in Spiff's own order (depth
        first): the tasks `get_tasks(state=…)` lists for a READY or WAITING filter are these
        in the same order (Spiff only skips the children of predicted tasks, which are
        predicted as well). Walked once until the run changes (`_changes_run`)."""
        if self._walked is None:
            walked = walks.every_task(self.workflow)
            if walked is None:
                walked = self.workflow.get_tasks(state=TaskState.ANY_MASK)
            self._walked = walked
        return self._walked

    def _ready_manual(self) -> list[Any]:
        """`get_tasks(state=READY, manual=True)` with a BPMN id: the user tasks to do."""
        ready = TaskState.READY
        return [
            t
            for t in self._tasks()
            if t._state == ready and t.task_spec.manual and t.task_spec.bpmn_id
        ]

    def _waiting(self) -> list[Any]:
        waiting = TaskState.WAITING
        return [t for t in self._tasks() if t._state == waiting]

    def ready_user_tasks(self) -> list[ReadyTask]:
        return [
            ReadyTask(
                str(t.id),
                t.task_spec.bpmn_id,
                t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                _json_safe(t.data),
            )
            for t in self._ready_manual()
        ]

    def ready_task_ids(self) -> set[str]:
        """The ids of `ready_user_tasks()` alone (no data copied): what a step changed in the
        task inbox is the difference of these before and after it."""
        return {str(t.id) for t in self._ready_manual()}

    def waiting_timers(self) -> list[WaitingTimer]:
        out = []
        for t in self._waiting():
            if not isinstance(t.task_spec, CatchingEvent):
                continue
            for element, definition in _event_definitions(t.task_spec):
                if isinstance(definition, TimerEventDefinition):
                    name = t.task_spec.bpmn_name or ""
                    out.append(WaitingTimer(str(t.id), element, name, _timer_due(t)))
                    break  # one timer row per waiting task
        return out

    def waits_for_events(self) -> bool:
        """Whether any task waits (for a timer, a message, a join…): a cheap test that tells
        the services there are no timers or messages to mirror."""
        return bool(self._waiting())

    def waiting_messages(self) -> list[WaitingMessage]:
        out: list[WaitingMessage] = []
        for t in self._waiting():
            out.extend(
                WaitingMessage(str(t.id), element, definition.name)
                for element, definition in _event_definitions(t.task_spec)
                if isinstance(definition, MessageEventDefinition)
            )
        return out

    def task_data(self, task_id: str) -> dict[str, Any] | None:
        """One task's data, with a multi-instance step's own item (`reader`) that `variables`
        merges away (the loop's last wins there); None when the task has left the run."""
        try:
            task = self._task(task_id)
        except EngineError:
            return None
        return _json_safe(task.data)

    def variables(self) -> dict[str, Any]:
        if self.workflow.completed:
            return _json_safe(self.workflow.data)
        data: dict[str, Any] = dict(self.workflow.data)
        tasks = [t for t in self._tasks() if t.state in (TaskState.READY, TaskState.WAITING)]
        if not tasks:  # (Spiff's walk for COMPLETED skips what waits: not the same tasks)
            tasks = self.workflow.get_tasks(state=TaskState.COMPLETED)[-1:]
        for task in tasks:
            data.update(task.data)
        return _json_safe(data)

    def element_states(self) -> dict[str, str]:
        """Per BPMN element: done, active, waiting or failed (for the viewer overlay)."""
        states: dict[str, str] = {}
        walks = [
            self._tasks(),
            *(wf.get_tasks(state=TaskState.ANY_MASK) for wf in self.workflow.subprocesses.values()),
        ]
        label, rank = _ELEMENT_STATE.get, _ELEMENT_RANK
        for tasks in walks:
            for t in tasks:
                state = label(t._state)
                if state is None:
                    continue
                bpmn_id = t.task_spec.bpmn_id
                if not bpmn_id:
                    continue
                if rank[state] >= rank[states.get(bpmn_id, "done")]:
                    states[bpmn_id] = state
        return states

    def snapshot(self) -> Snapshot:
        states = self.element_states()
        return Snapshot(
            ready_tasks=self.ready_user_tasks(),
            timers=self.waiting_timers(),
            messages=self.waiting_messages(),
            completed=bool(self.workflow.completed),
            variables=self.variables(),
            element_states=states,
            failed=[k for k, v in states.items() if v == "failed"],
        )


def _data_error(exc: Exception) -> EngineError:
    """Name the step whose process data Spiff could not use (the innermost `my_task`)."""
    spec: Any = None
    trace = exc.__traceback__
    while trace is not None:
        task = trace.tb_frame.f_locals.get("my_task")
        spec = getattr(task, "task_spec", spec)
        trace = trace.tb_next
    element = str(getattr(spec, "bpmn_id", "") or "")
    collection = getattr(getattr(spec, "data_input", None), "bpmn_id", None)
    if collection:
        message = (
            f"The step {getattr(spec, 'bpmn_name', None) or element!r} runs once per item of "
            f"the variable {collection!r}, which must be a list (it is missing or not a list)."
        )
    else:
        message = f"The step {element!r} cannot use the process data: {type(exc).__name__}: {exc}"
    return EngineError(message, element_id=element)


def _spiff_message(exc: Exception) -> str:
    text = str(exc).split("\n")[0].strip()
    inner: BaseException | None = exc.__cause__ or exc.__context__
    while inner is not None and not isinstance(inner, sandbox.SandboxError):
        inner = inner.__cause__ or inner.__context__
    if inner is None:
        return text
    return str(inner) if str(inner) in text else f"{text} {inner}"


def utc_now() -> datetime:
    return datetime.now(UTC)
