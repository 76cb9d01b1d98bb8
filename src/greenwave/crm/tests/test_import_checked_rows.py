"""The job of a contacts import writes the dry run's cleaned rows (kept with the job) instead of
reading and validating the file again; what the base may have changed since the dry run (the
companies, the duplicates) is still checked by the job. Every contact gets its
`contact_created` event with its company link."""

from __future__ import annotations

import json
import random
import zlib

import pytest
from django.db import DatabaseError

from greenwave.core.models import Event, EventObject
from greenwave.crm import services
from greenwave.crm.models import Contact, ImportJob
from greenwave.crm.services import clients, import_copy, import_rows, imports

from .test_import_export import check as dry_run
from .test_import_export import csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["ФИО", "Телефон", "Email", "ИНН компании"]
INN = "7707083893"


def checked(actor, rows: list[list[str]]) -> ImportJob:
    job = upload(actor, csv_bytes(rows, header=HEADER, encoding="utf-8"), kind="contacts")
    return dry_run(actor, job, job.mapping)


def run(actor, job, django_capture_on_commit_callbacks, **kwargs) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(actor=actor, job=job, **kwargs)
    return ImportJob.objects.get(pk=job.pk)


ROWS = [
    ["Орлов Пётр", "+7 916 555-00-01", "Orlov@Example.ru", INN],
    ["Новая Анна", "8 916 555-00-02", "", ""],
]


