"""The import's columns, row checks and duplicate search (what a dry run and a job check)."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from greenwave.accounts.models import User
from greenwave.accounts.scoping import (
    scope_for_write,
    scope_records,
)
from greenwave.core import bulkcopy
from greenwave.core.errors import DomainError

from ..errors import CrmError
from ..models import (
    Company,
    CompanySize,
    Contact,
    Gender,
    ImportJob,
    ImportKind,
    Segment,
    Source,
)
from ..requisites import (
    _PLAIN_EMAIL_RE,
    _RU_E164_RE,
    _valid_ru_e164,
    normalize_inn,
)
from ..tabular import MAX_FILE_BYTES, read_table
from .clients import (
    _GENDERS,
    COMPANY_FIELDS,
    _clean_company,
    _clean_contact,
    _field_error,
    _refuse_duplicate_inn,
    birthday_in_future,
)
from .contact_reach import _live_contacts_with

# --- Import of companies and contacts (CSV/XLSX, dry run, all-or-nothing job) -------------


@dataclass(frozen=True)
class ImportColumn:
    field: str
    label: Any  # lazy translation
    aliases: tuple[str, ...] = ()
    required: bool = False


IMPORT_COLUMNS: dict[str, tuple[ImportColumn, ...]] = {
    ImportKind.COMPANIES: (
        ImportColumn(
            "name",
            gettext_lazy("Name"),
            ("название", "наименование", "компания", "организация", "клиент", "company"),
            required=True,
        ),
        ImportColumn("inn", gettext_lazy("INN"), ("инн", "inn")),
        ImportColumn("kpp", gettext_lazy("KPP"), ("кпп", "kpp")),
        ImportColumn("ogrn", gettext_lazy("OGRN/OGRNIP"), ("огрн", "огрнип", "ogrn")),
        ImportColumn(
            "legal_address", gettext_lazy("Legal address"), ("юридический адрес", "юр. адрес")
        ),
        ImportColumn(
            "actual_address",
            gettext_lazy("Actual address"),
            ("фактический адрес", "факт. адрес", "адрес", "address"),
        ),
        ImportColumn("region", gettext_lazy("Region"), ("регион", "область", "город", "region")),
        ImportColumn("industry", gettext_lazy("Industry"), ("отрасль", "сфера", "industry")),
        ImportColumn("size", gettext_lazy("Size"), ("размер", "size")),
        ImportColumn("source", gettext_lazy("Source / channel"), ("источник", "канал", "source")),
        ImportColumn("segment", gettext_lazy("Segment"), ("сегмент", "segment")),
        ImportColumn("phone", gettext_lazy("Phone"), ("телефон", "тел.", "phone")),
        ImportColumn("email", gettext_lazy("E-mail"), ("email", "e-mail", "почта", "эл. почта")),
        ImportColumn("website", gettext_lazy("Website"), ("сайт", "website", "www")),
        ImportColumn("tags", gettext_lazy("Tags"), ("теги", "метки", "tags")),
        ImportColumn(
            "contact_full_name",
            gettext_lazy("Contact person"),
            ("контактное лицо", "контакт", "фио", "contact"),
        ),
        ImportColumn(
            "contact_position", gettext_lazy("Contact's position"), ("должность", "position")
        ),
        ImportColumn("contact_phone", gettext_lazy("Contact's phone"), ("телефон контакта",)),
        ImportColumn("contact_email", gettext_lazy("Contact's e-mail"), ("email контакта",)),
    ),
    ImportKind.CONTACTS: (
        ImportColumn(
            "full_name",
            gettext_lazy("Full name"),
            ("фио", "имя", "контакт", "контактное лицо", "name"),
            required=True,
        ),
        ImportColumn("position", gettext_lazy("Position"), ("должность", "position")),
        ImportColumn("phones", gettext_lazy("Phones"), ("телефон", "телефоны", "phone")),
        ImportColumn("emails", gettext_lazy("E-mails"), ("email", "e-mail", "почта")),
        ImportColumn("birthday", gettext_lazy("Birthday"), ("день рождения", "дата рождения")),
        ImportColumn("gender", gettext_lazy("Gender"), ("пол", "gender")),
        ImportColumn(
            "mailing_consent",
            gettext_lazy("Consent to mailings"),
            ("согласие на рассылку", "рассылка", "согласие"),
        ),
        ImportColumn("company_inn", gettext_lazy("Company INN"), ("инн компании", "инн", "inn")),
        ImportColumn("notes", gettext_lazy("Notes"), ("заметки", "комментарий", "notes")),
    ),
}
MAX_STORED_ERRORS = 500
MAX_IMPORT_BYTES = MAX_FILE_BYTES
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 0.5
IMPORT_RUN_LOCK = "crm.import"
IMPORT_RESUME_BATCH = 20
IMPORT_MAX_RESUMES = 3
IMPORT_REQUEUE_AFTER = timedelta(minutes=10)
LOOKUP_CHUNK = 5000  # ids or INNs per `IN (…)` query
BULK_BATCH = 2000  # rows per bulk INSERT
COPY_CHUNK = 5000  # contacts (and their events) per COPY of an import
_YES = {"да", "yes", "true", "1", "+", "y", "д"}
_NO = {"нет", "no", "false", "0", "-", "n", "н", ""}


def import_columns(kind: str) -> tuple[ImportColumn, ...]:
    return IMPORT_COLUMNS[ImportKind(kind)]


# One example row a kind: the sample file a user downloads to see what the import reads. Its
# requisites pass their checksums; the texts are in the reader's language.
_SAMPLE_INN = "7701234560"
IMPORT_SAMPLES: dict[str, dict[str, Any]] = {
    ImportKind.COMPANIES: {
        "name": gettext_lazy("Example Trading LLC"),
        "inn": _SAMPLE_INN,
        "kpp": "770101001",
        "ogrn": "1027700123450",
        "legal_address": gettext_lazy("1 Example Street, Moscow, 101000"),
        "actual_address": gettext_lazy("1 Example Street, Moscow, 101000"),
        "region": gettext_lazy("Moscow"),
        "industry": gettext_lazy("Wholesale"),
        "size": CompanySize.SMALL.label,
        "source": Source.EXHIBITION.label,
        "segment": Segment.NEW.label,
        "phone": "+7 495 123-45-67",
        "email": "info@example.ru",
        "website": "https://example.ru",
        "tags": gettext_lazy("wholesale, warehouse"),
        "contact_full_name": gettext_lazy("Ivanov Ivan Ivanovich"),
        "contact_position": gettext_lazy("Purchasing director"),
        "contact_phone": "+7 916 123-45-67",
        "contact_email": "ivanov@example.ru",
    },
    ImportKind.CONTACTS: {
        "full_name": gettext_lazy("Petrova Anna Sergeevna"),
        "position": gettext_lazy("Chief accountant"),
        "phones": "+7 495 765-43-21",
        "emails": "petrova@example.ru",
        "birthday": "15.04.1985",
        "gender": Gender.FEMALE.label,
        "mailing_consent": gettext_lazy("yes"),
        "company_inn": "",  # the INN of a client already in the base links the contact to it
        "notes": gettext_lazy("Call after 10 am"),
    },
}


def import_sample(kind: str) -> tuple[list[str], list[str]]:
    """A sample file's header (each column's name in the active language, which the column
    mapping recognises) and its example row."""
    columns = import_columns(kind)
    values = IMPORT_SAMPLES[ImportKind(kind)]
    return [str(c.label) for c in columns], [str(values.get(c.field, "")) for c in columns]


def import_suggest_mapping(kind: str, headers: Iterable[str]) -> dict[str, str]:
    """Guess the field of each column from its name (Russian or English, any case)."""
    columns = import_columns(kind)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        key = header.strip().casefold()
        for column in columns:
            names = {column.field, *column.aliases}
            for language in ("ru", "en"):
                with translation.override(language):
                    names.add(str(column.label).casefold())
            if key in names and column.field not in taken:
                mapping[header] = column.field
                taken.add(column.field)
                break
        else:
            mapping[header] = ""
    return mapping


def _choice_code(value: str, enum: Any) -> str:
    """A choice typed in a file: its code, or its label in Russian or English."""
    text = value.strip().casefold()
    if not text:
        return ""
    for code, _label in enum.choices:
        if text == code.casefold():
            return str(code)
        for language in ("ru", "en"):
            with translation.override(language):
                if text == str(enum(code).label).casefold():
                    return str(code)
    return value  # left as typed: the cleaning refuses it with a field error


_GENDER_LETTERS = {"м": "male", "ж": "female"}


@functools.lru_cache(maxsize=256)
def _gender_code(value: str) -> str:
    """`_choice_code` of a gender, which a file also writes as one letter (м/ж). Cached: a
    file has few distinct spellings, and each `_choice_code` compares them with the labels in
    two languages. The answer depends on the value only (the labels are not the user's
    language)."""
    letter = _GENDER_LETTERS.get(value.strip().casefold())
    return letter if letter is not None else _choice_code(value, Gender)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


# A date of the usual shapes, `31.12.1980` and `1980-12-31`: strptime's answer for them (the
# first of `_parse_date`'s formats that fits them) without strptime (~25 µs a date). Anything
# else — or an impossible day — takes strptime (`test_clean_fast_paths` compares both).
_DMY_RE = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{4})")
_YMD_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def _parse_date(value: str, field: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    if shape := _DMY_RE.fullmatch(text):
        day, month, year = shape.groups()
    elif shape := _YMD_RE.fullmatch(text):
        year, month, day = shape.groups()
    if shape is not None:
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _field_error(field, _("%(value)s is not a date like 31.12.1980.") % {"value": text})


def _parse_bool(value: str, field: str) -> bool:
    text = value.strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _field_error(field, _("Write yes or no."))


@dataclass
class _RowCheck:
    company: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    company_ref: Company | None = None


def _check_company_row(values: Mapping[str, str], seen: set[tuple[str, str]]) -> _RowCheck:
    data: dict[str, Any] = {
        f: values.get(f, "")
        for f in COMPANY_FIELDS
        if f not in ("tags", "custom_fields", "size", "source", "segment")
    }
    data["size"] = _choice_code(values.get("size", ""), CompanySize)
    data["source"] = _choice_code(values.get("source", ""), Source)
    data["segment"] = _choice_code(values.get("segment", ""), Segment) or Segment.NEW
    data["tags"] = _split(values.get("tags", ""))
    company = _clean_company(data)
    key = (company["inn"], company["kpp"])
    if company["inn"]:
        if key in seen:
            raise DomainError(
                CrmError.DUPLICATE,
                _("The INN %(inn)s is already on an earlier row of this file.")
                % {"inn": company["inn"]},
                details={"field": "inn"},
            )
        _refuse_duplicate_inn(None, company["inn"], company["kpp"])
        seen.add(key)
    contact = None
    person = {
        k: values.get(f"contact_{k}", "") for k in ("full_name", "position", "phone", "email")
    }
    if any(person.values()):
        try:
            contact = _clean_contact(
                {
                    "full_name": person["full_name"],
                    "position": person["position"],
                    "phones": [person["phone"]] if person["phone"] else [],
                    "emails": [person["email"]] if person["email"] else [],
                }
            )
        except DomainError as exc:
            field = {"phones": "contact_phone", "emails": "contact_email"}.get(
                exc.details.get("field", ""), f"contact_{exc.details.get('field', '')}"
            )
            raise DomainError(exc.code, exc.message, details={"field": field}) from exc
    return _RowCheck(company=company, contact=contact)


@functools.lru_cache(maxsize=65536)
def _import_inn(text: str) -> str:
    """`normalize_inn` of a contacts file's `company_inn` (a file names the same companies on
    many rows: each INN's checksum is computed once; a refusal is not cached)."""
    return normalize_inn(text, field="company_inn")


