"""FEEL as an expression language of processes, beside the sandboxed Python-like language.

Which language an expression is written in comes from the file, as the modelers write it:
the `=` prefix of Camunda 8 (Zeebe), the `language` attribute of the expression, or the
`expressionLanguage` of the definitions (Trisotech, Camunda 8 and Greenwave's new diagrams
name FEEL there). FEEL text is evaluated by Greenwave's own FEEL engine (`feeldmn.feel`),
which has its own limits of time and depth; nothing reaches Python's eval.

In the copy of the file handed to SpiffWorkflow every FEEL expression carries the `=`
prefix, so the script environment tells the languages apart by the text alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from feeldmn.errors import DmnError
from feeldmn.feel.api import evaluate as feel_evaluate
from feeldmn.feel.api import to_json
from feeldmn.feel.lexer import special_names
from feeldmn.feel.parser import compile_expression

from .sandbox import SandboxError

FEEL_PREFIX = "="
# A FEEL script task in Spiff's copy: first line `#feel result=<variable>`, then the FEEL text.
FEEL_SCRIPT_MARK = "#feel result="
# Evaluation limits of one process expression (FEEL's own budget is for decision tables).
TIME_BUDGET = 0.5


class ExpressionError(SandboxError):
    """A FEEL expression that does not parse or cannot be evaluated; the message says why."""


def is_feel_language(language: str | None) -> bool:
    """`feel`, `https://www.omg.org/spec/DMN/20191111/FEEL/`, `http://www.omg.org/spec/FEEL/…`."""
    return bool(language) and "feel" in str(language).lower()


def is_feel(text: str) -> bool:
    """Whether an expression (as Spiff's copy holds it) is FEEL: the `=` prefix, not `==`."""
    stripped = text.lstrip()
    return stripped.startswith(FEEL_PREFIX) and not stripped.startswith("==")


def feel_body(text: str) -> str:
    return text.lstrip()[len(FEEL_PREFIX) :].strip()


def feel_validate(text: str, names: Iterable[str] = ()) -> None:
    """Parse FEEL text (without the `=`); raise ExpressionError with the position if it fails."""
    if not text.strip():
        raise ExpressionError("The FEEL expression is empty.")
    try:
        compile_expression(text, special_names(names))
    except DmnError as exc:
        raise ExpressionError(f"FEEL syntax error in {text!r}: {exc}.") from exc


def to_python(value: Any) -> Any:
    """A FEEL value as process data: whole numbers as int, others as float; dates kept;
    durations, ranges and functions as their FEEL text (e.g. a timer's `PT5M`)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [to_python(v) for v in value]
    if isinstance(value, dict):
        return {k: to_python(v) for k, v in value.items()}
    if isinstance(value, datetime | date | time) and not isinstance(value, timedelta):
        return value
    return to_python(to_json(value))


def evaluate(text: str, variables: Mapping[str, Any]) -> Any:
    """Evaluate FEEL text (without the `=`) over the process variables.

    FEEL turns a failed operation into null with a warning; a process step cannot go on
    with that (Zeebe raises an incident too), so null with warnings is an error here.
    """
    try:
        result = feel_evaluate(text, variables, time_budget=TIME_BUDGET)
    except DmnError as exc:
        raise ExpressionError(f"FEEL error in {text!r}: {exc}.") from exc
    if result.value is None and result.warnings:
        raise ExpressionError(f"FEEL error in {text!r}: " + "; ".join(result.warnings) + ".")
    return to_python(result.value)
