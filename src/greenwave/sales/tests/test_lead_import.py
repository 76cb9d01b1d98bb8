"""Lead import: a dry run shows every row's problems; then all rows or none are written."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from openpyxl import Workbook

from greenwave.core.errors import DomainError
from greenwave.sales.lead_import import (
    COLUMNS,
    lead_import_apply,
    lead_import_headers,
    lead_import_plan,
)
from greenwave.sales.models import Lead

pytestmark = pytest.mark.django_db

GOOD = (
    "Контакт;Компания;Телефон;E-mail;Источник;utm_campaign;Лишнее\n"
    "Иван Петров;ООО «Альфа»;+7 916 000-00-01;ivan@alfa.ru;Выставка;expo;x\n"
    "Анна Ким;;+7 916 000-00-02;;;;\n"
)
BAD = "Контакт;E-mail;Источник\nИван;not-an-email;Голубиная почта\n;;\n;;Выставка\n"


def test_dry_run_reads_cp1251_maps_columns_and_writes_nothing(two_teams) -> None:
    plan = lead_import_plan(content=GOOD.encode("cp1251"), file_name="leads.csv")
    assert plan.error_count == 0
    assert plan.ignored == ["Лишнее"]
    assert [r.data.get("source") for r in plan.rows] == ["exhibition", None]
    assert Lead.objects.count() == 0

    assert lead_import_apply(actor=two_teams["hunter_a"], plan=plan) == 2
    lead = Lead.objects.get(contact_name="Иван Петров")
    assert (lead.source, lead.utm_campaign, lead.responsible) == (
        "exhibition",
        "expo",
        two_teams["hunter_a"],
    )
    assert Lead.objects.get(contact_name="Анна Ким").source == "import"


def test_bad_rows_are_listed_and_nothing_is_imported(two_teams) -> None:
    plan = lead_import_plan(content=BAD.encode(), file_name="leads.csv")
    problems = {r.number: r.errors for r in plan.rows if r.errors}
    assert set(problems) == {2, 3}  # the blank line is not a row (the client base's reader)
    assert any("not-an-email" in e for e in problems[2])
    with pytest.raises(DomainError):
        lead_import_apply(actor=two_teams["hunter_a"], plan=plan)
    assert Lead.objects.count() == 0


def test_xlsx_and_unknown_columns(two_teams) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Phone"])
    sheet.append(["Olga", "+79160000003"])
    buffer = io.BytesIO()
    book.save(buffer)
    plan = lead_import_plan(content=buffer.getvalue(), file_name="leads.xlsx")
    assert plan.rows[0].data == {"contact_name": "Olga", "phone": "+79160000003"}
    with pytest.raises(DomainError):
        lead_import_plan(content=b"foo;bar\n1;2\n", file_name="x.csv")


def test_import_page_previews_then_imports(client, two_teams) -> None:
    client.force_login(two_teams["hunter_a"])
    upload = SimpleUploadedFile("leads.csv", GOOD.encode("cp1251"), content_type="text/csv")
    preview = client.post("/sales/leads/import/", {"file": upload})
    body = preview.content.decode()
    assert 'data-testid="import-preview"' in body
    assert Lead.objects.count() == 0
    content = preview.context["content"]
    done = client.post(
        "/sales/leads/import/", {"content": content, "file_name": "leads.csv", "confirm": "1"}
    )
    assert done.status_code == 302
    assert Lead.objects.count() == 2


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("en", ["Contact", "Company", "Phone"], "Контакт"), ("ru", ["Контакт", "Компания"], "Phone")],
)
def test_the_import_help_names_the_columns_in_the_users_language(
    client, two_teams, language, shown, not_shown
) -> None:
    hunter = two_teams["hunter_a"]
    hunter.language = language
    hunter.save(update_fields=["language"])
    client.force_login(hunter)
    page = client.get("/sales/leads/import/").content.decode()
    assert all(name in page for name in shown)
    assert not_shown not in page


@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_column_the_help_names_is_one_the_import_recognises(language) -> None:
    with override(language):
        headers = lead_import_headers()
    assert len(headers) == len(COLUMNS)
    header_row = ";".join(headers) + "\n" + ";".join("x" for _ in headers) + "\n"
    plan = lead_import_plan(content=header_row.encode(), file_name="leads.csv")
    assert (plan.ignored, sorted(plan.columns.values())) == ([], sorted(COLUMNS))
