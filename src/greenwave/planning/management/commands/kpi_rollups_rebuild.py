"""Rebuild the KPI day rollups of the planning app from the records and the event log."""

from __future__ import annotations

from collections.abc import Callable

from greenwave.core.rebuild_command import RebuildCommand
from greenwave.planning import kpi_rollups


class Command(RebuildCommand):
    help = (
        "Empty the KPI day rollups and recompute every month from the deals, leads, "
        "activities and invoice events; the worker keeps them current afterwards."
    )

    def rebuild(self, progress: Callable[[str], None]) -> str:
        return f"KPI rollups rebuilt: {kpi_rollups.rebuild(progress=progress)} rows"
