"""API authentication: `Authorization: Bearer <token>` (and the browser session for the docs).

The answer's language: the request's `Accept-Language`, or else the token owner's own
setting; a browser session follows the user's setting, as the pages do. The time zone ("today",
"this month", rendered times) is always the token owner's, as a signed-in page's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .middleware import activate_user_language, activate_user_time_zone
from .models import User
from .services import token_authenticate


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
            # The middleware saw no user yet (it deactivates the zone after the answer).
            activate_user_time_zone(user)
            # A token is known only here, after the middleware chose the language: a caller
            # who sends no Accept-Language gets the token owner's own setting, as a signed-in
            # page does (the header, when sent, is the integrator's explicit choice).
            if "HTTP_ACCEPT_LANGUAGE" not in request.META:
                activate_user_language(request, user)
        return user


class ActiveSessionAuth(SessionAuth):
    """The signed-in browser session; CSRF is enforced on unsafe methods by ninja."""

    def authenticate(self, request: HttpRequest, key: Any) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


api_auth = [BearerTokenAuth(), ActiveSessionAuth()]
