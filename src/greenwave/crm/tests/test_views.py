"""The HTML pages of the client base: lists, cards, forms, scoping and history."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from greenwave.core.models import Event
from greenwave.core.tests.queries import assert_queries_do_not_grow
from greenwave.crm import services
from greenwave.crm.models import Company, Contact

from .conftest import VALID_INN, bad_checksum

pytestmark = pytest.mark.django_db


def test_company_list_shows_only_the_teams_clients(two_teams, browser_of, company_a, company_b):
    page = browser_of(two_teams["hunter_a"]).get(reverse("crm:company_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "ООО «Ромашка»" in html
    assert "Южный ветер" not in html


def test_company_list_search_is_an_htmx_partial(two_teams, browser_of, company_a):
    client = browser_of(two_teams["hunter_a"])
    hit = client.get(reverse("crm:company_list") + "?q=ромашк", HTTP_HX_REQUEST="true")
    assert "ООО «Ромашка»" in hit.content.decode()
    assert "<html" not in hit.content.decode()
    miss = client.get(reverse("crm:company_list") + "?q=лютик", HTTP_HX_REQUEST="true")
    assert "ООО «Ромашка»" not in miss.content.decode()


def test_another_teams_company_card_and_forms_are_404(two_teams, browser_of, company_b):
    client = browser_of(two_teams["hunter_a"])
    for name in ("company_detail", "company_edit", "company_reassign", "decision_maker_add"):
        assert client.get(reverse(f"crm:{name}", args=[company_b.pk])).status_code == 404
    response = client.post(reverse("crm:company_edit", args=[company_b.pk]), {"name": "Взлом"})
    assert response.status_code == 404
    company_b.refresh_from_db()
    assert company_b.name == "АО «Южный ветер»"


def test_create_company_through_the_form(two_teams, browser_of):
    client = browser_of(two_teams["hunter_a"])
    response = client.post(
        reverse("crm:company_create"),
        {"name": "ООО «Лютик»", "inn": VALID_INN, "segment": "new", "tags": "опт, vip"},
    )
    company = Company.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("crm:company_detail", args=[company.pk])
    assert company.tags == ["опт", "vip"]
    assert company.responsible == two_teams["hunter_a"]


def test_wrong_inn_in_the_form_is_shown_at_the_field_and_nothing_saved(two_teams, browser_of):
    client = browser_of(two_teams["hunter_a"])
    response = client.post(
        reverse("crm:company_create"),
        {"name": "ООО «Лютик»", "inn": bad_checksum(VALID_INN), "segment": "new"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["inn"]
    assert not Company.objects.exists()


def test_russian_error_messages(two_teams, browser_of):
    client = browser_of(two_teams["hunter_a"])
    response = client.post(
        reverse("crm:company_create"),
        {"name": "ООО «Лютик»", "inn": bad_checksum(VALID_INN), "segment": "new"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    two_teams["hunter_a"].refresh_from_db()
    assert two_teams["hunter_a"].language == "ru"
    assert "контрольн" in response.content.decode()


def test_company_card_shows_contacts_decision_makers_and_readable_history(
    two_teams, browser_of, company_a
):
    actor = two_teams["hunter_a"]
    contact = services.contact_create(
        actor=actor, company=company_a, full_name="Иванов Пётр", phones=["+79161234567"]
    )
    services.decision_maker_add(
        actor=actor, company=company_a, contact=contact, personal_benefits="Премия"
    )
    services.company_update(actor=actor, company=company_a, size="small")
    html = browser_of(actor).get(reverse("crm:company_detail", args=[company_a.pk])).content
    text = html.decode()
    assert "Иванов Пётр" in text
    assert "+7 916 123-45-67" in text
    assert "Премия" in text
    assert "Изменена компания" in text or "Company changed" in text
    assert "Малая" in text or "Small" in text


def test_contact_form_refuses_a_bad_phone_and_saves_nothing(two_teams, browser_of, company_a):
    client = browser_of(two_teams["hunter_a"])
    response = client.post(
        reverse("crm:contact_create"),
        {"full_name": "Иванов", "company": company_a.pk, "phones": "+7 123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phones"]
    assert not Contact.objects.exists()
    ok = client.post(
        reverse("crm:contact_create"),
        {"full_name": "Иванов", "company": company_a.pk, "phones": "8 916 123 45 67"},
    )
    assert ok.status_code == 302
    assert Contact.objects.get().phones == ["+79161234567"]


def test_contact_form_refuses_a_birthday_in_the_future_and_keeps_the_stored_one(
    two_teams, browser_of, company_a
):
    actor = two_teams["hunter_a"]
    contact = services.contact_create(
        actor=actor, company=company_a, full_name="Иванов", birthday=date(1985, 3, 12)
    )
    client = browser_of(actor)
    response = client.post(
        reverse("crm:contact_edit", args=[contact.pk]),
        {"full_name": "Иванов", "company": company_a.pk, "birthday": "2099-01-01"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200
    assert "День рождения не может быть в будущем." in str(response.context["form"].errors)
    contact.refresh_from_db()
    assert contact.birthday == date(1985, 3, 12)
    created = client.post(
        reverse("crm:contact_create"), {"full_name": "Петров", "birthday": "2099-01-01"}
    )
    assert created.status_code == 200
    assert not Contact.objects.filter(full_name="Петров").exists()


def test_decision_maker_is_added_edited_and_removed_through_pages(two_teams, browser_of, company_a):
    actor = two_teams["hunter_a"]
    client = browser_of(actor)
    contact = services.contact_create(actor=actor, company=company_a, full_name="Иванов Пётр")
    client.post(
        reverse("crm:decision_maker_add", args=[company_a.pk]),
        {"contact": contact.pk, "influence_level": 4, "attitude": "neutral", "hobbies": "Шахматы"},
    )
    dm = company_a.decision_makers.get()
    client.post(
        reverse("crm:decision_maker_edit", args=[dm.pk]),
        {"influence_level": 5, "attitude": "supporter", "hobbies": "Шахматы"},
    )
    dm.refresh_from_db()
    assert (dm.influence_level, dm.attitude) == (5, "supporter")
    client.post(reverse("crm:decision_maker_remove", args=[dm.pk]))
    assert not company_a.decision_makers.exists()
    assert Event.objects.filter(case_type="decision_maker").count() == 3


def test_reassign_page_hands_the_client_over(two_teams, browser_of, company_a):
    client = browser_of(two_teams["director"])
    response = client.post(
        reverse("crm:company_reassign", args=[company_a.pk]),
        {"responsible": two_teams["hunter_b"].pk},
    )
    assert response.status_code == 302
    company_a.refresh_from_db()
    assert company_a.team == two_teams["team_b"]


@pytest.mark.parametrize("name", ["crm:company_list", "crm:contact_list"])
def test_list_page_query_count_does_not_grow_with_rows(two_teams, browser_of, name):
    client = browser_of(two_teams["head_a"])

    def add(start: int, count: int) -> None:
        for i in range(start, start + count):
            company = services.company_create(
                actor=two_teams["hunter_a"], name=f"Компания {i}", tags=["a", "b"]
            )
            services.contact_create(
                actor=two_teams["hunter_a"],
                company=company,
                full_name=f"Контакт {i}",
                phones=[f"+7916123{i:04d}"],  # one person each: no duplicate phone
            )

    add(0, 2)
    response, _ = assert_queries_do_not_grow(lambda: client.get(reverse(name)), lambda: add(2, 10))
    assert response.status_code == 200


def test_a_reader_sees_the_client_card_without_the_buttons_they_would_be_refused_on(
    two_teams, browser_of, company_a, make_user
):
    url = reverse("crm:company_detail", args=[company_a.pk])
    edit = reverse("crm:company_edit", args=[company_a.pk])
    owner_page = browser_of(two_teams["hunter_a"]).get(url).content.decode()
    assert edit in owner_page
    assert 'data-testid="add-contact"' in owner_page

    lawyer = make_user("card_lawyer", roles=["lawyer"])
    page = browser_of(lawyer).get(url).content.decode()
    assert 'data-testid="read-only"' in page
    assert edit not in page
    assert 'data-testid="add-contact"' not in page
    assert 'data-testid="edit-profile"' not in page
    assert browser_of(lawyer).get(edit).status_code in (403, 404)  # what the button led to
