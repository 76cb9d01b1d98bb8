"""A warning of an import kept as its message and parameters, and put in the reader's language
when it is shown: an import runs in the language of whoever (or whatever, the 1C exchange)
started it, and its log is read later by others."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

# A stored note: {"message": the English msgid, "params": its %-parameters}.
Note = dict[str, Any]


def note(message: str, params: dict[str, Any]) -> Note:
    """`message` is marked with `gettext_noop` where it is written (so that the catalog has it)."""
    return {"message": message, "params": {k: _plain(v) for k, v in params.items()}}


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) else str(value)


def note_text(value: Any) -> str:
    """A note in the active language; a warning stored as text (before notes) as it is."""
    if isinstance(value, dict) and "message" in value:
        text = gettext(str(value["message"]))
        try:
            return text % value.get("params", {})
        except (KeyError, TypeError, ValueError):
            return str(value["message"]) % value.get("params", {})
    return str(value)
