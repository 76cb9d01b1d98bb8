"""Per-user language and time zone: a signed-in user sees the shell in their own settings."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            activate_user_time_zone(user)
            if request.path_info != "/i18n/setlang/":
                activate_user_language(request, user)
        response = self.get_response(request)
        timezone.deactivate()  # also the zone a bearer token's owner had (`accounts.auth`)
        return response


def activate_user_time_zone(user: Any) -> None:
    """Compute "today" and render times in `user`'s own time zone (an unknown one: the
    default)."""
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def activate_user_language(request: HttpRequest, user: Any) -> None:
    """Answer `request` in `user`'s own language (none set: the negotiated one stays)."""
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()
