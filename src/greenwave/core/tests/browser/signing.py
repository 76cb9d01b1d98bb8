"""Signing in through the login page, the first step of every browser test; imports no app."""

from __future__ import annotations

from typing import Any

from greenwave.conftest import PASSWORD


def sign_in(page: Any, live_server: Any, username: str, password: str = PASSWORD) -> None:
    """Sign in as `username` (by default with the test password), leaving whoever was signed in
    before."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=greeting]")
    # app.js closes the body: until the page's load event its click handlers (a dismissible
    # card's button) may not be bound yet, and a click would be lost (a CI run under load).
    page.wait_for_load_state("load")
