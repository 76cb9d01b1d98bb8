"""What an evaluation gives (``DecisionResult``, ``RuleMatch``) and its state (``_Run``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from feeldmn.feel.interpreter import (
    EvalContext,
    Scope,
)

if TYPE_CHECKING:
    from feeldmn.evaluator import DmnModel


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A decision-table rule that matched: its id and its 1-based position."""

    table_id: str
    rule_id: str
    index: int


@dataclass(slots=True)
class DecisionResult:
    """What ``DmnModel.evaluate`` answers: a new object each time, with its own lists
    and matched-rules dict (the ``RuleMatch`` objects in them are frozen)."""

    value: Any
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    matched_rules: dict[str, list[RuleMatch]] = field(default_factory=dict)


class _Run:
    """State of one evaluation: input values, evaluated decisions, matched rules."""

    def __init__(self, model: DmnModel, inputs: Mapping[str, Any], ctx: EvalContext) -> None:
        self.model = model
        self.inputs = inputs
        self.ctx = ctx
        self.values: dict[tuple[str, str], Any] = {}
        self.active: set[tuple[str, str]] = set()
        self.errors: list[str] = []
        self.matches: dict[str, list[RuleMatch]] = {}
        self.current: str = ""
        self.root = Scope({}, None, ctx)

    def error(self, message: str) -> None:
        self.errors.append(message)
        self.ctx.warn(message)
