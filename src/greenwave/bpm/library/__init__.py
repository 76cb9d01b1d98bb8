"""Built-in BPMN processes from the seeds, laid out into deployable BPMN files."""

from __future__ import annotations

from .claims import CLAIM_PROCESSES
from .hr import HR_PROCESSES
from .layout import Process, build
from .manager import MANAGER_PROCESSES
from .processes import LIBRARY as BASE_LIBRARY

LIBRARY = (*BASE_LIBRARY, *HR_PROCESSES, *MANAGER_PROCESSES, *CLAIM_PROCESSES)


def library_xml() -> dict[str, bytes]:
    """key → BPMN bytes of every built-in process."""
    return {process.key: build(process) for process in LIBRARY}


__all__ = ["LIBRARY", "Process", "library_xml"]