def _companies_by_inn(actor: User, rows: Iterable[Mapping[str, str]]) -> dict[str, Company]:
    """The companies a contacts file names by `company_inn`, read at once: of each INN the
    actor's live company with the smallest id (what a per-row `.first()` would find)."""
    return _companies_of_inns(actor, _inns_of(rows))


def _inns_of(rows: Iterable[Mapping[str, str]]) -> set[str]:
    """The valid INNs these rows name in `company_inn` (a bad one is the row check's to report)."""
    inns: set[str] = set()
    for values in rows:
        try:
            inn = _import_inn(values.get("company_inn", "").strip())
        except DomainError:
            continue
        if inn:
            inns.add(inn)
    return inns


def _companies_of_inns(
    actor: User, inns: Iterable[str], *, lean: bool = False
) -> dict[str, Company]:
    """Of each INN, the actor's live company with the smallest id (absent: none). `lean`:
    the companies with their id and INN only (all a dry run packs), without the owner and
    team rows a write needs."""
    found: dict[str, Company] = {}
    wanted = sorted(inns)
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        candidates = scope_for_write(
            Company.objects.filter(
                inn__in=wanted[start : start + LOOKUP_CHUNK],
                merged_into__isnull=True,
                is_deleted=False,
            ),
            actor=actor,
        )
        candidates = (
            candidates.only("id", "inn")
            if lean
            else candidates.select_related("responsible", "team")
        )
        for company in candidates.order_by("pk"):
            found.setdefault(company.inn, company)
    return found


