"""The BPM engine boundary: the only package that imports SpiffWorkflow (DESIGN.md §3).

The rest of Greenwave sees bytes, strings and the plain dataclasses re-exported here.
"""

from .bpmn_xml import (
    GW_NS,
    MAX_BPMN_BYTES,
    BpmnDocument,
    BpmnFileError,
    Unsupported,
    element_ids,
    iso_duration,
    parse_xml,
    read_document,
    serialize,
)
from .expressions import ExpressionError
from .expressions import evaluate as feel_evaluate
from .expressions import to_python as feel_value
from .migration import MigrationPlan, MigrationStep
from .runtime import (
    SERIALIZER_VERSION,
    ActionHandler,
    CompiledProcess,
    EngineError,
    Move,
    ProcessRun,
    ReadyTask,
    Snapshot,
    WaitingMessage,
    WaitingTimer,
    called_processes,
    check_executable,
    compile_process,
)
from .sandbox import SandboxError

__all__ = [
    "GW_NS",
    "MAX_BPMN_BYTES",
    "SERIALIZER_VERSION",
    "ActionHandler",
    "BpmnDocument",
    "BpmnFileError",
    "CompiledProcess",
    "EngineError",
    "ExpressionError",
    "MigrationPlan",
    "MigrationStep",
    "Move",
    "ProcessRun",
    "ReadyTask",
    "SandboxError",
    "Snapshot",
    "Unsupported",
    "WaitingMessage",
    "WaitingTimer",
    "called_processes",
    "check_executable",
    "compile_process",
    "element_ids",
    "feel_evaluate",
    "feel_value",
    "iso_duration",
    "parse_xml",
    "read_document",
    "serialize",
]
