"""Requests no view can use are answered here, before any view, in the error format.

- A NUL character in the query string, a form field or a JSON body: 400 (PostgreSQL cannot
  store one, and no text field of Greenwave has a use for it). The few views that receive a
  file as the raw body (1C's zip archives and pictures) register with `allow_binary_body`;
  their form and JSON bodies are still checked.
- A request body above `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MB, files of a multipart upload
  not counted): 413. The few views that receive a whole BPMN or DMN model as text register
  a larger limit with `allow_large_body` (their model's own limit, times the escaping).
- A form body that cannot be parsed (a `multipart/form-data` without a boundary): 400.

API paths answer `{"code", "message", "details"}`, pages the error page, with the same status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from .errors import CoreError, DomainError

_LARGE_BODIES: dict[str, int] = {}
_BINARY_BODIES: set[str] = set()
# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six characters).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def allow_large_body(view_name: str, max_bytes: int) -> None:
    """Let the view `namespace:name` receive a body of up to `max_bytes` (AppConfig.ready)."""
    _LARGE_BODIES[view_name] = max_bytes


def allow_binary_body(view_name: str) -> None:
    """Let the view `namespace:name` receive a raw body with any bytes (AppConfig.ready)."""
    _BINARY_BODIES.add(view_name)


def body_limit(view_name: str) -> int:
    return max(_LARGE_BODIES.get(view_name, 0), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or any("\x00" in v for v in vals) for key, vals in values.lists())


class RequestGuardMiddleware:
    """Must come before CsrfViewMiddleware, which reads the form body in its own process_view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        try:
            self._check(request)
        except DomainError as error:
            return _error_response(request, error)
        return None

    def _check(self, request: HttpRequest) -> None:
        if _has_nul(request.GET):
            raise _nul_error()
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return
        match = request.resolver_match
        limit = body_limit(match.view_name if match else "")
        try:
            if request.content_type == "multipart/form-data":
                # Uploaded files do not count; Django's parser limits the other fields.
                if not (request.content_params or {}).get("boundary"):
                    raise MultiPartParserError("multipart/form-data without a boundary")
            else:
                length = _content_length(request)
                if length > limit:
                    raise _too_large(limit)
                if length > (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or length):
                    # This view accepts more than Django's limit: read the body here.
                    body = request.read(limit + 1)
                    if len(body) > limit:
                        raise _too_large(limit)
                    request._body = body
                    request._stream = BytesIO(body)
            binary = bool(match and match.view_name in _BINARY_BODIES)
            if request.content_type in _FORMS:
                if _has_nul(request.POST):
                    raise _nul_error()
            elif binary and request.content_type != "application/json":
                pass  # a file as the body: its bytes are the view's to check
            elif b"\x00" in request.body or _JSON_NUL.search(request.body):
                raise _nul_error()
        except RequestDataTooBig as exc:
            raise _too_large(limit) from exc
        except (MultiPartParserError, SuspiciousOperation, BadRequest, UnicodeDecodeError) as exc:
            raise DomainError(
                CoreError.BAD_REQUEST,
                _("The request body cannot be read: %(error)s.") % {"error": exc},
            ) from exc


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _nul_error() -> DomainError:
    return DomainError(
        CoreError.BAD_REQUEST,
        _("The request contains a NUL character (\\u0000); no field accepts it."),
    )


def _too_large(limit: int) -> DomainError:
    return DomainError(
        CoreError.PAYLOAD_TOO_LARGE,
        _("The request body is larger than %(size)s MB.")
        % {"size": f"{limit / (1024 * 1024):.1f}".removesuffix(".0")},
        details={"limit": limit},
    )


def _error_response(request: HttpRequest, error: DomainError) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.status)
    context = {"status": error.status, "message": error.message, "code": error.code}
    return render(request, "core/error.html", context, status=error.status)
