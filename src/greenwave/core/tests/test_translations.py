"""Every user-visible string has a Russian translation: the test fails on any new one.

It runs `makemessages` on a copy of the sources (so the repository is untouched) and reads the
refreshed catalogs: an empty or fuzzy entry is an untranslated string.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2]  # src/greenwave
MANAGE = SRC.parents[1] / "manage.py"


@pytest.mark.skipif(shutil.which("msgmerge") is None, reason="gettext is not installed")
def test_every_string_has_a_russian_translation(tmp_path: Path) -> None:
    copy = tmp_path / "greenwave"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    untranslated: list[str] = []
    apps = sorted(p.parent for p in copy.glob("*/locale"))
    assert apps, "no locale folders found"
    for app in apps:
        subprocess.run(
            [sys.executable, str(MANAGE), "makemessages", "-l", "ru", "--no-location", "-v", "0"],
            cwd=app,
            check=True,
        )
        catalog = polib.pofile(str(app / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
        untranslated += [
            f"{app.name}: {entry.msgid!r}"
            for entry in catalog
            if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
        ]
    assert not untranslated, "untranslated strings:\n" + "\n".join(untranslated)
