"""One English text, one Russian wording, across every app's Russian catalog.

Django merges the apps' catalogs into one per language, and the first app in INSTALLED_APPS
wins a msgid that several declare: a second wording in another app's catalog is never shown,
and its app's pages read the first app's words instead (the model «order» of the orders app
read «порядок», the crm's sort order). A text that means two things gets a msgctxt (pgettext);
the same thing is worded once."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib
from django.utils import translation

from greenwave.activities.models import Activity, ActivityKind
from greenwave.core.models import Event
from greenwave.orders.models import Order
from greenwave.sales.models import Stage

SRC = Path(__file__).resolve().parents[2]  # src/greenwave

# (msgctxt, msgid) → why two wordings of it are meant. Keep it empty unless a difference is
# truly intended (a djangojs catalog, served on its own, could be one).
INTENDED: dict[tuple[str | None, str], str] = {}


def _wordings() -> dict[tuple[str | None, str], dict[str, list[str]]]:
    found: dict[tuple[str | None, str], dict[str, list[str]]] = defaultdict(dict)
    catalogs = sorted(SRC.glob("*/locale/ru/LC_MESSAGES/*.po"))
    assert catalogs, "no Russian catalogs found"
    for path in catalogs:
        where = f"{path.parts[-5]}/{path.name}"
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            if entry.msgid_plural:
                wording = " | ".join(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))
            else:
                wording = entry.msgstr
            found[(entry.msgctxt, entry.msgid)].setdefault(wording, []).append(where)
    return found


def test_one_msgid_has_one_russian_wording_in_every_catalog() -> None:
    clashes = [
        f"{(ctx + ' | ') if ctx else ''}{msgid!r}: "
        + "; ".join(f"«{wording}» in {', '.join(apps)}" for wording, apps in wordings.items())
        for (ctx, msgid), wordings in sorted(_wordings().items(), key=lambda kv: str(kv[0]))
        if len(wordings) > 1 and (ctx, msgid) not in INTENDED
    ]
    assert not clashes, (
        "one msgid, several wordings (word it once, or give each meaning a msgctxt):\n"
        + "\n".join(clashes)
    )


def test_the_intended_differences_still_exist() -> None:
    wordings = _wordings()
    stale = [key for key in INTENDED if len(wordings.get(key, {})) < 2]
    assert stale == []


def test_the_merged_catalog_gives_each_meaning_its_own_word() -> None:
    """Through Django's one merged catalog: the order model is «заказ» while a sort order stays
    «порядок»; the activities' «дело» is not the event log's «действие»."""
    with translation.override("ru"):
        assert str(Order._meta.verbose_name) == "заказ"
        assert str(Stage._meta.get_field("order").verbose_name) == "порядок"
        assert str(Activity._meta.verbose_name) == "дело"
        assert str(Event._meta.get_field("activity").verbose_name) == "действие"
        assert str(ActivityKind.NOTE.label) == "Заметка"
