"""A company's INN another live company holds: 409 `crm.duplicate`, on creation and on a
change, unless the caller says to save anyway (`allow_duplicate`) — as for contacts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from greenwave.config.api import api as greenwave_api
from greenwave.core.models import Event
from greenwave.crm import services
from greenwave.crm.models import Company

from .conftest import VALID_INN

pytestmark = pytest.mark.django_db


def _send(api: Any, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(api, method)(url, json.dumps(body), content_type="application/json")


def test_a_patch_to_another_companys_inn_is_409_and_saved_with_allow_duplicate(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    first = services.company_create(actor=hunter, name="Ромашка", inn=VALID_INN)
    branch = services.company_create(actor=hunter, name="Ромашка филиал")
    api, url = bearer(hunter), f"/api/v1/companies/{branch.pk}"
    history = Event.objects.filter(case_type="company", case_id=str(branch.pk))
    events_before = history.count()

    refused = _send(api, "patch", url, {"inn": VALID_INN})
    assert refused.status_code == 409, refused.content
    assert refused.json()["code"] == "crm.duplicate"
    assert refused.json()["details"]["duplicates"] == [first.pk]
    assert Company.objects.get(pk=branch.pk).inn == ""

    saved = _send(api, "patch", url, {"inn": VALID_INN, "allow_duplicate": True})
    assert saved.status_code == 200, saved.content
    assert saved.json()["inn"] == VALID_INN
    assert Company.objects.get(pk=branch.pk).inn == VALID_INN
    assert (
        Event.objects.filter(case_type="company", case_id=str(branch.pk)).count()
        == events_before + 1
    )


def test_a_second_company_with_the_inn_is_created_with_allow_duplicate(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    services.company_create(actor=hunter, name="Ромашка", inn=VALID_INN)
    api = bearer(hunter)
    body = {"name": "Ромашка филиал", "inn": VALID_INN}
    assert _send(api, "post", "/api/v1/companies", body).status_code == 409
    made = _send(api, "post", "/api/v1/companies", {**body, "allow_duplicate": True})
    assert made.status_code == 201, made.content
    assert Company.objects.filter(inn=VALID_INN).count() == 2


def test_allow_duplicate_is_documented_on_the_company_bodies() -> None:
    schemas = greenwave_api.get_openapi_schema()["components"]["schemas"]
    for name in ("CompanyIn", "CompanyPatch"):
        assert "crm.duplicate" in schemas[name]["properties"]["allow_duplicate"]["description"]
