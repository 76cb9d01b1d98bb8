"""REST endpoints of process mining (mounted under /api/v1/ by config/api.py):
`/mining/dfg`, `/mining/variants`, `/mining/edge-cases`, `/mining/bottlenecks`,
`/mining/waits`, `/mining/conformance`, `/mining/export`."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Query, Router

from greenwave.accounts.http import AuthedRequest

from . import selectors
from .log import CaseLog, case_log
from .schemas import BottleneckOut, DfgOut, EdgeCaseOut, VariantsOut, WaitOut

router = Router(tags=["mining"])


def _log(
    case_type: str,
    pipeline: int | None,
    process: str,
    date_from: date | None,
    date_to: date | None,
    team: int | None,
    user: int | None,
) -> CaseLog:
    return case_log(
        case_type=case_type,
        pipeline_id=pipeline,
        process=process,
        date_from=date_from,
        date_to=date_to,
        team_id=team,
        user_id=user,
    )


@router.get("/mining/dfg", response=DfgOut, summary="Process map (directly-follows graph)")
def mining_dfg(
    request: AuthedRequest,
    case_type: str = "deal",
    pipeline: int | None = None,
    process: str = "",
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    team: int | None = None,
    user: int | None = None,
) -> Any:
    log = _log(case_type, pipeline, process, date_from, date_to, team, user)
    return {"case_type": log.case_type, **selectors.dfg(actor=request.user, log=log)}


@router.get("/mining/variants", response=VariantsOut, summary="Variants and rework loops")
def mining_variants(
    request: AuthedRequest,
    case_type: str = "deal",
    pipeline: int | None = None,
    process: str = "",
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    team: int | None = None,
    user: int | None = None,
) -> Any:
    log = _log(case_type, pipeline, process, date_from, date_to, team, user)
    return selectors.variants(actor=request.user, log=log)


@router.get("/mining/bottlenecks", response=list[BottleneckOut], summary="The slowest transitions")
def mining_bottlenecks(
    request: AuthedRequest,
    case_type: str = "deal",
    pipeline: int | None = None,
    process: str = "",
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    team: int | None = None,
    user: int | None = None,
) -> Any:
    log = _log(case_type, pipeline, process, date_from, date_to, team, user)
    return selectors.bottlenecks(actor=request.user, log=log)


@router.get(
    "/mining/edge-cases", response=list[EdgeCaseOut], summary="The cases that take one edge"
)
def mining_edge_cases(
    request: AuthedRequest,
    source: str,
    target: str,
    case_type: str = "deal",
    pipeline: int | None = None,
    process: str = "",
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
    team: int | None = None,
    user: int | None = None,
) -> Any:
    log = _log(case_type, pipeline, process, date_from, date_to, team, user)
    return selectors.edge_cases(actor=request.user, log=log, source=source, target=target)


@router.get(
    "/mining/waits",
    response=list[WaitOut],
    summary="Waiting time per approver across processes (who holds up whom)",
)
def mining_waits(
    request: AuthedRequest,
    date_from: date | None = Query(None, alias="from"),
    date_to: date | None = Query(None, alias="to"),
) -> Any:
    return selectors.approver_waits(actor=request.user, date_from=date_from, date_to=date_to)
