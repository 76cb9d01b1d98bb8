"""Names hold something visible; the deal description and the lead need share one cap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.text import LONG_TEXT_MAX_LENGTH
from greenwave.sales import services
from greenwave.sales.models import Deal, Lead

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\u200c\u200d\ufeff\u2060 \u200e"
MEGABYTE = "x" * 1_000_000  # ASCII: a 1 MB body, under the 2.5 MB request limit


def test_a_deal_title_of_zero_width_characters_is_refused_everywhere(
    two_teams, bearer, client, b2b
) -> None:
    actor = two_teams["hunter_a"]
    with pytest.raises(DomainError) as exc:
        services.deal_create(actor=actor, title=INVISIBLE, pipeline=b2b)
    assert exc.value.details == {"field": "title"}
    api = bearer(actor)
    created = api.post("/api/v1/deals", {"title": INVISIBLE}, content_type="application/json")
    assert created.status_code == 400
    client.force_login(actor)
    page = client.post(reverse("sales:deal_create"), {"title": INVISIBLE, "pipeline": b2b.pk})
    assert page.status_code == 200
    assert Deal.objects.count() == 0

    deal = services.deal_create(actor=actor, title="\u200bПоставка\u200b", pipeline=b2b)
    assert deal.title == "Поставка"
    patched = api.patch(
        f"/api/v1/deals/{deal.pk}", {"title": "\u200b"}, content_type="application/json"
    )
    assert patched.status_code == 400
    deal.refresh_from_db()
    assert deal.title == "Поставка"


def test_a_one_megabyte_deal_description_is_refused_with_the_limit(two_teams, bearer, b2b) -> None:
    actor = two_teams["hunter_a"]
    with pytest.raises(DomainError) as exc:
        services.deal_create(actor=actor, title="Поставка", pipeline=b2b, description=MEGABYTE)
    assert str(LONG_TEXT_MAX_LENGTH) in exc.value.message
    api = bearer(actor)
    response = api.post(
        "/api/v1/deals",
        {"title": "Поставка", "description": MEGABYTE},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Deal.objects.count() == 0
    deal = services.deal_create(actor=actor, title="Поставка", pipeline=b2b)
    patched = api.patch(
        f"/api/v1/deals/{deal.pk}", {"description": MEGABYTE}, content_type="application/json"
    )
    assert patched.status_code == 400
    with pytest.raises(DomainError):
        services.deal_update(actor=actor, deal=deal, description=MEGABYTE)
    deal.refresh_from_db()
    assert deal.description == ""
    full = "я" * LONG_TEXT_MAX_LENGTH
    assert services.deal_update(actor=actor, deal=deal, description=full).description == full


def test_the_deal_form_refuses_a_description_over_the_cap(two_teams, client, b2b) -> None:
    client.force_login(two_teams["hunter_a"])
    page = client.post(
        reverse("sales:deal_create"),
        {"title": "Поставка", "pipeline": b2b.pk, "description": MEGABYTE},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["description"]
    assert Deal.objects.count() == 0


def test_a_lead_need_over_the_cap_is_refused(two_teams) -> None:
    with pytest.raises(DomainError):
        services.lead_create(actor=two_teams["hunter_a"], contact_name="Иван", need=MEGABYTE)
    with pytest.raises(DomainError):
        services.lead_create(actor=two_teams["hunter_a"], contact_name=INVISIBLE)
    assert Lead.objects.count() == 0
