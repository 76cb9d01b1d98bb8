"""Reasons that a Django-free library writes in plain English (the process engine, feeldmn),
shown in the reader's language: each app lists the sentences its library writes as patterns
with their translations, and one lookup fills the translation with what the pattern read."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

Catalogue = Iterable[tuple[re.Pattern[str], str]]


def translated_reason(
    text: str, catalogue: Catalogue, *, fill: Callable[[str, str], str] | None = None
) -> str | None:
    """The translation of the first pattern in `catalogue` that matches `text`, filled with
    its named groups (each passed through `fill(name, value)` where given); None when no
    pattern matches, and the caller shows the text as it was written."""
    for pattern, translated in catalogue:
        found = pattern.match(text)
        if found:
            groups = found.groupdict()
            if fill is not None:
                groups = {name: fill(name, value) for name, value in groups.items()}
            return translated % groups if groups else translated
    return None
