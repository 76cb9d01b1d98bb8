"""Check an API answer against the OpenAPI description the API publishes (no jsonschema here)."""

from __future__ import annotations

from typing import Any

from greenwave.config.api import api

JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def schema_errors(
    value: Any, schema: dict[str, Any], spec: dict[str, Any], at: str = "$"
) -> list[str]:
    """The parts of JSON Schema that ninja's descriptions use: $ref, anyOf, type, properties,
    required, items. Enough to tell a body from another class's body."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return schema_errors(value, spec["components"]["schemas"][name], spec, at)
    if "anyOf" in schema:
        options = [schema_errors(value, option, spec, at) for option in schema["anyOf"]]
        return [] if any(not errors for errors in options) else options[0]
    errors: list[str] = []
    kind = schema.get("type")
    if kind is not None:
        if isinstance(value, bool) and kind in ("integer", "number"):
            return [f"{at}: a boolean where {kind} is documented"]
        if not isinstance(value, JSON_TYPES[kind]):
            return [f"{at}: {type(value).__name__} where {kind} is documented"]
    if isinstance(value, dict) and "properties" in schema:
        properties = schema["properties"]
        errors.extend(
            f"{at}: missing documented field {key!r}"
            for key in schema.get("required", ())
            if key not in value
        )
        for key, item in value.items():
            if key not in properties:
                errors.append(f"{at}: undocumented field {key!r}")
            else:
                errors.extend(schema_errors(item, properties[key], spec, f"{at}.{key}"))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors.extend(schema_errors(item, schema["items"], spec, f"{at}[{index}]"))
    return errors


def documented_answer(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    content = responses[status if status in responses else str(status)]["content"]
    return content["application/json"]["schema"]  # type: ignore[no-any-return]


def published_spec() -> dict[str, Any]:
    return api.get_openapi_schema()  # type: ignore[no-any-return]


def answer_errors(path: str, method: str, status: int, body: Any) -> list[str]:
    """What in `body` contradicts the documented answer of `method path` with `status`."""
    spec = published_spec()
    return schema_errors(body, documented_answer(spec, path, method, status), spec)
