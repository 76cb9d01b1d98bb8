"""Cards of the home page: apps register what a person should see first thing.

A card is a template and a function of the user returning its context (None hides the card).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HomeCard:
    key: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100


_CARDS: dict[str, HomeCard] = {}


def register_home_card(card: HomeCard) -> None:
    _CARDS[card.key] = card


def home_cards(user: Any) -> list[dict[str, Any]]:
    cards = []
    for card in sorted(_CARDS.values(), key=lambda c: (c.order, c.key)):
        context = card.context(user)
        if context is not None:
            cards.append({"template": card.template, **context})
    return cards
