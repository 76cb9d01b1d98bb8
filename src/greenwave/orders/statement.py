"""The `1CClientBankExchange` bank statement (the text exchange format of 1C and Russian
client-bank systems, version 1.03): parsing, matching to invoices, and the import.

The file is `Key=Value` lines: the header `1CClientBankExchange`, `ВерсияФормата`,
`Кодировка` (Windows = cp1251, DOS = cp866; UTF-8 is accepted too), the account sections
`СекцияРасчСчет` … `КонецРасчСчет`, one `СекцияДокумент=<kind>` … `КонецДокумента` per bank
document, and `КонецФайла`. A line we cannot read stops the import with its number: nothing
is written from a file that is not entirely understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.documents.models import AWAITING_PAYMENT, Invoice, LegalEntity

from . import services
from .errors import OrdersError
from .models import Payment

MAX_BYTES = 5 * 1024 * 1024
MAX_DOCUMENTS = 5000
MAX_LINE = 2000
HEADER = "1CClientBankExchange"
PAYMENT_ORDER_KINDS = {"платежное поручение", "платёжное поручение"}
ENCODINGS = {"windows": "cp1251", "dos": "cp866", "utf-8": "utf-8", "utf8": "utf-8"}
SECTION_MARKERS = {"КонецРасчСчет", "КонецДокумента", "КонецФайла", "СекцияРасчСчет"}
# «Оплата по счёту № 17 от 01.12.2026», «сч. 17», «счет на оплату №17», «по счету N 17/1».
INVOICE_IN_PURPOSE = re.compile(
    r"сч(?:[её]т[ауе]?|\.)?\s*(?:на\s+оплату\s*)?(?:№|N|#|No\.?)?\s*(\d[\w/-]{0,39})"
    r"(?:\s*от\s*(\d{2})\.(\d{2})\.(\d{4}))?",
    re.IGNORECASE,
)


def _error(message: str, line: int | None = None) -> DomainError:
    details: dict[str, Any] = {"line": line} if line is not None else {}
    return DomainError(OrdersError.INVALID_STATEMENT, message, details=details)


@dataclass
class BankDocument:
    line: int
    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    number: str = ""
    date: date | None = None
    amount: Decimal = Decimal(0)

    @property
    def payer_inn(self) -> str:
        return self.fields.get("ПлательщикИНН", "").strip()

    @property
    def key(self) -> str:
        when = self.date.isoformat() if self.date else ""
        return f"{self.number}|{when}|{self.amount}|{self.payer_inn}"

    def as_row(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "number": self.number,
            "date": self.date,
            "amount": self.amount,
            "payer_inn": self.payer_inn,
            "payer_name": self.fields.get("Плательщик1") or self.fields.get("Плательщик", ""),
            "payer_account": self.fields.get("ПлательщикСчет", ""),
            "recipient_inn": self.fields.get("ПолучательИНН", "").strip(),
            "recipient_account": self.fields.get("ПолучательСчет", "").strip(),
            "purpose": self.fields.get("НазначениеПлатежа", ""),
        }


def decode(raw: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read in; an unknown one is refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:200]:
        raise _error(_("Unknown encoding: the file looks like UTF-16 or binary data."))
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = re.search(rb"\xca\xee\xe4\xe8\xf0\xee\xe2\xea\xe0=([A-Za-z0-9-]+)", raw[:2000])
    declared = head.group(1).decode("ascii").lower() if head else ""
    if not declared:
        head = re.search(rb"\x8a\xae\xa4\xa8\xe0\xae\xa2\xaa\xa0=([A-Za-z0-9-]+)", raw[:2000])
        declared = head.group(1).decode("ascii").lower() if head else ""
    encoding = ENCODINGS.get(declared, "")
    if encoding not in ("cp1251", "cp866"):
        raise _error(
            _(
                "Unknown encoding: the file is neither UTF-8 nor declares "
                "«Кодировка=Windows» (cp1251) or «Кодировка=DOS» (cp866)."
            )
        )
    try:
        return raw.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise _error(_("The file is not valid %(enc)s text.") % {"enc": encoding}) from error


def _parse_amount(value: str, line: int) -> Decimal:
    try:
        amount = Decimal(value.strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise _error(
            _("Line %(line)s: «Сумма» is not an amount: %(value)s.")
            % {"line": line, "value": value[:40]},
            line,
        ) from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise _error(
            _("Line %(line)s: «Сумма» must be positive with at most two decimals.")
            % {"line": line},
            line,
        )
    if amount >= Decimal("1e16"):
        raise _error(_("Line %(line)s: «Сумма» is too large.") % {"line": line}, line)
    return amount.quantize(Decimal("0.01"))


def _parse_date(value: str, line: int, name: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%d.%m.%Y").date()
    except ValueError:
        raise _error(
            _("Line %(line)s: «%(name)s» is not a date DD.MM.YYYY: %(value)s.")
            % {"line": line, "name": name, "value": value[:40]},
            line,
        ) from None


def _statement_lines(raw: bytes) -> list[str]:
    """The decoded lines of a statement of a sane size that starts as 1C's exchange format."""
    if len(raw) > MAX_BYTES:
        raise DomainError(
            OrdersError.STATEMENT_TOO_LARGE,
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)},
            status=413,
        )
    if not raw.strip():
        raise _error(_("The file is empty."))
    text, _encoding = decode(raw)
    lines = text.splitlines()
    if not lines or lines[0].strip() != HEADER:
        raise _error(
            _("Unknown format: the first line must be «1CClientBankExchange»."),
            1 if lines else None,
        )
    return lines


