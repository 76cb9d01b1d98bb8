"""Middleware of the shared kernel.

`DomainErrorMiddleware`: a DomainError that escapes an HTML view becomes an error page with its
status (selectors raise `not_found` for records outside the actor's scope and services raise
`permission_denied`; without this, every view would repeat the same try/except).
`NoStoreMiddleware`: what a signed-in user sees is never kept by a browser or proxy cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from .errors import DomainError


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
