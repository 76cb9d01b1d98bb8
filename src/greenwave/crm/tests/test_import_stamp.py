"""The job of a contacts import reuses the dry run's answer about the base when no contact was
written since the dry run began (PostgreSQL: `ImportJob.checked_stamp`, the oldest running
transaction then, against each contact row's `xmin`), and asks the base again otherwise.
Transactional tests: inside one test transaction every row would be newer than any stamp."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from greenwave.core.models import Event
from greenwave.crm import services
from greenwave.crm.models import Contact, ImportJob
from greenwave.crm.services import clients, import_rows, imports

from .test_import_duplicates import contacts_csv
from .test_import_export import check as dry_run
from .test_import_export import upload

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="transaction ids"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("contacts_at_rest"),
]

ROWS = [
    ["Новая Анна", "+7 916 555-00-02", "anna@example.ru", "31.12.1980"],
    ["Анна Новая", "8 916 555-00-02", "", ""],
    ["Сидоров Иван", "+7 916 555-00-03", "Ivan@Example.ru", ""],
]


@pytest.fixture
def contacts_at_rest() -> Iterator[None]:
    """The contacts table empty and its size in `pg_class` true for the whole test, whatever
    ran before and however loaded the server: the stamp's check reads `relpages` (a table
    worth more pages than the rows is not read), which only VACUUM and ANALYZE set. The
    tests before leave pages of rolled-back rows, and autovacuum, when it gets round to it,
    would record them (then the job asks the base again) or truncate the table in the middle
    of a test (then a page checked for is gone). TRUNCATE starts a new empty file (0 pages)
    and autovacuum is kept off the table until the test ends (setting it waits for a running
    worker, which gives way)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE crm_contact SET (autovacuum_enabled = false, "
            "toast.autovacuum_enabled = false)"
        )
        cursor.execute("TRUNCATE crm_contact CASCADE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE crm_contact RESET (autovacuum_enabled, toast.autovacuum_enabled)"
            )


def check(actor) -> ImportJob:
    job = upload(actor, contacts_csv(ROWS), kind="contacts")
    return dry_run(actor, job, job.mapping)


def run(actor, job: ImportJob) -> ImportJob:
    services.import_confirm(actor=actor, job=job)
    imports.import_run(job_id=job.pk)  # a no-op when the queued task already ran it
    return ImportJob.objects.get(pk=job.pk)


@pytest.fixture
def base_asked(monkeypatch) -> list[str]:
    """The fields the base was asked about (`_live_contacts_with` with values), each time."""
    asked: list[str] = []
    real = import_rows._live_contacts_with

    def spy(wanted: Any) -> dict[str, dict[str, int]]:
        wanted = {field: set(values) for field, values in wanted.items()}
        asked.extend(field for field, values in wanted.items() if values)
        return real(wanted)

    monkeypatch.setattr(import_rows, "_live_contacts_with", spy)
    return asked


def test_a_job_whose_base_is_unchanged_writes_what_the_dry_run_found_without_asking_again(
    two_teams, base_asked
) -> None:
    actor = two_teams["hunter_a"]
    job = check(actor)
    assert job.checked_stamp is not None
    assert (job.valid_rows, job.duplicate_rows) == (2, 1)
    checked = [(d["row"], d["same_as_row"]) for d in job.duplicates]
    base_asked.clear()

    job = run(actor, job)

    assert base_asked == []
    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 2, 1)
    assert [(d["row"], d["same_as_row"]) for d in job.duplicates] == checked == [(3, 2)]
    assert job.checked_stamp is None
    assert sorted(Contact.objects.values_list("full_name", flat=True)) == [
        "Новая Анна",
        "Сидоров Иван",
    ]
    for contact in Contact.objects.all():
        event = Event.objects.get(case_type="contact", case_id=str(contact.pk))
        assert event.payload == {"after": clients._CONTACT_HISTORY.snapshot(contact)}


def _add(actor, _known: Contact | None) -> None:
    services.contact_create(actor=actor, full_name="Успели", phones=["+79165550003"])


def _change(actor, known: Contact | None) -> None:
    assert known is not None
    services.contact_update(actor=actor, contact=known, emails=["ivan@example.ru"])


def _restore(actor, known: Contact | None) -> None:
    assert known is not None
    services.contact_restore(actor=actor, contact=known)


