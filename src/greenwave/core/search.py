"""The global search of the header and of `GET /api/v1/search`: apps register what they find.

Core knows no app (as with `core.navigation`): each app registers a `SearchProvider` in
`AppConfig.ready()`; a provider answers one bounded, scoped query for a parsed `SearchTerm`.
The term carries the query the ways the apps store it: lower-cased with ё folded (the
`search_text` columns), digits only (INN), and a phone fragment in E.164 form (a Russian
number typed as «8 916 …» or «+7 (916) …» becomes «+7916…»).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from .errors import CoreError, DomainError

MIN_QUERY = 2
MAX_QUERY = 100
DEFAULT_LIMIT = 5
MAX_LIMIT = 20
# A phone typed by a person: digits with +, spaces, dashes, dots and brackets, nothing else.
_PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
_MIN_PHONE_DIGITS = 3


@dataclass(frozen=True)
class SearchTerm:
    raw: str
    text: str  # lower-cased, ё → е: how `search_text` columns store words
    digits: str  # the digits alone, when the query is only digits and separators
    phone: str  # a fragment of an E.164 number, or "" when the query is not phone-like

    @property
    def inn(self) -> str:
        """The query as an INN (10 digits: an organisation, 12: an entrepreneur), or ""."""
        return self.digits if len(self.digits) in (10, 12) and not self.raw.startswith("+") else ""

    @property
    def email(self) -> str:
        return self.text if "@" in self.text else ""


def phone_fragment(raw: str) -> str:
    """The E.164 form of a typed (part of a) Russian number: 8 and +7 prefixes become +7."""
    value = raw.strip()
    if not _PHONE_LIKE.match(value):
        return ""
    digits = re.sub(r"\D", "", value)
    if len(digits) < _MIN_PHONE_DIGITS:
        return ""
    if value.startswith("+"):
        return "+" + digits
    if digits.startswith("8") and len(digits) >= 4:  # 8 is the trunk prefix of +7
        return "+7" + digits[1:]
    if digits.startswith("7") and len(digits) == 11:
        return "+" + digits
    if len(digits) == 10 and digits.startswith("9"):  # a mobile without the country code
        return "+7" + digits
    return digits  # a middle part of a number: found anywhere in the stored E.164 string


def search_term(q: str) -> SearchTerm:
    """Parse the query; too short or too long a query is refused, not guessed."""
    raw = " ".join((q or "").split())
    if len(raw) < MIN_QUERY:
        raise DomainError(
            CoreError.VALIDATION,
            _("Type at least %(n)s characters to search.") % {"n": MIN_QUERY},
            details={"field": "q", "min_length": MIN_QUERY},
        )
    if len(raw) > MAX_QUERY:
        raise DomainError(
            CoreError.VALIDATION,
            _("A search is at most %(n)s characters long.") % {"n": MAX_QUERY},
            details={"field": "q", "max_length": MAX_QUERY},
        )
    phone = phone_fragment(raw)
    return SearchTerm(
        raw=raw,
        text=raw.lower().replace("ё", "е"),
        digits=re.sub(r"\D", "", raw) if phone else "",
        phone=phone,
    )


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: int
    title: str
    url: str
    subtitle: str = ""


def search_hits(
    kind: str, url_name: str, rows: Iterable[Any], subtitle: Callable[..., str]
) -> list[SearchHit]:
    """Hits from rows of (id, title, *rest): each links to the page `url_name` (taking the
    id) and is subtitled `subtitle(*rest)`."""
    return [
        SearchHit(
            type=kind,
            id=pk,
            title=title,
            url=reverse(url_name, args=[pk]),
            subtitle=subtitle(*rest),
        )
        for pk, title, *rest in rows
    ]


# (actor, term, limit) -> at most `limit` hits the actor may read, in one or two queries.
SearchFn = Callable[[Any, SearchTerm, int], list[SearchHit]]


@dataclass(frozen=True)
class SearchProvider:
    type: str
    label: Any  # a lazy translation: the heading of the group in the header's results
    search: SearchFn
    order: int = 100


@dataclass
class SearchGroup:
    type: str
    label: Any
    hits: list[SearchHit] = field(default_factory=list)


_REGISTRY: dict[str, SearchProvider] = {}


def register_search(provider: SearchProvider) -> None:
    _REGISTRY[provider.type] = provider


def search_types() -> list[str]:
    return [p.type for p in _providers()]


def _providers() -> list[SearchProvider]:
    return sorted(_REGISTRY.values(), key=lambda p: (p.order, p.type))


def search_all(*, actor: Any, q: str, limit: int = DEFAULT_LIMIT) -> list[SearchGroup]:
    """Every provider's hits for the query (empty groups left out), at most `limit` each."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(
            CoreError.VALIDATION,
            _("The limit is between 1 and %(n)s.") % {"n": MAX_LIMIT},
            details={"field": "limit"},
        )
    term = search_term(q)
    groups = [
        SearchGroup(p.type, p.label, p.search(actor, term, limit)[:limit]) for p in _providers()
    ]
    return [g for g in groups if g.hits]
