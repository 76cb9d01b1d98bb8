"""SpiffWorkflow's parse errors in Greenwave's words: one plain English reason per known
validation message (the display translates them, `bpm.reasons`), never Spiff's own joiner
(`str()` of its exceptions appends ". " and its notes, which left «.. » and «. .» behind)."""

from __future__ import annotations

import re

# Spiff's message (its start, as a pattern) → Greenwave's reason; `{0}`… are the groups.
_KNOWN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No start event found"), "the process has no start event"),
    (
        re.compile(r"^Non-default exclusive outgoing sequence flow without condition"),
        "this flow leaves an exclusive gateway without a condition and is not its default flow",
    ),
    (
        re.compile(r"^Conditional event definition with missing condition"),
        "the conditional event has no condition",
    ),
    (
        re.compile(r'^No "calledElement" attribute for Call Activity'),
        "the call activity does not name the process it calls (calledElement)",
    ),
    (
        re.compile(r"^Exactly one start event is required in a SubWorkflow Task; found (\d+)"),
        "a sub-process needs exactly one start event; it has {0}",
    ),
    (re.compile(r"^A SubWorkflow Must contain an End event"), "a sub-process needs an end event"),
    (
        re.compile(r"^There is no support implemented for this task type"),
        "the engine cannot run this kind of element",
    ),
    (re.compile(r"^Process (\S+) is not executable"), "the process {0} is not marked executable"),
    (re.compile(r"^Unknown Time Specification"), "the timer has no date, duration or cycle"),
    (
        re.compile(r"^Time Specification Error\.\s*(.*)$", re.S),
        "the timer's time cannot be read: {0}",
    ),
    (
        re.compile(r"^Cannot resolve data(Input|Output)Association (\S+)"),
        "the data association {1} names no data object or data store",
    ),
    (
        re.compile(r"^Could not find messageRef from message event definition: (\S*)"),
        "the message event {0} names no message",
    ),
    (
        re.compile(r"^.*raise_validation_exception\(\) got an unexpected keyword argument"),
        "the event names a message, signal, error or escalation the file does not define",
    ),
    (
        re.compile(r"^A multiinstance task must specify (a cardinality|exactly one)"),
        "a multi-instance step needs either a number of items or a collection, one of them",
    ),
    (
        re.compile(r"^A loopMaximum or loopCondition must be specified"),
        "a loop step needs a maximum or a condition",
    ),
    (re.compile(r"^Duplicate process ID: (\S+)"), "the process id {0} is used twice"),
]


def spiff_reason(message: str) -> str:
    """Spiff's validation message as Greenwave's reason; an unknown one with its punctuation
    tidied (no trailing «. », no doubled full stops)."""
    text = re.sub(r"\.(\s*\.)+", ".", message).rstrip(". \n")
    for pattern, reason in _KNOWN:
        found = pattern.match(text)
        if found:
            return reason.format(*found.groups())
    return text.strip()
