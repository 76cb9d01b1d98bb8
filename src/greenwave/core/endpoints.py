"""The plain endpoints of an app's router, declared as data instead of written out.

Most of an app's REST surface is the same few handlers per record kind: the list (a page of
the scoped selector, `core.api.list_answer`), the creation from the body's fields (201), the row
by id (a 404 outside the actor's scope), one action of the row through its service, its delete
(204) and an `Entity`'s PATCH, soft delete, restore and history. An app's `api.py` declares them
once through `Endpoints(router, __name__)`, in the order its OpenAPI document lists them:

    ENDPOINTS.list("/claims", selectors.claim_list, selectors.CLAIM_LIST_SPEC, ClaimOut,
                   name="claims")
    ENDPOINTS.create("/segments", services.segment_create, SegmentIn, SegmentOut)
    ENDPOINTS.create("/competitors", services.competitor_create, CompetitorIn, CompetitorOut,
                     reread=COMPETITOR)
    ENDPOINTS.detail("/claims/{claim_id}", selectors.claim_get, ClaimOut)
    ENDPOINTS.action(TASK, "/tasks/{task_id}/claim", services.task_claim, TaskDetailOut)
    ENDPOINTS.delete(ITEM, "/my-day/items/{item_id}", name="my_day_remove")
    ENDPOINTS.entity(COMPANY, "/companies/{company_id}", "detail", "update", out=CompanyOut,
                     patch=CompanyPatch)

Each handler is a function named as a hand-written one would be, in the app's module, so the
operation ids, summaries, URL names and the OpenAPI document are those of the written-out
handler. What is not plain (ids to resolve, a service with its own arguments) stays a
decorated function beside them.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from .api import Page, document_list, list_answer
from .crud import Entity, created
from .listing import ListQuery, ListSpec

Handler = Callable[..., Any]
_PARAM = re.compile(r"{(\w+)}")


def _last_param(path: str) -> str:
    """The record's id in a path: its last `{name}`."""
    names = _PARAM.findall(path)
    if not names:
        raise ValueError(f"{path}: no id in the path")
    return str(names[-1])


