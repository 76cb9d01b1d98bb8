from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps

from greenwave.core.services import ObjectRef, event_append
from greenwave.sales.models import Pipeline

# The default pipelines are rows of a data migration; a transactional test's flush drops them,
# so tests put them back through the migration's own (idempotent) function.
_DEFAULTS = importlib.import_module("greenwave.sales.migrations.0002_default_pipelines")
_OPENING = importlib.import_module("greenwave.sales.migrations.0006_stage_opening_process")
_GUIDE = importlib.import_module("greenwave.sales.migrations.0015_stage_builtin_texts")
_PARTICIPANTS = importlib.import_module(
    "greenwave.sales.migrations.0017_stage_builtin_participants"
)


@pytest.fixture
def default_pipelines(db: Any) -> None:
    _DEFAULTS.create(apps, None)
    _OPENING.name_contract_approval(apps, None)
    _GUIDE.fill(apps, None)
    _PARTICIPANTS.fill(apps, None)


@pytest.fixture
def b2b(default_pipelines: None) -> Pipeline:
    """The default B2B pipeline of seed 001."""
    return Pipeline.objects.get(code="b2b")


@pytest.fixture
def stages(b2b: Pipeline) -> dict[str, Any]:
    return {s.code: s for s in b2b.stages.all()}


def log_a_call(deal: Any) -> None:
    """A completed call on `deal` in the event log (the qualification stage's output)."""
    event_append(
        case_type="activity",
        case_id=1,
        activity="call_completed",
        actor=None,
        objects=[ObjectRef("deal", str(deal.pk))],
    )
