"""The engine's reasons in the reader's language, at display time.

The engine (`bpm/engine/`) is Django-free, so it writes its reasons (an element it cannot run,
a refused file, an incident) in plain English, and they are stored as written; each one it
writes is listed here with its translation. A reason not listed is shown as the engine wrote
it."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from greenwave.core.reasons import translated_reason


def _engine_messages() -> list[tuple[re.Pattern[str], str]]:
    """The engine's reasons (it is Django-free, so it writes English) and their translations;
    a reason not listed here is shown as the engine wrote it."""
    return (
        _compensation_and_feel_messages()
        + _element_messages()
        + _parse_messages()
        + _file_messages()
    )


def _compensation_and_feel_messages() -> list[tuple[re.Pattern[str], str]]:
    """What the engine says of compensation, and FEEL's errors."""
    return [
        (
            re.compile(
                r"^compensation is not executable: SpiffWorkflow 3 cannot undo completed steps$"
            ),
            _(
                "compensation is not executable: the engine (SpiffWorkflow 3) cannot undo "
                "completed steps"
            ),
        ),
        (
            re.compile(
                r"^a compensation handler: SpiffWorkflow 3 cannot undo completed steps "
                r"\(compensation is not executable\)$"
            ),
            _("a compensation handler: the engine (SpiffWorkflow 3) cannot undo completed steps"),
        ),
        (
            re.compile(r"^FEEL syntax error in (?P<text>.+): (?P<error>.+?)\.?$", re.S),
            _("FEEL syntax error in %(text)s: %(error)s."),
        ),
        (
            re.compile(r"^FEEL error in (?P<text>.+?): (?P<error>.+?)\.?$", re.S),
            _("FEEL error in %(text)s: %(error)s."),
        ),
        (
            re.compile(r"^The FEEL expression is empty\.$"),
            _("The FEEL expression is empty."),
        ),
    ]


def _element_messages() -> list[tuple[re.Pattern[str], str]]:
    """Why an element cannot run here (scripts, mappings, called processes, multi-instance
    items, decisions), and a failed mapping."""
    return [
        (
            re.compile(
                r"^a script in (?P<format>.+) cannot run here; write it in FEEL or in "
                r"Greenwave's Python-like language$"
            ),
            _(
                "a script in %(format)s cannot run here; write it in FEEL or in Greenwave's "
                "Python-like language"
            ),
        ),
        (
            re.compile(
                r"^the (?P<kind>inputParameter|outputParameter) (?P<name>.+) is a script, list or "
                r"map; only expressions and text are supported$"
            ),
            _(
                "the mapping %(name)s is a script, list or map; only expressions and text are "
                "supported"
            ),
        ),
        (
            re.compile(
                r"^the called process is chosen by an expression \((?P<text>.+)\); name its key$"
            ),
            _("the called process is chosen by an expression (%(text)s); name its key"),
        ),
        (
            re.compile(
                r"^the items of this multi-instance step must be one variable "
                r"\(inputCollection =name\), not (?P<text>.+)$"
            ),
            _(
                "the items of this multi-instance step must be one variable (inputCollection "
                "=name), not %(text)s"
            ),
        ),
        (
            re.compile(
                r"^a business-rule task needs the key of a decision \(gw:decision, "
                r"camunda:decisionRef or zeebe:calledDecision\)$"
            ),
            _(
                "a business-rule task needs the key of a decision (gw:decision, "
                "camunda:decisionRef or zeebe:calledDecision)"
            ),
        ),
        (
            re.compile(
                r"^The (?P<direction>input|output) mapping of (?P<element>.+?) failed: "
                r"(?P<error>.+)$",
                re.S,
            ),
            _("A mapping of %(element)s failed: %(error)s"),
        ),
    ]