@pytest.mark.parametrize("write", [_add, _change, _restore])
def test_a_contact_written_after_the_dry_run_is_found_by_the_job(
    two_teams, base_asked, write
) -> None:
    """A contact added, given a row's e-mail, or restored with it since the dry run: the job
    asks the base again and skips the row (another team's: hidden)."""
    other = two_teams["hunter_b"]
    known = None
    if write is not _add:
        known = services.contact_create(actor=other, full_name="Иван", emails=["i@example.ru"])
        if write is _restore:
            services.contact_update(actor=other, contact=known, emails=["ivan@example.ru"])
            services.contact_delete(actor=other, contact=known)
            known.refresh_from_db()
    actor = two_teams["hunter_a"]
    job = check(actor)
    assert (job.valid_rows, job.duplicate_rows) == (2, 1)
    write(other, known)
    base_asked.clear()

    job = run(actor, job)

    assert base_asked == ["phones", "emails"]
    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 1, 2)
    assert [(d["row"], d["hidden"], d["same_as_row"]) for d in job.duplicates] == [
        (3, False, 2),
        (4, True, None),
    ]
    assert Contact.objects.filter(full_name="Сидоров Иван").count() == 0


def test_a_dry_run_that_matched_the_base_is_asked_again_by_the_job(two_teams, base_asked) -> None:
    actor = two_teams["hunter_a"]
    known = services.contact_create(actor=actor, full_name="Иван", emails=["ivan@example.ru"])
    job = check(actor)
    assert [(d["row"], d["contact"]) for d in job.duplicates] == [(3, None), (4, known.pk)]
    base_asked.clear()

    job = run(actor, job)

    assert base_asked == ["phones", "emails"]
    assert (job.status, job.created_count, job.duplicate_rows) == ("done", 1, 2)


def test_the_stamp_answers_whether_a_contact_was_written_since(two_teams) -> None:
    """(Other sessions of the server may hold the oldest running transaction back, so only
    an empty table is sure to be unchanged here.)"""
    stamp = import_rows._transaction_horizon()
    assert stamp is not None
    assert import_rows._contacts_unchanged_since(stamp, 1000)
    assert not import_rows._contacts_unchanged_since(None, 1000)
    # a stamp too old to compare with the rows' 32-bit ids: not trusted
    assert not import_rows._contacts_unchanged_since(stamp - import_rows._STAMP_MAX_AGE, 1000)
    known = services.contact_create(actor=two_teams["hunter_a"], full_name="Новый")
    assert not import_rows._contacts_unchanged_since(stamp, 1000)
    stamp = import_rows._transaction_horizon()
    services.contact_delete(actor=two_teams["hunter_a"], contact=known)
    assert not import_rows._contacts_unchanged_since(stamp, 1000)


def test_a_transaction_running_at_the_stamp_counts_as_a_change(two_teams) -> None:
    """A contact written by a transaction that was already open when the dry run began and
    commits after it is a change (its rows' id is the stamp itself or newer)."""
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_current_xact_id()")  # running from now on
        stamp = import_rows._transaction_horizon()
        assert import_rows._contacts_unchanged_since(stamp, 1000)
        with other.cursor() as cursor:
            cursor.execute(
                "INSERT INTO crm_contact (created_at, updated_at, full_name, position, phones, "
                "emails, messengers, gender, mailing_consent, notes, search_text, "
                "responsible_id, is_deleted) VALUES (now(), now(), 'Поздний', '', "
                "'[\"+79165550009\"]', '[]', '{}', '', false, '', '', %s, false)",
                [two_teams["hunter_a"].pk],
            )
        other.commit()
    finally:
        other.close()
    assert not import_rows._contacts_unchanged_since(stamp, 1000)


def test_a_large_table_is_not_read_for_a_few_rows(two_teams) -> None:
    """When the contacts' pages outnumber what the rows to check are worth, the indexes are
    asked instead (the answer is "changed" without reading the table)."""
    services.contact_create(actor=two_teams["hunter_a"], full_name="Был")
    with connection.cursor() as cursor:  # a page of dead rows only: nothing to see
        cursor.execute("DELETE FROM crm_contact")
        cursor.execute("ANALYZE crm_contact")
        cursor.execute("SELECT relpages FROM pg_class WHERE oid = 'crm_contact'::regclass")
        (pages,) = cursor.fetchone()
    assert pages >= 1
    stamp = import_rows._transaction_horizon()
    assert import_rows._contacts_unchanged_since(stamp, pages)
    assert not import_rows._contacts_unchanged_since(stamp, 0)
