"""Who may open a page: the administrator's pages guarded once for every app.

`admin_required` is the decorator of a page only a Greenwave administrator opens (signed in
first), `allowed_only(test)` the same for the users another test lets in (a process designer,
a decisions editor); `require_admin(request)` is the check inside a view that reads its record
first (a record outside the actor's scope stays a 404 before the 403).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def is_admin(user: object) -> bool:
    """Whether `user` is a Greenwave administrator (`is_greenwave_admin`): the test of the
    administrator's menu entries and records."""
    return bool(getattr(user, "is_greenwave_admin", False))


def require_admin(request: HttpRequest) -> None:
    """A 403 unless the signed-in user is a Greenwave administrator."""
    if not is_admin(request.user):
        raise PermissionDenied


def allowed_only(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """The decorator of a view for signed-in users `allowed(user)` lets in: others get a 403
    (anonymous, the sign-in) — `allowed_only(services.can_edit_decisions)`."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The view for signed-in administrators only.
admin_required = allowed_only(is_admin)
