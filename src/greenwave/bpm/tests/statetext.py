"""A saved state's text without what differs between any two runs of Spiff's own: the task
ids (named by their order of appearance), the times of the state changes and the moments
written (a timer's due time counts from its start)."""

from __future__ import annotations

import re

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r'"last_state_change": [-+0-9.eE]+')
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def normalised(text: str) -> str:
    names: dict[str, str] = {}
    text = _UUID.sub(lambda m: names.setdefault(m.group(), f"task-{len(names)}"), text)
    return _MOMENT.sub("<moment>", _TIME.sub('"last_state_change": 0', text))
