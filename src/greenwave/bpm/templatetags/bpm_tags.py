"""Template filters of the bpm pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from greenwave.accounts.models import RoleCode
from greenwave.bpm.reasons import reason_text
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


@register.simple_tag(takes_context=True)
def carried_paper(context: template.Context, instance: Any) -> Any:
    """The paper a run carries as a link for the reader: `{% carried_paper instance as paper %}`."""
    from greenwave.bpm.selectors import carried_paper as paper_of

    return paper_of(actor=context["request"].user, instance=instance)


@register.simple_tag
def subject_links(instances: Any) -> dict[int, Any]:
    """The records of a page of process runs as links: `{% subject_links page.object_list as
    links %}` then `links|subject_of:i.pk`."""
    from greenwave.bpm.selectors import subject_links as links_of

    return links_of(list(instances))


@register.simple_tag(takes_context=True)
def task_subject_links(context: Any, tasks: Any) -> dict[int, Any]:
    """The records of a page of tasks' processes, by instance id, as the reader may see them:
    `{% task_subject_links page.object_list as links %}` then `links|subject_of:t.instance_id`."""
    from greenwave.bpm.selectors import subject_links as links_of

    return links_of([task.instance for task in tasks], actor=context["request"].user)


@register.filter
def subject_of(links: dict[int, Any], pk: int) -> Any:
    return links.get(pk)


@register.filter
def engine_message(text: object) -> str:
    """An unsupported-element reason or an incident as the engine wrote it, in the reader's
    language when it is one the engine writes (FEEL's own details stay as they are)."""
    return reason_text(text)


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
