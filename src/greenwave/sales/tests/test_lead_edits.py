"""A lead's requisites checked as the client base checks them, and its change (PATCH, service)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm.requisites import inn_with_checksum
from greenwave.sales import services
from greenwave.sales.lead_import import lead_import_plan
from greenwave.sales.models import Lead, LeadStatus

pytestmark = pytest.mark.django_db

GOOD_INN = inn_with_checksum("770708389")  # 7707083893
BAD_INN = GOOD_INN[:-1] + str((int(GOOD_INN[-1]) + 1) % 10)


def _patch(api: Client, lead: Lead, body: dict[str, Any], **headers: str) -> Any:
    url = f"/api/v1/leads/{lead.pk}"
    return api.patch(url, json.dumps(body), content_type="application/json", **headers)


def test_the_api_refuses_a_lead_with_a_wrong_inn_naming_the_field_in_both_languages(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    api = bearer(two_teams["hunter_a"])
    body = {"company_name": "ООО «Вектор»", "inn": BAD_INN}
    english = api.post("/api/v1/leads", body, content_type="application/json", **_EN)
    assert english.status_code == 400
    answer = english.json()
    assert answer["code"] == "crm.invalid_inn"
    assert answer["details"]["field"] == "inn"
    assert answer["message"] == (f"The INN {BAD_INN} has a wrong check digit: check it for a typo.")
    russian = api.post("/api/v1/leads", body, content_type="application/json", **_RU)
    assert russian.json()["message"].startswith(f"У ИНН {BAD_INN} неверное контрольное число")
    short = api.post(
        "/api/v1/leads", {**body, "inn": "12345"}, content_type="application/json", **_EN
    )
    assert short.json()["details"]["field"] == "inn"
    assert "10 digits" in short.json()["message"]
    assert not Lead.objects.exists()


def test_a_lead_with_a_valid_inn_is_kept_compact_and_converts(
    two_teams: dict[str, Any], bearer: Any, b2b: Any
) -> None:
    api = bearer(two_teams["hunter_a"])
    spaced = f"{GOOD_INN[:4]} {GOOD_INN[4:]}"
    made = api.post(
        "/api/v1/leads",
        {"company_name": "ООО «Вектор»", "inn": spaced},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["inn"] == GOOD_INN
    deal = api.post(
        f"/api/v1/leads/{made.json()['id']}/convert", {}, content_type="application/json"
    )
    assert deal.status_code == 201, deal.content
    assert Lead.objects.get().company.inn == GOOD_INN


def test_the_lead_form_shows_a_wrong_inn_next_to_the_field(two_teams: dict[str, Any]) -> None:
    client = Client()
    client.force_login(two_teams["hunter_a"])
    page = client.post(
        "/sales/leads/new/",
        {"source": "call", "company_name": "ООО «Вектор»", "inn": BAD_INN},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["inn"] == [
        f"У ИНН {BAD_INN} неверное контрольное число: проверьте, нет ли опечатки."
    ]
    assert not Lead.objects.exists()


def test_the_lead_form_names_the_utm_fields_in_words(two_teams: dict[str, Any]) -> None:
    client = Client()
    client.force_login(two_teams["hunter_a"])
    page = client.get("/sales/leads/new/").content.decode()
    assert "Источник (UTM)" in page
    assert "Кампания (UTM)" in page
    assert ">utm_source<" not in page
    assert ">utm_campaign<" not in page


_EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
_RU = {"HTTP_ACCEPT_LANGUAGE": "ru"}


def test_patch_changes_only_the_sent_fields_and_logs_the_change(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    lead = services.lead_create(actor=hunter, contact_name="Анна", need="насосы")
    answer = _patch(bearer(hunter), lead, {"company_name": "ООО «Вектор»", "inn": GOOD_INN})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["company_name"], body["inn"], body["need"]) == (
        "ООО «Вектор»",
        GOOD_INN,
        "насосы",
    )
    event = Event.objects.get(case_type="lead", case_id=str(lead.pk), activity="lead_changed")
    assert event.actor == hunter
    assert event.payload["changes"]["inn"] == ["", GOOD_INN]
    assert set(event.payload["changes"]) == {"company_name", "inn"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"inn": BAD_INN}, "inn"),
        ({"source": "pigeon"}, "source"),
        ({"title": "  "}, "title"),
        ({"need": None}, "need"),
    ],
)
def test_patch_refuses_bad_values_and_changes_nothing(
    two_teams: dict[str, Any], bearer: Any, body: dict[str, Any], field: str
) -> None:
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна", inn=GOOD_INN)
    answer = _patch(bearer(two_teams["hunter_a"]), lead, body)
    assert answer.status_code == 400, answer.content
    details = answer.json()["details"]
    assert details.get("field") == field or field in details.get("fields", {})
    lead.refresh_from_db()
    assert (lead.inn, lead.source, lead.title) == (GOOD_INN, "other", "Анна")
    assert not Event.objects.filter(activity="lead_changed").exists()


def test_patch_refuses_to_leave_a_lead_without_a_way_to_reach_anyone(
    two_teams: dict[str, Any],
) -> None:
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна")
    with pytest.raises(DomainError):
        services.lead_update(actor=two_teams["hunter_a"], lead=lead, contact_name="")
    lead.refresh_from_db()
    assert lead.contact_name == "Анна"


def test_patch_is_404_outside_the_scope_403_for_a_reader_and_refused_when_closed(
    two_teams: dict[str, Any], bearer: Any, make_user: Any
) -> None:
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна")
    other_team = _patch(bearer(two_teams["hunter_b"]), lead, {"need": "чужое"})
    assert other_team.status_code == 404
    reader = make_user("lawyer_a", roles=["lawyer"], team=two_teams["team_a"])
    assert bearer(reader).get(f"/api/v1/leads/{lead.pk}").status_code == 200
    read_only = _patch(bearer(reader), lead, {"need": "не моё"})
    assert read_only.status_code == 403
    services.lead_disqualify(actor=two_teams["hunter_a"], lead=lead, reason="spam")
    closed = _patch(bearer(two_teams["hunter_a"]), lead, {"need": "поздно"})
    assert closed.status_code == 409
    assert closed.json()["code"] == "sales.lead_closed"
    lead.refresh_from_db()
    assert (lead.need, lead.status) == ("", LeadStatus.DISQUALIFIED)
    assert not Event.objects.filter(activity="lead_changed").exists()


def test_the_lead_import_checks_the_inn_by_the_same_rule(two_teams: dict[str, Any]) -> None:
    """Else a checked file would fail half-way through writing it (`lead_create` refuses)."""
    text = f"Компания;ИНН\nООО «Альфа»;{BAD_INN}\nООО «Бета»;{GOOD_INN}\n"
    with translation.override("en"):
        plan = lead_import_plan(content=text.encode(), file_name="leads.csv")
    assert [r.errors for r in plan.rows] == [
        [f"The INN {BAD_INN} has a wrong check digit: check it for a typo."],
        [],
    ]


def test_the_lead_edit_page_saves_through_the_same_checks(
    two_teams: dict[str, Any], make_user: Any
) -> None:
    hunter = two_teams["hunter_a"]
    lead = services.lead_create(actor=hunter, contact_name="Анна", source="call")
    client = Client()
    client.force_login(hunter)
    card = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert f"/sales/leads/{lead.pk}/edit/" in card
    url = f"/sales/leads/{lead.pk}/edit/"
    form = {"title": "Анна", "source": "call", "contact_name": "Анна", "inn": BAD_INN}
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert BAD_INN in refused.context["form"].errors["inn"][0]
    saved = client.post(url, {**form, "inn": GOOD_INN, "need": "насосы"})
    assert saved.status_code == 302
    lead.refresh_from_db()
    assert (lead.inn, lead.need) == (GOOD_INN, "насосы")
    reader = make_user("lawyer_a", roles=["lawyer"], team=two_teams["team_a"])
    client.force_login(reader)
    assert (
        f"/sales/leads/{lead.pk}/edit/"
        not in client.get(f"/sales/leads/{lead.pk}/").content.decode()
    )
    assert client.get(url).status_code == 403
    client.force_login(two_teams["hunter_b"])
    assert client.get(url).status_code == 404
