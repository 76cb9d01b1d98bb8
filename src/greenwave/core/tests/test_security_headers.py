"""Security headers, cookies and sign-in protections, checked on the real settings and answers.

Production values come from `config/settings/prod.py`, imported with a secret in the
environment (the module reads every value from there).
"""

from __future__ import annotations

import importlib
import os
import re
from types import ModuleType
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from greenwave.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def production_settings() -> ModuleType:
    with mock.patch.dict(os.environ, {"SECRET_KEY": "x" * 60}):
        return importlib.reload(importlib.import_module("greenwave.config.settings.prod"))


def test_csp_allows_no_inline_script_and_no_foreign_origin(client: Client, make_user) -> None:
    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    script = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in script
    assert "'unsafe-eval'" not in script
    assert directives["frame-ancestors"] == ["'none'"]
    assert all(source.startswith("'") or source == "data:" for source in script)
    # and the page itself runs no inline script the policy would block
    inline = re.findall(rb"<script(?![^>]*\ssrc=)[^>]*>\s*\S", response.content)
    assert inline == [], inline


def test_production_settings_send_hsts_and_secure_cookies() -> None:
    prod = production_settings()
    assert prod.DEBUG is False
    assert prod.SECURE_HSTS_SECONDS >= 31_536_000
    assert prod.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.SESSION_COOKIE_HTTPONLY is True
    assert prod.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert prod.CSRF_COOKIE_SAMESITE in ("Lax", "Strict")
    assert prod.LANGUAGE_COOKIE_SECURE is True
    assert prod.LANGUAGE_COOKIE_SAMESITE in ("Lax", "Strict")


def test_the_session_cookie_is_httponly_and_samesite(client: Client, make_user) -> None:
    make_user("nina")
    client.post("/accounts/login/", {"username": "nina", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] in ("Lax", "Strict")


def test_sign_in_is_throttled(client: Client, make_user) -> None:
    make_user("oleg")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "oleg", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "oleg", "password": PASSWORD})
    assert locked.status_code == 429


def test_a_password_reset_link_works_once(client: Client, make_user) -> None:
    user = make_user("pavel", email="pavel@example.com")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = f"/accounts/password/reset/{uid}/{token}/"
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    new = "another-long-pass-phrase-42"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    again = Client().get(url, follow=True)
    assert again.status_code == 200
    assert "new_password1" not in again.content.decode()
    assert not default_token_generator.check_token(user, token)


def test_signed_in_pages_and_api_answers_are_not_stored(client: Client, make_user, bearer) -> None:
    # Regression: nothing told browsers and proxies not to keep a signed-in user's pages.
    user = make_user()
    client.force_login(user)
    page = client.get("/")
    assert "no-store" in page["Cache-Control"]
    api = bearer(user).get("/api/v1/companies")
    assert api.status_code == 200
    assert "no-store" in api["Cache-Control"]
    anonymous_api = Client().get("/api/v1/companies")
    assert "no-store" in anonymous_api["Cache-Control"]


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_static_files_keep_their_own_cache_headers(make_user) -> None:
    client = Client()  # WhiteNoise reads its settings when the client's handler starts
    client.force_login(make_user())
    response = client.get(f"{settings.STATIC_URL}greenwave/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
