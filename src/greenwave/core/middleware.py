"""Middleware of the shared kernel.

`DomainErrorMiddleware`: a DomainError that escapes an HTML view becomes an error page with its
status (selectors raise `not_found` for records outside the actor's scope and services raise
`permission_denied`; without this, every view would repeat the same try/except).
`ApiRoutingErrorMiddleware`: an unknown path or method under /api/ answers in the API's error
format (Django's 404 page and ninja's plain-text 405 are for no integrator).
`NoStoreMiddleware`: what a signed-in user sees is never kept by a browser or proxy cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from .errors import CoreError, DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return render(
            request,
            "core/error.html",
            {"status": exception.status, "message": exception.message, "code": exception.code},
            status=exception.status,
        )


class ApiRoutingErrorMiddleware:
    """A 404 or 405 under /api/ that no endpoint answered (no such path, a method the path
    does not take) becomes `{"code", "message", "details"}`; the endpoints' own JSON errors
    pass unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code not in (404, 405)
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        if response.status_code == 404:
            error = DomainError(CoreError.NOT_FOUND, _("There is no such API path."))
            return JsonResponse(error.as_dict(), status=404)
        allowed = sorted(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
        error = DomainError(
            CoreError.METHOD_NOT_ALLOWED,
            _("This path does not take the method %(method)s.") % {"method": request.method},
            details={"allowed": allowed},
        )
        answer = JsonResponse(error.as_dict(), status=405)
        answer["Allow"] = ", ".join(allowed)
        return answer


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer and on every page of a signed-in user, so
    a shared computer's back button or a proxy never shows a client card after sign-out.

    Static files never get here: WhiteNoise answers them earlier in the chain, with its own
    long-lived cache headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
