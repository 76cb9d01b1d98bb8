"""The pages and downloads: the deal card's documents, generation by a form, downloads with
the right content type and a Russian file name, invoices, templates, scoping."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from docx import Document as DocxDocument

from greenwave.core.tests.refusals import assert_not_found
from greenwave.documents import services
from greenwave.documents.models import Document, DocumentTemplate

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_closer_generates_and_downloads_from_the_deal_card(seller, deal, two_teams) -> None:
    client = _login(two_teams["hunter_a"])
    section = client.get(f"/documents/deals/{deal.pk}/")
    assert section.status_code == 200
    assert "deal-papers" in section.content.decode()
    response = client.post(f"/documents/deals/{deal.pk}/generate/", {"kind": "quote"})
    assert response.status_code == 302
    document = Document.objects.get()
    download = client.get(f"/documents/{document.pk}/download/?format=docx")
    assert download.status_code == 200
    assert download["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = "Коммерческое предложение № КП-1 (версия 1).docx"
    assert f"filename*=utf-8''{quote(name)}" in download["Content-Disposition"]
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(download.content)).paragraphs)
    assert "КОММЕРЧЕСКОЕ ПРЕДЛОЖЕНИЕ" in text
    page = client.get(f"/documents/{document.pk}/")
    assert page.status_code == 200


def test_the_api_download_answers_the_file(seller, deal, two_teams, bearer) -> None:
    document = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="invoice", with_pdf=False
    )
    api = bearer(two_teams["hunter_a"])
    detail = api.get(f"/api/v1/documents/{document.pk}").json()
    assert detail["number"] == "1"
    assert detail["files"]["docx"].endswith("format=docx&version=1")
    response = api.get(detail["files"]["docx"])
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    outsider = bearer(two_teams["hunter_b"])
    assert outsider.get(f"/api/v1/documents/{document.pk}").status_code == 404
    assert outsider.get(detail["files"]["docx"]).status_code == 404


def test_generate_through_the_api_lists_missing_requisites(seller, two_teams, b2b, bearer):
    from greenwave.crm import services as crm_services
    from greenwave.sales import services as sales_services

    bare = crm_services.company_create(
        actor=None, name="Без ИНН", responsible=two_teams["hunter_a"]
    )
    deal = sales_services.deal_create(
        actor=two_teams["hunter_a"], title="Пустая", pipeline=b2b, company=bare
    )
    response = bearer(two_teams["hunter_a"]).post(
        f"/api/v1/deals/{deal.pk}/documents",
        data={"kind": "invoice"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "documents.missing_requisites"
    assert "ИНН клиента" in body["details"]["missing"]


def test_another_team_gets_404_on_the_pages(seller, deal, two_teams) -> None:
    document = services.document_generate(
        actor=two_teams["hunter_a"], deal=deal, kind="quote", with_pdf=False
    )
    invoice = services.invoice_create_from_deal(actor=two_teams["hunter_a"], deal=deal)
    outsider = _login(two_teams["hunter_b"])
    assert_not_found(
        outsider,
        f"/documents/deals/{deal.pk}/",
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/download/",
        f"/documents/invoices/{invoice.pk}/",
    )
    assert (
        outsider.post(f"/documents/deals/{deal.pk}/generate/", {"kind": "act"}).status_code == 404
    )
    assert Document.objects.count() == 1


@pytest.mark.parametrize("language", ["ru", "en"])
def test_lists_render_in_both_languages(seller, deal, two_teams, make_user, language) -> None:
    services.invoice_issue(
        actor=None, invoice=services.invoice_create_from_deal(actor=None, deal=deal)
    )
    finance = _login(make_user("fin", roles=["finance"]))
    finance.post("/accounts/language/", {"language": language, "next": "/"})
    for url in (
        "/documents/invoices/",
        "/documents/invoices/?overdue=true",
        "/documents/legal-entities/",
        "/documents/templates/",
        "/documents/templates/upload/",
        "/documents/legal-entities/new/",
    ):
        assert finance.get(url).status_code == 200, url
    page = finance.get("/documents/invoices/")
    assert ("Счета" if language == "ru" else "Invoices") in page.content.decode()


@pytest.mark.parametrize(("language", "label"), [("ru", "черновик от "), ("en", "draft of ")])
def test_a_draft_invoice_is_named_by_its_day_not_its_row_id(
    seller, deal, two_teams, make_user, language, label
) -> None:
    draft = services.invoice_create_from_deal(actor=None, deal=deal)
    made = timezone.localtime(draft.created_at).date()
    day = made.strftime("%d.%m.%Y") if language == "ru" else made.strftime("%m/%d/%Y")
    finance = _login(make_user("fin", roles=["finance"]))
    finance.post("/accounts/language/", {"language": language, "next": "/"})
    page = finance.get("/documents/invoices/").content.decode()
    assert f"{label}{day}</a>" in page
    assert f"#{draft.pk}<" not in page
    deal_papers = _login(two_teams["hunter_a"]).get(f"/documents/deals/{deal.pk}/").content.decode()
    assert f"#{draft.pk}<" not in deal_papers


def test_a_bad_upload_on_the_page_is_refused_with_the_reason(seller, make_user) -> None:
    lawyer = _login(make_user("law", roles=["lawyer"]))
    response = lawyer.post(
        "/documents/templates/upload/",
        {
            "legal_entity": seller.pk,
            "kind": "contract",
            "name": "Наш договор",
            "file": SimpleUploadedFile("contract.docx", b"not a zip at all"),
        },
    )
    assert response.status_code == 200
    assert "DOCX" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_a_hunter_cannot_open_the_legal_entity_form(seller, two_teams) -> None:
    hunter = _login(two_teams["hunter_a"])
    assert hunter.get("/documents/legal-entities/new/").status_code == 403
    assert hunter.get("/documents/legal-entities/").status_code == 200


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("en", ["Document number", "Responsible manager", "Total with VAT"], "Итого"),
        ("ru", ["Номер документа", "Ответственный менеджер", "Итого с НДС"], "Total with"),
    ],
)
def test_the_template_variables_are_described_in_the_users_language(
    two_teams, language, shown, not_shown
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    page = _login(hunter).get("/documents/templates/").content.decode()
    table = page.split('data-testid="variables"')[1].split("</table>")[0]
    assert all(text in table for text in shown)
    assert not_shown not in table
