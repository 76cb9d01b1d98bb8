"""REST conventions shared by every app's API: the error format and list pagination.

Errors are always `{"code", "message", "details"}` with a 4xx status (5xx only for bugs, and
then without internals). Lists answer `{"items", "count", "page", "page_size"}` and accept
`?q=&sort=&page=&page_size=` plus the entity's filters — the same `ListSpec` as the HTML list.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import FunctionType
from typing import Annotated, Any, Generic, TypeVar, get_type_hints

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import DjangoGetter
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from .errors import CoreError, DomainError
from .listing import (
    INT_LIMIT,
    MAX_PAGE,
    FilterSpec,
    ListQuery,
    ListSpec,
    apply_list_query,
    page_window,
)
from .validation_messages import unknown_fields_message, validation_detail

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: Any) -> Any:
    """A date of a request is `YYYY-MM-DD`, as its description says: pydantic alone would
    also take a Unix timestamp (`0`, `1.5e9`) for a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "a date in the YYYY-MM-DD format")


# A date parameter or field of a request (the published `format: date`, nothing looser).
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


# The period a report covers, `?from=&to=` (mining's approver waits, analytics' figures); no
# docstring: it would become a description in the published schema.
class PeriodFilter(Schema):
    date_from: IsoDate | None = Field(None, alias="from")
    date_to: IsoDate | None = Field(None, alias="to")


logger = logging.getLogger(__name__)


# The base of every request body (and of the objects inside one): a field the schema does not
# declare is a 400 `validation_error` naming it and the allowed ones, not silently dropped — a
# misspelt `respnsible_id` would otherwise answer 200 with nothing saved. No docstring: it
# would become a description in the published schema. The check is this validator's, not
# pydantic's `extra="forbid"` (ninja validates a forbidding schema twice); the published schema
# says it with `additionalProperties: false`.
class InSchema(Schema):
    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})

    @model_validator(mode="before")
    @classmethod
    def _refuse_unknown_fields(cls, data: Any) -> Any:
        # ninja's own validator of a Schema hands the body on wrapped in a DjangoGetter.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            return data
        allowed = input_names(cls)
        unknown = sorted(str(name) for name in raw if name not in allowed)
        if unknown:
            raise PydanticCustomError(
                "unknown_fields",
                "Unknown fields: {unknown}.",
                {"unknown": unknown, "allowed": [n for n in allowed if n]},
            )
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _moment_storable(cls, value: Any) -> Any:
        # PostgreSQL refuses a time zone offset of 16 hours or more, and a moment that falls
        # outside Python's years once in UTC cannot be read back: both a 400, not a 500.
        if isinstance(value, datetime) and value.tzinfo is not None:
            offset = value.utcoffset()
            try:
                value.astimezone(UTC)
            except OverflowError:
                offset = None
            if offset is None or abs(offset) > MAX_UTC_OFFSET:
                raise PydanticCustomError("datetime_out_of_range", "The moment is out of range.")
        return value


# The widest offset of a real time zone (UTC+14, Line Islands).
MAX_UTC_OFFSET = timedelta(hours=14)


def input_names(schema: type[Schema]) -> list[str]:
    """The names a request body of `schema` may use: each field's alias, or its name."""
    return [info.alias or name for name, info in schema.model_fields.items()]


T = TypeVar("T")
M = TypeVar("M", bound=Model)
S = TypeVar("S", bound=Schema)


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