def _check_contact_row(
    actor: User, values: Mapping[str, str], companies: Mapping[str, Company]
) -> _RowCheck:
    company = None
    inn = values.get("company_inn", "").strip()
    if inn:
        normal = _import_inn(inn)
        company = companies.get(normal)
        if company is None:
            raise _field_error(
                "company_inn",
                _("There is no company with INN %(inn)s among your clients.") % {"inn": normal},
            )
    contact = _clean_contact(
        {
            "full_name": values.get("full_name", ""),
            "position": values.get("position", ""),
            "phones": _split(values.get("phones", "")),
            "emails": _split(values.get("emails", "")),
            "birthday": _parse_date(values.get("birthday", ""), "birthday"),
            "gender": _gender_code(values.get("gender", "")),
            "mailing_consent": _parse_bool(values.get("mailing_consent", ""), "mailing_consent"),
            "notes": values.get("notes", ""),
        }
    )
    return _RowCheck(contact=contact, company_ref=company)


def _plain_text(value: str, limit: int) -> bool:
    """Whether `clients._text` keeps `value` as it is (empty, or beginning and ending with a
    letter or digit) within `limit` characters."""
    return not value or (value[:1].isalnum() and value[-1:].isalnum() and len(value) <= limit)


def _contact_row_fast(
    number: int,
    values: Mapping[str, str],
    companies: Mapping[str, Company],
    today: date | None = None,
) -> list[Any] | None:
    """`_packed(number, _check_contact_row(…))` of a row in the usual shape — a name, position
    and notes that `_text` keeps as they are, one phone already in E.164, one plain e-mail, a
    known INN, a birthday, gender and consent as written — in one call, without the dicts of
    `_check_contact_row` and `_clean_contact` (about half the dry run's checking). None for
    anything else, bad rows included: the caller then takes `_check_contact_row`, whose errors
    are the row's report (`test_clean_fast_paths` compares both over random rows). `today`:
    the local date a birthday may not pass, read once by a caller of many rows (by
    `timezone.localdate()` a row, it was ~10 µs of a row's ~16)."""
    get = values.get
    name, position, notes = get("full_name", ""), get("position", ""), get("notes", "")
    if not name or not _plain_text(name, 255) or not _plain_text(position, 255):
        return None
    if not _plain_text(notes, 5000):
        return None
    phone, email = get("phones", "").strip(), get("emails", "").strip().lower()
    if "," in phone or ";" in phone or "," in email or ";" in email:
        return None
    if phone and not (_RU_E164_RE.fullmatch(phone) and _valid_ru_e164(phone)):
        return None
    if email and not (len(email) <= 320 and _PLAIN_EMAIL_RE.fullmatch(email)):
        return None
    gender = _gender_code(get("gender", ""))
    consent = get("mailing_consent", "").strip().casefold()
    if (gender and gender not in _GENDERS) or (consent not in _YES and consent not in _NO):
        return None
    company, inn = None, get("company_inn", "").strip()
    try:
        birthday = _parse_date(get("birthday", ""), "birthday")
        if inn:
            company = companies.get(_import_inn(inn))
    except DomainError:
        return None
    if (inn and company is None) or birthday_in_future(birthday, today):
        return None
    return [
        number,
        name,
        position,
        [phone] if phone else [],
        [email] if email else [],
        birthday.isoformat() if birthday else None,
        gender,
        consent in _YES,
        notes,
        company.pk if company is not None else None,
        company.inn if company is not None else "",
    ]


