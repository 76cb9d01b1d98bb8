"""Demo data of the integrations: filled in below."""

from __future__ import annotations

from typing import Any


def seed_integrations(context: dict[str, Any]) -> None:
    return None
