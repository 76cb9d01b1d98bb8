"""Seed 001's classification of a lead: category, prospect rating, probability of closing and
the plan of next steps — the service's checks, the event log, the API (fields, filters, the
sort), the card, the list and the edit form, the demo leads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.sales import services
from greenwave.sales.demo import seed_sales
from greenwave.sales.models import Lead, LeadCategory, LeadRating

pytestmark = pytest.mark.django_db

_EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _classified(hunter: Any, title: str, **fields: Any) -> Lead:
    return services.lead_create(actor=hunter, title=title, contact_name="Анна", **fields)


def test_a_lead_is_classified_and_the_change_is_logged(two_teams: dict[str, Any]) -> None:
    hunter = two_teams["hunter_a"]
    lead = _classified(hunter, "Насосы", category="dealer", rating="warm", close_probability=30)
    assert (lead.category, lead.rating, lead.close_probability) == ("dealer", "warm", 30)
    services.lead_update(
        actor=hunter, lead=lead, rating="hot", close_probability=70, next_steps="Выслать КП"
    )
    lead.refresh_from_db()
    assert (lead.rating, lead.close_probability, lead.next_steps) == ("hot", 70, "Выслать КП")
    event = Event.objects.get(case_type="lead", case_id=str(lead.pk), activity="lead_changed")
    assert event.actor == hunter
    assert event.payload["changes"]["rating"] == ["warm", "hot"]
    assert event.payload["changes"]["close_probability"] == [30, 70]
    assert set(event.payload["changes"]) == {"rating", "close_probability", "next_steps"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "friend"}, "category"),
        ({"rating": "lukewarm"}, "rating"),
        ({"close_probability": 101}, "close_probability"),
        ({"close_probability": -1}, "close_probability"),
        ({"close_probability": True}, "close_probability"),
        ({"close_probability": "50"}, "close_probability"),
        ({"next_steps": "x" * 100_000}, "next_steps"),
    ],
)
def test_the_service_refuses_a_bad_classification_naming_the_field(
    two_teams: dict[str, Any], fields: dict[str, Any], field: str
) -> None:
    hunter = two_teams["hunter_a"]
    with pytest.raises(DomainError) as refused:
        _classified(hunter, "Новый", **fields)
    assert refused.value.details["field"] == field
    lead = _classified(hunter, "Старый", category="dealer", close_probability=20)
    with pytest.raises(DomainError):
        services.lead_update(actor=hunter, lead=lead, **fields)
    lead.refresh_from_db()
    assert (lead.category, lead.rating, lead.close_probability) == ("dealer", "", 20)
    assert not Event.objects.filter(activity="lead_changed").exists()


def test_none_clears_the_probability_and_the_rating(two_teams: dict[str, Any]) -> None:
    hunter = two_teams["hunter_a"]
    lead = _classified(hunter, "Насосы", rating="cold", close_probability=5)
    services.lead_update(actor=hunter, lead=lead, rating=None, close_probability=None)  # type: ignore[typeddict-item]
    lead.refresh_from_db()
    assert (lead.rating, lead.close_probability) == ("", None)


def test_the_database_refuses_a_probability_over_100(two_teams: dict[str, Any]) -> None:
    lead = _classified(two_teams["hunter_a"], "Насосы")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(close_probability=101)


def _api(bearer: Any, user: Any) -> Client:
    return bearer(user)


def test_the_api_creates_changes_and_answers_the_classification(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    api = _api(bearer, two_teams["hunter_a"])
    body = {
        "contact_name": "Анна",
        "category": "integrator",
        "rating": "hot",
        "close_probability": 80,
        "next_steps": "Встреча во вторник",
    }
    made = api.post("/api/v1/leads", body, content_type="application/json")
    assert made.status_code == 201, made.content
    answer = made.json()
    assert {k: answer[k] for k in body} == body
    url = f"/api/v1/leads/{answer['id']}"
    changed = api.patch(url, json.dumps({"close_probability": None}), "application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["close_probability"] is None
    assert changed.json()["rating"] == "hot"
    for bad in ({"close_probability": 150}, {"category": "friend"}, {"rating": "x"}):
        refused = api.patch(url, json.dumps(bad), "application/json", **_EN)
        assert refused.status_code in (400, 422), refused.content
    assert Lead.objects.get().category == "integrator"


def test_the_api_list_filters_by_category_and_rating_and_sorts_the_likeliest_first(
    two_teams: dict[str, Any], bearer: Any
) -> None:
    hunter = two_teams["hunter_a"]
    unknown = _classified(hunter, "Не оценён", category="dealer")
    likely = _classified(hunter, "Вероятный", category="dealer", rating="hot", close_probability=90)
    unlikely = _classified(hunter, "Маловероятный", rating="cold", close_probability=10)
    api = _api(bearer, hunter)

    def ids(query: str) -> list[int]:
        answer = api.get(f"/api/v1/leads?{query}")
        assert answer.status_code == 200, answer.content
        return [row["id"] for row in answer.json()["items"]]

    assert set(ids("category=dealer")) == {unknown.pk, likely.pk}
    assert ids("rating=hot") == [likely.pk]
    assert ids("category=dealer&rating=cold") == []
    assert ids("sort=probability") == [likely.pk, unlikely.pk, unknown.pk]


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_edit_form_classifies_the_lead_and_the_card_shows_it(
    two_teams: dict[str, Any],
) -> None:
    hunter = two_teams["hunter_a"]
    lead = _classified(hunter, "Насосы")
    client = _page(hunter)
    form = client.get(f"/sales/leads/{lead.pk}/edit/")
    assert form.status_code == 200
    for name in ("category", "rating", "close_probability", "next_steps"):
        assert f'name="{name}"' in form.content.decode()
    data = {
        "title": "Насосы",
        "source": "other",
        "contact_name": "Анна",
        "category": "public",
        "rating": "warm",
        "close_probability": "45",
        "next_steps": "Подготовить документы к тендеру",
    }
    refused = client.post(f"/sales/leads/{lead.pk}/edit/", {**data, "close_probability": "120"})
    assert refused.status_code == 200
    assert "close_probability" in refused.context["form"].errors
    saved = client.post(f"/sales/leads/{lead.pk}/edit/", data)
    assert saved.status_code == 302
    lead.refresh_from_db()
    assert (lead.category, lead.rating, lead.close_probability) == ("public", "warm", 45)
    card = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert "Государственный или муниципальный заказчик" in card
    assert "Тёплый" in card
    assert "45 %" in card
    assert "Подготовить документы к тендеру" in card


def test_the_card_says_when_the_probability_is_not_estimated(two_teams: dict[str, Any]) -> None:
    lead = _classified(two_teams["hunter_a"], "Насосы")
    card = _page(two_teams["hunter_a"]).get(f"/sales/leads/{lead.pk}/").content.decode()
    assert "не оценена" in card


def test_the_list_shows_the_classification_and_filters_by_it(two_teams: dict[str, Any]) -> None:
    hunter = two_teams["hunter_a"]
    _classified(hunter, "Горячий лид", category="end_user", rating="hot", close_probability=75)
    _classified(hunter, "Другой лид", category="dealer")
    client = _page(hunter)
    page = client.get("/sales/leads/").content.decode()
    assert "Перспективы" in page
    assert "75&nbsp;%" in page
    assert "Конечный потребитель" in page
    filtered = client.get("/sales/leads/?rating=hot").content.decode()
    assert "Горячий лид" in filtered
    assert "Другой лид" not in filtered


def test_the_demo_leads_are_classified(two_teams: dict[str, Any]) -> None:
    seed_sales({"users": {}})
    leads = Lead.objects.all()
    assert leads.count() == 4
    rated = [lead for lead in leads if lead.rating]
    assert len(rated) == 3
    assert all(lead.category in LeadCategory.values for lead in rated)
    assert all(lead.rating in LeadRating.values for lead in rated)
    assert all(0 <= (lead.close_probability or 0) <= 100 and lead.next_steps for lead in rated)
