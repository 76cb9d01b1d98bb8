"""Errors raised by the FEEL interpreter and the DMN evaluator.

Type mismatches inside FEEL never raise: they give null and a warning. These exceptions
are for what the spec treats as a failure of the whole evaluation: a syntax error, a
broken model, a sandbox limit (time, depth, size) reached.
"""

from __future__ import annotations

from enum import StrEnum


class DmnErrorCode(StrEnum):
    FEEL_SYNTAX = "feel_syntax"
    FEEL_LIMIT = "feel_limit"
    MODEL_INVALID = "model_invalid"
    MODEL_TOO_LARGE = "model_too_large"
    UNKNOWN_DECISION = "unknown_decision"
    EVALUATION = "evaluation"


class DmnError(Exception):
    """Base class: carries an error code so that API layers can map it to a payload."""

    code: DmnErrorCode = DmnErrorCode.EVALUATION

    def __init__(self, message: str, *, code: DmnErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class FeelError(DmnError):
    """An evaluation could not finish: time budget, recursion depth or size exceeded."""

    code = DmnErrorCode.FEEL_LIMIT


class FeelSyntaxError(DmnError):
    """FEEL text that does not parse; line and column are 1-based."""

    code = DmnErrorCode.FEEL_SYNTAX

    def __init__(self, message: str, *, text: str, line: int, column: int) -> None:
        super().__init__(f"{message} at line {line}, column {column}")
        self.text = text
        self.line = line
        self.column = column


class DmnModelError(DmnError):
    """The DMN XML is not readable or not a valid model."""

    code = DmnErrorCode.MODEL_INVALID


class DmnEvaluationError(DmnError):
    """A decision could not be evaluated (unknown name, missing model element)."""

    code = DmnErrorCode.EVALUATION
