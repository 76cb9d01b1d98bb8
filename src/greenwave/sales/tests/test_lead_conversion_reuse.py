"""A lead's person the client base already has (its phone or e-mail on a contact at the
client, or on a contact without a company) is linked to the new deal, not repeated."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.utils.translation import override

from greenwave.core.models import Event
from greenwave.crm import services as crm_services
from greenwave.crm.models import Contact
from greenwave.sales import services
from greenwave.sales.models import LeadStatus

pytestmark = pytest.mark.django_db


def _converted_event(lead) -> Event:
    return Event.objects.get(case_type="lead", case_id=str(lead.pk), activity="lead_converted")


def test_a_contact_at_the_client_with_the_leads_e_mail_is_linked_not_repeated(
    two_teams, b2b
) -> None:
    hunter = two_teams["hunter_a"]
    client = crm_services.company_create(actor=hunter, name="ООО «Ромашка»")
    anna = crm_services.contact_create(
        actor=hunter, company=client, full_name="Анна Ким", emails=["Anna@Romashka.ru"]
    )
    lead = services.lead_create(
        actor=hunter, company_name="Ромашка", contact_name="Анна", email="anna@romashka.ru"
    )
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b, company=client)

    assert list(deal.contacts.all()) == [anna]
    assert Contact.objects.filter(company=client).count() == 1
    lead.refresh_from_db()
    assert (lead.status, lead.contact) == (LeadStatus.CONVERTED, anna)
    assert _converted_event(lead).payload == {"deal": deal.pk, "reused_contact": anna.pk}


def test_a_contact_without_a_company_with_the_leads_phone_is_linked(two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    petr = crm_services.contact_create(actor=hunter, full_name="Пётр", phones=["+79161112233"])
    lead = services.lead_create(actor=hunter, contact_name="Пётр И.", phone="+7 916 111-22-33")
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b)

    assert deal.company is None
    assert list(deal.contacts.all()) == [petr]
    assert Contact.objects.count() == 1
    assert _converted_event(lead).payload["reused_contact"] == petr.pk


def test_a_contact_at_another_company_is_not_taken_and_a_new_one_is_made(two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    other = crm_services.company_create(actor=hunter, name="ООО «Другая»")
    crm_services.contact_create(
        actor=hunter, company=other, full_name="Анна Ким", emails=["anna@romashka.ru"]
    )
    client = crm_services.company_create(actor=hunter, name="ООО «Ромашка»")
    lead = services.lead_create(actor=hunter, contact_name="Анна", email="anna@romashka.ru")
    deal = services.lead_convert(actor=hunter, lead=lead, pipeline=b2b, company=client)

    made = deal.contacts.get()
    assert (made.company, made.full_name) == (client, "Анна")
    assert _converted_event(lead).payload == {"deal": deal.pk, "reused_contact": None}


def test_the_conversion_form_names_the_contact_it_will_link(client, two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    petr = crm_services.contact_create(
        actor=hunter, full_name="Пётр Ильин", phones=["+79161112233"]
    )
    lead = services.lead_create(actor=hunter, contact_name="Пётр", phone="+7 916 111-22-33")
    client.force_login(hunter)
    page = client.get(f"/sales/leads/{lead.pk}/").content.decode()
    assert 'data-testid="convert-reuses"' in page
    assert "Пётр Ильин" in page
    assert f"/clients/contacts/{petr.pk}/" in page

    other = services.lead_create(actor=hunter, contact_name="Ольга", phone="+7 916 999-00-00")
    page = client.get(f"/sales/leads/{other.pk}/").content.decode()
    assert 'data-testid="convert-reuses"' not in page


def _convert_messages(client, lead, b2b) -> list[str]:
    response = client.post(f"/sales/leads/{lead.pk}/convert/", {"pipeline": b2b.pk, "amount": 0})
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_conversion_message_names_the_contact_it_linked(client, two_teams, b2b) -> None:
    hunter = two_teams["hunter_a"]
    crm_services.contact_create(actor=hunter, full_name="Пётр Ильин", phones=["+79161112233"])
    lead = services.lead_create(actor=hunter, contact_name="Пётр", phone="+7 916 111-22-33")
    hunter.language = "en"
    hunter.save(update_fields=["language"])
    client.force_login(hunter)

    with override("en"):
        assert _convert_messages(client, lead, b2b) == [
            "Lead converted to a deal. The base already had this person: the deal is linked "
            "to the existing contact Пётр Ильин."
        ]


def test_the_conversion_message_names_no_contact_when_a_new_one_is_made(
    client, two_teams, b2b
) -> None:
    hunter = two_teams["hunter_a"]
    lead = services.lead_create(actor=hunter, contact_name="Ольга", phone="+7 916 999-00-00")
    hunter.language = "en"
    hunter.save(update_fields=["language"])
    client.force_login(hunter)

    with override("en"):
        assert _convert_messages(client, lead, b2b) == ["Lead converted to a deal."]
