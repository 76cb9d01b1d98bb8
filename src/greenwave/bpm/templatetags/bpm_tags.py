"""Template filters of the bpm pages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django import template
from django.utils.translation import gettext as _

from greenwave.accounts.models import RoleCode
from greenwave.core.durations import duration_text

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """A waiting time as `2 d 3 h`, `3 h 5 min` or `4 min`."""
    return duration_text(None if value is None else value.total_seconds())


@register.filter
def role_label(code: str) -> str:
    """A role code as its readable name (`lawyer` → «Юрист»)."""
    return str(RoleCode(code).label) if code in RoleCode.values else code


@register.filter
def local_url(value: object) -> str:
    """A link taken from process variables, only if it stays on this site (`/…`, not `//…`):
    variables can be typed through the API, so a `javascript:` link must never be rendered."""
    text = str(value or "")
    return text if text.startswith("/") and not text.startswith("//") else ""


@register.simple_tag
def subject_links(instances: Any) -> dict[int, Any]:
    """The records of a page of process runs as links: `{% subject_links page.object_list as
    links %}` then `links|subject_of:i.pk`."""
    from greenwave.bpm.selectors import subject_links as links_of

    return links_of(list(instances))


@register.filter
def subject_of(links: dict[int, Any], pk: int) -> Any:
    return links.get(pk)


def _engine_messages() -> list[tuple[re.Pattern[str], str]]:
    """The engine's reasons (it is Django-free, so it writes English) and their translations;
    a reason not listed here is shown as the engine wrote it."""
    return _compensation_and_feel_messages() + _element_messages()


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


@register.filter
def engine_message(text: object) -> str:
    """An unsupported-element reason or an incident as the engine wrote it, in the reader's
    language when it is one the engine writes (FEEL's own details stay as they are)."""
    value = str(text or "")
    for pattern, template_text in _engine_messages():
        found = pattern.match(value)
        if found:
            groups = {
                k: engine_message(v) if k == "error" else v for k, v in found.groupdict().items()
            }
            return template_text % groups if groups else template_text
    return value


# -- the built-in processes in the reader's language (bpm.library.texts) ----------------------


@register.filter
def process_name(definition: Any) -> str:
    """A process definition's name (a built-in process in the reader's language)."""
    from greenwave.bpm.library.texts import library_text

    return library_text(str(definition.key), str(definition.name))


@register.filter
def task_name(task: Any) -> str:
    """A task's name (of a built-in process: in the reader's language)."""
    from greenwave.bpm.library.texts import library_text

    return library_text(str(task.instance.definition.key), str(task.name))


@register.filter
def library_text(text: Any, key: Any) -> str:
    """`text|library_text:key`: a text of the process `key` in the reader's language."""
    from greenwave.bpm.library.texts import library_text as text_of

    return text_of(str(key or ""), str(text or ""))
