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


def _import_page_as(client, user, language: str) -> str:
    """The import page as `user` speaking `language` sees it."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get("/sales/leads/import/").content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("en", ["Contact", "Company", "Phone"], "Контакт"), ("ru", ["Контакт", "Компания"], "Phone")],
)
def test_the_import_help_names_the_columns_in_the_users_language(
    client, two_teams, language, shown, not_shown
) -> None:
    hunter = two_teams["hunter_a"]
    page = _import_page_as(client, hunter, language)
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


CLASSIFIED = (
    "Контакт;Категория;Перспективность;Вероятность закрытия сделки, %;План дальнейших действий\n"
    "Иван Петров;Дилер или перепродавец;горячий;60;Выслать КП до пятницы\n"
    "Anna Kim;wholesale;Cold;10 %;\n"
    "Olga Lee;End user;warm;;Call back in May\n"
)


def test_classification_columns_in_either_language_are_imported(two_teams) -> None:
    plan = lead_import_plan(content=CLASSIFIED.encode(), file_name="leads.csv")
    assert plan.error_count == 0
    assert lead_import_apply(actor=two_teams["hunter_a"], plan=plan) == 3
    got = {
        lead.contact_name: (lead.category, lead.rating, lead.close_probability, lead.next_steps)
        for lead in Lead.objects.all()
    }
    assert got == {
        "Иван Петров": ("dealer", "hot", 60, "Выслать КП до пятницы"),
        "Anna Kim": ("wholesale", "cold", 10, ""),
        "Olga Lee": ("end_user", "warm", None, "Call back in May"),
    }


BAD_CLASSES = (
    "Contact;Category;Prospect rating;Probability of closing, %\n"
    "Ivan;Competitor;hot;50\n"
    "Anna;dealer;lukewarm;50\n"
    "Olga;dealer;hot;101\n"
    "Petr;dealer;hot;12.5\n"
    "Vera;dealer;hot;-5\n"
    "Good;dealer;hot;100\n"
)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["unknown category Competitor", "unknown prospect rating lukewarm", "0 to 100"]),
        ("ru", ["неизвестная категория Competitor", "неизвестная перспективность", "от 0 до 100"]),
    ],
)
def test_bad_classification_rows_are_named_and_the_file_is_refused_whole(
    two_teams, language, words
) -> None:
    with override(language):
        plan = lead_import_plan(content=BAD_CLASSES.encode(), file_name="leads.csv")
    problems = {r.number: " ".join(r.errors) for r in plan.rows if r.errors}
    assert set(problems) == {2, 3, 4, 5, 6}
    assert words[0] in problems[2]
    assert words[1] in problems[3]
    assert all(words[2] in problems[n] for n in (4, 5, 6))
    with pytest.raises(DomainError):
        lead_import_apply(actor=two_teams["hunter_a"], plan=plan)
    assert Lead.objects.count() == 0


def test_a_refused_classified_file_on_the_page_writes_nothing(client, two_teams) -> None:
    client.force_login(two_teams["hunter_a"])
    upload = SimpleUploadedFile("leads.csv", BAD_CLASSES.encode(), content_type="text/csv")
    preview = client.post("/sales/leads/import/", {"file": upload})
    assert 'data-testid="confirm"' not in preview.content.decode()
    done = client.post(
        "/sales/leads/import/",
        {"content": preview.context["content"], "file_name": "leads.csv", "confirm": "1"},
    )
    assert done.status_code == 200
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_sample_file_names_every_column_and_imports_cleanly(
    client, two_teams, language
) -> None:
    hunter = two_teams["hunter_a"]
    page = _import_page_as(client, hunter, language)
    assert 'href="/sales/leads/import/sample/"' in page
    sample = client.get("/sales/leads/import/sample/")
    assert sample["Content-Type"] == "text/csv"
    plan = lead_import_plan(content=sample.content, file_name="sample.csv")
    assert (plan.ignored, plan.error_count, len(plan.rows)) == ([], 0, 1)
    assert sorted(plan.columns.values()) == sorted(COLUMNS)
    assert lead_import_apply(actor=hunter, plan=plan) == 1
    lead = Lead.objects.get()
    assert (lead.source, lead.category, lead.rating, lead.close_probability) == (
        "exhibition",
        "end_user",
        "hot",
        60,
    )
