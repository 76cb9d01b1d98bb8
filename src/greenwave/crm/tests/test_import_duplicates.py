"""Duplicates in a contacts import: a row whose phone (E.164) or e-mail (any case) is already
held by a live contact of the base — whoever owns it — or by an earlier good row of the file is
listed by the dry run and skipped by the job; the other rows are imported."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import services
from greenwave.crm.models import Contact, ImportJob
from greenwave.crm.services import clients, imports

from .test_import_export import check as dry_run
from .test_import_export import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["ФИО", "Телефон", "Email", "Дата рождения"]


def contacts_csv(rows: list[list[str]]) -> bytes:
    return csv_bytes(rows, header=HEADER, encoding="utf-8")


def check(actor, rows: list[list[str]]) -> ImportJob:
    job = upload(actor, contacts_csv(rows), kind="contacts")
    return dry_run(actor, job, job.mapping)


def run(actor, job: ImportJob, django_capture_on_commit_callbacks, **kwargs) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(actor=actor, job=job, **kwargs)
    return ImportJob.objects.get(pk=job.pk)


def test_a_phone_already_in_the_base_is_a_duplicate_whatever_its_format(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    known = services.contact_create(actor=actor, full_name="Орлов Пётр", phones=["+79165550001"])
    job = check(
        actor,
        [
            ["Орлов Пётр Ильич", "8 (916) 555-00-01", "", ""],
            ["Новая Анна", "+7 916 555-00-02", "anna@example.ru", ""],
        ],
    )

    assert (job.valid_rows, job.duplicate_rows, job.error_rows) == (1, 1, 0)
    assert job.duplicates == [
        {
            "row": 2,
            "full_name": "Орлов Пётр Ильич",
            "column": "Телефон",
            "field": "phones",
            "value": "+79165550001",
            "contact": known.pk,
            "same_as_row": None,
            "contact_name": "Орлов Пётр",
            "hidden": False,
        }
    ]
    job = run(actor, job, django_capture_on_commit_callbacks)
    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 1, 1)
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == [
        "Новая Анна",
        "Орлов Пётр",
    ]
    finished = Event.objects.get(activity="import_finished")
    assert (finished.payload["created"], finished.payload["duplicates"]) == (1, 1)


def test_an_email_in_another_case_matches_a_contact_the_importer_cannot_see(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    other = two_teams["hunter_b"]
    # stored as typed by an older writer: the comparison lower-cases both sides
    Contact.objects.create(
        full_name="Чужой Контакт",
        emails=["Olga.Petrova@Example.RU"],
        responsible=other,
        team=two_teams["team_b"],
    )
    actor = two_teams["hunter_a"]
    job = check(
        actor,
        [
            ["Петрова Ольга", "", "OLGA.PETROVA@example.ru", ""],
            ["Иванов Иван", "", "ivan@example.ru", ""],
        ],
    )

    assert (job.valid_rows, job.duplicate_rows) == (1, 1)
    duplicate = job.duplicates[0]
    assert (duplicate["row"], duplicate["field"], duplicate["value"]) == (
        2,
        "emails",
        "olga.petrova@example.ru",
    )
    # another team's contact: neither its name nor its id is given away
    assert (duplicate["contact"], duplicate["hidden"], duplicate["contact_name"]) == (
        None,
        True,
        "",
    )
    job = run(actor, job, django_capture_on_commit_callbacks)
    assert job.created_count == 1
    assert not Contact.objects.filter(full_name="Петрова Ольга").exists()


def test_a_row_repeating_an_earlier_good_row_of_the_file_is_a_duplicate_of_that_row(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    job = check(
        actor,
        [
            ["Битая Дата", "+7 916 555-00-09", "", "31.02.1980"],  # an error: not "earlier"
            ["Первый Раз", "+7 916 555-00-09", "first@example.ru", ""],
            ["Второй Раз", "", "FIRST@example.ru", ""],
            ["Третий Раз", "8 916 555 00 09", "third@example.ru", ""],
        ],
    )

    assert (job.valid_rows, job.duplicate_rows, job.error_rows) == (1, 2, 1)
    assert job.errors[0]["row"] == 2
    assert [(d["row"], d["field"], d["same_as_row"], d["contact"]) for d in job.duplicates] == [
        (4, "emails", 3, None),
        (5, "phones", 3, None),
    ]
    with pytest.raises(DomainError):  # the error still stops the file unless skipped
        run(actor, job, django_capture_on_commit_callbacks)
    job = run(actor, job, django_capture_on_commit_callbacks, skip_invalid=True)
    assert (job.status, job.created_count) == ("done", 1)
    assert list(Contact.objects.values_list("full_name", flat=True)) == ["Первый Раз"]


def test_a_deleted_contact_does_not_make_a_duplicate(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    gone = services.contact_create(
        actor=actor, full_name="Удалённый", phones=["+79165550003"], emails=["gone@example.ru"]
    )
    services.contact_delete(actor=actor, contact=gone)
    job = check(actor, [["Вернулся", "+7 916 555-00-03", "gone@example.ru", ""]])

    assert (job.valid_rows, job.duplicate_rows, job.duplicates) == (1, 0, [])
    job = run(actor, job, django_capture_on_commit_callbacks)
    assert job.created_count == 1
    assert Contact.objects.get(is_deleted=False).full_name == "Вернулся"


def test_the_job_skips_a_contact_added_after_the_check(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    job = check(
        actor,
        [
            ["Успели Раньше", "+7 916 555-00-04", "", ""],
            ["Новый Контакт", "+7 916 555-00-05", "", ""],
        ],
    )
    assert (job.valid_rows, job.duplicate_rows) == (2, 0)
    services.contact_create(
        actor=two_teams["hunter_b"], full_name="Успели", phones=["+79165550004"]
    )

    job = run(actor, job, django_capture_on_commit_callbacks)

    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 1, 1)
    assert (job.duplicates[0]["row"], job.duplicates[0]["hidden"]) == (2, True)
    assert [c.phones for c in Contact.objects.all()].count(["+79165550004"]) == 1


def test_the_same_file_checked_twice_is_written_once(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    rows = [["Один", "+7 916 555-00-11", "", ""], ["Два", "", "two@example.ru", ""]]
    first, second = check(actor, rows), check(actor, rows)
    assert (first.valid_rows, second.valid_rows) == (2, 2)

    first = run(actor, first, django_capture_on_commit_callbacks)
    second = run(actor, second, django_capture_on_commit_callbacks)

    assert (first.created_count, second.created_count, second.duplicate_rows) == (2, 0, 2)
    assert second.status == "done"
    assert Contact.objects.count() == 2


def test_a_file_of_duplicates_only_has_nothing_to_import(two_teams) -> None:
    actor = two_teams["hunter_a"]
    services.contact_create(actor=actor, full_name="Есть", emails=["here@example.ru"])
    job = check(actor, [["Есть Уже", "", "Here@Example.ru", ""]])
    assert (job.valid_rows, job.duplicate_rows) == (0, 1)
    with pytest.raises(DomainError) as exc:
        services.import_confirm(actor=actor, job=job)
    assert exc.value.code == "crm.bad_rows"
    assert ImportJob.objects.get(pk=job.pk).status == "checked"


def test_the_check_page_shows_the_counts_and_lists_each_duplicate_with_its_match(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    actor = two_teams["hunter_a"]
    mine = services.contact_create(actor=actor, full_name="Мой Контакт", phones=["+79165550006"])
    services.contact_create(
        actor=two_teams["hunter_b"], full_name="Секретный Контакт", emails=["b@example.ru"]
    )
    job = check(
        actor,
        [
            ["Дубль Моего", "+7 916 555-00-06", "", ""],
            ["Дубль Чужого", "", "B@example.ru", ""],
            ["Новый", "+7 916 555-00-07", "", ""],
            ["Новый Ещё Раз", "+7 916 555-00-07", "", ""],
            ["Без Имени По Ошибке", "+7 000", "", ""],
        ],
    )
    actor.language = "en"
    actor.save(update_fields=["language"])
    client = Client()
    client.force_login(actor)
    page = client.get(reverse("crm:import_detail", args=[job.pk])).content.decode()

    assert "1 new, 3 duplicates skipped, 1 errors." in page
    assert 'data-testid="import-duplicates"' in page
    assert f'href="{reverse("crm:contact_detail", args=[mine.pk])}">Мой Контакт</a>' in page
    assert "a contact of another team" in page
    assert "Секретный Контакт" not in page
    assert "row 4 of this file" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("crm:import_detail", args=[job.pk]),
            {"action": "confirm", "skip_invalid": "on"},
        )
    progress = client.get(reverse("crm:import_progress", args=[job.pk])).content.decode()
    assert "1 record created, 3 duplicates skipped." in progress


def test_the_api_reports_the_duplicates(two_teams, bearer) -> None:
    actor = two_teams["hunter_a"]
    services.contact_create(actor=actor, full_name="Есть", phones=["+79165550008"])
    job = check(actor, [["Дубль", "+7 916 555-00-08", "", ""], ["Новый", "", "", ""]])
    body = bearer(actor).get(f"/api/v1/imports/{job.pk}").json()
    assert (body["valid_rows"], body["duplicate_rows"]) == (1, 1)
    assert body["duplicates"][0]["row"] == 2


def many_rows(count: int, start: int) -> list[list[str]]:
    """`count` rows: the first repeats a contact of the base, every fifth an earlier row."""
    rows = [["Повтор Базы", "+7 916 555-00-10", "", ""]]
    for n in range(start, start + count - 1):
        same = n - 1 if n % 5 == 0 else n
        rows.append([f"Контакт {n}", f"+7 916 200-{same // 100:02d}-{same % 100:02d}", "", ""])
        rows[-1][2] = f"c{n}@example.ru"
    return rows


def test_finding_duplicates_asks_the_database_the_same_number_of_times_for_5_or_50_rows(
    two_teams,
) -> None:
    actor = two_teams["hunter_a"]
    services.contact_create(actor=actor, full_name="В базе", phones=["+79165550010"])
    services.contact_create(actor=two_teams["hunter_b"], full_name="Чужой", emails=["x@y.ru"])
    counts = []
    for size, start in ((5, 1), (50, 101)):
        rows = many_rows(size, start)
        rows.append(["Чужой Повтор", "", "X@Y.ru", ""])
        job = check(actor, rows)
        expected_doubles = 2 + sum(1 for n in range(start, start + size - 1) if n % 5 == 0)
        assert job.duplicate_rows == expected_doubles
        job = upload(actor, contacts_csv(rows), kind="contacts")
        with CaptureQueriesContext(connection) as checking:
            job = dry_run(actor, job, job.mapping)
        services.import_confirm(actor=actor, job=job)
        with CaptureQueriesContext(connection) as running:
            job = services.import_run(job_id=job.pk)
        assert (job.status, job.duplicate_rows) == ("done", expected_doubles)
        assert job.created_count == len(rows) - expected_doubles
        counts.append((len(checking), len(running)))
    assert counts[0] == counts[1]


def test_a_companies_import_reports_no_contact_duplicates(two_teams) -> None:
    from .test_import_export import company_rows

    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    job = dry_run(actor, job, job.mapping)
    assert (job.valid_rows, job.duplicate_rows, job.duplicates) == (5, 0, [])


def test_the_file_asked_a_chunk_at_a_time_finds_what_the_whole_file_would(
    two_teams, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """The dry run asks the base about each chunk's values before its rows, and the job
    re-reads the kept rows chunk by chunk: a duplicate of the base or of a row in an earlier
    chunk is found across the chunks' edges (chunks of one row here)."""
    monkeypatch.setattr(imports, "LOOKUP_CHUNK", 1)
    monkeypatch.setattr(imports, "COPY_CHUNK", 1)
    actor = two_teams["hunter_a"]
    known = services.contact_create(actor=actor, full_name="Орлов Пётр", emails=["p@example.ru"])
    job = check(
        actor,
        [
            ["Новая Анна", "+7 916 555-00-02", "", "31.12.1980"],
            ["Орлов П.", "", "P@Example.ru", ""],
            ["Анна Новая", "8 916 555-00-02", "", ""],
            ["Сидоров Иван", "+7 916 555-00-03", "ivan@example.ru", ""],
        ],
    )
    assert (job.valid_rows, job.duplicate_rows, job.error_rows) == (2, 2, 0)
    assert [(d["row"], d["contact"], d["same_as_row"]) for d in job.duplicates] == [
        (3, known.pk, None),
        (4, None, 2),
    ]
    job = run(actor, job, django_capture_on_commit_callbacks)
    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 2, 2)
    assert [(d["row"], d["contact"], d["same_as_row"]) for d in job.duplicates] == [
        (3, known.pk, None),
        (4, None, 2),
    ]
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == [
        "Новая Анна",
        "Орлов Пётр",
        "Сидоров Иван",
    ]
    for contact in Contact.objects.exclude(pk=known.pk):
        event = Event.objects.get(case_type="contact", case_id=str(contact.pk))
        assert event.payload == {"after": clients._CONTACT_HISTORY.snapshot(contact)}
