"""Unary tests: the input entries of decision tables."""

from __future__ import annotations

from typing import Any

import pytest

from feeldmn.feel.api import unary_test


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("-", 42, True),
        ("", 42, True),
        ("5", 5, True),
        ("5", 6, False),
        ("< 5", 4, True),
        ("< 5", 5, False),
        ("<= 5", 5, True),
        ("[1..5)", 5, False),
        ("[1..5]", 5, True),
        ("]1..5]", 1, False),
        ("1, 2, 3", 2, True),
        ("1, 2, 3", 4, False),
        ('"a", "b"', "b", True),
        ("not(1, 2)", 3, True),
        ("not(1, 2)", 2, False),
        ("not(< 5)", 7, True),
        ("? > 10", 11, True),
        ("? > 10", 9, False),
        ("count(?) = 2", [1, 2], True),
        ("true", True, True),
        ("false", False, True),
        ("false", True, False),
        ("null", None, True),
        ("< 5", None, False),
        ("[1..10], > 100", 200, True),
        ("x", 7, True),
    ],
)
def test_unary_test_matches_input(text: str, value: Any, expected: bool) -> None:
    assert unary_test(text, value, {"x": 7}) is expected


def test_unary_test_against_a_date_range() -> None:
    from datetime import date

    assert unary_test('[date("2024-01-01")..date("2024-12-31")]', date(2024, 6, 1)) is True
    assert unary_test('>= date("2025-01-01")', date(2024, 6, 1)) is False