def _refuse_open_section(current: BankDocument | None, in_account: bool, number: int) -> None:
    if current is not None or in_account:
        raise _error(
            _("Line %(line)s: a new section starts before the previous one ends.")
            % {"line": number},
            number,
        )


def parse(raw: bytes) -> tuple[list[BankDocument], dict[str, str]]:
    """The bank documents of a statement and its header fields."""
    lines = _statement_lines(raw)
    reader = _Reader()
    for number, raw_line in enumerate(lines[1:], start=2):
        line = raw_line.strip()
        if line:
            reader.read(line, number)
    if not reader.ended:
        raise _error(
            _("The file is cut short: «КонецФайла» is missing (%(n)s lines read).")
            % {"n": len(lines)},
            len(lines),
        )
    header = reader.header
    version = header.get("ВерсияФормата", "")
    if version and not version.startswith("1."):
        raise _error(_("Unknown format version %(v)s.") % {"v": version[:20]})
    return reader.documents, header


@dataclass
class _Reader:
    """Where the parse of a statement stands: the header so far, the documents read, the
    section open (a document or the account's), whether the file has ended."""

    header: dict[str, str] = field(default_factory=dict)
    documents: list[BankDocument] = field(default_factory=list)
    current: BankDocument | None = None
    in_account: bool = False
    ended: bool = False

    def read(self, line: str, number: int) -> None:
        """One non-empty line: a section marker or a «Key=Value» field."""
        if self.ended:
            raise _error(_("Line %(line)s: text after «КонецФайла».") % {"line": number}, number)
        if len(line) > MAX_LINE:
            raise _error(_("Line %(line)s is too long.") % {"line": number}, number)
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep and key not in SECTION_MARKERS:
            raise _error(
                _("Line %(line)s is broken: expected «Key=Value», got «%(text)s».")
                % {"line": number, "text": line[:60]},
                number,
            )
        if self.section(key, value, number):
            return
        if self.current is not None:
            self.current.fields[key] = value.strip()
            self.current.fields.setdefault(f"_line_{key}", str(number))
        elif not self.in_account:
            self.header[key] = value.strip()

    def section(self, key: str, value: str, number: int) -> bool:
        """Opens or closes a section at `key`; False when `key` is a field."""
        if key == "СекцияДокумент":
            _refuse_open_section(self.current, self.in_account, number)
            self.current = BankDocument(line=number, kind=value.strip())
        elif key == "КонецДокумента":
            self.end_document(number)
        elif key == "СекцияРасчСчет":
            _refuse_open_section(self.current, self.in_account, number)
            self.in_account = True
        elif key == "КонецРасчСчет":
            if not self.in_account:
                raise _error(
                    _("Line %(line)s: «КонецРасчСчет» without «СекцияРасчСчет».")
                    % {"line": number},
                    number,
                )
            self.in_account = False
        elif key == "КонецФайла":
            if self.current is not None or self.in_account:
                raise _error(
                    _("Line %(line)s: the file ends inside a section.") % {"line": number}, number
                )
            self.ended = True
        else:
            return False
        return True

    def end_document(self, number: int) -> None:
        if self.current is None:
            raise _error(
                _("Line %(line)s: «КонецДокумента» without «СекцияДокумент».") % {"line": number},
                number,
            )
        self.documents.append(_finish(self.current, number))
        self.current = None
        if len(self.documents) > MAX_DOCUMENTS:
            raise DomainError(
                OrdersError.STATEMENT_TOO_LARGE,
                _("At most %(n)s documents per statement.") % {"n": MAX_DOCUMENTS},
                status=413,
            )


def _finish(document: BankDocument, end_line: int) -> BankDocument:
    fields = document.fields
    for name in ("Номер", "Дата", "Сумма"):
        if not fields.get(name):
            raise _error(
                _("Document at line %(line)s has no «%(name)s».")
                % {"line": document.line, "name": name},
                document.line,
            )

    def at(name: str) -> int:
        return int(fields.get(f"_line_{name}", document.line))

    document.number = fields["Номер"][:40]
    document.date = _parse_date(fields["Дата"], at("Дата"), "Дата")
    document.amount = _parse_amount(fields["Сумма"], at("Сумма"))
    return document