def _content_of(job: ImportJob) -> bytes:
    """The uploaded file's bytes (`_job_bytes`)."""
    return _job_bytes(job, "content")


def _job_bytes(job: ImportJob, field: str) -> bytes:
    """The job's `content` or `checked_rows`. A worker's step reads the job without them
    (`defer`) and then the one it needs alone by `bulkcopy.read_bytes`: one copy of it in the
    worker, not the ORM's hex text of twice its size beside it and a copy of the bytes
    (`bytes(job.content)`)."""
    if field in job.__dict__:  # read with the job
        return bytes(getattr(job, field))
    quote = connection.ops.quote_name
    sql = f"SELECT {quote(field)} FROM {quote(ImportJob._meta.db_table)} WHERE id = %s"  # noqa: S608
    return bulkcopy.read_bytes(sql, [job.pk]) or b""


def _rows_of(job: ImportJob) -> list[tuple[int, dict[str, str]]]:
    """(file row number, {field: value}) of every data row, by the job's mapping."""
    table = read_table(_content_of(job), job.file_name)
    return list(_mapped_rows(job, table.headers, table.rows))


def _mapped_rows(
    job: ImportJob, headers: list[str], rows: Iterable[list[str]]
) -> Iterator[tuple[int, dict[str, str]]]:
    """`_rows_of` one row at a time."""
    index = {header: i for i, header in enumerate(headers)}
    fields = [(index[h], f) for h, f in job.mapping.items() if f and h in index]
    for number, row in enumerate(rows, start=2):
        yield number, {field: row[i] for i, field in fields}


