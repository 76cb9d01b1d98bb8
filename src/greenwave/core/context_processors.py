"""Template context of the shell: navigation and the quick «+» menu for the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .navigation import nav_for
from .quick_add import quick_add_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": {}}
    return {
        "nav_sections": nav_for(user, request.path),
        "reminders_url": _reminders_url(),
        "quick_add": quick_add_for(user),
    }


def _reminders_url() -> str | None:
    """The top bar's reminders bell, if an app serves one (activities does)."""
    try:
        return reverse("activities:reminders")
    except NoReverseMatch:
        return None
