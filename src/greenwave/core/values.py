"""Stored JSON values (process variables, task results, DMN inputs and outputs, custom fields)
as a labelled table people read: «Сумма — 150 000,00 RUB», «Согласовано — да», a deal as a
link with its title — never `{"amount": "150000.00", "deal_id": 12}`.

Core knows no app: labels come from the caller (a form's field labels, a DMN model's input
labels) or from a few common names below; records named by `<type>_id` are resolved through
`core.case_access`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .case_access import case_links
from .durations import iso_duration_text

EMPTY = "—"
# Names that variables of many processes share.
COMMON_LABELS: dict[str, Any] = {
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "responsible": gettext_lazy("Responsible"),
    "initiator": gettext_lazy("Initiator"),
    "comment": gettext_lazy("Comment"),
    "approved": gettext_lazy("Approved"),
    "outcome": gettext_lazy("Outcome"),
    "reason": gettext_lazy("Reason"),
    "deal_title": gettext_lazy("Deal"),
    "lead_title": gettext_lazy("Lead"),
    "client_name": gettext_lazy("Client"),
    "company_name": gettext_lazy("Client"),
    "document_title": gettext_lazy("Document"),
}
# `client_id` names a company.
ID_ALIASES = {"client": "company"}
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class ValueRow:
    label: str
    text: str
    url: str = ""
    key: str = ""


def _number(value: Decimal | int | float) -> str:
    return formats.number_format(value, force_grouping=True)


def format_scalar(value: Any, choices: Mapping[str, str] | None = None) -> str:
    """One JSON value in the reader's language: dates and numbers localized, yes/no."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if choices and str(value) in choices:
        return str(choices[str(value)])
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, str):
        return _format_text(value)
    return str(value)


def _format_text(value: str) -> str:
    """A string that reads as a decimal, date, date-time or ISO duration (`P5D`), localized;
    else as it is."""
    if value.startswith("P") and (duration := iso_duration_text(value)) is not None:
        return duration
    if _DECIMAL.match(value):
        try:
            return _number(Decimal(value))
        except InvalidOperation:
            return value
    if _DATE.match(value):
        return date_text(value)
    if _DATETIME.match(value):
        return datetime_text(value)
    return value


def date_text(value: str) -> str:
    """An ISO date as the reader's short date; the text as it is if it is not one."""
    try:
        return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def datetime_text(value: str) -> str:
    """An ISO date-time as the reader's short date and time (in their time zone when it is
    aware); the text as it is if it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def joined(value: Any, item: Callable[[Any], str], entry: Callable[[str, Any], str]) -> str | None:
    """A list as its items joined by commas, an object as its entries joined by semicolons
    (`EMPTY` for an empty one); None for anything else, which the caller formats itself."""
    if isinstance(value, list | tuple):
        return ", ".join(item(v) for v in value) if value else EMPTY
    if isinstance(value, dict):
        return "; ".join(entry(k, v) for k, v in value.items()) if value else EMPTY
    return None


def format_any(value: Any, choices: Mapping[str, str] | None = None) -> str:
    """Lists joined by commas, objects as «label: value; …», scalars by `format_scalar`."""
    text = joined(
        value, lambda v: format_any(v, choices), lambda k, v: f"{key_label(k)}: {format_any(v)}"
    )
    return format_scalar(value, choices) if text is None else text


def key_label(key: str, labels: Mapping[str, Any] | None = None) -> str:
    if labels and key in labels:
        return str(labels[key])
    if key in COMMON_LABELS:
        return str(COMMON_LABELS[key])
    return capfirst(str(key).replace("_", " "))


def _record_type(key: str) -> str:
    prefix = key[:-3] if key.endswith("_id") else ""
    return ID_ALIASES.get(prefix, prefix)


def value_rows(
    data: Any,
    *,
    labels: Mapping[str, Any] | None = None,
    choices: Mapping[str, Mapping[str, str]] | None = None,
    hidden: frozenset[str] | set[str] = frozenset(),
    actor: Any = None,
) -> list[ValueRow]:
    """The entries of a JSON object as labelled rows.

    `labels` name the keys, `choices` turn a key's stored codes into their labels. Links
    (`*_url`) are not shown as text; `<type>_id` of a record type shows the record's title as
    a link (and hides its `<type>_title`/`<type>_name` copy); `amount` joins its `currency`.
    A value that is not an object becomes one row «Value»."""
    if data is None or data == "" or data == {}:
        return []
    if not isinstance(data, Mapping):
        return [ValueRow(_("Value"), format_any(data))]
    refs = [
        (_record_type(k), str(v))
        for k, v in data.items()
        if _record_type(k) and str(v).isdigit() and k not in hidden
    ]
    links = case_links(refs, actor=actor) if refs else {}
    resolved = {ref[0] for ref in refs if ref in links}
    prefixes = {
        k[:-3] for k, v in data.items() if k.endswith("_id") and _record_type(k) in resolved
    }
    rows = []
    for key, value in data.items():
        if key in hidden or key.startswith("_") or key.endswith("_url"):
            continue
        if any(key in (f"{p}_title", f"{p}_name") for p in prefixes):
            continue
        if key == "currency" and "amount" in data:
            continue
        link = links.get((_record_type(key), str(value))) if key.endswith("_id") else None
        if link is not None:
            label = str(labels[key]) if labels and key in labels else link.type_label
            rows.append(ValueRow(label, link.title, link.url, key))
            continue
        text = format_any(value, (choices or {}).get(key))
        if key == "amount" and data.get("currency") and text != EMPTY:
            text = f"{text} {data['currency']}"
        rows.append(ValueRow(key_label(key, labels), text, "", key))
    return rows


def record_rows(
    records: Any, labels: Mapping[str, Any] | None = None
) -> tuple[list[str], list[list[str]]]:
    """A list of JSON objects (a DMN collect result) as a header and rows of texts."""
    items = [r for r in records if isinstance(r, Mapping)] if isinstance(records, list) else []
    keys: list[str] = []
    for item in items:
        keys.extend(k for k in item if k not in keys)
    header = [key_label(k, labels) for k in keys]
    return header, [[format_any(item.get(k)) for k in keys] for item in items]
