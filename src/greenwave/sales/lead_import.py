"""Import of leads from CSV (UTF-8/cp1251, `;`/`,`) or XLSX: a dry run lists every row's
problems, then all rows are written in one transaction or none is.

Columns are matched by their header in Russian or English; unknown columns are ignored and
named in the preview. The classification columns (category, prospect rating — a code or the
label in either language — probability of closing 0–100, plan of next steps) are checked per
row like the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from greenwave.accounts.models import User
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.text import LONG_TEXT_MAX_LENGTH, long_text_error
from greenwave.crm.requisites import normalize_inn
from greenwave.crm.tabular import read_table

from . import services
from .models import LeadCategory, LeadRating, LeadSource

MAX_LEAD_FILE_BYTES = 2 * 1024 * 1024
MAX_LEAD_ROWS = 5_000

# field → accepted headers (compared lower-cased, without spaces around)
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "название", "лид", "заголовок"),
    "contact_name": ("contact", "contact name", "name", "контакт", "контактное лицо", "имя", "фио"),
    "company_name": ("company", "компания", "организация", "клиент"),
    "inn": ("inn", "инн"),
    "phone": ("phone", "телефон"),
    "email": ("email", "e-mail", "почта", "эл. почта"),
    "need": ("need", "потребность", "комментарий", "запрос"),
    "source": ("source", "источник", "канал"),
    "category": ("category", "категория"),
    "rating": ("rating", "prospect rating", "prospects", "перспективность", "рейтинг"),
    "close_probability": (
        "probability",
        "probability of closing",
        "probability of closing, %",
        "вероятность",
        "вероятность закрытия",
        "вероятность закрытия, %",
        "вероятность закрытия сделки, %",
    ),
    "next_steps": (
        "next steps",
        "plan of next steps",
        "следующие шаги",
        "дальнейшие действия",
        "план дальнейших действий",
    ),
    "utm_source": ("utm_source",),
    "utm_medium": ("utm_medium",),
    "utm_campaign": ("utm_campaign",),
}


def lead_import_headers() -> list[str]:
    """The column headers the page's help names, in the active language: each is one of the
    field's `COLUMNS` aliases (a test checks both languages), and either language's work."""
    return [
        pgettext("lead import column", "Title"),
        pgettext("lead import column", "Contact"),
        pgettext("lead import column", "Company"),
        pgettext("lead import column", "INN"),
        pgettext("lead import column", "Phone"),
        pgettext("lead import column", "E-mail"),
        pgettext("lead import column", "Need"),
        pgettext("lead import column", "Source"),
        pgettext("lead import column", "Category"),
        pgettext("lead import column", "Prospect rating"),
        pgettext("lead import column", "Probability of closing, %"),
        pgettext("lead import column", "Plan of next steps"),
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ]


def lead_import_sample_table() -> tuple[list[str], list[str]]:
    """A sample file's header (`lead_import_headers`) and an example row, the choices in the
    active language (the import reads either language's labels and the codes)."""
    row = [
        "Насосы для котельной",
        "Иван Петров",
        "ООО «Ромашка»",
        "7707083893",
        "+7 916 123-45-67",
        "ivan@romashka.example",
        "Насосы для водоснабжения, 12 шт.",
        str(LeadSource.EXHIBITION.label),
        str(LeadCategory.END_USER.label),
        str(LeadRating.HOT.label),
        "60",
        "Выслать КП до пятницы, назначить встречу с главным инженером",
        "expo",
        "offline",
        "pumps-2026",
    ]
    return lead_import_headers(), row


def _choice_value(
    text: str, choices: type[LeadSource] | type[LeadCategory] | type[LeadRating]
) -> str | None:
    """A source, category or rating as typed in a file: its code, or its label in Russian or
    English (any case, whatever the language active); None when it is none of them."""
    key = text.strip().casefold()
    for value, label in choices.choices:
        names = {value}
        for language in ("ru", "en"):
            with translation.override(language):
                names.add(str(label).casefold())
        if key in names:
            return str(value)
    return None


def _probability(text: str) -> int | None:
    """A probability of closing as typed in a file («60», «60 %»): a whole percent 0–100."""
    digits = text.strip().removesuffix("%").strip()
    if not digits.isdigit() or int(digits) > 100:
        return None
    return int(digits)


@dataclass
class RowCheck:
    number: int  # as in the file: the header is row 1
    data: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class LeadImportPlan:
    columns: dict[str, str]  # header → field
    ignored: list[str]
    rows: list[RowCheck]

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _match(header: str) -> str | None:
    key = header.strip().lower()
    return next((name for name, aliases in COLUMNS.items() if key in aliases), None)


def _check(number: int, data: dict[str, str]) -> RowCheck:
    row = RowCheck(number, data)
    if not any(data.get(k) for k in ("contact_name", "phone", "email", "company_name")):
        row.errors.append(_("no name, phone, e-mail or company"))
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            row.errors.append(_("wrong e-mail %(value)s") % {"value": data["email"]})
    source = data.get("source", "")
    if source:
        value = _choice_value(source, LeadSource)
        if value is None:
            row.errors.append(_("unknown source %(value)s") % {"value": source})
        else:
            data["source"] = value
    for key, choices, message in (
        ("category", LeadCategory, _("unknown category %(value)s")),
        ("rating", LeadRating, _("unknown prospect rating %(value)s")),
    ):
        if data.get(key):
            value = _choice_value(data[key], choices)
            if value is None:
                row.errors.append(message % {"value": data[key]})
            else:
                data[key] = value
    if data.get("close_probability") and _probability(data["close_probability"]) is None:
        row.errors.append(
            _("probability of closing %(value)s is not a whole percent from 0 to 100")
            % {"value": data["close_probability"]}
        )
    for key in ("need", "next_steps"):  # the limit `lead_create` applies
        if len(data.get(key, "")) > LONG_TEXT_MAX_LENGTH:
            row.errors.append(long_text_error())
    if data.get("inn"):  # the rule `lead_create` applies: the length and the check digit
        try:
            data["inn"] = normalize_inn(data["inn"])
        except DomainError as exc:
            row.errors.append(exc.message)
    return row


def lead_import_plan(*, content: bytes, file_name: str) -> LeadImportPlan:
    """Read and check the file without writing anything."""
    if len(content) > MAX_LEAD_FILE_BYTES:
        raise DomainError(CoreError.VALIDATION, _("The file is larger than 2 MB."))
    table = read_table(content, file_name)
    columns = {h: f for h in table.headers if (f := _match(h))}
    if not columns:
        raise DomainError(
            CoreError.VALIDATION,
            _("No known column: name the columns e.g. Контакт, Компания, Телефон, E-mail."),
        )
    if len(table.rows) > MAX_LEAD_ROWS:
        raise DomainError(
            CoreError.VALIDATION,
            _("At most %(n)s rows per file.") % {"n": MAX_LEAD_ROWS},
        )
    index = {h: i for i, h in enumerate(table.headers)}
    rows = []
    for number, raw in enumerate(table.rows, start=2):
        data = {f: raw[index[h]].strip() for h, f in columns.items() if raw[index[h]].strip()}
        if data:
            rows.append(_check(number, data))
    ignored = [h for h in table.headers if h not in columns]
    return LeadImportPlan(columns=columns, ignored=ignored, rows=rows)


@transaction.atomic
def lead_import_apply(*, actor: User, plan: LeadImportPlan) -> int:
    """Write every row as a lead of the actor, or nothing if any row has a problem."""
    if plan.error_count:
        raise DomainError(
            CoreError.VALIDATION,
            _("%(n)s rows have problems: fix the file and check it again.")
            % {"n": plan.error_count},
            details={"rows": {r.number: r.errors for r in plan.rows if r.errors}},
        )
    for row in plan.rows:
        data: dict[str, Any] = dict(row.data)
        if "close_probability" in data:
            data["close_probability"] = _probability(data["close_probability"])
        services.lead_create(
            actor=actor,
            title=data.pop("title", ""),
            source=data.pop("source", LeadSource.IMPORT),
            responsible=actor,
            **data,
        )
    return len(plan.rows)
