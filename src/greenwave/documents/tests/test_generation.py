"""Generating documents of a deal: the DOCX read back with python-docx shows the requisites,
the totals and the amount in words; numbering, versions, missing requisites."""

from __future__ import annotations

import io

import pytest
from docx import Document as DocxDocument

from greenwave.core.errors import DomainError
from greenwave.crm import services as crm_services
from greenwave.documents import services
from greenwave.documents.errors import DocumentsError
from greenwave.documents.models import Document, Invoice, InvoiceStatus

pytestmark = pytest.mark.django_db


def _text(document: Document) -> str:
    version = document.versions.get(version=document.current_version)
    with version.docx.open("rb") as handle:
        docx = DocxDocument(io.BytesIO(handle.read()))
    parts = [p.text for p in docx.paragraphs]
    for table in docx.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_invoice_document_has_requisites_totals_and_words(seller, deal, two_teams) -> None:
    document = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="invoice", with_pdf=False
    )
    text = _text(document)
    assert "Счёт на оплату № 1 от" in text
    for requisite in ("7701234560", "770101001", "044525225", "40702810938000012345"):
        assert requisite in text  # our INN, KPP, BIK, account
    assert "30101810400000000225" in text
    assert "5001007329" in text  # the buyer's INN
    assert "Труба стальная 57×3,5" in text
    assert "12\u00a0962,88" in text  # the total
    assert "2\u00a0160,48" in text  # VAT inside it
    assert "Двенадцать тысяч девятьсот шестьдесят два рубля 88 копеек" in text
    assert "Смирнова А. П." in text
    invoice = Invoice.objects.get()
    assert invoice.status == InvoiceStatus.ISSUED
    assert document.number == invoice.number == "1"


def test_contract_names_the_signatories_in_the_genitive(seller, deal, signatory, two_teams):
    document = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="contract", with_pdf=False
    )
    text = _text(document)
    assert "ДОГОВОР ПОСТАВКИ № Д-1" in text
    assert "в лице Генерального директора Смирновой Анны Петровны" in text
    assert "в лице Генерального директора Петрова Сергея Николаевича" in text
    assert "СПЕЦИФИКАЦИЯ № 1" in text
    assert "г. Москва" in text


def test_regeneration_is_a_new_version_of_the_same_number(seller, deal, two_teams) -> None:
    hunter = two_teams["hunter_a"]
    first = services.document_generate(actor=hunter, deal=deal, kind="quote", with_pdf=False)
    again = services.document_generate(actor=hunter, deal=deal, kind="quote", with_pdf=False)
    assert again.pk == first.pk
    assert again.current_version == 2
    assert again.versions.count() == 2
    assert again.number == "КП-1"
    other = services.document_generate(actor=hunter, deal=deal, kind="tech_quote", with_pdf=False)
    assert other.number == "ТКП-1"


def test_missing_client_requisites_are_listed_and_nothing_is_made(seller, two_teams, b2b):
    from greenwave.sales import services as sales_services

    bare = crm_services.company_create(
        actor=None, name="ООО «Без реквизитов»", responsible=two_teams["hunter_a"]
    )
    deal = sales_services.deal_create(
        actor=two_teams["hunter_a"], title="Пустая", pipeline=b2b, company=bare
    )
    with pytest.raises(DomainError) as caught:
        services.document_generate(actor=two_teams["hunter_a"], deal=deal, kind="contract")
    assert caught.value.code == DocumentsError.MISSING_REQUISITES
    missing = caught.value.details["missing"]
    assert "INN of the client" in missing
    assert "legal address of the client" in missing
    assert any("signatory" in m for m in missing)
    assert any("lines" in m for m in missing)
    assert not Document.objects.exists()
    assert not Invoice.objects.exists()


def test_the_basis_dates_the_contract_on_its_local_day(seller, deal, signatory, two_teams):
    """A contract made at 00:40 of 1 January in Moscow (21:40 UTC of 31 December) is dated
    1 January, and the invoice that follows names it by that same day, not the UTC one."""
    from freezegun import freeze_time

    hunter = two_teams["hunter_a"]
    with freeze_time("2026-12-31 21:40:00"):
        contract = services.document_generate(
            actor=hunter, deal=deal, kind="contract", with_pdf=False
        )
        invoice = services.document_generate(
            actor=hunter, deal=deal, kind="invoice", with_pdf=False
        )
    assert "от 1 января 2027 г." in _text(contract)
    assert f"Основание: Договор поставки № {contract.number} от 1 января 2027 г." in _text(invoice)