# The 4xx answers every operation may give, in the one error format. Documented on every
# operation so that clients (and schemathesis) know an error body from a success body.
ERROR_RESPONSES: dict[int, str] = {
    400: (
        "Invalid request: `validation_error` (with `details.errors`, each with its `loc` and"
        " `type`; an unknown body field: `type` `unknown_fields` with the `unknown` and"
        " `allowed` names; a bad list parameter or filter value: `details.fields`, the accepted"
        " values in `details.allowed`) or `bad_request`."
    ),
    401: "Missing, invalid or revoked bearer token (`unauthorized`).",
    403: "The role or team of the caller does not allow this (`permission_denied`).",
    404: "No such record, or it is outside the caller's scope (`not_found`).",
}
WRITE_ERROR_RESPONSES: dict[int, str] = {
    409: (
        "The record changed meanwhile, or its current state refuses the request (a closed deal,"
        " a converted lead, a paid invoice…): a code of the app."
    ),
    413: "The request body is over the limit, 2.5 MB by default (`payload_too_large`).",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


class FastJSONEncoder(NinjaJSONEncoder):
    """ninja's encoder, asked first about the types a page is made of: the same text, without
    ninja's and Django's chain of `isinstance` checks for each of a page's ~400 decimals and
    dates (`DjangoJSONEncoder` checks datetime, date, time and timedelta before a decimal)."""

    def default(self, o: Any) -> Any:
        kind = type(o)
        if kind is Decimal:
            return str(o)
        if kind is datetime or kind is date:
            return DjangoJSONEncoder.default(self, o)
        return super().default(o)


class FastJSONRenderer(JSONRenderer):
    encoder_class = FastJSONEncoder


PAGE_RENDERER = FastJSONRenderer()


def page_response(
    request: HttpRequest,
    *,
    items: list[dict[str, Any]],
    count: int | None,
    page: int,
    page_size: int,
    next: int | None,
) -> HttpResponse:
    """A `Page` answered from plain dicts: the bytes ninja would render for `Page[Out]` of
    the same values, without building a model per item. The caller gives each item's keys in
    its `Out` schema's field order and every value as the schema would dump it (the values
    read from the columns the schema's fields come from)."""
    data = {"items": items, "count": count, "page": page, "page_size": page_size, "next": next}
    return object_response(request, data)


def object_response(
    request: HttpRequest, data: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """An answer rendered from a plain dict: the bytes ninja renders for its `Out` schema when
    the dict has the schema's keys in its field order and every value as the schema dumps it."""
    return HttpResponse(
        PAGE_RENDERER.render(request, data, response_status=status),
        status=status,
        content_type=f"{PAGE_RENDERER.media_type}; charset={PAGE_RENDERER.charset}",
    )


class GreenwaveAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI description also documents the error answers, and whose reading
    operations refuse a query parameter they do not publish."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", FastJSONRenderer())
        super().__init__(*args, **kwargs)
        self.add_decorator(refusing_unknown_query_params, mode="view")

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_error_responses(schema)
        return schema


def unknown_params_error(names: Collection[str]) -> DomainError:
    """The 400 of query parameters an operation does not take, in the shape of a list's
    (`details.fields` names each): a misspelt `?dat=` would otherwise answer today's figures."""
    problem = gettext_noop("unknown parameter")
    named = "; ".join(f"{name}: {_(problem)}" for name in names)
    return DomainError(
        CoreError.VALIDATION,
        _("Invalid parameters: %(fields)s.") % {"fields": named},
        details={"fields": dict.fromkeys(names, problem)},
    )


def refusing_unknown_query_params(run: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator of every operation (`NinjaAPI.add_decorator(mode="view")`, which hands
    it the operation's bound `run`): a GET's handler refuses a query parameter that none of
    its declared parameters names. The check wraps the handler, so that authentication still
    answers first; a list (its parameters published by `document_list`) is left to
    `list_query`, which refuses unknown ones with the list's own message."""
    operation = getattr(run, "__self__", None)
    if operation is None or "GET" not in operation.methods:
        return run
    if "parameters" in (operation.openapi_extra or {}):
        return run
    known = {
        name
        for model in operation.models
        if model.__ninja_param_source__ == "query"
        for name in model.__ninja_flatten_map__
    }
    view = operation.view_func

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(name for name in request.GET if name not in known)
        if unknown:
            raise unknown_params_error(unknown)
        return view(request, *args, **kwargs)

    operation.view_func = checked
    return run


def document_error_responses(schema: dict[str, Any]) -> None:
    schema["components"].setdefault("schemas", {})["ErrorOut"] = ErrorOut.model_json_schema(
        ref_template=REF_TEMPLATE
    )
    content = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            errors = dict(ERROR_RESPONSES)
            if not operation.get("security"):
                del errors[401]
            if method in WRITE_METHODS:
                errors.update(WRITE_ERROR_RESPONSES)
            for status, description in errors.items():
                # ninja keys responses by int; a str key would add a second entry.
                operation["responses"].setdefault(
                    status, {"description": description, "content": content}
                )


def document_conflict(description: str) -> dict[str, Any]:
    """`openapi_extra` of an operation whose 409 says more than the generic one: which codes
    of its app refuse the request by a record's current state."""
    content = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}}
    return {"responses": {409: {"description": description, "content": content}}}


def document_file_answer(media_type: str, description: str) -> dict[str, Any]:
    """`openapi_extra` of an operation that answers a file, not JSON (use with `response={200:
    None}` so that ninja adds no `application/json` of its own)."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string"}}},
            }
        }
    }


class Page(Schema, Generic[T]):
    items: list[T]
    count: int | None = Field(
        description=(
            "How many records match; null when more than the server's count limit"
            " (GREENWAVE_LIST_COUNT_LIMIT, 1 000 by default) match: follow `next` then."
        )
    )
    page: int
    page_size: int
    next: int | None = Field(
        default=None, description="The number of the next page; null on the last page."
    )

    @model_validator(mode="after")
    def _next_from_count(self) -> Page[T]:
        """A page answered with a known count and no `next` gets the next page from it."""
        counted = "next" not in self.model_fields_set and self.count is not None
        if counted and self.page * self.page_size < (self.count or 0):
            self.next = self.page + 1
        return self


def resolve_attr(path: str, cast: Callable[[Any], Any] = str) -> staticmethod[[Any], Any]:
    """An `Out` schema's resolver of a field read through a related row:
    `resolve_sku = resolve_attr("product.sku")` answers `str(obj.product.sku)`."""
    names = path.split(".")

    def resolve(obj: Any) -> Any:
        for name in names:
            obj = getattr(obj, name)
        return cast(obj)

    return staticmethod(resolve)


def resolve_rows(name: str) -> staticmethod[[Any], list[Any]]:
    """An `Out` schema's resolver of a nested list: `resolve_lines = resolve_rows("lines")`
    answers `list(obj.lines.all())` (the rows the selector prefetched)."""

    def resolve(obj: Any) -> list[Any]:
        return list(getattr(obj, name).all())

    return staticmethod(resolve)


_METHOD_KINDS = (FunctionType, staticmethod, classmethod, property)


def _fields_of_source(source: type) -> dict[str, tuple[Any, Any]]:
    """(type, default or FieldInfo) of each field of a schema, a dataclass or a `TypedDict`."""
    if issubclass(source, Schema):
        return {name: (info.annotation, info) for name, info in source.model_fields.items()}
    defaults: dict[str, Any] = {}
    if dataclasses.is_dataclass(source):
        defaults = {
            f.name: f.default
            for f in dataclasses.fields(source)
            if f.default is not dataclasses.MISSING
        }
    return {name: (hint, defaults.get(name, ...)) for name, hint in get_type_hints(source).items()}


def fields_of(source: type, *, after: str = "") -> Callable[[type[S]], type[S]]:
    """Class decorator: the schema also answers the fields of a service's `TypedDict`, a
    selector's dataclass or another schema, with their types and defaults, in their order —
    placed after the schema's field `after` (first without it). A field the schema declares
    itself wins (another type, a description). The schema declares fields only (no methods, no
    own config): it is rebuilt with all its fields in that order."""

    def build(cls: type[S]) -> type[S]:
        base: type[S] = cls.__bases__[0]
        methods = [k for k, v in vars(cls).items() if isinstance(v, _METHOD_KINDS)]
        if methods or cls.model_config != base.model_config:
            raise TypeError(f"{cls.__name__}: fields_of takes a schema of fields only")
        own: dict[str, tuple[Any, Any]] = {
            name: (info.annotation, info) for name, info in cls.model_fields.items()
        }
        added = {k: v for k, v in _fields_of_source(source).items() if k not in own}
        names = list(own)
        cut = names.index(after) + 1 if after else 0
        fields: dict[str, Any] = (
            {n: own[n] for n in names[:cut]} | added | {n: own[n] for n in names[cut:]}
        )
        built: type[S] = create_model(
            cls.__name__, __base__=base, __module__=cls.__module__, __doc__=cls.__doc__, **fields
        )
        return built

    return build


def patch_of(
    source: type[Schema], *, exclude: Collection[str] = ()
) -> Callable[[type[S]], type[S]]:
    """Class decorator: a PATCH body — every field of the creation body `source` (less
    `exclude`), in its order, with its type and constraints but optional, `None` by default
    (`patch_fields` then keeps what the request set). The schema declares nothing itself, not
    even a docstring (it would become the schema's published description)."""

    def build(cls: type[S]) -> type[S]:
        base: type[S] = cls.__bases__[0]
        if (
            cls.__doc__
            or cls.model_fields != base.model_fields
            or cls.model_config != base.model_config
        ):
            raise TypeError(f"{cls.__name__}: patch_of takes an empty schema")
        fields: dict[str, Any] = {}
        for name, info in source.model_fields.items():
            kind: Any = info.annotation
            if name not in exclude:
                fields[name] = (kind | None, FieldInfo.merge_field_infos(info, default=None))
        built: type[S] = create_model(
            cls.__name__, __base__=base, __module__=cls.__module__, **fields
        )
        return built

    return build


def error_response(api: NinjaAPI, request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Route every failure through the one error format."""

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return error_response(api, request, exc)

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [validation_detail(e) for e in exc.errors]
        message = unknown_fields_message(errors) or _("The request is invalid.")
        return error_response(
            api, request, DomainError(CoreError.VALIDATION, message, details={"errors": errors})
        )

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(
            api,
            request,
            DomainError(
                CoreError.UNAUTHORIZED,
                _("Authentication required: send a valid, unrevoked bearer token."),
            ),
        )

    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = CoreError.NOT_FOUND if exc.status_code == 404 else CoreError.BAD_REQUEST
        return error_response(
            api, request, DomainError(code, str(exc.message), status=exc.status_code)
        )

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, DomainError(CoreError.NOT_FOUND, _("Not found.")))

    def on_crash(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return api.create_response(
            request,
            {"code": "internal_error", "message": _("Internal error."), "details": {}},
            status=500,
        )

    handlers: Iterable[tuple[type[Exception], Callable[..., HttpResponse]]] = (
        (DomainError, on_domain_error),
        (NinjaValidationError, on_validation),
        (AuthenticationError, on_auth),
        (HttpError, on_http),
        (Http404, on_404),
        (Exception, on_crash),
    )
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


def patch_fields(
    payload: Schema, model: type[Model], *, exclude: Iterable[str] = ()
) -> dict[str, Any]:
    """The fields a PATCH body sets; an explicit `null` only where the model's column takes
    NULL (`{"title": null}` is a 400, not a database error)."""
    fields: dict[str, Any] = payload.dict(exclude_unset=True, exclude=set(exclude))
    refused = {}
    for name, value in fields.items():
        if value is not None:
            continue
        try:
            nullable = bool(getattr(model._meta.get_field(name), "null", False))
        except FieldDoesNotExist:
            nullable = False
        if not nullable:
            refused[name] = [_("This field cannot be null.")]
    if refused:
        raise DomainError(
            CoreError.VALIDATION, _("The request is invalid."), details={"fields": refused}
        )
    return fields


def row_of_id(model: type[M], pk: int | None, unknown: DomainError) -> M | None:
    """The row an optional id of a request body names: None without an id, `unknown` raised
    for an id of no row (the caller's answer: a 404, or a 403 where existence must not leak)."""
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise unknown
    return row


def scoped_row_of_id(get: Callable[..., M], actor: Any, pk: int | None, **options: Any) -> M | None:
    """The row the scoped selector `get(actor=, pk=, **options)` reads for an optional id of a
    request (a 404 outside the actor's scope); None when the request names none (null or 0)."""
    return get(actor=actor, pk=pk, **options) if pk else None


def upload_bytes(file: UploadedFile, limit: int, too_large: DomainError) -> bytes:
    """The bytes of an uploaded file; `too_large` (the endpoint's own code and message) raised
    when the file is over `limit` bytes, and never more than the limit read."""
    if (file.size or 0) > limit:
        raise too_large
    data: bytes = file.read(limit + 1)
    return data


# A list parameter left empty (what a form's «Any» sends) means no filter, the default order
# or the default page: published as a value of its own beside the parameter's real schema.
_EMPTY: dict[str, Any] = {"type": "string", "enum": [""]}


def _or_empty(schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"anyOf": [schema, _EMPTY], **extra}


def _filter_schema(f: FilterSpec) -> tuple[dict[str, Any], str]:
    """The published schema of one filter and what its value selects."""
    if f.kind == "bool":
        return {"type": "string", "enum": ["", "true", "false", "1", "0"]}, "yes (true, 1) or no"
    if f.kind == "date_from":
        return _or_empty({"type": "string", "format": "date"}), "on or after this date"
    if f.kind == "date_to":
        return _or_empty({"type": "string", "format": "date"}), "on or before this date"
    if f.kind == "int":
        number = {"type": "integer", "minimum": -INT_LIMIT, "maximum": INT_LIMIT}
        return _or_empty(number), "the record's id"
    if f.kind == "text":
        return {"type": "string"}, "contains this text, case-insensitive"
    if f.allowed:
        return {"type": "string", "enum": ["", *f.allowed]}, "one of the values"
    return {"type": "string"}, "exactly this value"


def _query_param(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "in": "query",
        "name": name,
        "required": False,
        "schema": schema,
        "description": description,
    }


def list_parameters(spec: ListSpec, *, paged: bool = True) -> list[dict[str, Any]]:
    """The query parameters of an API list over `spec`, as `ListQuery.from_params` parses them
    (`paged=False`: an export of the whole filtered list, without page and page size)."""
    params: list[dict[str, Any]] = []
    with translation.override("en"):  # the description is English, whoever asks for it
        if spec.search_fields or spec.search_id:
            number = " or a record's number" if spec.search_id else ""
            text = f"Search text{number}, case-insensitive (its first 200 characters)."
            params.append(_query_param("q", {"type": "string"}, text + " Empty: no search."))
        if spec.sorts:
            keys = ", ".join(f"`{s.key}` ({s.label})" for s in spec.sorts)
            one_way = [s.key for s in spec.sorts if not s.reversible]
            text = f"The order: {keys}; `-key` reverses it"
            text += f" (not for {', '.join(one_way)})." if one_way else "."
            default = f"`{spec.default_sort}`" if spec.default_sort else "the list's own"
            schema = {"type": "string", "enum": ["", *spec.sort_keys()]}
            params.append(_query_param("sort", schema, f"{text} Empty: {default} order."))
        if paged:
            page = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
            size_limit = settings.GREENWAVE_API_MAX_PAGE_SIZE
            size = {"type": "integer", "minimum": 1, "maximum": size_limit}
            default_size = settings.GREENWAVE_PAGE_SIZE
            params += [
                _query_param("page", _or_empty(page, default=1), "The page, from 1. Empty: 1."),
                _query_param(
                    "page_size",
                    _or_empty(size, default=default_size),
                    f"Records per page, at most {size_limit}. Empty: {default_size}.",
                ),
            ]
        for f in spec.filters:
            schema, selects = _filter_schema(f)
            text = f"{f.label}: {selects}. Empty: no filter."
            params.append(_query_param(f.name, schema, text))
    return params


def document_list(spec: ListSpec, *, paged: bool = True) -> dict[str, Any]:
    """`openapi_extra` of an API list operation: the query parameters of its `ListSpec`
    (`list_parameters`), which the handler parses with `list_query` — ninja sees none of
    them, as the handler reads `request.GET` itself."""
    return {"parameters": list_parameters(spec, paged=paged)}


def list_query(
    request: HttpRequest, spec: ListSpec, *, extra_params: Collection[str] = ()
) -> ListQuery:
    """The list query of an API list; `extra_params` are the endpoint's own query parameters
    (any other unknown parameter is a 400 `validation_error` naming it)."""
    return ListQuery.from_params(
        request.GET,
        spec,
        page_size=settings.GREENWAVE_PAGE_SIZE,
        max_page_size=settings.GREENWAVE_API_MAX_PAGE_SIZE,
        extra_params=extra_params,
    )


def list_answer(
    request: HttpRequest,
    rows: Callable[..., QuerySet[Any]],
    spec: ListSpec,
    *,
    shape: Callable[[ListQuery], ListQuery] | None = None,
) -> dict[str, Any]:
    """A plain API list: the request's list query (adjusted by `shape`: filters folded) over
    the scoped selector `rows(actor=)`, one page."""
    query = list_query(request, spec)
    if shape is not None:
        query = shape(query)
    return paginate(rows(actor=request.user), spec, query)


def paginate(qs: QuerySet[M], spec: ListSpec, query: ListQuery) -> dict[str, Any]:
    """Apply the list query and cut one page: the page, and a count bounded by
    `GREENWAVE_LIST_COUNT_LIMIT` only when the page is full (`listing.page_window`)."""
    window = page_window(
        apply_list_query(qs, spec, query), query, count_limit=settings.GREENWAVE_LIST_COUNT_LIMIT
    )
    return {
        "items": window.rows,
        "count": window.count,
        "page": query.page,
        "page_size": query.page_size,
        "next": window.next,
    }
