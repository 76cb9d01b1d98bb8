"""The base of a management command that rebuilds a rollup, timed step by step."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand


class RebuildCommand(BaseCommand):
    """Runs `rebuild` and says what it did and how long it took (each step at verbosity 2)."""

    def rebuild(self, progress: Callable[[str], None]) -> str:
        """Rebuild, calling `progress(step)` after each step; what was rebuilt, as a phrase."""
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def elapsed() -> str:
            return f"{time.monotonic() - started:.1f} s"

        def progress(step: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{step}: {elapsed()}")

        done = self.rebuild(progress)
        self.stdout.write(f"{done} in {elapsed()}")
