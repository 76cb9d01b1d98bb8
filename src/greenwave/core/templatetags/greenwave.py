"""Template filters of the shell."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from greenwave.core.case_access import readable_case_ids
from greenwave.core.change_lines import ChangeLine, change_lines
from greenwave.core.event_labels import activity_label as _activity_label
from greenwave.core.money import DEFAULT_CURRENCY, Money
from greenwave.core.values import format_any

register = template.Library()
HOUR = 3600
DAY = 24 * HOUR
_PK_MARK = 918273645546372819  # stands for the pk in a reversed URL


@lru_cache(maxsize=512)
def _pk_url_parts(name: str, script_prefix: str, urlconf: str | None) -> tuple[str, str]:
    # The prefix and urlconf only key the cache: reverse() reads them itself.
    before, _mark, after = reverse(name, args=[_PK_MARK]).rpartition(str(_PK_MARK))
    return before, after


@register.simple_tag
def pk_url(name: str, pk: Any) -> str:
    """`{% url name pk %}` for a URL whose only argument is an integer pk, with the URL
    reversed once per name and the pk put in: a list page asks for one per row and shape."""
    if not isinstance(pk, int):
        return reverse(name, args=[pk])
    before, after = _pk_url_parts(name, get_script_prefix(), get_urlconf())
    return f"{before}{pk}{after}"


@register.simple_tag(takes_context=True)
def readable_cases(context: Any, case_type: str, rows: Any, attribute: str) -> set[int]:
    """The records of a page's rows the reader may open, in one query: `{% readable_cases
    "company" page.object_list "invoice.buyer_id" as clients %}` then `{% if p.invoice.buyer_id
    in clients %}<a …>`. A list scoped by one record may show others the reader cannot see."""
    ids = set()
    for row in rows:
        value: Any = row
        for name in attribute.split("."):
            value = getattr(value, name, None)
        if isinstance(value, int):
            ids.add(value)
    return readable_case_ids(context["request"].user, case_type, ids) if ids else set()


@register.filter
def activity_label(code: str) -> str:
    return _activity_label(code)


@register.filter
def event_changes(event: Any) -> list[ChangeLine]:
    """The changes of an event as labelled lines: `{% for line in event|event_changes %}`."""
    return change_lines(event.case_type, event.payload)


@register.filter
def ago(moment: datetime | None) -> str:
    """A past moment the way people say it: «только что», «минуту назад», «3 часа назад»,
    «вчера»; older than a month (or in the future) it is the date itself."""
    if moment is None:
        return ""
    seconds = (timezone.now() - moment).total_seconds()
    if seconds < 0 or seconds >= 30 * DAY:
        return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")
    if seconds < 45:
        return gettext("just now")
    if seconds < 90:
        return gettext("a minute ago")
    if seconds < HOUR:
        n = round(seconds / 60)
        return ngettext("%(n)d minute ago", "%(n)d minutes ago", n) % {"n": n}
    if seconds < 90 * 60:
        return gettext("an hour ago")
    if seconds < DAY:
        n = round(seconds / HOUR)
        return ngettext("%(n)d hour ago", "%(n)d hours ago", n) % {"n": n}
    if seconds < 2 * DAY:
        return gettext("yesterday")
    n = int(seconds // DAY)
    return ngettext("%(n)d day ago", "%(n)d days ago", n) % {"n": n}


@register.filter
def plain_value(value: Any) -> str:
    """A stored JSON value (a custom field, a variable) localized: dates, numbers, yes/no,
    lists — never its JSON."""
    return format_any(value)


@register.filter
def money(amount: Any, currency: str | None = DEFAULT_CURRENCY) -> str:
    """An amount the way the whole app shows money: `{{ deal.amount|money:deal.currency }}`
    gives `363 300,00 ₽` — the currency's sign, never its ISO code."""
    if amount is None or amount == "":
        return ""
    return Money.of(amount, currency or DEFAULT_CURRENCY).format()


_WEB_URL = URLValidator(schemes=["http", "https"])


def website_href(value: str) -> str:
    """The address to link a typed website to: http(s) only (`example.ru` becomes
    `https://example.ru`); "" for anything else — `javascript:`, `data:`, junk."""
    text = (value or "").strip()
    if not text:
        return ""
    href = text if "://" in text else f"https://{text}"
    try:
        _WEB_URL(href)
    except ValidationError:
        return ""
    return href


@register.filter
def external_link(value: str) -> str | SafeString:
    """A website as a link that opens apart and tells the other site nothing of ours
    (`rel="noopener noreferrer"`); what is no http(s) address stays plain (escaped) text."""
    href = website_href(value)
    if not href:
        return value
    return format_html(
        '<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>', href, value.strip()
    )
