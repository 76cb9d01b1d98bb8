"""Checks the FEEL tests share: an expression that evaluates to null and says why."""

from __future__ import annotations

from feeldmn.feel.api import evaluate


def null_warnings(text: str) -> list[str]:
    """The warnings of evaluating `text`, asserted to give null."""
    result = evaluate(text)
    assert result.value is None, result.value
    return list(result.warnings)
