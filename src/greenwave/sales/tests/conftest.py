from __future__ import annotations

from typing import Any

import pytest

from greenwave.sales.models import Pipeline


@pytest.fixture
def b2b(db: Any) -> Pipeline:
    """The default B2B pipeline of seed 001 (created by the data migration)."""
    return Pipeline.objects.get(code="b2b")


@pytest.fixture
def stages(b2b: Pipeline) -> dict[str, Any]:
    return {s.code: s for s in b2b.stages.all()}
