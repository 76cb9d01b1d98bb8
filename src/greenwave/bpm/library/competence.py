"""The checklist of the competence assessment (seed 002), read from its forms in
`manager.toml`: the scores (1–5) the head gives a manager's calls and meetings. A score under
`WEAK_BELOW` is a weak competence: the process then asks for a development plan, and the
holdups page lists it (`bpm.selectors.competence_results`)."""

from __future__ import annotations

from . import PROCESSES
from .layout import Field, Process

WEAK_BELOW = 3


def _scores(process: Process, task: str) -> tuple[Field, ...]:
    (node,) = [n for n in process.nodes if n.id == task]
    return tuple(f for f in node.form if f.type == "integer" and f.max)


COMPETENCE_ASSESSMENT = PROCESSES["competence_assessment"]
CALL_CHECKLIST = _scores(COMPETENCE_ASSESSMENT, "rate_calls")
MEETING_CHECKLIST = _scores(COMPETENCE_ASSESSMENT, "rate_meetings")
CHECKLIST = CALL_CHECKLIST + MEETING_CHECKLIST
