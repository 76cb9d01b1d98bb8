from decimal import Decimal

import pytest
from django.utils import translation

from greenwave.core.money import CurrencyMismatchError, Money


def test_money_rounds_to_kopecks_and_adds_in_one_currency() -> None:
    total = Money.of("10.005") + Money.of(5)
    assert total == Money(Decimal("15.01"), "RUB")


def test_adding_different_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatchError):
        Money.of(1, "RUB") + Money.of(1, "EUR")


def test_money_is_formatted_per_locale() -> None:
    amount = Money.of("1234567.5")
    with translation.override("ru"):
        ru = amount.format()
    with translation.override("en"):
        en = amount.format()
    assert ru.replace("\xa0", " ") == "1 234 567,50 ₽"
    assert en.replace("\xa0", " ") == "1,234,567.50 ₽"
