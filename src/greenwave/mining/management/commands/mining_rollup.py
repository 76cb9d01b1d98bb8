"""`manage.py mining_rollup [--rebuild]`: bring the process map's rollup up to date, or
rebuild it from the whole event log (after events were deleted, or to check it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from greenwave.mining import services


class Command(BaseCommand):
    help = "Rebuild (--rebuild) or update the directly-follows rollup of the deal pipelines."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true", help="recompute from the log")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            result = services.rollup_rebuild()
            self.stdout.write(
                f"rebuilt: {result['edges']} edges up to event {result['applied_id']} "
                f"in {result['seconds']} s"
            )
            return
        handled = services.rollup_update()
        self.stdout.write(f"updated: {handled} deals reshaped")
