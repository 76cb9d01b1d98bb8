"""Browser journey of issue 16: on a deal at the «Договор» stage a closer adds the client's
bank details on the company card, generates the contract from the built-in template, sends it
for approval (contract_approval); the head, the lawyer and finance approve it from their task
inbox; the PDF is made by the worker; the «Договор» gate is met and the deal moves to «Счёт»;
the invoice is generated (issued) and the «Счёт» gate lets the deal move to «Деньги».
Everything is done through the pages, as a user would. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from docx import Document as DocxDocument

from greenwave.bpm import services as bpm
from greenwave.bpm.models import InstanceStatus, ProcessInstance
from greenwave.core.tests.browser.conftest import ARTIFACTS
from greenwave.core.tests.browser.journey import pumps_at_the_contract, screenshot
from greenwave.core.tests.browser.signing import sign_in
from greenwave.crm import services as crm
from greenwave.documents import rendering
from greenwave.documents import services as documents
from greenwave.documents.models import Document, Invoice, InvoiceStatus
from greenwave.documents.tests.conftest import director_add
from greenwave.sales.models import Deal
from greenwave.sales.tests.conftest import default_pipelines  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = "ООО «Насосы и трубы»"
ACCOUNT = "40702810801300012345"


def shot(page: Any, name: str) -> None:
    screenshot(page, f"documents_{name}")


def keep_pdf_pages(data: bytes, name: str) -> None:
    """The PDF's pages as PNG images in the test artifacts, to be looked at (poppler's
    `pdftoppm`, installed by `make system-deps`); the first page must come out."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"documents_{name}.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", str(source), str(ARTIFACTS / f"documents_{name}_page")],
        check=True,
        timeout=60,
    )
    assert sorted(ARTIFACTS.glob(f"documents_{name}_page-*1.png")), "no first page rendered"


def docx_text(data: bytes) -> str:
    docx = DocxDocument(io.BytesIO(data))
    parts = [p.text for p in docx.paragraphs]
    for table in docx.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def approve_from_inbox(
    page: Any, live_server: Any, username: str, step: str, doc: Document
) -> None:
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}/processes/inbox/")
    page.click(f"text={step}")
    page.wait_for_selector("[data-testid=subject-document]")
    # The approver sees the document the process carries and can open it from the task.
    assert f"№ {doc.number}" in page.inner_text("[data-testid=subject-document]")
    link = page.get_attribute("[data-testid=subject-document] a", "href")
    assert link == f"/documents/{doc.pk}/"
    shot(page, f"task_{username}")
    page.select_option("select[name=decision]", "approve")
    page.click("[data-testid=complete]")
    page.wait_for_url("**/processes/inbox/")


def move_to(page: Any, stage: str) -> None:
    page.select_option("#move-stage", label=stage)
    page.click("[data-testid=move]")
    page.wait_for_selector(f"[data-testid=deal-stage]:has-text('{stage}')")


