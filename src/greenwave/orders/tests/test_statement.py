from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from greenwave.core.errors import DomainError
from greenwave.documents.models import Invoice
from greenwave.orders import statement
from greenwave.orders.models import Payment

DATA = Path(__file__).parent / "data"


@pytest.fixture
def invoices(make_invoice) -> list[Invoice]:
    # Numbers 1..4 of 2026: 12 000, 7 500 and two of 3 000 (the ambiguous pair).
    return [make_invoice(t) for t in ("12000.00", "7500.00", "3000.00", "3000.00")]


@pytest.mark.parametrize("name", ["statement_utf8.txt", "statement_cp1251.txt"])
def test_dry_run_sorts_the_documents_and_writes_nothing(invoices, finance, name) -> None:
    raw = (DATA / name).read_bytes()
    result = statement.statement_import(actor=finance, raw=raw, dry_run=True)
    assert [(r["number"], r["invoice"]["number"]) for r in result["matched"]] == [
        ("101", "1"),
        ("102", "2"),
    ]
    assert result["matched"][0]["amount"] == Decimal("6000.00")
    assert result["matched"][0]["payer_name"] == "ООО «Ромашка»"
    assert [r["number"] for r in result["ambiguous"]] == ["377"]
    assert {c["number"] for c in result["ambiguous"][0]["candidates"]} == {"3", "4"}
    assert [r["number"] for r in result["unmatched"]] == ["9"]
    assert [r["number"] for r in result["skipped"]] == ["845"]
    assert result["written"] == 0
    assert not Payment.objects.exists()


def test_confirm_writes_once_and_the_same_file_again_writes_nothing(invoices, finance) -> None:
    raw = (DATA / "statement_cp1251.txt").read_bytes()
    first = statement.statement_import(actor=finance, raw=raw, dry_run=False)
    assert first["written"] == 2
    assert Invoice.objects.get(pk=invoices[0].pk).status == "partially_paid"
    assert Invoice.objects.get(pk=invoices[1].pk).status == "paid"
    again = statement.statement_import(
        actor=finance, raw=(DATA / "statement_utf8.txt").read_bytes(), dry_run=False
    )
    assert again["written"] == 0
    assert again["matched"] == []
    assert {r["number"] for r in again["skipped"]} == {"101", "102", "845"}
    assert Payment.objects.count() == 2


def test_repeated_document_in_one_file_is_paid_once(invoices, finance) -> None:
    text = (DATA / "statement_utf8.txt").read_text()
    start = text.index("СекцияДокумент")
    end = text.index("КонецДокумента") + len("КонецДокумента\n")
    doubled = text[:end] + text[start:end] + text[end:]
    result = statement.statement_import(actor=finance, raw=doubled.encode(), dry_run=False)
    assert result["written"] == 2
    assert next(r["reason"] for r in result["skipped"]) == "repeated in this file"


def _broken(old: str, new: str) -> bytes:
    return (DATA / "statement_utf8.txt").read_text().replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (_broken("Сумма=6000.00", "Сумма=6 000,00 руб"), 23, "Сумма"),
        (_broken("Дата=03.12.2026\nСумма=6000.00", "Дата=2026-12-03\nСумма=6000.00"), 22, "Дата"),
        (_broken("Очередность=5\n", "Очередность 5\n"), 43, "broken"),
        (_broken("КонецФайла\n", ""), None, "КонецФайла"),
        (_broken("1CClientBankExchange", "Some CSV,header"), 1, "format"),
        ("1CClientBankExchange\nКодировка=Windows\n".encode("utf-16"), None, "encoding"),
        ("1CClientBankExchange\nКодировка=KOI8\nНомер=1\n".encode("koi8-r"), None, "encoding"),
    ],
)
def test_bad_statements_name_the_line_and_write_nothing(
    invoices, finance, raw, line, words
) -> None:
    with pytest.raises(DomainError) as caught:
        statement.statement_import(actor=finance, raw=raw, dry_run=False)
    assert caught.value.code == "orders.invalid_statement"
    assert words in caught.value.message
    if line is not None:
        assert caught.value.details["line"] == line
        assert str(line) in caught.value.message or line == 1
    assert not Payment.objects.exists()


def test_too_large_statement_is_refused(finance) -> None:
    with pytest.raises(DomainError) as caught:
        statement.parse(b"1CClientBankExchange\n" + b"x" * statement.MAX_BYTES)
    assert caught.value.status == 413


def test_a_failure_during_confirm_writes_nothing(invoices, finance, monkeypatch) -> None:
    """The second matched document fails (say, a concurrent import took it): the first one,
    already recorded in the same transaction, is rolled back with it."""
    real = statement.services.payment_record_bank
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["row"]["number"])
        if len(calls) == 2:
            raise DomainError(statement.OrdersError.IMPORT_CONFLICT, "taken")
        return real(**kwargs)

    monkeypatch.setattr(statement.services, "payment_record_bank", flaky)
    raw = (DATA / "statement_utf8.txt").read_bytes()
    with pytest.raises(DomainError):
        statement.statement_import(actor=finance, raw=raw, dry_run=False)
    assert calls == ["101", "102"]
    assert not Payment.objects.exists()
    assert Invoice.objects.get(pk=invoices[0].pk).paid_amount == 0