def _parse_messages() -> list[tuple[re.Pattern[str], str]]:
    """SpiffWorkflow's parse errors as the engine words them (`engine/reasons.py`), and what
    Greenwave itself finds when it reads the file."""
    plain = {
        "the process has no start event": _("the process has no start event"),
        "this flow leaves an exclusive gateway without a condition and is not its default flow": _(
            "this flow leaves an exclusive gateway without a condition and is not its default flow"
        ),
        "the conditional event has no condition": _("the conditional event has no condition"),
        "the call activity does not name the process it calls (calledElement)": _(
            "the call activity does not name the process it calls (calledElement)"
        ),
        "a sub-process needs an end event": _("a sub-process needs an end event"),
        "the engine cannot run this kind of element": _(
            "the engine cannot run this kind of element"
        ),
        "the timer has no date, duration or cycle": _("the timer has no date, duration or cycle"),
        "the event names a message, signal, error or escalation the file does not define": _(
            "the event names a message, signal, error or escalation the file does not define"
        ),
        "a multi-instance step needs either a number of items or a collection, one of them": _(
            "a multi-instance step needs either a number of items or a collection, one of them"
        ),
        "a loop step needs a maximum or a condition": _(
            "a loop step needs a maximum or a condition"
        ),
        "complex gateways are not executable": _("complex gateways are not executable"),
        "ad-hoc sub-processes are not executable": _("ad-hoc sub-processes are not executable"),
    }
    return [(re.compile(f"^{re.escape(k)}$"), v) for k, v in plain.items()] + [
        (
            re.compile(r"^a sub-process needs exactly one start event; it has (?P<n>\d+)$"),
            _("a sub-process needs exactly one start event; it has %(n)s"),
        ),
        (
            re.compile(r"^the process (?P<id>\S+) is not marked executable$"),
            _("the process %(id)s is not marked executable"),
        ),
        (
            re.compile(r"^the timer's time cannot be read: (?P<error>.+)$", re.S),
            _("the timer's time cannot be read: %(error)s"),
        ),
        (
            re.compile(r"^the data association (?P<id>\S+) names no data object or data store$"),
            _("the data association %(id)s names no data object or data store"),
        ),
        (
            re.compile(r"^the message event (?P<id>\S*) names no message$"),
            _("the message event %(id)s names no message"),
        ),
        (
            re.compile(r"^the process id (?P<id>\S+) is used twice$"),
            _("the process id %(id)s is used twice"),
        ),
        (
            re.compile(
                r"^the flow's (?P<end>sourceRef|targetRef) (?P<ref>.+) names no element "
                r"of the process$"
            ),
            _("the flow's %(end)s %(ref)s names no element of the process"),
        ),
        (
            re.compile(r"^the timer date (?P<text>.+) is past$"),
            _("the timer date %(text)s is past"),
        ),
        (re.compile(r"^unknown action (?P<name>.+)$"), _("unknown action %(name)s")),
        (
            re.compile(r"^The engine cannot read this process: (?P<error>.+)$", re.S),
            _("The engine cannot read this process: %(error)s"),
        ),
    ]


def _file_messages() -> list[tuple[re.Pattern[str], str]]:
    """Why a file is refused before it is stored (`engine.BpmnFileError`)."""
    return [
        (
            re.compile(r"^The file is larger than (?P<mb>\d+) MB\.$"),
            _("The file is larger than %(mb)s MB."),
        ),
        (
            re.compile(r"^Document type declarations (and entities )?are not allowed\.$"),
            _("Document type declarations and entities are not allowed."),
        ),
        (
            re.compile(r"^The file is not well-formed XML: (?P<error>.+?)\.?$", re.S),
            _("The file is not well-formed XML: %(error)s."),
        ),
        (
            re.compile(r"^This is not a BPMN 2\.0 file: the root must be bpmn:definitions\.$"),
            _("This is not a BPMN 2.0 file: the root must be bpmn:definitions."),
        ),
        (
            re.compile(r"^Element ids must be unique; duplicated: (?P<ids>.+?)\.$"),
            _("Element ids must be unique; duplicated: %(ids)s."),
        ),
        (re.compile(r"^The file has no bpmn:process\.$"), _("The file has no bpmn:process.")),
        (
            re.compile(
                r"^Form field (?P<name>.+) of (?P<task>\S+) has an unknown type (?P<type>.+); "
                r"use one of: (?P<types>.+?)\.$"
            ),
            _(
                "Form field %(name)s of %(task)s has an unknown type %(type)s; use one of: "
                "%(types)s."
            ),
        ),
        (
            re.compile(r"^Form field name (?P<name>.+) of (?P<task>\S+) must be an identifier\.$"),
            _("Form field name %(name)s of %(task)s must be an identifier."),
        ),
    ]


def reason_text(text: object) -> str:
    """An unsupported-element reason or an incident as the engine wrote it, in the reader's
    language when it is one the engine writes (FEEL's own details stay as they are)."""
    value = str(text or "")
    translated = translated_reason(
        value,
        _engine_messages(),
        fill=lambda name, group: reason_text(group) if name == "error" else group,
    )
    return value if translated is None else translated