def test_contract_from_template_approved_in_the_inbox_opens_the_gates(
    page: Any,
    live_server: Any,
    two_teams: dict[str, Any],
    make_user: Any,
    default_pipelines: None,  # noqa: F811
) -> None:
    team = two_teams["team_a"]
    make_user("lawyer", roles=["lawyer"], team=team)
    make_user("finance", roles=["finance"], team=team)
    bpm.library_install(actor=None)
    documents.legal_entity_create(
        actor=None,
        data={
            "name": "ООО «Гринвейв»",
            "inn": "7701234560",
            "kpp": "770101001",
            "address": "123112, г. Москва, Пресненская наб., д. 12",
            "bank_name": "ПАО Сбербанк",
            "bik": "044525225",
            "account": "40702810938000012345",
            "corr_account": "30101810400000000225",
            "signatory_name": "Смирнова Анна Петровна",
            "signatory_position": "Генеральный директор",
        },
    )
    manager = two_teams["hunter_a"]
    company = crm.company_create(
        actor=manager,
        name=CLIENT,
        inn="5001007329",
        kpp="500101001",
        legal_address="141400, Московская обл., г. Химки, ул. Ленина, д. 1",
    )
    director_add(actor=manager, company=company, email="petrov@nasosy.example")
    deal = pumps_at_the_contract(manager, company)

    # 1. The closer adds the client's bank details on the company card.
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/clients/companies/{company.pk}/")
    page.click("[data-testid=edit-client-bank]")
    page.fill("input[name=bank_name]", "АО «Альфа-Банк»")
    page.fill("input[name=bik]", "044525593")
    page.fill("input[name=corr_account]", "30101810200000000593")
    page.fill("input[name=account]", "4070 2810 8013 0001 2345")
    page.click("[data-testid=submit]")
    page.wait_for_selector(f"[data-testid=client-bank-account]:has-text('{ACCOUNT}')")
    shot(page, "company_bank")

    # 2. On the deal the contract is generated from the built-in template.
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    page.wait_for_selector("[data-testid=generate-form]")
    assert page.locator("[data-testid=gate] .bi-circle").count() == 2  # contract + approval
    page.select_option("#doc-kind", "contract")
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=paper]")
    contract = Document.objects.get(deal=deal, kind="contract")
    row = page.locator("[data-testid=paper]", has_text=f"№ {contract.number}")
    assert "Черновик" in row.inner_text()
    docx = page.request.get(
        f"{live_server.url}/documents/{contract.pk}/download/?format=docx"
    ).body()
    text = docx_text(docx)
    assert f"Р/с {ACCOUNT} в АО «Альфа-Банк»" in text  # the client's bank details
    assert "в лице Генерального директора Петрова Сергея Николаевича" in text
    shot(page, "contract_generated")

    # 3. It goes to approval (the contract approval process, bound to the deal).
    row.locator("[data-testid=send-approval]").click()
    page.wait_for_selector(
        "[data-testid=paper] [data-testid=document-state]:has-text('На согласовании')"
    )
    shot(page, "contract_on_approval")
    instance = ProcessInstance.objects.get(object_type="deal", object_id=str(deal.pk))
    assert instance.definition.key == "contract_approval"

    # 4. Head, lawyer and finance approve in their task inbox.
    approve_from_inbox(page, live_server, "head_a", "Согласование руководителем", contract)
    approve_from_inbox(page, live_server, "lawyer", "Проверка юристом", contract)
    approve_from_inbox(page, live_server, "finance", "Проверка финансистом", contract)
    assert ProcessInstance.objects.get(pk=instance.pk).status == InstanceStatus.COMPLETED

    # 5. The PDF: made by the worker, shown on the document page when ready.
    sign_in(page, live_server, "hunter_a")
    page.goto(f"{live_server.url}/documents/{contract.pk}/")
    assert "Согласован" in page.inner_text("[data-testid=document-state]")
    if rendering.soffice_path() is None:
        # Only this step depends on LibreOffice (`make system-deps` installs it): without it
        # the page must say why instead of offering a broken PDF.
        page.wait_for_selector("[data-pdf-status=failed]", timeout=30_000)
        assert "LibreOffice" in page.inner_text("[data-testid=pdf-reason]")
    else:
        page.wait_for_selector("[data-pdf-status=ready]", timeout=60_000)
        page.wait_for_selector("[data-testid=pdf-preview]")
        pdf = page.request.get(f"{live_server.url}/documents/{contract.pk}/download/?format=pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.body()[:5] == b"%PDF-"
        keep_pdf_pages(pdf.body(), "contract")
    shot(page, "contract_approved_pdf")

    # 6. The «Договор» gate is met: the deal moves to «Счёт».
    page.goto(f"{live_server.url}/sales/deals/{deal.pk}/")
    assert page.locator("[data-testid=gate] .bi-circle").count() == 0
    move_to(page, "Счёт")
    assert Deal.objects.get(pk=deal.pk).stage.code == "invoice"

    # 7. The invoice is generated (and issued): the «Счёт» gate lets the deal move on.
    page.wait_for_selector("[data-testid=generate-form]")
    assert page.locator("[data-testid=gate] .bi-circle").count() == 1
    page.select_option("#doc-kind", "invoice")
    page.click("[data-testid=generate]")
    page.wait_for_selector("[data-testid=deal-invoices]")
    invoice = Invoice.objects.get(deal=deal)
    assert invoice.status == InvoiceStatus.ISSUED
    invoice_doc = Document.objects.get(deal=deal, kind="invoice")
    text = docx_text(
        page.request.get(
            f"{live_server.url}/documents/{invoice_doc.pk}/download/?format=docx"
        ).body()
    )
    assert "Сто пятьдесят тысяч рублей 00 копеек" in text
    assert f"р/с {ACCOUNT} в АО «Альфа-Банк»" in text
    assert page.locator("[data-testid=gate] .bi-circle").count() == 0
    shot(page, "invoice_issued")
    move_to(page, "Деньги")
    assert Deal.objects.get(pk=deal.pk).stage.code == "payment"
    shot(page, "deal_moved_to_payment")
