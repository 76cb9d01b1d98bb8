"""Domain errors: every app raises `DomainError` with a code from its own enum.

The API turns them into `{"code", "message", "details"}` with a 4xx status; the HTML views
turn them into form errors or flash messages. Services never return HTTP responses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise


class ErrorCode(StrEnum):
    """Base of every app's error-code enum; a code's value is stable API surface."""


class CoreError(ErrorCode):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    UNAUTHORIZED = "unauthorized"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    BAD_REQUEST = "bad_request"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    METHOD_NOT_ALLOWED = "method_not_allowed"


_STATUS_BY_CODE: dict[str, int] = {
    CoreError.VALIDATION: 400,
    CoreError.BAD_REQUEST: 400,
    CoreError.NOT_FOUND: 404,
    CoreError.PERMISSION_DENIED: 403,
    CoreError.UNAUTHORIZED: 401,
    CoreError.CONFLICT: 409,
    CoreError.THROTTLED: 429,
    CoreError.PAYLOAD_TOO_LARGE: 413,
    CoreError.METHOD_NOT_ALLOWED: 405,
}


def conflict_codes(*codes: ErrorCode) -> frozenset[ErrorCode]:
    """Declare codes that refuse a well-formed request because of a record's current state (a
    closed deal, a converted lead, an invoice already paid): their `DomainError` answers 409
    Conflict. A request wrong in itself (a missing or malformed value) stays a 400; a code
    answers one status wherever it is raised."""
    for code in codes:
        _STATUS_BY_CODE[code] = 409
    return frozenset(codes)


class DomainError(Exception):
    """A refused operation with a machine-readable code and a human message (translated)."""

    def __init__(
        self,
        code: ErrorCode,
        message: str | Promise,
        *,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = details or {}
        self.status = status or _STATUS_BY_CODE.get(code, 400)

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "details": self.details}


def not_found(message: str | Promise) -> DomainError:
    return DomainError(CoreError.NOT_FOUND, message)


def permission_denied(message: str | Promise) -> DomainError:
    return DomainError(CoreError.PERMISSION_DENIED, message)
