"""API tokens: hashed at rest, shown once, revocable, expiring; errors in the one format."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from greenwave.accounts import services
from greenwave.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_token_is_stored_only_as_a_hash_and_authenticates(make_user) -> None:
    user = make_user("tokenholder")
    token, raw = services.token_issue(actor=user, user=user, name="1C")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix, stored.name)
    assert raw.startswith(f"gw_{stored.prefix}_")
    assert services.token_authenticate(raw) == user
    assert services.token_authenticate(raw + "x") is None


def test_me_answers_with_a_valid_token(make_user, bearer) -> None:
    user = make_user("me_user", roles=["hunter", "kam"], first_name="Ivan", last_name="Petrov")
    response = bearer(user).get("/api/v1/me")

    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "me_user"
    assert body["roles"] == ["hunter", "kam"]
    assert body["full_name"] == "Ivan Petrov"
    assert body["access_level"] == "team"


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not-a-token", "Token something", "Bearer " + "x" * 500],
)
def test_missing_or_unknown_token_is_401_in_the_error_format(db, header) -> None:
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert set(response.json()) == {"code", "message", "details"}


def test_revoked_token_stops_working(make_user) -> None:
    user = make_user("revoker")
    token, raw = services.token_issue(actor=user, user=user, name="temp")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get("/api/v1/me").status_code == 200

    services.token_revoke(actor=user, token=token)

    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_expired_token_is_refused(make_user) -> None:
    user = make_user("expired")
    _token, raw = services.token_issue(
        actor=user, user=user, name="old", expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_token_of_a_disabled_user_is_refused(make_user) -> None:
    user = make_user("leaver")
    _token, raw = services.token_issue(actor=None, user=user, name="t")
    services.user_update(actor=None, user=user, is_active=False)
    assert Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").status_code == 401


def test_token_lifecycle_through_the_api(make_user, bearer) -> None:
    user = make_user("apiuser")
    client = bearer(user)

    created = client.post("/api/v1/tokens", {"name": "website"}, content_type="application/json")
    assert created.status_code == 201
    new_raw = created.json()["token"]
    listed = client.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"test", "website"}
    assert all("token" not in t for t in listed)

    token_id = created.json()["id"]
    revoked = client.delete(f"/api/v1/tokens/{token_id}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert (
        Client(headers={"Authorization": f"Bearer {new_raw}"}).get("/api/v1/me").status_code == 401
    )


def test_another_users_token_cannot_be_revoked(two_teams, bearer) -> None:
    victim_token, _raw = services.token_issue(actor=None, user=two_teams["hunter_b"], name="victim")
    response = bearer(two_teams["hunter_a"]).delete(f"/api/v1/tokens/{victim_token.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=victim_token.pk).revoked_at is None


def test_invalid_token_payload_is_a_validation_error(make_user, bearer) -> None:
    response = bearer(make_user("v")).post(
        "/api/v1/tokens", {"name": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["details"]["errors"]
    assert ApiToken.objects.filter(name="").count() == 0


def test_a_token_caller_gets_the_owners_time_zone(make_user, bearer) -> None:
    """20:00 UTC on 31 March is already 1 April in Vladivostok (UTC+10), still 31 March in
    the default zone: "today" of a token's answer is its owner's, as on their pages."""
    user = make_user(roles=["finance"])
    services.preferences_update(actor=user, language="en", time_zone="Asia/Vladivostok")
    client = bearer(user)
    evening = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=evening):
        answer = client.get("/api/v1/receivables")
    assert answer.status_code == 200
    assert answer.json()["as_of"] == "2026-04-01"
    # The zone is the request's own: nothing of it stays active after the answer.
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
