"""FEEL semantics: nulls, three-valued logic, numbers, temporal values, ranges, functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from feeldmn.feel.api import evaluate
from feeldmn.feel.types import Range, YMDuration

from .answers import null_warnings


def feel(text: str, **variables: Any) -> Any:
    return evaluate(text, variables).value


def test_null_propagates_through_arithmetic() -> None:
    assert feel("1 + null") is None
    assert feel("null * 3 - 2") is None
    assert feel("-null") is None


def test_type_mismatch_gives_null_and_a_warning() -> None:
    assert any("cannot apply" in w for w in null_warnings('1 + "a"'))


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ("false or null", None),
        ('true and "x"', None),
        ("not(null)", None),
    ],
)
def test_three_valued_logic_follows_the_spec_tables(text: str, answer: bool | None) -> None:
    assert feel(text) is answer


def test_numbers_are_34_digit_decimals_with_half_even_rounding() -> None:
    assert feel("1 / 3") == Decimal("0.3333333333333333333333333333333333")
    assert feel("0.1 + 0.2") == Decimal("0.3")
    assert feel("decimal(2.5, 0)") == Decimal(2)
    assert feel("decimal(3.5, 0)") == Decimal(4)
    assert feel("10 / 0") is None


def test_equality_with_null_and_across_types() -> None:
    assert feel("null = null") is True
    assert feel("1 = null") is False
    assert feel('1 = "1"') is None
    assert feel("[1, 2] = [1, 2]") is True
    assert feel("{a: 1} = {a: 1}") is True


def test_strings_concatenate_and_compare() -> None:
    assert feel('"a" + "b"') == "ab"
    assert feel('"a" < "b"') is True
    assert feel('string length("héllo")') == Decimal(5)


def test_dates_times_and_durations() -> None:
    assert feel('date("2024-02-28") + duration("P1D")') == date(2024, 2, 29)
    assert feel('date("2024-01-31") + duration("P1M")') == date(2024, 2, 29)
    assert feel('date and time("2024-01-01T10:00:00") - date and time("2024-01-01T08:30:00")') == (
        timedelta(hours=1, minutes=30)
    )
    assert feel('time("10:30:00+01:00")') == time(10, 30, tzinfo=timezone(timedelta(hours=1)))
    assert feel('years and months duration(date("2011-12-22"), date("2013-08-24"))') == (
        YMDuration(20)
    )
    assert feel('@"2024-05-01T12:00:00Z".hour') == Decimal(12)
    assert feel('string(duration("P1DT2H"))') == "P1DT2H"
    assert feel('string(date and time("2024-01-01T00:00:00@Europe/Paris"))') == (
        "2024-01-01T00:00:00@Europe/Paris"
    )
    assert feel('date and time("2024-01-01T10:00:00Z")') == datetime(2024, 1, 1, 10, tzinfo=UTC)


def test_ranges_and_membership() -> None:
    assert feel("5 in [1..10]") is True
    assert feel("10 in [1..10)") is False
    assert feel("3 in ]1..5[") is True
    assert feel("5 in (1, < 3, >= 5)") is True
    assert feel("[1..5]") == Range(Decimal(1), True, Decimal(5), True)
    assert feel("before([1..5], 10)") is True
    assert feel("overlaps([1..5], [3..8])") is True
    assert feel("5 between 1 and 10") is True


def test_for_some_every_and_filters() -> None:
    assert feel("for x in [1, 2, 3] return x * 2") == [Decimal(2), Decimal(4), Decimal(6)]
    assert feel("for x in 1..3, y in [10] return x + y") == [Decimal(11), Decimal(12), Decimal(13)]
    assert feel("some x in [1, 5] satisfies x > 4") is True
    assert feel("every x in [1, 5] satisfies x > 4") is False
    assert feel("[1, 2, 3, 4][item > 2]") == [Decimal(3), Decimal(4)]
    assert feel("[1, 2, 3][-1]") == Decimal(3)
    assert feel("[{a: 1}, {a: 2}][a = 2].a") == [Decimal(2)]
    assert feel("if 1 > 2 then 1 else 2") == Decimal(2)


def test_user_functions_with_positional_and_named_parameters() -> None:
    assert feel("(function(a, b) a - b)(5, 3)") == Decimal(2)
    assert feel("(function(a, b) a - b)(b: 5, a: 3)") == Decimal(-2)
    assert feel("{f: function(n) if n = 0 then 1 else n * f(n - 1), r: f(5)}.r") == Decimal(120)


def test_builtins_accept_named_parameters() -> None:
    assert feel('substring(string: "abcdef", start position: 2, length: 3)') == "bcd"
    assert feel("round half up(n: 2.5, scale: 0)") == Decimal(3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('upper case("abc")', "ABC"),
        ('matches("abc", "^a.c$")', True),
        ('replace("abc", "(b)", "[$1]")', "a[b]c"),
        ('split("a,b", ",")', ["a", "b"]),
        ('string join(["a", "b"], "-")', "a-b"),
        ("sum([1, 2, 3])", Decimal(6)),
        ("max(1, 5, 3)", Decimal(5)),
        ("mean([1, 2, 3])", Decimal(2)),
        ("median([3, 1, 2])", Decimal(2)),
        ("sort([3, 1, 2], function(a, b) a < b)", [Decimal(1), Decimal(2), Decimal(3)]),
        ("distinct values([1, 1, 2])", [Decimal(1), Decimal(2)]),
        ("flatten([1, [2, [3]]])", [Decimal(1), Decimal(2), Decimal(3)]),
        ("modulo(-12, 5)", Decimal(3)),
        ('get value({a: 1}, "a")', Decimal(1)),
        ('context put({a: 1}, "b", 2)', {"a": Decimal(1), "b": Decimal(2)}),
        ("context merge([{a: 1}, {b: 2}])", {"a": Decimal(1), "b": Decimal(2)}),
        ("get entries({a: 1})", [{"key": "a", "value": Decimal(1)}]),
        ('day of week(date("2024-05-20"))', "Monday"),
        ("today() instance of date", True),
        ("now() instance of date and time", True),
    ],
)
def test_builtin_functions(text: str, expected: Any) -> None:
    assert feel(text) == expected


def test_names_with_spaces_resolve_against_variables() -> None:
    assert feel("Monthly Salary * 12", **{"Monthly Salary": 1000}) == Decimal(12000)
    assert feel("Loan-to-value + 1", **{"Loan-to-value": 2}) == Decimal(3)


def test_instance_of_checks_types() -> None:
    assert feel("1 instance of number") is True
    assert feel('"a" instance of number') is False
    assert feel("[1, 2] instance of list<number>") is True


def test_builtin_given_wrong_types_gives_null_with_a_warning() -> None:
    assert null_warnings('substring("abc", "x")') == ["substring(string, string) gives null"]


def test_unknown_name_gives_null_with_a_warning() -> None:
    assert "unknown name 'Credit Score'" in null_warnings("Credit Score + 1")


def test_context_keys_may_hold_name_symbols() -> None:
    assert feel("{Loan-to-value: 0.8, x: Loan-to-value * 100}.x") == Decimal(80)


def test_comments_are_ignored() -> None:
    assert feel("1 + /* two */ 2 // three\n") == Decimal(3)
