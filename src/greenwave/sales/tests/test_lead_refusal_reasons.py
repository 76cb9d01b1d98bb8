"""Seed 001's refusals of a web lead («цена не устраивает», «сделка физически невозможна»,
«другое — причина указывается в комментарии») are reasons a lead can be disqualified with;
«other» is refused without the reason written in the comment, and the lead stays open."""

from __future__ import annotations

import pytest

from greenwave.core.errors import DomainError
from greenwave.sales import services
from greenwave.sales.models import Lead, LeadStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["price", "impossible"])
def test_a_lead_is_disqualified_for_the_price_or_as_impossible(two_teams, reason):
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна", need="насосы")
    services.lead_disqualify(actor=two_teams["hunter_a"], lead=lead, reason=reason)
    lead.refresh_from_db()
    assert (lead.status, lead.disqualification_reason) == (LeadStatus.DISQUALIFIED, reason)


def test_other_without_a_comment_is_refused_and_the_lead_stays_open(two_teams):
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна", need="насосы")
    with pytest.raises(DomainError) as refused:
        services.lead_disqualify(
            actor=two_teams["hunter_a"], lead=lead, reason="other", comment=" "
        )
    assert refused.value.code == "sales.disqualification_reason_required"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


def test_other_with_the_reason_in_the_comment_disqualifies(two_teams):
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна", need="насосы")
    services.lead_disqualify(
        actor=two_teams["hunter_a"], lead=lead, reason="other", comment="Закрывают склад"
    )
    lead.refresh_from_db()
    assert (lead.disqualification_reason, lead.disqualification_comment) == (
        "other",
        "Закрывают склад",
    )


def test_the_api_refuses_other_without_a_comment(two_teams, bearer):
    api = bearer(two_teams["hunter_a"])
    lead = services.lead_create(actor=two_teams["hunter_a"], contact_name="Анна", need="насосы")
    answer = api.post(
        f"/api/v1/leads/{lead.pk}/disqualify", {"reason": "other"}, content_type="application/json"
    )
    assert answer.status_code in (400, 409, 422), answer.content
    assert answer.json()["code"] == "sales.disqualification_reason_required"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("ru", ("Не устраивает цена", "Сделка физически невозможна", "Другое (причина в")),
        ("en", ("Price does not suit", "The deal is physically impossible", "Other (the reason")),
    ],
)
def test_the_lead_card_offers_the_new_reasons(client, two_teams, language, texts):
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    lead = services.lead_create(actor=hunter, contact_name="Анна", need="насосы")
    client.force_login(hunter)
    html = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    for text in texts:
        assert text in html, text
    client.post(f"/sales/leads/{lead.pk}/disqualify/", {"reason": "other", "comment": ""})
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.NEW
