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


@pytest.fixture
def make_deal(db: Any) -> Callable[..., Any]:
    """A deal of the user's team (a process bound to a record must name one its starter sees)."""
    from greenwave.sales import selectors as sales_selectors
    from greenwave.sales import services as sales

    def make(responsible: Any, title: str = "Deal") -> Any:
        pipeline = sales_selectors.pipeline_default()
        assert pipeline is not None
        return sales.deal_create(
            actor=None, title=title, pipeline=pipeline, responsible=responsible
        )

    return make
