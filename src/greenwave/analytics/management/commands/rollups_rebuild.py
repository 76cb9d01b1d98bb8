"""Rebuild the analytics rollups from the deals and the event log."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from greenwave.analytics import rollups


class Command(BaseCommand):
    help = (
        "Empty the daily and client rollups and recompute them from every deal and its events; "
        "the worker keeps them current afterwards."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(step: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{step}: {time.monotonic() - started:.1f} s")

        done = rollups.rebuild(progress=progress)
        self.stdout.write(f"rollups rebuilt: {done} deals in {time.monotonic() - started:.1f} s")
