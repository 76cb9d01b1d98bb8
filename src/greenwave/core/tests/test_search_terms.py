"""Parsing the header's search query: phone prefixes, INN, length limits."""

from __future__ import annotations

import pytest

from greenwave.core.errors import DomainError
from greenwave.core.search import phone_fragment, search_term


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("8 916 123-45-67", "+79161234567"),
        ("+7 (916) 123-45-67", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("8916", "+7916"),
        ("+7 916", "+7916"),
        ("123-45", "12345"),
        ("Ромашка", ""),
        ("12", ""),
        ("ivan@example.com", ""),
    ],
)
def test_a_typed_phone_becomes_a_fragment_of_its_e164_form(typed: str, fragment: str) -> None:
    assert phone_fragment(typed) == fragment


def test_the_term_folds_case_and_yo_and_reads_an_inn() -> None:
    term = search_term("  Пётр   ИВАНОВ ")
    assert term.text == "петр иванов"
    assert term.inn == ""
    assert search_term("7707 083 893").inn == "7707083893"
    assert search_term("+7707083893").inn == ""  # a phone, not an INN


@pytest.mark.parametrize("q", ["", " ", "я", "x" * 101])
def test_too_short_or_too_long_a_query_is_refused(q: str) -> None:
    with pytest.raises(DomainError) as caught:
        search_term(q)
    assert caught.value.details["field"] == "q"
