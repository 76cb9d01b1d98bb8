"""How the datagen app plugs into the kernel's registries (called once from `apps.ready`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from greenwave.core.case_access import register_case_name
from greenwave.core.demo import register_demo_seeder

from .demo import seed_history
from .generator.base import DATASET_CASE_TYPE


def register() -> None:
    """The demo's history seeder, and the name of the generator's own events."""
    register_case_name(DATASET_CASE_TYPE, _("Generated dataset"))
    # After the people, clients and catalogue; before the leads, activities and days.
    register_demo_seeder("history", seed_history, order=25)
