"""Hostile inputs: syntax errors, deep nesting, endless recursion, huge models."""

from __future__ import annotations

import time

import pytest

from feeldmn.errors import (
    DmnErrorCode,
    DmnModelError,
    FeelError,
    FeelSyntaxError,
)
from feeldmn.evaluator import DmnModel
from feeldmn.feel.api import evaluate
from feeldmn.model import MAX_MODEL_BYTES, parse_definitions

from .answers import null_warnings


def test_syntax_error_reports_line_and_column() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        evaluate("1 +\n  * 2")
    assert (info.value.line, info.value.column) == (2, 3)
    assert "line 2, column 3" in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The end of the text is named as such.
        ("if x then 1", "unexpected end of expression"),
        ("1 # 2", "unexpected character"),
        # FEEL strings use double quotes only: a single-quoted Python call is never a call.
        ("__import__('os')", "column 12"),
    ],
)
def test_malformed_text_is_a_readable_syntax_error(text: str, message: str) -> None:
    with pytest.raises(FeelSyntaxError, match=message):
        evaluate(text)


def test_python_names_are_just_unknown_feel_names() -> None:
    assert null_warnings("__import__") == ["unknown name '__import__'"]


def test_python_dunder_call_with_string_is_null() -> None:
    assert any("__import__" in w for w in null_warnings('__import__("os").system("echo hacked")'))


def test_path_expressions_do_not_reach_python_attributes() -> None:
    assert evaluate('"abc".__class__').value is None
    assert evaluate("x.__dict__", {"x": {"a": 1}}).value is None


def test_deep_nesting_is_refused_with_a_syntax_error() -> None:
    with pytest.raises(FeelSyntaxError, match="nested too deeply"):
        evaluate("(" * 5000 + "1" + ")" * 5000)


def test_very_long_operator_chain_is_refused_cleanly() -> None:
    with pytest.raises(FeelSyntaxError):
        evaluate("-" * 20_000 + "1")


def test_endless_recursion_stops_with_a_feel_error_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(FeelError):
        evaluate("{f: function(n) f(n + 1), r: f(1)}.r")
    assert time.monotonic() - started < 10


def test_endless_loop_stops_at_the_time_budget() -> None:
    started = time.monotonic()
    with pytest.raises(FeelError, match="time budget"):
        evaluate("count(for x in 1..900000, y in 1..900000 return x)", time_budget=0.5)
    assert time.monotonic() - started < 10


def test_huge_model_is_refused_with_a_clear_error() -> None:
    data = b"<definitions>" + b" " * (MAX_MODEL_BYTES + 1) + b"</definitions>"
    with pytest.raises(DmnModelError) as info:
        parse_definitions(data)
    assert info.value.code == DmnErrorCode.MODEL_TOO_LARGE


def test_model_with_entities_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<definitions>&x;</definitions>"
    )
    with pytest.raises(DmnModelError):
        DmnModel.from_bytes(data)


def test_malformed_xml_is_a_model_error() -> None:
    with pytest.raises(DmnModelError, match="not well-formed"):
        parse_definitions(b"<definitions><decision></definitions>")
