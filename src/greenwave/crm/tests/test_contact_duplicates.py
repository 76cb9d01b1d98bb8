"""One rule for a person the base already has (a live contact with the phone or e-mail): the
import skips the row, the API and the form refuse with the existing contact named, unless
told to create anyway."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from greenwave.crm import services
from greenwave.crm.models import Contact

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _post(api: Client, body: dict[str, Any]) -> Any:
    return api.post("/api/v1/contacts", json.dumps(body), content_type="application/json", **EN)


def test_the_api_refuses_a_second_contact_with_the_same_e_mail_naming_the_first(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    anna = services.contact_create(actor=hunter, full_name="Анна Ким", emails=["anna@alfa.ru"])
    api = bearer(hunter)
    again = _post(api, {"full_name": "Анна К.", "emails": ["Anna@Alfa.ru"]})
    assert again.status_code == 409, again.content
    body = again.json()
    assert body["code"] == "crm.duplicate"
    assert body["details"] == {
        "field": "emails",
        "value": "anna@alfa.ru",
        "duplicates": [anna.pk],
        "hidden": 0,
    }
    assert "Анна Ким" in body["message"]
    assert Contact.objects.count() == 1
    anyway = _post(
        api, {"full_name": "Анна К.", "emails": ["anna@alfa.ru"], "allow_duplicate": True}
    )
    assert anyway.status_code == 201, anyway.content
    assert Contact.objects.count() == 2


def test_a_duplicate_phone_is_refused_too_and_a_deleted_contact_does_not_count(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    old = services.contact_create(actor=hunter, full_name="Пётр", phones=["+79161234567"])
    api = bearer(hunter)
    again = _post(api, {"full_name": "Пётр Иванов", "phones": ["8 916 123-45-67"]})
    assert again.status_code == 409
    assert again.json()["details"]["field"] == "phones"
    services.contact_delete(actor=hunter, contact=old)
    assert (
        _post(api, {"full_name": "Пётр Иванов", "phones": ["8 916 123-45-67"]}).status_code == 201
    )


def test_another_teams_contact_is_not_named(two_teams: dict[str, Any], bearer: Any) -> None:
    services.contact_create(
        actor=two_teams["hunter_b"], full_name="Секретный", emails=["boss@beta.ru"]
    )
    refused = _post(
        bearer(two_teams["hunter_a"]), {"full_name": "Босс", "emails": ["boss@beta.ru"]}
    )
    assert refused.status_code == 409
    details = refused.json()["details"]
    assert (details["duplicates"], details["hidden"]) == ([], 1)
    assert "Секретный" not in refused.json()["message"]


def test_the_form_shows_the_duplicate_at_the_e_mails_and_creates_when_ticked(
    two_teams: dict[str, Any],
) -> None:
    hunter = two_teams["hunter_a"]
    services.contact_create(actor=hunter, full_name="Анна Ким", emails=["anna@alfa.ru"])
    client = Client()
    client.force_login(hunter)
    form = {"full_name": "Анна К.", "emails": "anna@alfa.ru"}
    page = client.post("/clients/contacts/new/", form)
    assert page.status_code == 200
    assert "Анна Ким" in page.context["form"].errors["emails"][0]
    assert Contact.objects.count() == 1
    made = client.post("/clients/contacts/new/", {**form, "allow_duplicate": "on"})
    assert made.status_code == 302
    assert Contact.objects.count() == 2


def test_a_change_that_adds_another_contacts_e_mail_is_refused_keeping_its_own(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    anna = services.contact_create(actor=hunter, full_name="Анна", emails=["anna@alfa.ru"])
    petr = services.contact_create(actor=hunter, full_name="Пётр", emails=["petr@alfa.ru"])
    api = bearer(hunter)
    url = f"/api/v1/contacts/{petr.pk}"
    own = api.patch(
        url,
        json.dumps({"emails": ["PETR@alfa.ru"], "position": "CEO"}),
        content_type="application/json",
    )
    assert own.status_code == 200, own.content  # its own e-mail is no duplicate
    taken = {"emails": ["petr@alfa.ru", "anna@alfa.ru"]}
    refused = api.patch(url, json.dumps(taken), content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["details"]["duplicates"] == [anna.pk]
    petr.refresh_from_db()
    assert petr.emails == ["petr@alfa.ru"]
    anyway = api.patch(
        url, json.dumps({**taken, "allow_duplicate": True}), content_type="application/json"
    )
    assert anyway.status_code == 200, anyway.content
