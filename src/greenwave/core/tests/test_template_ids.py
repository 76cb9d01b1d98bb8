"""Ids in templates are never grouped by thousands.

`USE_THOUSAND_SEPARATOR` shows 1713 as «1 713»: right for amounts, wrong for an id in a link
(`?responsible=1 713` filters nothing), a hidden input (`item=1 713` is refused) or a data
attribute the kanban posts back. Found when PostgreSQL's sequences passed 1 000 in a test
run: every id a template writes into a value, a query string or a data attribute goes
through `|unlocalize`.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]
ID_IN_MARKUP = re.compile(
    r'value="\{\{ [a-z_.]*(?:pk|_id|id|version)\b[^}|]*\}\}"'
    r"|[?&;][a-z_]+=\{\{ [a-z_.]*(?:pk|_id|id)\b[^}|]*\}\}"
    r'|data-(?!testid)[a-z-]+="\{\{ [a-z_.]*(?:pk|_id|id)\b[^}|]*\}\}"'
)


def test_no_template_writes_an_id_that_the_locale_would_group() -> None:
    found = [
        f"{path.relative_to(SRC)}: {match.group(0)}"
        for path in sorted(SRC.rglob("templates/**/*.html"))
        for match in ID_IN_MARKUP.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "add |unlocalize:\n" + "\n".join(found)


def test_unlocalize_keeps_a_large_id_whole(settings) -> None:
    from django.template import Context, Template
    from django.utils import translation

    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override("ru"):
        grouped = Template("{{ pk }}").render(Context({"pk": 1713}))
        whole = Template("{% load l10n %}{{ pk|unlocalize }}").render(Context({"pk": 1713}))
    assert grouped != "1713"  # what the bug looked like
    assert whole == "1713"