class Endpoints:
    """The generated handlers of one router, as functions of the module `module`."""

    def __init__(self, router: Router, module: str) -> None:
        self.router = router
        self.module = module

    def add(
        self,
        method: str,
        path: str,
        name: str,
        call: Handler,
        *,
        response: Any,
        params: dict[str, Any] | None = None,
        doc: str | None = None,
        **operation: Any,
    ) -> Handler:
        """Register `call(request, **params)` as the handler `name` at `path`; `params` are
        its typed parameters (path ids, the body), `doc` its description, `operation` the
        router's own keywords (`summary`, `operation_id`)."""

        def handler(request: HttpRequest, **values: Any) -> Any:
            return call(request, **values)

        handler.__name__ = handler.__qualname__ = name
        handler.__module__ = self.module
        handler.__doc__ = doc
        first = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        typed = [
            inspect.Parameter(key, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=kind)
            for key, kind in (params or {}).items()
        ]
        handler.__signature__ = inspect.Signature([first, *typed])  # type: ignore[attr-defined]
        self.router.add_api_operation(path, [method], handler, response=response, **operation)
        return handler

    def list(
        self,
        path: str,
        rows: Callable[..., QuerySet[Any]],
        spec: ListSpec,
        out: Any,
        *,
        name: str,
        shape: Callable[[ListQuery], ListQuery] | None = None,
        **operation: Any,
    ) -> Handler:
        """A plain list in the handler `name`: one `Page[out]` of the scoped selector
        `rows(actor=)` under the request's list query over `spec` (`core.api.list_answer`),
        its parameters published from `spec` (`core.api.document_list`)."""

        def answer(request: HttpRequest) -> Any:
            return list_answer(request, rows, spec, shape=shape)

        operation.setdefault("openapi_extra", document_list(spec))
        return self.add("GET", path, name, answer, response=Page[out], **operation)

    def create(
        self,
        path: str,
        service: Callable[..., Any],
        payload: type[Schema],
        out: Any,
        *,
        name: str = "",
        reread: Entity[Any] | None = None,
        **operation: Any,
    ) -> Handler:
        """A creation from the body's fields alone: `service(actor=, **payload)` answered 201
        with what it returns — or, with `reread`, with the new row read again through that
        entity's scoped selector (its annotations, its joined rows) — in the handler `name`
        (by default the service's name)."""

        def answer(request: HttpRequest, payload: Schema) -> Any:
            row = service(actor=request.user, **payload.dict())
            return created(reread.row(request, row.pk) if reread is not None else row)

        name = name or service.__name__
        params = {"payload": payload}
        return self.add("POST", path, name, answer, response={201: out}, params=params, **operation)

    def action(
        self,
        entity: Entity[Any],
        path: str,
        service: Callable[..., Any],
        out: Any,
        *,
        payload: type[Schema] | None = None,
        name: str = "",
        **operation: Any,
    ) -> Handler:
        """POST one action of the record by the path's id: `service(actor=, <keyword>=row,
        **payload)` through `entity.act` (so answered the row read again with `reread`), in the
        handler `name` (by default the service's name)."""
        param = _last_param(path)
        params: dict[str, Any] = {param: int}
        if payload is not None:
            params["payload"] = payload

        def answer(request: HttpRequest, **values: Any) -> Any:
            body = values.get("payload")
            fields = body.dict() if body is not None else {}
            return entity.act(request, values[param], service, **fields)

        name = name or service.__name__
        return self.add("POST", path, name, answer, response=out, params=params, **operation)

    def delete(
        self, entity: Entity[Any], path: str, *, name: str = "", **operation: Any
    ) -> Handler:
        """DELETE the record by the path's id through `entity.remove` (its delete service),
        answered 204 without a body, in the handler `name` (by default `<keyword>_delete`)."""
        param = _last_param(path)
        name = name or f"{entity.keyword}_delete"
        call = _by_id(entity.remove, param)
        ids = {param: int}
        return self.add("DELETE", path, name, call, response={204: None}, params=ids, **operation)

    def detail(
        self,
        path: str,
        get: Callable[..., Any],
        out: Any,
        *,
        name: str = "",
        **operation: Any,
    ) -> Handler:
        """The row of the scoped selector `get(actor=, pk=)` by the path's id, in the handler
        `name` (by default `<record>_detail` for the id `{<record>_id}`)."""
        param = _last_param(path)
        name = name or param.removesuffix("_id") + "_detail"

        def answer(request: HttpRequest, **ids: int) -> Any:
            return get(actor=request.user, pk=ids[param])

        return self.add("GET", path, name, answer, response=out, params={param: int}, **operation)

    def entity(
        self,
        entity: Entity[Any],
        path: str,
        *verbs: str,
        out: Any = None,
        patch: type[Schema] | None = None,
        history: Any = None,
    ) -> None:
        """`entity`'s plain handlers at the record's `path`, named `<keyword>_<verb>`:
        `detail` (GET), `update` (PATCH with `patch`), `delete` or `remove` (DELETE, 204 —
        documented as a soft delete when the record can be restored), `restore` (POST
        `…/restore`, answered `out`) and `history` (GET `…/history`, a list of `history`)."""
        param = _last_param(path)
        ids = {param: int}
        for verb in verbs:
            name = f"{entity.keyword}_{verb}"
            if verb == "detail":
                self.add("GET", path, name, _by_id(entity.row, param), response=out, params=ids)
            elif verb == "update":
                call = _by_id(entity.patch, param, "payload")
                self.add("PATCH", path, name, call, response=out, params={**ids, "payload": patch})
            elif verb in {"delete", "remove"}:
                soft = {"summary": "Soft delete"} if entity.restore is not None else {}
                self.delete(entity, path, name=name, **soft)
            elif verb == "restore":
                call = _by_id(entity.restored, param)
                self.add("POST", f"{path}/restore", name, call, response=out, params=ids)
            elif verb == "history":
                call = _by_id(entity.events, param)
                self.add("GET", f"{path}/history", name, call, response=list[history], params=ids)
            else:
                raise ValueError(f"{name}: no plain handler for {verb!r}")


def _by_id(method: Callable[..., Any], param: str, *passed: str) -> Handler:
    """`method(request, <the path's id>, <the parameters named in passed>)`."""

    def call(request: HttpRequest, **values: Any) -> Any:
        return method(request, values[param], *(values[key] for key in passed))

    return call
