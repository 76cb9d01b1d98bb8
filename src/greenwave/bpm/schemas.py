"""API schemas of bpm."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from greenwave.core.api import InSchema, resolve_attr, resolve_rows

from .formschema import json_schema
from .library.texts import library_form, library_text


def _step_name(obj: Any) -> str:
    """A built-in process's step in the caller's language."""
    return library_text(str(obj.instance.definition.key), str(obj.name))


def _step_form(obj: Any) -> list[dict[str, Any]]:
    return library_form(str(obj.instance.definition.key), obj.form_schema)


class DefinitionOut(Schema):
    id: int
    key: str
    name: str
    version: int
    status: str
    is_executable: bool
    process_id: str
    unsupported: list[dict[str, str]]
    created_at: datetime
    deployed_at: datetime | None

    @staticmethod
    def resolve_name(obj: Any) -> str:
        """A built-in process's name in the caller's language."""
        return library_text(str(obj.key), str(obj.name))


class DefinitionIn(InSchema):
    xml: str = Field(..., description="BPMN 2.0 XML (with its diagram)", max_length=6_000_000)
    key: str = Field("", max_length=100)
    name: str = Field("", max_length=200)
    deploy: bool = False


class InstanceIn(InSchema):
    definition_id: int | None = None
    key: str = Field("", description="Start the latest deployed version of this key")
    variables: dict[str, Any] = Field(default_factory=dict)
    object_type: str = Field("", max_length=40)
    object_id: str = Field("", max_length=64)
    business_key: str = Field("", max_length=120)


class TaskRef(Schema):
    id: int
    name: str
    element_id: str
    status: str
    assignee_id: int | None
    candidate_role: str
    due_at: datetime | None

    resolve_name = staticmethod(_step_name)


class InstanceOut(Schema):
    id: int
    definition_id: int
    definition_key: str
    definition_version: int
    status: str
    business_key: str
    object_type: str
    object_id: str
    responsible_id: int | None
    created_at: datetime
    ended_at: datetime | None

    resolve_definition_key = resolve_attr("definition.key")
    resolve_definition_version = resolve_attr("definition.version", int)


class IncidentOut(Schema):
    id: int
    element_id: str
    error: str
    retries: int
    created_at: datetime
    resolved_at: datetime | None


class InstanceDetailOut(InstanceOut):
    variables: dict[str, Any]
    element_states: dict[str, str]
    lock_version: int
    tasks: list[TaskRef]
    incidents: list[IncidentOut]

    @staticmethod
    def resolve_tasks(obj: Any) -> list[Any]:
        return list(obj.tasks.all().order_by("created_at"))

    resolve_incidents = resolve_rows("incidents")


class InstanceEventOut(Schema):
    id: int
    activity: str
    timestamp: datetime
    actor_id: int | None
    payload: dict[str, Any]


class TaskOut(Schema):
    id: int
    name: str
    element_id: str
    status: str
    instance_id: int
    process: str
    assignee_id: int | None
    candidate_role: str
    candidate_team_id: int | None
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None

    resolve_name = staticmethod(_step_name)

    @staticmethod
    def resolve_process(obj: Any) -> str:
        definition = obj.instance.definition
        return library_text(str(definition.key), str(definition.name))


class TaskDetailOut(TaskOut):
    form: list[dict[str, Any]]
    form_json_schema: dict[str, Any]
    result: dict[str, Any]

    resolve_form = staticmethod(_step_form)

    @staticmethod
    def resolve_form_json_schema(obj: Any) -> dict[str, Any]:
        return json_schema(_step_form(obj))


class TaskCompleteIn(InSchema):
    data: dict[str, Any] = Field(default_factory=dict)


class DelegateIn(InSchema):
    user_id: int


class MessageIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    correlation_key: str = Field("", max_length=120)
    payload: dict[str, Any] = Field(default_factory=dict)


class MessageOut(Schema):
    instances: list[int]


class MigrateIn(InSchema):
    target_definition_id: int | None = Field(None, description="The version to move to (by id)")
    target_version: int | None = Field(None, description="…or by version number of the same key")
    mapping: dict[str, str] = Field(
        default_factory=dict, description="Element ids renamed in the target: old id → new id"
    )
    dry_run: bool = Field(False, description="Only check and list what would happen")


class MigrateManyIn(MigrateIn):
    instance_ids: list[int] | None = Field(
        None, description="Instances of this version to move (default: every unfinished one)"
    )


class MigrationStepOut(Schema):
    element: str
    name: str
    kind: str
    state: str
    target: str
    problem: str
    message: str


class MigrationTaskOut(Schema):
    id: int
    name: str
    element: str
    target: str
    assignee: str | None


class MigrationOut(Schema):
    instance_id: int
    from_version: int
    to_version: int
    allowed: bool
    migrated: bool
    steps: list[MigrationStepOut]
    added: list[str]
    removed: list[str]
    tasks: list[MigrationTaskOut]
    mapping: dict[str, str]
    error: str


class MigrationManyOut(Schema):
    migrated: int
    refused: int
    results: list[MigrationOut]
