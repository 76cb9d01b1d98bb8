"""Money: a Decimal amount with an ISO 4217 currency (RUB by default), never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

DEFAULT_CURRENCY = "RUB"
CENTS = Decimal("0.01")


class Currency(models.TextChoices):
    RUB = "RUB", _("Russian rouble")
    USD = "USD", _("US dollar")
    EUR = "EUR", _("Euro")
    CNY = "CNY", _("Chinese yuan")
    KZT = "KZT", _("Kazakh tenge")
    BYN = "BYN", _("Belarusian rouble")


CURRENCY_SYMBOLS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥", "KZT": "₸", "BYN": "Br"}


class CurrencyMismatchError(ValueError):
    """Adding roubles to euros is a bug, not a conversion."""


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(Decimal(amount).quantize(CENTS, rounding=ROUND_HALF_UP), currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money.of(self.amount * Decimal(factor), self.currency)

    def format(self) -> str:
        """Locale-aware: `1 234,50 ₽` in Russian, `1,234.50 ₽` in English."""
        symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency)
        return f"{number_format(self.amount, 2, force_grouping=True)}\xa0{symbol}"

    def __str__(self) -> str:
        return self.format()


def money_amount_field(verbose_name: Any = "amount") -> models.DecimalField[Decimal, Decimal]:
    """The one column shape for an amount: 18 digits, 2 decimals."""
    return models.DecimalField(verbose_name, max_digits=18, decimal_places=2, default=Decimal(0))


def currency_field() -> models.CharField[str, str]:
    return models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=DEFAULT_CURRENCY
    )
