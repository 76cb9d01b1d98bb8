"""Fixtures of the bpm tests: BPMN files and a deployed approval process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.models import ProcessDefinition

FILES = Path(__file__).parent / "files"


@pytest.fixture
def approval_xml() -> bytes:
    return (FILES / "approval.bpmn").read_bytes()


@pytest.fixture
def deploy(db: Any) -> Callable[..., ProcessDefinition]:
    def make(xml: bytes, **kwargs: Any) -> ProcessDefinition:
        return services.definition_upload_and_deploy(actor=None, xml=xml, **kwargs)

    return make


@pytest.fixture
def approval(deploy: Callable[..., ProcessDefinition], approval_xml: bytes) -> ProcessDefinition:
    return deploy(approval_xml)
