"""The company card and form as a manager meets them: the website as a safe link, the INN
checked on its field with the other mistakes, and an old link to a handed-over client."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from greenwave.core.templatetags.greenwave import external_link, website_href
from greenwave.crm import services
from greenwave.crm.models import Company

from .conftest import VALID_INN, bad_checksum

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "href"),
    [
        ("example.ru", "https://example.ru"),
        ("http://example.ru/catalog?x=1", "http://example.ru/catalog?x=1"),
        (" HTTPS://Example.ru ", "HTTPS://Example.ru"),
        ("javascript:alert(1)", ""),
        ("JavaScript://%0Aalert(1)", ""),
        ("data:text/html,<b>x</b>", ""),
        ("ftp://example.ru", ""),
        ("not a site", ""),
        ("", ""),
    ],
)
def test_only_http_and_https_websites_become_links(typed, href):
    assert website_href(typed) == href


def test_a_website_that_is_no_address_stays_escaped_text():
    assert external_link('"><script>x</script>') == '"><script>x</script>'  # autoescaped later
    assert "<a " not in str(external_link("javascript:alert(1)"))


def test_company_card_links_the_website_apart_and_without_referrer(two_teams, browser_of):
    company = services.company_create(
        actor=two_teams["hunter_a"], name="ООО «Сайт»", website="romashka.ru"
    )
    html = (
        browser_of(two_teams["hunter_a"])
        .get(reverse("crm:company_detail", args=[company.pk]))
        .content.decode()
    )
    assert (
        '<a href="https://romashka.ru" target="_blank" rel="noopener noreferrer">romashka.ru</a>'
        in html
    )


def test_company_card_never_links_a_javascript_website(two_teams, browser_of):
    company = services.company_create(
        actor=two_teams["hunter_a"],
        name="ООО «Хитрый»",
        website="javascript:alert(document.cookie)",
    )
    html = (
        browser_of(two_teams["hunter_a"])
        .get(reverse("crm:company_detail", args=[company.pk]))
        .content.decode()
    )
    assert 'href="javascript' not in html
    assert "javascript:alert(document.cookie)" in html  # shown, as text


def test_a_wrong_inn_is_told_together_with_the_other_mistakes(two_teams, browser_of):
    client = browser_of(two_teams["hunter_a"])
    for inn in (bad_checksum(VALID_INN), "12345678901", "77-01-45"):
        response = client.post(
            reverse("crm:company_create"), {"name": "", "inn": inn, "segment": "new"}
        )
        errors = response.context["form"].errors
        assert "name" in errors
        assert errors["inn"], inn
    assert not Company.objects.exists()


def test_the_inn_field_message_is_the_apis_in_russian(two_teams, browser_of, bearer):
    with translation.override("ru"):
        page = browser_of(two_teams["hunter_a"]).post(
            reverse("crm:company_create"),
            {"name": "", "inn": "12345678901", "segment": "new"},
            HTTP_ACCEPT_LANGUAGE="ru",
        )
    api = bearer(two_teams["hunter_a"]).post(
        "/api/v1/companies",
        {"name": "ООО «Тест»", "inn": "12345678901"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert api.status_code == 400
    assert api.json()["code"] == "crm.invalid_inn"
    assert page.context["form"].errors["inn"] == [api.json()["message"]]
    assert "10 цифр" in api.json()["message"]


def test_a_spaced_inn_is_kept_as_its_digits(two_teams, browser_of):
    spaced = f"{VALID_INN[:4]} {VALID_INN[4:]}"
    response = browser_of(two_teams["hunter_a"]).post(
        reverse("crm:company_create"), {"name": "ООО «Лютик»", "inn": spaced, "segment": "new"}
    )
    assert response.status_code == 302
    assert Company.objects.get().inn == VALID_INN


def test_the_former_responsible_of_a_handed_over_client_is_told_who_holds_it(
    two_teams, browser_of, company_a
):
    services.company_reassign(
        actor=two_teams["director"], company=company_a, responsible=two_teams["hunter_b"]
    )
    response = browser_of(two_teams["hunter_a"]).get(
        reverse("crm:company_detail", args=[company_a.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "Клиент передан другому менеджеру" in html
    assert str(two_teams["hunter_b"]) in html
    assert 'data-testid="company-handed-over"' in html


def test_who_never_held_the_client_learns_nothing_of_the_handover(two_teams, browser_of, company_a):
    services.company_reassign(
        actor=two_teams["director"], company=company_a, responsible=two_teams["hunter_b"]
    )
    response = browser_of(two_teams["head_a"]).get(
        reverse("crm:company_detail", args=[company_a.pk])
    )
    html = response.content.decode()
    assert response.status_code == 404
    assert company_a.name not in html
    assert str(two_teams["hunter_b"]) not in html
