"""The Russian words of the money and document pages: a word that means one thing in one
app and another in the next («Discount» of an invoice line vs a «Скидочный» price list)
carries a context, so the first app's catalogue never lends its adjective to a header."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, pgettext

from greenwave.documents import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("msgid", "russian"),
    [
        ("Discount", "Скидка"),  # invoice line column (was «Скидочный», a price-list kind)
        ("Number", "Номер"),  # document number (was «Число», a custom-field type)
        ("Total", "Итого"),  # invoice, plan and receivables totals (was «Сумма»)
        ("Plan", "План"),  # the plan pages (was «Распланировать», a planner button)
    ],
)
def test_money_and_document_headers_read_right_in_russian(msgid: str, russian: str) -> None:
    with translation.override("ru"):
        assert gettext(msgid) == russian


@pytest.mark.parametrize(
    ("context", "msgid", "russian"),
    [
        ("price list kind", "Discount", "Скидочный"),
        ("field type", "Number", "Число"),
        ("verb", "Plan", "Распланировать"),
        ("line amount", "Total", "Сумма"),
        ("legal entity", "Full name", "Полное наименование"),
        ("invoice status", "Cancelled", "Аннулирован"),
        ("line number", "position", "позиция"),
    ],
)
def test_the_other_meanings_keep_their_words(context: str, msgid: str, russian: str) -> None:
    with translation.override("ru"):
        assert pgettext(context, msgid) == russian


def test_the_invoice_page_heads_its_discount_column_skidka(
    seller: Any, deal: Any, two_teams: dict[str, Any]
) -> None:
    invoice = services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    client = Client()
    client.force_login(two_teams["hunter_a"])
    html = client.get(
        f"/documents/invoices/{invoice.pk}/", HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert '<th class="text-end">Скидка</th>' in html
    assert "Скидочный" not in html
    assert "Итого" in html
    assert "₽" in html
