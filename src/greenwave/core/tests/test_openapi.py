"""The published OpenAPI description: every schema name means one class, errors are documented.

django-ninja keys `components.schemas` by class name and silently lets the last class of a name
win, so two apps with a `CompleteIn` each document one of their endpoints with the other's body.
The walk below finds every pydantic model and enum an operation reaches and fails on a name
shared by two different classes.
"""

from __future__ import annotations

import enum
import re
import types
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from greenwave.config.api import api
from greenwave.core.tests.openapi_check import answer_errors


def _component_name(cls: type) -> str:
    # pydantic's DefsRef: "Page[CompanyOut]" becomes "Page_CompanyOut_".
    return re.sub(r"[^\w.\-]", "_", cls.__name__)


def _types_in(annotation: Any) -> Iterator[type]:
    if isinstance(annotation, type) and issubclass(annotation, (BaseModel, enum.Enum)):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)
    if isinstance(annotation, types.UnionType):  # X | None
        for arg in annotation.__args__:
            yield from _types_in(arg)


def _models_of_api() -> set[type]:
    roots: list[Any] = []
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                roots.extend(operation.models)
                roots.extend(operation.response_models.values())
    seen: set[type] = set()
    stack = [t for root in roots for t in _types_in(root)]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if issubclass(cls, BaseModel):
            for field in cls.model_fields.values():
                stack.extend(_types_in(field.annotation))
    # ninja's per-operation parameter wrappers are inlined, never published under their name.
    return {cls for cls in seen if not hasattr(cls, "__ninja_param_source__")}


def test_every_schema_name_in_the_openapi_belongs_to_one_class() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _models_of_api():
        by_name[_component_name(cls)].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}


def _documented_body(spec: dict[str, Any], path: str) -> dict[str, Any]:
    schema = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1]
    return spec["components"]["schemas"][name]  # type: ignore[no-any-return]


def test_price_list_and_activity_completion_are_documented_with_their_own_bodies() -> None:
    spec = api.get_openapi_schema()
    price_list = _documented_body(spec, "/api/v1/price-lists")
    assert set(price_list["properties"]) >= {"name", "kind", "currency"}
    completion = _documented_body(spec, "/api/v1/activities/{activity_id}/complete")
    assert set(completion["properties"]) >= {"call_result", "outcome", "next_call_at"}
    task_completion = _documented_body(spec, "/api/v1/tasks/{task_id}/complete")
    assert set(task_completion["properties"]) == {"data"}


def test_every_operation_documents_its_error_answers_in_the_one_error_format() -> None:
    spec = api.get_openapi_schema()
    error = spec["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message", "details"}
    undocumented = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            expected = {400, 403, 404}
            if operation.get("security"):
                expected.add(401)
            if method in ("post", "put", "patch", "delete"):
                expected |= {409, 413}
            for status in sorted(expected):
                answer = operation["responses"].get(status, {})
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema != {"$ref": "#/components/schemas/ErrorOut"}:
                    undocumented.append(f"{method.upper()} {path} {status}")
    assert undocumented == []


def test_xml_downloads_are_documented_as_xml_not_json() -> None:
    spec = api.get_openapi_schema()
    for path in (
        "/api/v1/processes/definitions/{definition_id}/xml",
        "/api/v1/decisions/{key}/xml",
    ):
        content = spec["paths"][path]["get"]["responses"][200]["content"]
        assert set(content) == {"application/xml"}, path


@pytest.mark.django_db
def test_a_real_error_answer_matches_the_documented_error(make_user, bearer) -> None:
    client = bearer(make_user())
    missing = client.get("/api/v1/companies/987654")
    assert missing.status_code == 404
    assert answer_errors("/api/v1/companies/{company_id}", "get", 404, missing.json()) == []
    invalid = client.post("/api/v1/companies", {"name": ""}, content_type="application/json")
    assert invalid.status_code == 400
    assert answer_errors("/api/v1/companies", "post", 400, invalid.json()) == []
    anonymous = Client().get("/api/v1/companies")
    assert anonymous.status_code == 401
    assert answer_errors("/api/v1/companies", "get", 401, anonymous.json()) == []
