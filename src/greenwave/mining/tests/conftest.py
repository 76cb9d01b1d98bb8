"""Built logs with known answers: deals of the B2B pipeline and contract approvals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from greenwave.core.services import event_append
from greenwave.sales import events as sales_events
from greenwave.sales import services as sales_services
from greenwave.sales.models import Deal, Pipeline
from greenwave.sales.tests.conftest import b2b, default_pipelines, stages  # noqa: F401

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def deal_log(two_teams: dict[str, Any], b2b: Pipeline) -> Callable[..., Deal]:  # noqa: F811
    """A deal whose log after its creation is the given stage codes, `hours` apart.

    The creation event is written by the service (now); the built steps follow it in time,
    starting at T0 + offset, so the log reads created → codes[0] → codes[1] …"""
    stage_by_code = {s.code: s for s in b2b.stages.all()}

    def make(
        codes: Sequence[str],
        *,
        owner: str = "hunter_a",
        hours: Sequence[float] | float = 1.0,
        start: datetime | None = None,
    ) -> Deal:
        actor = two_teams[owner]
        deal = sales_services.deal_create(
            actor=actor, title="Built", pipeline=b2b, responsible=actor
        )
        clock = start or timezone.now() + timedelta(days=1)
        gaps = [hours] * len(codes) if isinstance(hours, int | float) else list(hours)
        previous = deal.stage
        for code, gap in zip(codes, gaps, strict=True):
            clock += timedelta(hours=gap)
            if code in ("won", "lost"):
                activity = sales_events.DEAL_WON if code == "won" else sales_events.DEAL_LOST
                payload: dict[str, Any] = {"stage": previous.pk}
            else:
                target = stage_by_code[code]
                activity = sales_events.DEAL_STAGE_CHANGED
                payload = {"from_stage": previous.pk, "to_stage": target.pk}
                previous = target
            event_append(
                case_type="deal",
                case_id=deal.pk,
                activity=activity,
                actor=actor,
                payload=payload,
                timestamp=clock,
            )
        return deal

    return make


@pytest.fixture
def contract_process(db: Any) -> Any:
    """The built-in contract approval, deployed (head → lawyer → finance, rework loops)."""
    from greenwave.bpm.library import library_xml
    from greenwave.bpm.models import ProcessDefinition
    from greenwave.bpm.services import definition_upload_and_deploy

    existing = ProcessDefinition.objects.filter(key="contract_approval").first()
    if existing is not None:
        return existing
    return definition_upload_and_deploy(
        actor=None, xml=library_xml()["contract_approval"], key="contract_approval"
    )


@pytest.fixture
def process_log(two_teams: dict[str, Any], contract_process: Any) -> Callable[..., Any]:
    """An instance of the contract approval whose log is the given task elements."""
    from greenwave.bpm import events as bpm_events
    from greenwave.bpm.models import ProcessInstance

    def make(elements: Sequence[str], *, owner: str = "hunter_a", hours: float = 1.0) -> Any:
        actor = two_teams[owner]
        instance = ProcessInstance.objects.create(
            definition=contract_process,
            state="{}",
            serializer_version="test",
            responsible=actor,
            team=actor.team,
        )
        clock = T0
        for element in elements:
            clock += timedelta(hours=hours)
            kind = "ServiceTask" if element == "notify" else ""
            event_append(
                case_type="process_instance",
                case_id=instance.pk,
                activity=bpm_events.TOKEN_MOVED if kind else bpm_events.TASK_COMPLETED,
                actor=actor,
                payload={"element": element, "kind": kind, "name": element, "waited_seconds": 3600},
                timestamp=clock,
            )
        return instance

    return make