def test_the_job_writes_the_checked_rows_without_validating_the_file_again(
    two_teams, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    head = two_teams["head_a"]
    company = services.company_create(
        actor=head, name="Ромашка", inn=INN, responsible=two_teams["hunter_a"]
    )
    job = checked(head, ROWS)
    assert (job.valid_rows, job.error_rows, job.duplicate_rows) == (2, 0, 0)
    assert job.checked_rows

    def no_second_check(*args, **kwargs):
        raise AssertionError("the job validated a row again")

    monkeypatch.setattr(import_rows, "_check_contact_row", no_second_check)
    job = run(head, job, django_capture_on_commit_callbacks)

    assert (job.status, job.created_count, job.message) == ("done", 2, "")
    assert not job.checked_rows  # written: not kept any longer
    orlov, anna = Contact.objects.order_by("pk")
    assert (orlov.phones, orlov.emails, orlov.company_id) == (
        ["+79165550001"],
        ["orlov@example.ru"],
        company.pk,
    )
    assert (orlov.responsible_id, orlov.team_id) == (company.responsible_id, company.team_id)
    assert (anna.phones, anna.company_id) == (["+79165550002"], None)
    assert (anna.responsible_id, anna.team_id) == (head.pk, head.team_id)
    assert orlov.search_text == clients._contact_search_text(orlov)
    assert anna.search_text == clients._contact_search_text(anna)
    for contact in (orlov, anna):
        event = Event.objects.get(case_type="contact", case_id=str(contact.pk))
        assert event.activity == "contact_created"
        assert (event.actor_id, event.prev_activity, event.prev_timestamp) == (head.pk, "", None)
        assert event.payload == {"after": clients._CONTACT_HISTORY.snapshot(contact)}
    links = EventObject.objects.filter(event__case_type="contact")
    assert list(links.values_list("event__case_id", "object_type", "object_id", "qualifier")) == [
        (str(orlov.pk), "company", str(company.pk), "company")
    ]


def test_a_company_gone_since_the_check_makes_its_rows_bad(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    head = two_teams["head_a"]
    company = services.company_create(actor=head, name="Ромашка", inn=INN)
    first, second = checked(head, ROWS), checked(head, ROWS)
    services.company_delete(actor=head, company=company)

    job = run(head, first, django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert "ничего не импортировано" in job.message
    assert not Contact.objects.exists()

    job = run(head, second, django_capture_on_commit_callbacks, skip_invalid=True)
    assert (job.status, job.created_count, job.error_rows) == ("done", 1, 1)
    assert [(e["row"], e["field"], e["value"]) for e in job.errors] == [(2, "company_inn", INN)]
    assert list(Contact.objects.values_list("full_name", flat=True)) == ["Новая Анна"]


def test_a_job_checked_before_the_rows_were_kept_reads_the_file_again(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    head = two_teams["head_a"]
    job = checked(head, [[*row[:3], ""] for row in ROWS])
    ImportJob.objects.filter(pk=job.pk).update(checked_rows=b"")
    job = run(head, ImportJob.objects.get(pk=job.pk), django_capture_on_commit_callbacks)
    assert (job.status, job.created_count) == ("done", 2)
    assert Event.objects.filter(case_type="contact", activity="contact_created").count() == 2


def test_a_failure_after_the_contacts_are_written_leaves_nothing(
    two_teams, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    head = two_teams["head_a"]
    job = checked(head, [[*row[:3], ""] for row in ROWS])

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(imports, "event_append_created_rows", broken)  # SQLite
    monkeypatch.setattr(import_copy, "_copy_created_events", broken)  # PostgreSQL
    job = run(head, job, django_capture_on_commit_callbacks)
    assert (job.status, job.created_count) == ("failed", 0)
    assert job.message
    assert not Contact.objects.exists()
    assert not Event.objects.filter(case_type="contact").exists()


def test_the_packed_rows_read_back_as_they_were_packed_across_blocks() -> None:
    """`_unpack_checked` decodes the lines of each inflated block at once: rows with newlines,
    quotes, backslashes, commas and any Unicode in their texts, and rows split across the
    64 kB blocks, come back equal and in order."""
    rng = random.Random(23)
    alphabet = 'аёЁz"\\\n\r\t,;[]{} \u2028\u2029\x00é😀0'
    rows = [
        [
            n,
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))),
            "",
            [f"+7916{rng.randint(0, 9999999):07d}"],
            ["a@b.ru"] if n % 3 else [],
            None if n % 2 else "1980-12-31",
            rng.choice(["", "male", "female"]),
            bool(n % 5),
            "\n".join("x" * rng.randint(0, 3000) for _ in range(rng.randint(0, 3))),
            rng.choice([None, 1, 2**40]),
            "7707083893",
        ]
        for n in range(2, 3000)
    ]
    packer = zlib.compressobj(6)
    chunks = [rows[:1], rows[1:1200], rows[1200:1201], rows[1201:]]  # as `_check_contacts` packs
    blob = b"".join(packer.compress(imports._pack_rows(chunk)) for chunk in chunks)
    blob += packer.flush()
    assert len(blob) > 2 * (1 << 16)  # three blocks or more
    assert list(imports._unpack_checked(blob)) == rows
    assert list(imports._unpack_checked(b"")) == []
    # the earlier format, a row a line (a job checked before the upgrade), reads the same
    one_a_line = b"".join(json.dumps(row, ensure_ascii=False).encode() + b"\n" for row in rows)
    assert list(imports._unpack_checked(zlib.compress(one_a_line, 6))) == rows


def test_texts_with_copy_escapes_are_written_as_they_were_checked(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    """The job writes its rows as `COPY` text (PostgreSQL): backslashes, tabs, line ends, quotes
    and Unicode in the texts come back unchanged, in the contact and in its event's payload."""
    head = two_teams["head_a"]
    company = services.company_create(actor=head, name='ООО "Рога\\Копыта"', inn=INN)
    header = ["ФИО", "Должность", "Телефон", "Email", "Заметки", "ИНН компании"]
    rows = [
        ["Орлов\\Пётр", "Юрист\tстарший", "+7 916 555-00-01", "", "две\r\nстроки \\N", INN],
        ['O\'Нил "Ёж" 😀', "\\", "+7 916 555-00-02", "ann@example.ru", "\\t", ""],
    ]
    job = upload(head, csv_bytes(rows, header=header, encoding="utf-8"), kind="contacts")
    job = dry_run(head, job, job.mapping)
    assert (job.valid_rows, job.error_rows) == (2, 0), job.errors
    job = run(head, job, django_capture_on_commit_callbacks)
    assert (job.status, job.created_count) == ("done", 2)
    first, second = Contact.objects.order_by("pk")
    assert (first.full_name, first.notes, first.company_id) == (
        "Орлов\\Пётр",
        "две\r\nстроки \\N",
        company.pk,
    )
    assert first.position.startswith("Юрист")  # the tab as the cleaning keeps it
    assert first.position.endswith("старший")
    assert (second.full_name, second.position, second.notes) == ('O\'Нил "Ёж" 😀', "\\", "\\t")
    for contact in (first, second):
        assert contact.search_text == clients._contact_search_text(contact)
        event = Event.objects.get(case_type="contact", case_id=str(contact.pk))
        assert event.payload == {"after": clients._CONTACT_HISTORY.snapshot(contact)}
