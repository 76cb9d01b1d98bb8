"""The decisions API speaks the caller's language as the pages do: a built-in decision's name
and input labels in English for an English reader, the FEEL names as stored; the language is
the request's `Accept-Language`, or else the token owner's own setting."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db

KEY = "client_reliability"


def _labels(body: dict[str, Any]) -> dict[str, str]:
    return {i["name"]: i["label"] for i in body["inputs"]}


def test_the_decisions_api_names_a_built_in_decision_in_the_callers_language(
    seeded: None, two_teams: dict[str, Any], bearer: Any
) -> None:
    client = bearer(two_teams["hunter_a"])
    english = client.get(f"/api/v1/decisions/{KEY}", headers={"Accept-Language": "en"}).json()
    assert english["name"] == "Client reliability"
    assert [v["name"] for v in english["versions"]] == ["Client reliability"]
    assert _labels(english)["blacklisted"] == "Declared unreliable"
    assert english["decision_name"] == KEY  # a FEEL name: the `decision` of an evaluation
    listed = client.get(f"/api/v1/decisions?q={KEY}", headers={"Accept-Language": "en"}).json()
    assert [d["name"] for d in listed["items"]] == ["Client reliability"]
    russian = client.get(f"/api/v1/decisions/{KEY}", headers={"Accept-Language": "ru"}).json()
    assert russian["name"] == "Надёжность клиента"
    assert _labels(russian)["blacklisted"] == "Признан недобросовестным"


def test_a_token_without_accept_language_answers_in_its_owners_language(
    seeded: None, two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = "en"
    hunter.save(update_fields=["language"])
    client = bearer(hunter)
    assert client.get(f"/api/v1/decisions/{KEY}").json()["name"] == "Client reliability"
    missing = client.get("/api/v1/decisions/nothing_here").json()
    assert missing["message"] == "No decision with this key."
    # The header, when sent, is the caller's explicit choice.
    russian = client.get(f"/api/v1/decisions/{KEY}", headers={"Accept-Language": "ru"}).json()
    assert russian["name"] == "Надёжность клиента"
