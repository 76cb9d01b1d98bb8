"""Rebuild the analytics rollups from the deals and the event log."""

from __future__ import annotations

from collections.abc import Callable

from greenwave.analytics import rollups
from greenwave.core.rebuild_command import RebuildCommand


class Command(RebuildCommand):
    help = (
        "Empty the daily and client rollups and recompute them from every deal and its events; "
        "the worker keeps them current afterwards."
    )

    def rebuild(self, progress: Callable[[str], None]) -> str:
        return f"rollups rebuilt: {rollups.rebuild(progress=progress)} deals"
