"""Demo data seeders: each app registers one; `seed_demo` runs them in order.

Seeders must be idempotent (running `make demo` twice changes nothing the second time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DemoSeeder:
    name: str
    order: int
    func: Callable[[dict[str, Any]], None]  # gets a shared context (password, users…)


_SEEDERS: dict[str, DemoSeeder] = {}


def register_demo_seeder(name: str, func: Callable[[dict[str, Any]], None], *, order: int) -> None:
    _SEEDERS[name] = DemoSeeder(name, order, func)


def demo_seeders() -> list[DemoSeeder]:
    return sorted(_SEEDERS.values(), key=lambda s: (s.order, s.name))
