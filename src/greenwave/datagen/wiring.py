"""How the datagen app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from greenwave.core.demo import register_demo_seeder

from .demo import seed_history


def register() -> None:
    """The demo's history seeder."""
    # After the people, clients and catalogue; before the leads, activities and days.
    register_demo_seeder("history", seed_history, order=25)
