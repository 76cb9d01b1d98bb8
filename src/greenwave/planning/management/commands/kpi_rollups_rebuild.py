"""Rebuild the KPI day rollups of the planning app from the records and the event log."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from greenwave.planning import kpi_rollups


class Command(BaseCommand):
    help = (
        "Empty the KPI day rollups and recompute every month from the deals, leads, "
        "activities and invoice events; the worker keeps them current afterwards."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(step: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"{step}: {time.monotonic() - started:.1f} s")

        written = kpi_rollups.rebuild(progress=progress)
        self.stdout.write(
            f"KPI rollups rebuilt: {written} rows in {time.monotonic() - started:.1f} s"
        )
