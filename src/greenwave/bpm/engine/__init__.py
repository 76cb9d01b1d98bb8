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
from .migration import MigrationPlan, MigrationStep
from .runtime import (
    SERIALIZER_VERSION,
    ActionHandler,
    EngineError,
    Move,
    ProcessRun,
    ReadyTask,
    Snapshot,
    WaitingMessage,
    WaitingTimer,
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
    "EngineError",
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
    "check_executable",
    "compile_process",
    "element_ids",
    "iso_duration",
    "parse_xml",
    "read_document",
    "serialize",
]