class _RowChecker:
    """Checks the rows of one job; what the rows look up in the base is read once up front."""

    def __init__(self, job: ImportJob, rows: Iterable[tuple[int, dict[str, str]]]) -> None:
        self.job = job
        self.seen: set[tuple[str, str]] = set()  # (INN, KPP) on earlier rows of the file
        self.companies: dict[str, Company] = {}
        if job.kind == ImportKind.CONTACTS:
            self.companies = _companies_by_inn(job.created_by, (values for _n, values in rows))

    def __call__(self, values: Mapping[str, str]) -> _RowCheck:
        if self.job.kind == ImportKind.COMPANIES:
            return _check_company_row(values, self.seen)
        return _check_contact_row(self.job.created_by, values, self.companies)


# Of each wanted value, the smallest id of a live contact whose phones / e-mails hold it.
# PostgreSQL: one probe per value of the partial GIN indexes `crm_contact_phones_gin` /
# `crm_contact_emails_gin` (migration crm 0010; `@>`), so the cost grows with the file, not
# the base (`?|` with the whole array grows faster than linearly with the values). The probe
# is a LATERAL subquery fenced by `OFFSET 0` so that it is planned for one value: as a plain
# join, with stale statistics (a table after large imports and deletes) PostgreSQL chose a
# seq scan per value (40 s for 10 000 values instead of 0.16 s); `min()` inside it would
# become a walk of the primary key. Each statement's rows are (field, value, contact id); the
# fields asked are one statement on PostgreSQL (`UNION ALL`). SQLite:
# each statement unnests every live contact's list once and joins it with the wanted values.
# One parameter a field: a text array on PostgreSQL, a JSON array on SQLite.
def _transaction_horizon() -> int | None:
    """PostgreSQL: the id (64-bit) of the oldest transaction still running — every
    transaction with a smaller id has ended, so what it wrote is seen by the statements that
    follow. None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0])


# Within this many transactions the 32-bit `xmin` of a row compares safely with a stamp.
_STAMP_MAX_AGE = 1_000_000_000

# Pages of the contacts table per row to check above which reading the whole table costs
# more than asking the indexes (~3 µs a page against ~10 µs a row's phone and e-mail).
_SCAN_PAGES_PER_ROW = 2

# Whether any row of the contacts (live, deleted, whoever owns it) was written by the
# transaction of the stamp or a later one: `age()` counts back from the current
# transaction modulo 2^32, so a row's `xmin` at or after the stamp is no older than it (a
# frozen row's age is the largest). Parameters: the 64-bit stamp, `_STAMP_MAX_AGE`, the most
# pages worth reading, the stamp's low 32 bits. True also when the stamp is too old or the table too
# large to be worth reading (the caller then asks the indexes).
_CONTACTS_WRITTEN_SINCE_SQL = (
    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint - %s >= %s"
    " OR (SELECT relpages FROM pg_class WHERE oid = 'crm_contact'::regclass) > %s"
    " OR EXISTS (SELECT 1 FROM crm_contact c WHERE age(c.xmin) <= age(%s::text::xid))"
)


def _contacts_unchanged_since(stamp: int | None, rows: int) -> bool:
    """Whether the contacts table is as a dry run that took `stamp` (`_transaction_horizon`,
    before its first duplicate query) saw it: no contact row was inserted, updated or
    soft-deleted by a transaction that had not ended at the stamp. Conservative: a rolled
    back write, or a write that does not touch phones or e-mails, also counts as a change;
    a contact deleted for good does not (a job checks that only when the dry run matched
    no contact of the base). False without reading when the table is too large for the
    `rows` to check (reading it would cost more than asking the indexes about them).
    PostgreSQL only (elsewhere: False)."""
    if stamp is None or connection.vendor != "postgresql":
        return False
    pages = rows * _SCAN_PAGES_PER_ROW
    with connection.cursor() as cursor:
        cursor.execute(
            _CONTACTS_WRITTEN_SINCE_SQL, [stamp, _STAMP_MAX_AGE, pages, str(stamp & 0xFFFFFFFF)]
        )
        return not cursor.fetchone()[0]


def _contact_names_visible(actor: User, ids: Iterable[int]) -> dict[int, str]:
    """The names of those contacts the actor may see (the others stay anonymous)."""
    names: dict[int, str] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        visible = scope_records(
            Contact.objects.filter(pk__in=wanted[start : start + LOOKUP_CHUNK]), actor=actor
        )
        names.update(visible.values_list("pk", "full_name"))
    return names


class _DuplicateFinder:
    """Finds the rows of a contacts file that repeat a person: a phone or an e-mail of a live
    contact of the base (any team's), or of an earlier good row of the file. Three queries
    for the values it is given (`look_up`: the phones, the e-mails — through the indexes —
    and the names of the matched contacts the importer may see), however many rows; a
    file streamed in chunks is looked up a chunk at a time, before its rows are asked (in
    file order)."""

    def __init__(
        self,
        job: ImportJob,
        phones: Iterable[str] = (),
        emails: Iterable[str] = (),
        *,
        ask_base: bool = True,
    ) -> None:
        self.actor = job.created_by
        # False: the base is known to hold none of the values (only the file's rows repeat)
        self.ask_base = ask_base
        self.known: dict[str, dict[str, int]] = {"phones": {}, "emails": {}}
        self.names: dict[int, str] = {}
        self.columns = {f: h for h, f in job.mapping.items() if f}
        # field -> value -> the first row holding it (no tuple a value: 100 000 rows' keys)
        self.earlier: dict[str, dict[str, int]] = {"phones": {}, "emails": {}}
        self.look_up(phones, emails)

    def look_up(self, phones: Iterable[str], emails: Iterable[str]) -> None:
        """Learn which of these values live contacts of the base hold (before the rows that
        carry them are asked); values already seen on earlier rows are not asked again."""
        if not self.ask_base:
            return
        fresh: dict[str, set[str]] = {}
        for field, values in (("phones", phones), ("emails", emails)):
            earlier, known = self.earlier[field], self.known[field]
            fresh[field] = {v for v in values if v not in earlier and v not in known}
        found: list[int] = []
        for field, matched in _live_contacts_with(fresh).items():
            self.known[field].update(matched)
            found += matched.values()
        if found:
            self.names.update(_contact_names_visible(self.actor, found))

    def __call__(
        self, number: int, full_name: str, phones: Iterable[str], emails: Iterable[str]
    ) -> dict[str, Any] | None:
        """What the row repeats (the duplicate's report line), or None for a new person."""
        keys = [("phones", v) for v in phones] + [("emails", v) for v in emails]
        match: dict[str, Any] | None = None
        for field, value in keys:
            pk = self.known[field].get(value)
            if pk is not None:
                match = {"field": field, "value": value, "contact": pk, "same_as_row": None}
                break
        if match is None:
            for field, value in keys:
                row = self.earlier[field].get(value)
                if row is not None:
                    match = {"field": field, "value": value, "contact": None}
                    match["same_as_row"] = row
                    break
        for field, value in keys:
            self.earlier[field].setdefault(value, number)
        if match is None:
            return None
        pk = match["contact"]
        hidden = pk is not None and pk not in self.names
        # Of a contact the importer may not see, neither the id nor the name is told.
        return {
            "row": number,
            "full_name": full_name,
            "column": self.columns.get(match["field"], ""),
            **match,
            "contact": None if hidden else pk,
            "contact_name": self.names.get(pk, "") if pk is not None else "",
            "hidden": hidden,
        }


def _contact_duplicates(
    job: ImportJob, good: list[tuple[int, _RowCheck]]
) -> dict[int, dict[str, Any]]:
    """The duplicate rows among the good rows of a contacts file: {row number: what it
    matches} (`_DuplicateFinder`)."""
    phones = {p for _n, c in good for p in (c.contact or {}).get("phones", ())}
    emails = {e for _n, c in good for e in (c.contact or {}).get("emails", ())}
    finder = _DuplicateFinder(job, phones, emails)
    found: dict[int, dict[str, Any]] = {}
    for number, row_check in good:
        contact = row_check.contact or {}
        match = finder(
            number,
            contact.get("full_name", ""),
            contact.get("phones", ()),
            contact.get("emails", ()),
        )
        if match is not None:
            found[number] = match
    return found


@dataclass
class _Sorted:
    """The rows of a file sorted out: good ones (new or duplicates) and bad ones."""

    good: list[tuple[int, _RowCheck]]
    errors: list[dict[str, Any]]
    error_rows: int

    def split(self, job: ImportJob) -> tuple[list[_RowCheck], list[dict[str, Any]]]:
        """The new rows to write and the duplicates to skip (of a contacts file)."""
        doubles = _contact_duplicates(job, self.good) if job.kind == ImportKind.CONTACTS else {}
        new = [c for n, c in self.good if n not in doubles]
        return new, list(doubles.values())


def _sort_rows(job: ImportJob, *, progress: bool = False) -> _Sorted:
    """Check every row of the file (`DomainError` for the file as a whole)."""
    rows = _rows_of(job)
    check = _RowChecker(job, rows)
    good: list[tuple[int, _RowCheck]] = []
    errors: list[dict[str, Any]] = []
    error_rows = 0
    shown = time.monotonic()
    for count, (number, values) in enumerate(rows, start=1):
        try:
            good.append((number, check(values)))
        except DomainError as exc:
            error_rows += 1
            if len(errors) < MAX_STORED_ERRORS:
                errors.append(_row_error(job, number, exc, values))
        # the progress at most once a PROGRESS_SECONDS (each update is a commit)
        if progress and count % PROGRESS_EVERY == 0 and time.monotonic() - shown > PROGRESS_SECONDS:
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
            shown = time.monotonic()
    return _Sorted(good=good, errors=errors, error_rows=error_rows)


def _lock_contact_imports() -> None:
    """One contacts import writes at a time, so that each finds the duplicates the one
    before it wrote (PostgreSQL: a transaction-scoped advisory lock; SQLite's IMMEDIATE
    transactions already admit one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('crm:contact_import'))")


def _row_error(
    job: ImportJob, number: int, exc: DomainError, values: Mapping[str, str]
) -> dict[str, Any]:
    field = str(exc.details.get("field") or "")
    column = next((h for h, f in job.mapping.items() if f == field), "")
    return {
        "row": number,
        "field": field,
        "column": column,
        "message": exc.message,
        "value": values.get(field, ""),
    }
