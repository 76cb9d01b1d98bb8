"""REST endpoints of the bpm app (mounted under /api/v1/ by config/api.py)."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from greenwave.accounts import selectors as account_selectors
from greenwave.accounts.http import AuthedRequest
from greenwave.core.api import (
    Page,
    document_conflict,
    document_file_answer,
    document_list,
    list_query,
    paginate,
    upload_bytes,
)
from greenwave.core.crud import Entity
from greenwave.core.endpoints import Endpoints
from greenwave.core.errors import CoreError, DomainError

from . import selectors, services
from .formschema import json_files
from .models import HumanTask, Incident, ProcessDefinition, ProcessInstance
from .schemas import (
    DefinitionIn,
    DefinitionOut,
    DelegateIn,
    InstanceDetailOut,
    InstanceEventOut,
    InstanceIn,
    InstanceOut,
    MessageIn,
    MessageOut,
    MigrateIn,
    MigrateManyIn,
    MigrationManyOut,
    MigrationOut,
    TaskCompleteIn,
    TaskDetailOut,
    TaskOut,
)

router = Router(tags=["processes"])
ENDPOINTS = Endpoints(router, __name__)
# The records as the actions of the API reach them (the scoped selector; the services' keyword).
DEFINITION = Entity(ProcessDefinition, "definition", selectors.definition_get)
INSTANCE = Entity(ProcessInstance, "instance", selectors.instance_get)
INCIDENT = Entity(Incident, "incident", selectors.incident_get)
TASK = Entity(HumanTask, "task", selectors.task_get)


# -- definitions ------------------------------------------------------------------------------


ENDPOINTS.list(
    "/processes/definitions",
    selectors.definition_list,
    selectors.DEFINITION_LIST_SPEC,
    DefinitionOut,
    name="definitions",
)


def _uploaded(request: AuthedRequest, *, deploy: bool, **source: Any) -> Any:
    """A new version from the BPMN XML in `source` (deployed when asked), answered 201."""
    upload = services.definition_upload_and_deploy if deploy else services.definition_upload
    return Status(201, upload(actor=request.user, **source))


@router.post(
    "/processes/definitions",
    response={201: DefinitionOut},
    summary="Upload BPMN XML as a new version (optionally deploy it)",
)
def definition_create(request: AuthedRequest, payload: DefinitionIn) -> Any:
    xml = payload.xml.encode()
    return _uploaded(request, deploy=payload.deploy, xml=xml, key=payload.key, name=payload.name)


@router.post(
    "/processes/definitions/upload",
    response={201: DefinitionOut},
    summary="Upload a .bpmn file (multipart) as a new version",
)
def definition_upload_file(
    request: AuthedRequest,
    file: File[UploadedFile],
    key: Form[str] = "",
    deploy: Form[bool] = False,
) -> Any:
    from .engine import MAX_BPMN_BYTES

    too_large = DomainError(CoreError.VALIDATION, _("The file is too large."))
    xml = upload_bytes(file, MAX_BPMN_BYTES, too_large)
    return _uploaded(request, deploy=deploy, xml=xml, key=key)


ENDPOINTS.detail("/processes/definitions/{definition_id}", selectors.definition_get, DefinitionOut)


@router.get("/processes/definitions/{definition_id}/versions", response=list[DefinitionOut])
def definition_versions(request: AuthedRequest, definition_id: int) -> Any:
    definition = DEFINITION.row(request, definition_id)
    return list(selectors.definition_versions(actor=request.user, key=definition.key))


ENDPOINTS.action(
    DEFINITION,
    "/processes/definitions/{definition_id}/deploy",
    services.definition_deploy,
    DefinitionOut,
)


@router.get(
    "/processes/definitions/{definition_id}/xml",
    summary="The BPMN XML with every id and the diagram preserved",
    response={200: None},
    openapi_extra=document_file_answer("application/xml", "The BPMN XML as stored."),
)
def definition_xml(request: AuthedRequest, definition_id: int) -> HttpResponse:
    definition = DEFINITION.row(request, definition_id)
    return HttpResponse(
        services.definition_export(definition=definition), content_type="application/xml"
    )


# -- instances --------------------------------------------------------------------------------


ENDPOINTS.list(
    "/processes/instances",
    selectors.instance_list,
    selectors.INSTANCE_LIST_SPEC,
    InstanceOut,
    name="instances",
)


@router.post("/processes/instances", response={201: InstanceDetailOut})
def instance_create(request: AuthedRequest, payload: InstanceIn) -> Any:
    if payload.definition_id is not None:
        definition = DEFINITION.row(request, payload.definition_id)
    elif payload.key:
        definition = selectors.definition_latest_deployed(actor=request.user, key=payload.key)
    else:
        raise DomainError(CoreError.VALIDATION, _("Give definition_id or key."))
    instance = services.instance_start_checked(
        actor=request.user, definition=definition, **payload.dict(exclude={"definition_id", "key"})
    )
    return Status(201, instance)


ENDPOINTS.detail("/processes/instances/{instance_id}", selectors.instance_get, InstanceDetailOut)


ENDPOINTS.action(
    INSTANCE,
    "/processes/instances/{instance_id}/cancel",
    services.instance_cancel,
    InstanceDetailOut,
)


def _target(request: AuthedRequest, key: str, payload: MigrateIn) -> ProcessDefinition:
    if payload.target_definition_id is not None:
        return DEFINITION.row(request, payload.target_definition_id)
    if payload.target_version is not None:
        return selectors.definition_version(
            actor=request.user, key=key, version=payload.target_version
        )
    raise DomainError(CoreError.VALIDATION, _("Give target_definition_id or target_version."))


@router.post(
    "/processes/instances/{instance_id}/migrate",
    response=MigrationOut,
    summary="Move the instance to another version of its process (dry_run: only check)",
    openapi_extra=document_conflict(
        "The instance's state refuses the move (`bpm.migration_refused`: an active element the"
        " target version lacks or has as another kind — `details.problems` — the instance"
        " already on that version, a target not deployed or of another process;"
        " `bpm.instance_not_running`). The dry run answers element problems with 200 and"
        " `allowed: false`."
    ),
)
def instance_migrate(request: AuthedRequest, instance_id: int, payload: MigrateIn) -> Any:
    instance = INSTANCE.row(request, instance_id)
    target = _target(request, instance.definition.key, payload)
    migrate = services.instance_migration_check if payload.dry_run else services.instance_migrate
    return migrate(actor=request.user, instance=instance, target=target, mapping=payload.mapping)


@router.post(
    "/processes/definitions/{definition_id}/migrate",
    response=MigrationManyOut,
    summary="Move the unfinished instances of this version to another version",
)
def definition_migrate(request: AuthedRequest, definition_id: int, payload: MigrateManyIn) -> Any:
    source = DEFINITION.row(request, definition_id)
    target = _target(request, source.key, payload)
    instances = selectors.instances_unfinished_of(actor=request.user, definition=source)
    if payload.instance_ids is not None:
        instances = instances.filter(pk__in=payload.instance_ids)
    results = services.instances_migrate(
        actor=request.user,
        instances=list(instances.order_by("pk")),
        target=target,
        mapping=payload.mapping,
        dry_run=payload.dry_run,
    )
    return {
        "migrated": sum(r.migrated for r in results),
        "refused": sum(not r.allowed for r in results),
        "results": results,
    }


@router.get("/processes/instances/{instance_id}/history", response=list[InstanceEventOut])
def instance_history(request: AuthedRequest, instance_id: int) -> Any:
    instance = INSTANCE.row(request, instance_id)
    return list(selectors.instance_history(instance=instance)[:500])


ENDPOINTS.action(
    INCIDENT, "/processes/incidents/{incident_id}/retry", services.incident_retry, InstanceDetailOut
)


@router.post("/processes/messages", response=MessageOut, summary="Correlate a message")
def message(request: AuthedRequest, payload: MessageIn) -> Any:
    delivered = services.message_correlate(actor=request.user, **payload.dict())
    return {"instances": [i.pk for i in delivered]}


# -- the inbox --------------------------------------------------------------------------------


@router.get(
    "/tasks",
    response=Page[TaskOut],
    summary="My task inbox (scope=mine|team)",
    openapi_extra=document_list(selectors.TASK_LIST_SPEC),
)
def tasks(request: AuthedRequest, scope: Literal["mine", "team"] = "mine") -> Any:
    query = list_query(request, selectors.TASK_LIST_SPEC, extra_params=("scope",))
    if scope == "team":
        qs = selectors.task_list_team(actor=request.user, query=query)
    else:
        qs = selectors.task_list_mine(actor=request.user, query=query)
    query.filters.clear()  # already applied (overdue is computed)
    return paginate(qs, selectors.TASK_LIST_SPEC, query)


ENDPOINTS.detail("/tasks/{task_id}", selectors.task_get, TaskDetailOut)


ENDPOINTS.action(TASK, "/tasks/{task_id}/claim", services.task_claim, TaskDetailOut)


ENDPOINTS.action(TASK, "/tasks/{task_id}/unclaim", services.task_unclaim, TaskDetailOut)


@router.post("/tasks/{task_id}/delegate", response=TaskDetailOut)
def task_delegate(request: AuthedRequest, task_id: int, payload: DelegateIn) -> Any:
    task = TASK.row(request, task_id)
    to = account_selectors.user_get(actor=request.user, pk=payload.user_id)
    return services.task_delegate(actor=request.user, task=task, to=to)


@router.post(
    "/tasks/{task_id}/complete",
    response=TaskDetailOut,
    summary="Complete a task with its form's values (a file as {filename, content_base64})",
)
def task_complete(request: AuthedRequest, task_id: int, payload: TaskCompleteIn) -> Any:
    task = TASK.row(request, task_id)
    data, files = json_files(task.form_schema, payload.data)
    return services.task_complete(actor=request.user, task=task, data=data, files=files)


def _form_data(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise DomainError(
            CoreError.VALIDATION,
            _("The data part must be a JSON object of the form's values."),
            details={"field": "data"},
        )
    return data


@router.post(
    "/tasks/{task_id}/complete/multipart",
    response=TaskDetailOut,
    summary="Complete a task with files: each file a part named as its form field, the other "
    "values as a JSON object in the part «data»",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "data": {
                                "type": "string",
                                "description": "the form's other values, a JSON object",
                            }
                        },
                        "additionalProperties": {"type": "string", "format": "binary"},
                    }
                }
            },
        }
    },
)
def task_complete_multipart(request: AuthedRequest, task_id: int) -> Any:
    task = TASK.row(request, task_id)
    stray = sorted(set(request.POST) - {"data"})
    if stray:
        raise DomainError(
            CoreError.VALIDATION,
            _("Put the form's values in the part «data», not in parts: %(parts)s.")
            % {"parts": ", ".join(stray)},
            details={"field": stray[0]},
        )
    data = _form_data(str(request.POST.get("data", "")))
    files = {}
    for name in request.FILES:
        uploads = request.FILES.getlist(name)
        if len(uploads) != 1 or name in data:
            raise DomainError(
                CoreError.VALIDATION,
                _("Send one file per form field, and not also in data: %(field)s.")
                % {"field": name},
                details={"field": name},
            )
        files[name] = uploads[0]
    return services.task_complete(actor=request.user, task=task, data=data, files=files)
