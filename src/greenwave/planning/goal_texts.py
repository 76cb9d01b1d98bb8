"""A suggested goal in the reader's language, at display time.

A suggestion (selectors.suggestions) becomes an item whose goal is stored in the words of the
language its author had then, e.g. «Звонок: …»; a reader with another language sees the same
goal in theirs. Only a goal that is one of those texts is re-worded, with its own values (the
task's subject as written, the stage by its name in the reader's language); a goal the
manager typed is shown as typed."""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext

from greenwave.sales.models import Stage

# The suggestions' own words (their msgids, marked in selectors.suggestions).
SUGGESTED = (
    "Finish the overdue task: %(s)s",
    "Call: %(s)s",
    "Move the deal “%(d)s” past the stage “%(s)s”",
    "Get back in touch with the client",
)
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pattern(text: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(text)
    # split() alternates literal text and placeholder names: literal, name, literal, …
    body = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+)" for i, part in enumerate(parts)
    )
    return re.compile(body + r"\Z", re.DOTALL)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found += [(msgid, _pattern(gettext(msgid))) for msgid in SUGGESTED]
    return tuple(found)


def _stage_label(name: str) -> str:
    stage = Stage.objects.filter(Q(name=name) | Q(name_en=name)).first()
    return stage.label if stage is not None else name


def goal_label(goal: str) -> str:
    """`goal` in the active language when it is a suggestion's text, else as typed."""
    for msgid, pattern in _patterns():
        match = pattern.match(goal)
        if match is None:
            continue
        values = match.groupdict()
        if "d" in values:
            values["s"] = _stage_label(values["s"])
        return gettext(msgid) % values if values else gettext(msgid)
    return goal
