"""Built-in BPMN processes from the seeds, declared as data (`specs`: the *.toml files here)
and laid out into deployable BPMN files (`layout`)."""

from __future__ import annotations

from .layout import Process, build
from .specs import read_library

LIBRARY = read_library()
PROCESSES = {process.key: process for process in LIBRARY}


def library_xml() -> dict[str, bytes]:
    """key → BPMN bytes of every built-in process."""
    return {process.key: build(process) for process in LIBRARY}


def process_xml(key: str) -> bytes:
    """The BPMN bytes of the built-in process `key`."""
    return build(PROCESSES[key])


__all__ = ["LIBRARY", "PROCESSES", "Process", "library_xml", "process_xml"]
