"""REST endpoints of process mining (mounted under /api/v1/ by config/api.py):
`/mining/dfg`, `/mining/variants`, `/mining/rework`, `/mining/edge-cases`, `/mining/bottlenecks`,
`/mining/waits`, `/mining/conformance`, `/mining/export`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import PeriodFilter, document_file_answer
from greenwave.core.errors import CoreError, DomainError

from . import selectors
from .export import ALL, EXTENSIONS, FORMATS, MEDIA_TYPES, export, export_all
from .log import CaseLog, case_log
from .schemas import (
    BottleneckOut,
    ConformanceOut,
    DfgOut,
    EdgeCaseOut,
    LogFilter,
    ReworkOut,
    VariantOut,
    WaitOut,
)

router = Router(tags=["mining"])
MAX_ID = 2**53  # ids are bigints; larger numbers would overflow the database's integer
MAX_AMOUNT = Decimal(10) ** 15  # the money columns hold 18 digits, 2 after the point


def _check(filters: LogFilter) -> None:
    ids = (
        ("pipeline", filters.pipeline_id),
        ("team", filters.team_id),
        ("user", filters.user_id),
        ("product_group", filters.product_group_id),
    )
    for name, value in ids:
        if value is not None and not 0 < value < MAX_ID:
            raise DomainError(
                CoreError.VALIDATION,
                _("%(name)s is not a valid id.") % {"name": name},
                details={"fields": {name: value}},
            )
    for name, amount in (("amount_min", filters.amount_min), ("amount_max", filters.amount_max)):
        if amount is not None and not (amount.is_finite() and 0 <= amount < MAX_AMOUNT):
            raise DomainError(
                CoreError.VALIDATION,
                _("%(name)s is not a valid amount.") % {"name": name},
                details={"fields": {name: str(amount)}},
            )


def _log(filters: LogFilter) -> CaseLog:
    """The case log the query names (4xx on bad ids or filters)."""
    _check(filters)
    return case_log(**filters.dict())


def _export_all(actor: Any, filters: LogFilter, fmt: str) -> Any:
    """The one object-centric log of every readable case type (OCEL 2.0 only)."""
    _check(filters)
    narrowing = (
        filters.pipeline_id,
        filters.process,
        filters.variants,
        filters.amount_min,
        filters.amount_max,
        filters.source,
        filters.product_group_id,
    )
    if fmt == "xes" or any(v not in (None, "", []) for v in narrowing):
        raise DomainError(
            CoreError.VALIDATION,
            _(
                "The log of all case types is OCEL 2.0 only and is narrowed by period, "
                "team and person only."
            ),
            details={"fields": {"case_type": ALL, "format": fmt}},
        )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise DomainError(CoreError.VALIDATION, _("The period starts after it ends."))
    return export_all(
        actor,
        fmt,
        date_from=filters.date_from,
        date_to=filters.date_to,
        team_id=filters.team_id,
        user_id=filters.user_id,
    )


@router.get("/mining/dfg", response=DfgOut, summary="Process map (directly-follows graph)")
def mining_dfg(
    request: AuthedRequest,
    filters: Query[LogFilter],
) -> Any:
    log = _log(filters)
    return {"case_type": log.case_type, **selectors.dfg(actor=request.user, log=log)}


@router.get("/mining/variants", response=list[VariantOut], summary="Variants: the distinct paths")
def mining_variants(request: AuthedRequest, filters: Query[LogFilter]) -> Any:
    return selectors.variants(actor=request.user, log=_log(filters))["variants"]


@router.get(
    "/mining/rework",
    response=list[ReworkOut],
    summary="Rework loops: activities repeated in a case and their time cost",
)
def mining_rework(request: AuthedRequest, filters: Query[LogFilter]) -> Any:
    return selectors.rework(actor=request.user, log=_log(filters))


@router.get("/mining/bottlenecks", response=list[BottleneckOut], summary="The slowest transitions")
def mining_bottlenecks(request: AuthedRequest, filters: Query[LogFilter]) -> Any:
    return selectors.bottlenecks(actor=request.user, log=_log(filters))


@router.get(
    "/mining/edge-cases", response=list[EdgeCaseOut], summary="The cases that take one edge"
)
def mining_edge_cases(
    request: AuthedRequest,
    source: str,
    target: str,
    filters: Query[LogFilter],
) -> Any:
    log = _log(filters)
    return selectors.edge_cases(actor=request.user, log=log, source=source, target=target)


@router.get(
    "/mining/waits",
    response=list[WaitOut],
    summary="Waiting time per approver across processes (who holds up whom)",
)
def mining_waits(
    request: AuthedRequest,
    period: Query[PeriodFilter],
) -> Any:
    return selectors.approver_waits(
        actor=request.user, date_from=period.date_from, date_to=period.date_to
    )


@router.get(
    "/mining/conformance",
    response=ConformanceOut,
    summary="Conformance of the cases to the to-be model (token-based replay)",
)
def mining_conformance(request: AuthedRequest, filters: Query[LogFilter]) -> Any:
    return selectors.conformance(actor=request.user, log=_log(filters))


@router.get(
    "/mining/export",
    response={200: None},
    summary="The log as XES or OCEL 2.0 (JSON, XML), streamed; case_type=all: one OCEL 2.0 "
    "log of every case type the reader may see, with object-to-object relations",
    openapi_extra=document_file_answer("application/octet-stream", "XES or OCEL 2.0 file"),
)
def mining_export(
    request: AuthedRequest,
    filters: Query[LogFilter],
    format: str = "ocel2-json",
) -> Any:
    if format not in FORMATS:
        raise DomainError(
            CoreError.VALIDATION,
            _("format must be one of: %(choices)s.") % {"choices": ", ".join(FORMATS)},
            details={"fields": {"format": list(FORMATS)}},
        )
    if filters.case_type == ALL:
        chunks, name = _export_all(request.user, filters, format), ALL
    else:
        log = _log(filters)
        chunks = export(request.user, log, format)
        name = f"{log.case_type}-{log.process_key or (log.pipeline.pk if log.pipeline else '')}"
    response = StreamingHttpResponse(chunks, content_type=MEDIA_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[format]}"'
    return response
