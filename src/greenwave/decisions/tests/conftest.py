from __future__ import annotations

from pathlib import Path

import pytest

from greenwave.decisions.services import LIBRARY_DIR


def library_xml(key: str) -> bytes:
    return (LIBRARY_DIR / f"{key}.dmn").read_bytes()


def overlapping_xml() -> bytes:
    """A UNIQUE table whose rules 1 and 2 both match an order of 500."""
    return (Path(__file__).parent / "files" / "overlap.dmn").read_bytes()


def broken_xml() -> bytes:
    """The discount table with a FEEL syntax error in rule 2, column 3 (order volume)."""
    return library_xml("discount_price_list").replace(
        b"<text>&lt; 100000</text>", b"<text>&lt; 100000 +</text>", 1
    )


@pytest.fixture
def seeded(db: object) -> None:
    from greenwave.decisions.services import decisions_seed

    decisions_seed(actor=None)


__all__ = ["Path", "broken_xml", "library_xml", "overlapping_xml"]
