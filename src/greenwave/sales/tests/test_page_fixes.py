"""What the sales pages show: money with the currency's sign (never its ISO code), the
public web form's favicon, and the funnel's stated definition of conversion."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from greenwave.sales import services
from greenwave.sales.periods import PeriodFigures
from greenwave.sales.views import _comparison_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "amount"), [("ru", "363\xa0300,00\xa0₽"), ("en", "363,300.00\xa0₽")]
)
def test_deal_page_and_list_show_the_rouble_sign_not_rub(client, two_teams, b2b, language, amount):
    deal = services.deal_create(
        actor=two_teams["hunter_a"], title="Поставка", pipeline=b2b, amount=Decimal("363300")
    )
    client.force_login(two_teams["hunter_a"])
    client.cookies["greenwave_language"] = language
    two_teams["hunter_a"].language = language
    two_teams["hunter_a"].save(update_fields=["language"])
    for url in (f"/sales/deals/{deal.pk}/", "/sales/deals/"):
        html = client.get(url).content.decode()
        assert amount in html, url
        assert " RUB" not in html, url


def test_a_deal_in_euros_shows_the_euro_sign(client, two_teams, b2b):
    deal = services.deal_create(
        actor=two_teams["hunter_a"], title="Euro", pipeline=b2b, amount=Decimal(5), currency="EUR"
    )
    client.force_login(two_teams["hunter_a"])
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    assert "€" in html
    assert "EUR</dd>" not in html


def test_the_public_web_form_has_the_favicon_of_every_page():
    html = Client().get("/sales/form/").content.decode()
    assert 'rel="icon"' in html
    assert "greenwave/favicon.svg" in html


def test_funnel_comparison_names_the_currency_by_its_sign():
    day = date(2026, 12, 1)
    figures = [
        PeriodFigures(key=k, date_from=day, date_to=day, won_amount={"RUB": Decimal(10)})
        for k in ("current", "previous")
    ]
    with translation.override("en"):
        labels = [row["label"] for row in _comparison_rows(figures)["rows"]]
    assert "Won, ₽" in labels
    assert "Won, RUB" not in labels


def test_funnel_page_states_its_definition_of_conversion(client, two_teams, b2b):
    client.force_login(two_teams["head_a"])
    html = client.get(f"/sales/funnel/?pipeline={b2b.pk}").content.decode()
    assert 'data-testid="funnel-conversion-hint"' in html


@pytest.mark.parametrize(
    ("language", "files", "papers"), [("ru", "Файлы", "Документы"), ("en", "Files", "Documents")]
)
def test_the_deal_cards_of_attached_files_and_generated_documents_have_distinct_titles(
    client, two_teams, b2b, language, files, papers
):
    """The attachments (stage outputs) and the generated documents were both «Документы»."""
    actor = two_teams["hunter_a"]
    deal = services.deal_create(actor=actor, title="Поставка", pipeline=b2b)
    actor.language = language
    actor.save(update_fields=["language"])
    client.force_login(actor)
    page = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    card = client.get(f"/documents/deals/{deal.pk}/").content.decode()
    titles = [
        re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<h2[^>]*>(.*?)</h2>", page + card)
    ]
    assert titles.count(files) == 1
    assert titles.count(papers) == 1


@pytest.mark.parametrize(
    ("language", "label", "wrong"),
    [("ru", "Привёл клиента", "Охотник"), ("en", "Brought in the client", "Hunter")],
)
def test_the_deal_card_names_who_brought_the_client_not_a_job_title(
    client, two_teams, b2b, make_user, language, label, wrong
):
    """A key account manager who brought the client is not called «Hunter» on the card."""
    kam = make_user("kam_a", roles=["kam"], team=two_teams["team_a"], language=language)
    deal = services.deal_create(
        actor=kam, title="Поставка", pipeline=b2b, amount=Decimal(10), hunter=kam
    )
    client.force_login(kam)
    client.cookies["greenwave_language"] = language
    html = client.get(f"/sales/deals/{deal.pk}/").content.decode()
    card = html.split('data-testid="deal-client"')[1].split("</dl>")[0]
    assert (
        f'<dt class="col-sm-4">{label}</dt><dd class="col-sm-8" data-testid="deal-hunter">' in card
    )
    assert wrong not in card
