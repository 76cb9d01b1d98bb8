"""REST endpoints of the decisions app (mounted under /api/v1/ by config/api.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from ninja import Body, Router, Status

from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import document_file_answer
from greenwave.core.endpoints import Endpoints

from . import selectors, services
from .library_texts import library_text
from .schemas import (
    NUMBERS_NOTE,
    DecisionDetailOut,
    DecisionOut,
    DecisionUploadIn,
    DecisionVersionOut,
    EvaluationOut,
)

router = Router(tags=["decisions"])
ENDPOINTS = Endpoints(router, __name__)


ENDPOINTS.list(
    "/decisions",
    selectors.decision_list,
    selectors.DECISION_LIST_SPEC,
    DecisionOut,
    name="decision_list",
    summary="Decisions (latest versions)",
)


@router.post(
    "/decisions",
    response={201: DecisionVersionOut},
    summary="Upload a DMN model as a new version",
    description="Every FEEL text is parsed; on any error nothing is stored and the answer is "
    "400 `decisions.feel_invalid` with `details.errors`: one entry per cell with "
    "`element_id`, `decision`, `rule`, `column_index`, `column_label`, `line`, `column` and "
    "`message`. Only administrators and heads of sales may upload.",
)
def decision_upload(request: AuthedRequest, payload: DecisionUploadIn) -> Any:
    definition = services.decision_save(
        actor=request.user, xml=payload.xml.encode("utf-8"), key=payload.key, deploy=payload.deploy
    )
    return Status(201, definition)


@router.get("/decisions/{key}", response=DecisionDetailOut, summary="A decision and its versions")
def decision_detail(request: AuthedRequest, key: str) -> Any:
    versions = selectors.decision_versions(actor=request.user, key=key)
    latest = versions[0]
    deployed = next((v.version for v in versions if v.status == "deployed"), None)
    return {
        "key": key,
        "name": library_text(key, latest.name),
        "decision_name": latest.decision_name,
        "latest_version": latest.version,
        "deployed_version": deployed,
        "inputs": [
            {**spec, "label": library_text(key, str(spec.get("label") or ""))}
            for spec in latest.inputs or []
            if isinstance(spec, dict)
        ],
        "versions": versions,
    }


@router.get(
    "/decisions/{key}/xml",
    summary="The DMN XML of a version (default: the latest), as uploaded",
    response={200: None},
    openapi_extra=document_file_answer("application/xml", "The DMN XML as uploaded."),
)
def decision_xml(request: AuthedRequest, key: str, version: int | None = None) -> HttpResponse:
    definition = selectors.decision_get(actor=request.user, key=key, version=version)
    return HttpResponse(definition.xml_bytes, content_type="application/xml; charset=utf-8")


@router.post(
    "/decisions/{key}/deploy",
    response=DecisionVersionOut,
    summary="Deploy a version (default: the latest)",
)
def decision_deploy(request: AuthedRequest, key: str, version: int | None = None) -> Any:
    return services.decision_deploy(actor=request.user, key=key, version=version)


@router.post(
    "/decisions/{key}/evaluate",
    response=EvaluationOut,
    summary="Evaluate a decision",
    description="The body is the JSON context: input data by name, e.g. "
    '`{"segment": "ключевой", "order_volume": 1500000}`. Without `version` the latest '
    "deployed version answers; `decision` picks another decision of the model; "
    "`log=false` skips the audit log. " + NUMBERS_NOTE,
)
def decision_evaluate(
    request: AuthedRequest,
    key: str,
    context: Body[dict[str, Any]],
    version: int | None = None,
    decision: str = "",
    log: bool = True,
) -> Any:
    evaluation = services.decision_evaluate(
        actor=request.user, key=key, context=context, version=version, decision=decision, log=log
    )
    return {
        "result": evaluation.result,
        "matched_rules": evaluation.matched_rules,
        "version": evaluation.definition.version,
        "decision": evaluation.decision,
        "warnings": evaluation.warnings,
        "errors": evaluation.errors,
    }