# --- matching -----------------------------------------------------------------------------


def _our_requisites() -> tuple[set[str], set[str]]:
    rows = LegalEntity.objects.values_list("inn", "account")
    return {inn for inn, _a in rows}, {account for _i, account in rows}


def _numbers_in(purpose: str) -> list[tuple[str, int | None]]:
    found = []
    for match in INVOICE_IN_PURPOSE.finditer(purpose):
        year = int(match.group(4)) if match.group(4) else None
        found.append((match.group(1).rstrip("/-"), year))
    return found


def _invoice_row(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "buyer": invoice.buyer.name,
        "total": invoice.total,
        "outstanding": invoice.outstanding,
        "issue_date": invoice.issue_date,
    }


def match(documents: list[BankDocument]) -> dict[str, Any]:
    """Sort the documents into matched, ambiguous, unmatched and skipped (already imported,
    repeated in the file, outgoing or not a payment order)."""
    our_inns, our_accounts = _our_requisites()
    taken = set(
        Payment.objects.filter(bank_key__in=[d.key for d in documents]).values_list(
            "bank_key", flat=True
        )
    )
    awaiting = Invoice.objects.filter(status__in=AWAITING_PAYMENT).select_related("buyer")
    planned: dict[int, Decimal] = {}
    seen: set[str] = set()
    result: dict[str, list[dict[str, Any]]] = {
        "matched": [],
        "ambiguous": [],
        "unmatched": [],
        "skipped": [],
    }
    for document in documents:
        row = {**document.as_row(), "key": document.key, "invoice": None, "candidates": []}
        if document.kind.strip().lower() not in PAYMENT_ORDER_KINDS:
            result["skipped"].append({**row, "reason": _("not a payment order")})
            continue
        incoming = row["recipient_inn"] in our_inns or row["recipient_account"] in our_accounts
        if not incoming:
            result["skipped"].append({**row, "reason": _("not paid to us")})
            continue
        if document.key in taken:
            result["skipped"].append({**row, "reason": _("already imported")})
            continue
        if document.key in seen:
            result["skipped"].append({**row, "reason": _("repeated in this file")})
            continue
        seen.add(document.key)
        candidates, how = _candidates(awaiting, document)
        fitting = [c for c in candidates if document.amount <= c.outstanding - planned.get(c.pk, 0)]
        if len(fitting) == 1:
            invoice = fitting[0]
            planned[invoice.pk] = planned.get(invoice.pk, Decimal(0)) + document.amount
            result["matched"].append({**row, "invoice": _invoice_row(invoice), "reason": how})
        elif len(candidates) > 1 or len(fitting) > 1:
            result["ambiguous"].append(
                {
                    **row,
                    "candidates": [_invoice_row(c) for c in candidates],
                    "reason": _("several invoices fit"),
                }
            )
        elif candidates:
            result["ambiguous"].append(
                {
                    **row,
                    "candidates": [_invoice_row(c) for c in candidates],
                    "reason": _("more than is still due on the invoice"),
                }
            )
        else:
            result["unmatched"].append({**row, "reason": _("no invoice found")})
    return result


def _candidates(awaiting: Any, document: BankDocument) -> tuple[list[Invoice], str]:
    inn = document.payer_inn
    for number, year in _numbers_in(document.fields.get("НазначениеПлатежа", "")):
        qs = awaiting.filter(number=number)
        if inn:
            qs = qs.filter(buyer__inn=inn)
        if year:
            qs = qs.filter(issue_date__year=year)
        found = list(qs.order_by("issue_date", "pk")[:10])
        if found:
            return found, _("by the invoice number in the purpose")
    if inn:
        found = list(
            awaiting.filter(buyer__inn=inn)
            .annotate(left=F("total") - F("paid_amount"))
            .filter(left=document.amount)
            .order_by("issue_date", "pk")[:10]
        )
        if found:
            return found, _("by the payer's INN and the amount")
    return [], ""


def statement_import(*, actor: User | None, raw: bytes, dry_run: bool) -> dict[str, Any]:
    """Parse, match and (unless a dry run) record every matched document in one transaction:
    all of them or none. Ambiguous and unmatched lines are left for entering by hand."""
    services._require_cashier(actor)
    documents, _header = parse(raw)
    result: dict[str, Any] = match(documents)
    result["written"] = 0
    if dry_run:
        return result
    with transaction.atomic():
        for row in result["matched"]:
            invoice = Invoice.objects.get(pk=row["invoice"]["id"])
            payment = services.payment_record_bank(
                actor=actor, invoice=invoice, row=row, bank_key=row["key"]
            )
            row["payment_id"] = payment.pk
            result["written"] += 1
    return result
