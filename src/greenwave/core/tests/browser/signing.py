"""Signing in, the first step of every browser test; imports no app.

`sign_in` gives the browser the session cookie of a server-side login (Django's test client
logs in: the password is checked, the login signals fire) and opens the home page, where the
login form would have led: the form's page and its post are not paid for again in every test.
`sign_in_through_the_form` types into the login page as a user does; the shell's test of
signing in keeps it, so the form itself stays walked in the browser."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from greenwave.conftest import PASSWORD

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def sign_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in as `username` (by default with the test password), leaving whoever was signed in
    before; the browser is left on the home page, as after the login form."""
    user = get_user_model()._default_manager.get_by_natural_key(username)
    assert user.is_active, f"{username} is not active"
    assert user.check_password(password), f"{username}: wrong password"
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/")
    _signed_in(page)


def sign_in_through_the_form(
    page: Any, live_server: Any, username: str, password: str = PASSWORD
) -> None:
    """Sign in as `username` by typing into the login page."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    _signed_in(page)


def _signed_in(page: Any) -> None:
    page.wait_for_selector("[data-testid=greeting]")
    # app.js closes the body: until the page's load event its click handlers (a dismissible
    # card's button) may not be bound yet, and a click would be lost (a CI run under load).
    page.wait_for_load_state("load")
