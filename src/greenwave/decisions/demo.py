"""Demo data of the decisions app: the built-in seed decisions, deployed."""

from __future__ import annotations

from typing import Any

from .services import decisions_seed


def seed_decisions(context: dict[str, Any]) -> None:
    decisions_seed(actor=None)
