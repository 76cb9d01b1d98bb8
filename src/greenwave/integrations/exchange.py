"""The HTTP protocol 1C calls at /integrations/1c/exchange (CommerceML 2 «обмен с сайтом»).

    ?type=catalog&mode=checkauth   HTTP Basic → "success\\n<cookie name>\\n<cookie value>"
    ?type=catalog&mode=init        → "zip=yes\\nfile_limit=<bytes>"
    ?type=catalog&mode=file&filename=import.xml   (POST body, maybe in parts) → "success"
        (or a zip archive with import.xml, offers.xml and the import_files/… pictures, or
        a picture alone by its path; an archive is unpacked at the first mode=import)
    ?type=catalog&mode=import&filename=import.xml → "success" | "failure\\n<why>"
    ?type=sale&mode=checkauth|init               as above
    ?type=sale&mode=query                        → the orders (CommerceML XML)
    ?type=sale&mode=success                      → "success"

Answers are plain text as 1C expects; every call after checkauth must carry the cookie.
"""

from __future__ import annotations

import base64
import binascii

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from greenwave.core.errors import DomainError
from greenwave.core.ratelimit import rate_limit_hits, rate_limited

from . import services
from .models import ExchangeKind, OneCExchange

CHECKAUTH_FAILURES = 10
FILE_LIMIT = 2_000_000  # under the request guard's 2.5 MB: 1C splits bigger files
MODES: dict[str, set[str]] = {
    ExchangeKind.CATALOG: {"checkauth", "init", "file", "import"},
    ExchangeKind.SALE: {"checkauth", "init", "query", "success", "file"},
}


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def _failure(message: str, status: int) -> HttpResponse:
    return _text(f"failure\n{message}", status)


def _basic(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = raw.partition(":")
    return (username, password) if sep else None


@csrf_exempt
def onec_exchange(request: HttpRequest) -> HttpResponse:
    kind, mode = request.GET.get("type", ""), request.GET.get("mode", "")
    if kind not in MODES or mode not in MODES[kind]:
        return _failure(_("Unknown type or mode."), 400)
    try:
        if mode == "checkauth":
            return _checkauth(request, kind)
        exchange = services.onec_session_get(
            token=request.COOKIES.get(services.ONEC_COOKIE, ""), kind=kind
        )
        if exchange is None:
            return _failure(_("Not signed in: call mode=checkauth first."), 401)
        return _session_step(request, exchange, kind, mode)
    except DomainError as exc:
        return _failure(exc.message, 403 if exc.status == 403 else 400)


def _session_step(
    request: HttpRequest, exchange: OneCExchange, kind: str, mode: str
) -> HttpResponse:
    """One step of a signed-in session: init, file, import (catalog) or query, success
    (orders)."""
    if mode == "init":
        zipped = "yes" if kind == ExchangeKind.CATALOG else "no"
        return _text(f"zip={zipped}\nfile_limit={FILE_LIMIT}\n")
    if mode == "file" and kind == ExchangeKind.CATALOG:
        if request.method != "POST":
            return _failure(_("Send the file in a POST body."), 405)
        services.onec_file_append(
            exchange=exchange, name=request.GET.get("filename", ""), data=request.body
        )
        return _text("success\n")
    if mode == "file":
        return _failure(_("Greenwave does not take order changes from 1C."), 400)
    if mode == "import":
        services.onec_session_import(exchange=exchange, name=request.GET.get("filename", ""))
        return _text("success\n")
    if mode == "query":
        document = services.onec_orders_query(exchange=exchange)
        return HttpResponse(document, content_type="application/xml; charset=utf-8")
    services.onec_orders_confirm(exchange=exchange)
    return _text("success\n")


def _checkauth(request: HttpRequest, kind: str) -> HttpResponse:
    # Failed sign-ins per address are limited like the login page's (no password guessing).
    address = request.META.get("REMOTE_ADDR", "")
    if rate_limit_hits(f"onec-checkauth:{address}") >= CHECKAUTH_FAILURES:
        return _failure(_("Too many failed sign-ins: try again later."), 429)
    credentials = _basic(request)
    if credentials is None or not services.onec_credentials_ok(*credentials):
        rate_limited(f"onec-checkauth:{address}", limit=CHECKAUTH_FAILURES, window_seconds=900)
        response = _failure(_("Wrong user name or password."), 401)
        response["WWW-Authenticate"] = 'Basic realm="Greenwave 1C exchange"'
        return response
    _exchange, token = services.onec_session_open(kind=kind)
    response = _text(f"success\n{services.ONEC_COOKIE}\n{token}\n")
    response.set_cookie(
        services.ONEC_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
