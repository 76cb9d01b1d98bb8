"""The import's steps: upload, read, dry run, confirm and the job (CSV/XLSX, all or nothing)."""

from __future__ import annotations

import itertools
import json
import logging
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import (
    scope_for_write,
)
from greenwave.core import bulkcopy, runlock
from greenwave.core.errors import DomainError, not_found
from greenwave.core.models import Event
from greenwave.core.record_change import record_change
from greenwave.core.services import (
    ObjectRef,
    case_type_of,
    event_append_created_rows,
    event_append_for,
)

from .. import events
from ..errors import CrmError
from ..models import (
    Company,
    Contact,
    ImportJob,
    ImportKind,
    ImportStatus,
)
from ..tabular import iter_table
from .clients import (
    CONTACT_FIELDS,
    _choice,
    _field_error,
    _resolve_owner,
    company_create,
    contact_create,
)
from .import_copy import _Companies, _Owner, copy_contacts, search_text
from .import_rows import (
    COPY_CHUNK,
    IMPORT_MAX_RESUMES,
    IMPORT_REQUEUE_AFTER,
    IMPORT_RESUME_BATCH,
    IMPORT_RUN_LOCK,
    LOOKUP_CHUNK,
    MAX_IMPORT_BYTES,
    MAX_STORED_ERRORS,
    PROGRESS_EVERY,
    PROGRESS_SECONDS,
    _check_contact_row,
    _companies_of_inns,
    _contact_row_fast,
    _contacts_unchanged_since,
    _content_of,
    _DuplicateFinder,
    _inns_of,
    _job_bytes,
    _lock_contact_imports,
    _mapped_rows,
    _row_error,
    _RowCheck,
    _sort_rows,
    _transaction_horizon,
    import_columns,
    import_suggest_mapping,
)

logger = logging.getLogger(__name__)


def _finish_job(job: ImportJob, *, created: int, skipped: int) -> None:
    """Mark the job done with `created` rows written (its errors and duplicates already set),
    save it and append the import's finish to its history."""
    job.status, job.created_count = ImportStatus.DONE, created
    job.processed_rows, job.finished_at = 2 * job.total_rows, timezone.now()
    _save_job(job)
    event_append_for(
        job,
        activity=events.IMPORT_FINISHED,
        actor=job.created_by,
        payload={
            "kind": job.kind,
            "created": created,
            "skipped": skipped,
            "duplicates": job.duplicate_rows,
        },
    )


def _save_job(job: ImportJob, *, rows_written: bool = False) -> None:
    """Save an import's state — every field but the file's bytes, which never change after
    the upload (saving them again would send the whole file to the database each time), and
    with `rows_written` but the packed rows too (`bulkcopy.write_bytes` wrote them)."""
    job.save(update_fields=_JOB_ROW_FIELDS if rows_written else _JOB_STATE_FIELDS)


_JOB_STATE_FIELDS = [
    f.name for f in ImportJob._meta.concrete_fields if f.name not in ("id", "content", "created_at")
]
_JOB_ROW_FIELDS = [f for f in _JOB_STATE_FIELDS if f != "checked_rows"]


def _require_own_import(actor: User, job: ImportJob) -> None:
    if job.created_by_id != actor.pk and not actor.is_greenwave_admin:
        raise not_found(_("Import not found."))


@transaction.atomic
def import_upload(
    *,
    actor: User,
    kind: str,
    file_name: str,
    content: bytes,
    responsible: User | None = None,
) -> ImportJob:
    """Keep the file for the worker, which reads it (`import_read`); nothing is imported yet.
    Only what costs nothing is checked here (the kind, the owner, the size), so that a large
    or hostile file never holds a web worker: its refusal is the job's message."""
    kind = _choice(kind, ImportKind.values, "kind", blank=False)
    if not content:
        raise DomainError(CrmError.BAD_FILE, _("The file is empty."), details={"field": "file"})
    if len(content) > MAX_IMPORT_BYTES:
        raise DomainError(
            CrmError.BAD_FILE, _("The file is larger than 20 MB."), details={"field": "file"}
        )
    owner, _team = _resolve_owner(actor, responsible, None)
    job = ImportJob.objects.create(
        created_by=actor,
        responsible=owner,
        kind=kind,
        file_name=file_name[:255],
        content=content,
        status=ImportStatus.READING,
    )
    # robust: a queue that is down fails no request; imports_resume_stalled sends it later
    transaction.on_commit(partial(_enqueue, "read_import", job.pk), robust=True)
    return job


def import_read(*, job_id: int) -> ImportJob:
    """The worker reads the uploaded file: its encoding, delimiter, headers and rows (the
    limits of `crm.tabular` refuse a hostile file early), and guesses the column mapping."""
    with _import_step(job_id, ImportStatus.READING) as job:
        if job is None:
            return ImportJob.objects.get(pk=job_id)
        try:  # the rows counted as they are parsed, not held
            table, rows = iter_table(_content_of(job), job.file_name)
            total = sum(1 for _row in rows())
            if not total:
                raise DomainError(CrmError.BAD_FILE, _("The file has no data rows."))
        except DomainError as exc:
            return _fail(job, exc.message)
        job.encoding, job.delimiter, job.headers = table.encoding, table.delimiter, table.headers
        job.mapping = import_suggest_mapping(job.kind, table.headers)
        job.total_rows, job.status, job.message = total, ImportStatus.UPLOADED, ""
        _save_job(job)
        return job
    return ImportJob.objects.get(pk=job_id)  # failed by an unexpected error


@contextmanager
def _import_step(job_id: int, status: str) -> Iterator[ImportJob | None]:
    """A worker's step of an import in `status`, under the job's run lock (so that a job sent
    twice runs once): yields the job, or None when another worker has it or it has moved on.
    A program error fails the job with a message instead of leaving it in `status`."""
    lock = runlock.acquire(IMPORT_RUN_LOCK, job_id)
    if lock is None:
        yield None
        return
    try:
        # the file's bytes read by the step itself, alone (`_content_of`)
        job = ImportJob.objects.select_related("created_by").defer("content").get(pk=job_id)
        if job.status != status:
            yield None
            return
        try:
            yield job
        except Exception:
            logger.exception("import job %s failed while %s", job.pk, status)
            _fail(
                job,
                _(
                    "The file could not be processed: an unexpected error stopped the worker. "
                    "The administrator finds it in the worker log."
                ),
            )
    finally:
        lock.release()


def import_check(*, actor: User, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    """Start the dry run with the mapping: the worker validates every row and reports each
    bad one and, in a contacts file, each duplicate (a phone or e-mail already in the base or
    on an earlier row), which the job will skip (`import_check_run`). The mapping itself is
    checked here. Writes nothing but the report."""
    _require_own_import(actor, job)
    if job.status in (ImportStatus.READING, ImportStatus.CHECKING):
        raise DomainError(
            CrmError.IMPORT_NOT_READY, _("The file is still being read or checked: wait a moment.")
        )
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED):
        raise DomainError(CrmError.IMPORT_NOT_READY, _("This import is already running."))
    if not job.headers:
        raise DomainError(
            CrmError.BAD_FILE, _("The file could not be read: upload a corrected file.")
        )
    known = {c.field for c in import_columns(job.kind)}
    chosen = {h: f for h, f in mapping.items() if h in job.headers and f}
    if any(f not in known for f in chosen.values()):
        raise _field_error("mapping", _("Choose one of the offered values."))
    doubled = sorted({f for f in chosen.values() if list(chosen.values()).count(f) > 1})
    if doubled:
        raise _field_error(
            "mapping",
            _("Each field can take one column only: %(fields)s.") % {"fields": ", ".join(doubled)},
        )
    missing = [c for c in import_columns(job.kind) if c.required and c.field not in chosen.values()]
    if missing:
        raise _field_error(
            "mapping",
            _("Choose the column for: %(fields)s.")
            % {"fields": ", ".join(str(c.label) for c in missing)},
        )
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().only("status").get(pk=job.pk)
        if locked.status != job.status:
            raise DomainError(CrmError.IMPORT_NOT_READY, _("The import changed meanwhile."))
        job.mapping = {
            h: mapping.get(h, "") if mapping.get(h, "") in known else "" for h in job.headers
        }
        job.status, job.message, job.checked_rows = ImportStatus.CHECKING, "", b""
        job.checked_stamp = None
        job.processed_rows = job.created_count = 0
        _save_job(job)
        transaction.on_commit(partial(_enqueue, "check_import", job.pk), robust=True)
    return job


def import_check_run(*, job_id: int) -> ImportJob:
    """The worker's dry run: every row checked with the job's mapping, progress as it goes;
    the report (good, duplicate and bad rows) kept on the job."""
    with _import_step(job_id, ImportStatus.CHECKING) as job:
        if job is None:
            return ImportJob.objects.get(pk=job_id)
        if job.kind == ImportKind.CONTACTS:
            try:
                return _check_contacts(job)
            except DomainError as exc:
                return _fail(job, exc.message)
        try:
            rows = _sort_rows(job, progress=True)
        except DomainError as exc:
            return _fail(job, exc.message)
        new, duplicates = rows.split(job)
        job.checked_rows, job.checked_stamp = b"", None
        job.total_rows = len(rows.good) + rows.error_rows
        job.valid_rows, job.error_rows = len(new), rows.error_rows
        job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
        job.errors, job.status, job.message = rows.errors, ImportStatus.CHECKED, ""
        job.processed_rows = job.created_count = 0
        _save_job(job)
        return job
    return ImportJob.objects.get(pk=job_id)  # failed by an unexpected error


@transaction.atomic
def import_confirm(*, actor: User, job: ImportJob, skip_invalid: bool = False) -> ImportJob:
    """Queue the checked import. With bad rows the user must say to import only the good ones."""
    _require_own_import(actor, job)
    # not the file nor the packed rows (megabytes each): the job's worker reads them
    job = ImportJob.objects.select_for_update().defer("content", "checked_rows").get(pk=job.pk)
    if job.status != ImportStatus.CHECKED:
        raise DomainError(
            CrmError.IMPORT_NOT_READY, _("Check the file (dry run) before importing it.")
        )
    if job.error_rows and not skip_invalid:
        raise DomainError(
            CrmError.BAD_ROWS,
            _("%(n)d rows have errors: fix the file, or confirm to import only the good rows.")
            % {"n": job.error_rows},
            details={"field": "skip_invalid", "error_rows": job.error_rows},
        )
    if not job.valid_rows and job.duplicate_rows:
        raise DomainError(
            CrmError.BAD_ROWS,
            _("Every good row is already in the client base: there is nothing new to import."),
        )
    if not job.valid_rows:
        raise DomainError(CrmError.BAD_ROWS, _("There is no good row to import."))
    job.status, job.skip_invalid, job.processed_rows = ImportStatus.QUEUED, skip_invalid, 0
    job.save(update_fields=["status", "skip_invalid", "processed_rows", "updated_at"])
    # robust: a queue that is down fails no request; imports_resume_stalled sends it later
    transaction.on_commit(partial(_enqueue, "run_import", job.pk), robust=True)
    return job


def _write_row(job: ImportJob, check: _RowCheck) -> int:
    actor, owner = job.created_by, job.responsible
    if check.company is not None:
        company = company_create(actor=actor, responsible=owner, **check.company)
        if check.contact is not None:
            contact_create(actor=actor, allow_duplicate=True, company=company, **check.contact)
        return 1
    assert check.contact is not None
    if check.company_ref is not None:
        contact_create(
            actor=actor, allow_duplicate=True, company=check.company_ref, **check.contact
        )
    else:
        contact_create(actor=actor, allow_duplicate=True, responsible=owner, **check.contact)
    return 1


def _write_contacts(job: ImportJob, checks: list[_RowCheck]) -> int:
    """All contacts of a file checked by the job itself (a job whose dry run kept no cleaned
    rows): written the one way the checked rows are (`_write_checked_contacts`), once the
    companies are found still the importer's."""
    rows = [_packed(0, c) for c in checks]
    companies = _writable_companies(job.created_by, (r[9] for r in rows if r[9] is not None))
    if any(r[9] is not None and r[9] not in companies for r in rows):
        raise not_found(_("Company not found."))
    return _write_checked_contacts(job, rows, companies)


def _fail(job: ImportJob, message: str, errors: list[dict[str, Any]] | None = None) -> ImportJob:
    job.status, job.message, job.finished_at = ImportStatus.FAILED, message, timezone.now()
    job.created_count = 0
    if errors is not None:
        job.errors = errors[:MAX_STORED_ERRORS]
    _save_job(job)
    event_append_for(
        job, activity=events.IMPORT_FAILED, actor=job.created_by, payload={"message": message}
    )
    return job


def import_run(*, job_id: int) -> ImportJob:
    """The background job: check every row again (the base may have changed since the dry
    run), then write all new rows in one transaction — duplicates are skipped, a failure
    leaves nothing behind.

    The run lock (`core.runlock`) is held from before the job is marked running to its end,
    so a worker killed mid-run leaves a running job whose lock is free:
    `imports_resume_stalled` queues it again, and since the rows, the events and the `done`
    status are written in one transaction, the next run writes them exactly once."""
    lock = runlock.acquire(IMPORT_RUN_LOCK, job_id)
    if lock is None:  # another worker runs it
        return ImportJob.objects.get(pk=job_id)
    try:
        with transaction.atomic():
            job = (
                ImportJob.objects.select_for_update()
                .select_related("created_by")
                # the file read only by a job without checked rows, the packed rows read
                # alone (`_job_bytes`); their size tells whether there are any
                .defer("content", "checked_rows")
                .annotate(checked_size=Length("checked_rows"))
                .get(pk=job_id)
            )
            if job.status != ImportStatus.QUEUED:
                return job
            # A job that writes the dry run's cleaned rows starts half-way: they were read and
            # checked (`progress_percent` counts each row twice).
            job.status = ImportStatus.RUNNING
            job.processed_rows = job.total_rows if _runs_checked(job) else 0
            job.save(update_fields=["status", "processed_rows", "updated_at"])
        try:
            return _import_run(job)
        except Exception:  # a database or program error: the job must not stay "running"
            logger.exception("import job %s failed", job.pk)
            return _fail(
                job,
                _(
                    "Nothing was imported: an unexpected error stopped the import. "
                    "The administrator finds it in the worker log."
                ),
            )
    finally:
        lock.release()


def imports_resume_stalled() -> int:
    """The periodic job of `run_worker`: an import whose worker died mid-run (running, and
    nobody holds its run lock) goes back to the queue. Its write transaction died with the
    worker, so nothing of it is in the base. After IMPORT_MAX_RESUMES such restarts (a file
    that kills its worker every time) the import fails instead. A job queued for more than
    IMPORT_REQUEUE_AFTER is sent to the queue again. Returns how many it queued."""
    resumed = 0
    stalled = ImportJob.objects.filter(status=ImportStatus.RUNNING).order_by("pk")
    for job_id in list(stalled.values_list("pk", flat=True)[:IMPORT_RESUME_BATCH]):
        with transaction.atomic():
            qs = ImportJob.objects.filter(pk=job_id, status=ImportStatus.RUNNING)
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            job = qs.select_related("created_by").first()
            if job is None or runlock.is_held(IMPORT_RUN_LOCK, job_id):
                continue
            restarts = Event.objects.filter(
                case_type=case_type_of(job), case_id=str(job.pk), activity=events.IMPORT_RESUMED
            ).count()
            if restarts >= IMPORT_MAX_RESUMES:
                _fail(
                    job,
                    _(
                        "Nothing was imported: the worker stopped %(n)d times while importing "
                        "this file. The administrator finds the reason in the worker log."
                    )
                    % {"n": restarts + 1},
                )
                continue
            record_change(
                job,
                {"status": ImportStatus.QUEUED, "processed_rows": 0},
                activity=events.IMPORT_RESUMED,
                actor=None,
                payload={"restart": restarts + 1},
            )
            transaction.on_commit(partial(_enqueue, "run_import", job.pk))
            resumed += 1
    # A queued job whose task never reached the queue (the web process died between its
    # commit and the enqueue, or the queue was down) is sent again. A second task of a job is
    # harmless: `import_run` starts a job only from "queued", under its run lock.
    # The same for a file waiting to be read or checked (the worker that read or checked it
    # died: the step only writes at its end, so it runs again from the start).
    moment = timezone.now()
    for status, task in IMPORT_STEP_TASKS.items():
        forgotten = ImportJob.objects.filter(
            status=status, updated_at__lt=moment - IMPORT_REQUEUE_AFTER
        )
        pks = list(forgotten.order_by("pk").values_list("pk", flat=True)[:IMPORT_RESUME_BATCH])
        for job_id in pks:
            if runlock.is_held(IMPORT_RUN_LOCK, job_id):
                continue
            if forgotten.filter(pk=job_id).update(updated_at=moment):
                _enqueue(task, job_id)
                resumed += 1
    return resumed


# The worker's task of each waiting status.
IMPORT_STEP_TASKS = {
    ImportStatus.READING: "read_import",
    ImportStatus.CHECKING: "check_import",
    ImportStatus.QUEUED: "run_import",
}


def _enqueue(task: str, job_id: int) -> None:
    from .. import tasks

    getattr(tasks, task).enqueue(job_id)


def _runs_checked(job: ImportJob) -> bool:
    """Whether the job writes the dry run's cleaned rows (`_import_run_checked`) rather than
    reading the file again."""
    size = getattr(job, "checked_size", None)  # `import_run`'s job: the rows deferred
    return job.kind == ImportKind.CONTACTS and bool(job.checked_rows if size is None else size)


def _import_run(job: ImportJob) -> ImportJob:
    if _runs_checked(job):
        return _import_run_checked(job)
    # A companies file, or a contacts job checked before its dry run kept the cleaned rows.
    try:
        rows = _sort_rows(job, progress=True)
    except DomainError as exc:
        return _fail(job, exc.message)
    errors = rows.errors
    if rows.error_rows and not job.skip_invalid:
        return _fail(
            job, _("Some rows became invalid since the check; nothing was imported."), errors
        )
    created = 0
    try:
        with transaction.atomic():
            if job.kind == ImportKind.CONTACTS:
                _lock_contact_imports()
            new, duplicates = rows.split(job)  # under the lock: what is in the base now
            if job.kind == ImportKind.CONTACTS:
                created = _write_contacts(job, new) if new else 0
            else:
                for row_check in new:
                    created += _write_row(job, row_check)
            job.errors = errors[:MAX_STORED_ERRORS]
            job.duplicate_rows, job.duplicates = len(duplicates), duplicates[:MAX_STORED_ERRORS]
            _finish_job(job, created=created, skipped=rows.error_rows)
    except DomainError as exc:
        return _fail(job, _("Nothing was imported: %(error)s") % {"error": exc.message})
    return job


def _packed(number: int, row_check: _RowCheck) -> list[Any]:
    """A good row of a contacts file as a list: row number, full name, position, phones,
    e-mails, birthday (ISO), gender, consent, notes, company id, company INN."""
    contact, company = row_check.contact or {}, row_check.company_ref
    birthday = contact.get("birthday")
    return [
        number,
        contact.get("full_name", ""),
        contact.get("position", ""),
        contact.get("phones", []),
        contact.get("emails", []),
        birthday.isoformat() if birthday else None,
        contact.get("gender", ""),
        bool(contact.get("mailing_consent")),
        contact.get("notes", ""),
        company.pk if company is not None else None,
        company.inn if company is not None else "",
    ]


def _check_contacts(job: ImportJob) -> ImportJob:
    """The dry run of a contacts file, streamed: the file is parsed once, as it is read,
    `LOOKUP_CHUNK` rows at a time — the companies a chunk names read in one query, its rows
    checked, the base asked about the chunk's phones and e-mails (`_DuplicateFinder.look_up`),
    its good rows asked for duplicates in file order and packed (`checked_rows`, what the job
    will write, duplicates included: the job asks again) — so that only the file's text, one
    chunk and the packed rows are in memory, and the packed rows are not read back."""
    table, rows = iter_table(_content_of(job), job.file_name)
    actor = job.created_by
    stamp = _transaction_horizon()  # before the first duplicate query
    companies: dict[str, Company] = {}
    looked_up: set[str] = set()
    packer = zlib.compressobj(_PACK_LEVEL)
    parts: list[bytes] = []
    errors: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    finder = _DuplicateFinder(job)
    good = error_rows = duplicate_rows = count = 0
    shown = time.monotonic()
    mapped = _mapped_rows(job, table.headers, rows())
    while chunk := list(itertools.islice(mapped, LOOKUP_CHUNK)):
        inns = _inns_of(values for _n, values in chunk) - looked_up
        companies.update(_companies_of_inns(actor, inns, lean=True))
        looked_up |= inns
        checked: list[list[Any]] = []
        today = timezone.localdate()  # once a chunk, not a row
        for number, values in chunk:
            count += 1
            try:
                row = _contact_row_fast(number, values, companies, today)
                if row is None:  # not the usual shape, or bad: the full check
                    row = _packed(number, _check_contact_row(actor, values, companies))
                checked.append(row)
            except DomainError as exc:
                error_rows += 1
                if len(errors) < MAX_STORED_ERRORS:
                    errors.append(_row_error(job, number, exc, values))
            if count % PROGRESS_EVERY == 0 and time.monotonic() - shown > PROGRESS_SECONDS:
                ImportJob.objects.filter(pk=job.pk).update(processed_rows=count)
                shown = time.monotonic()
        del chunk
        finder.look_up(
            (p for row in checked for p in row[3]), (e for row in checked for e in row[4])
        )
        for row in checked:
            match = finder(row[0], row[1], row[3], row[4])
            if match is not None:
                duplicate_rows += 1
                if len(duplicates) < MAX_STORED_ERRORS:
                    duplicates.append(match)
        if checked:
            parts.append(packer.compress(_pack_rows(checked)))
        good += len(checked)
        del checked
    parts.append(packer.flush())
    job.checked_rows, job.checked_stamp = b"".join(parts), stamp
    del parts, finder
    job.total_rows = good + error_rows
    job.valid_rows, job.error_rows = good - duplicate_rows, error_rows
    job.duplicate_rows, job.duplicates = duplicate_rows, duplicates
    job.errors, job.status, job.message = errors, ImportStatus.CHECKED, ""
    job.processed_rows = job.created_count = 0
    with transaction.atomic():  # the packed rows as a binary parameter, not in the text
        bulkcopy.write_bytes(ImportJob, "checked_rows", job.pk, job.checked_rows)
        _save_job(job, rows_written=True)
    return job


# zlib's level for the packed rows: 1 deflates the JSON lines ~3× faster than the default
# 6 (0.03–0.04 against 0.10–0.13 s for 10 000 rows at load 12) into a blob ~1.3× larger
# (513 against 386 kB; the worker's peak RSS at 100 000 rows is `bench/import_bench`'s).
_PACK_LEVEL = 1


def _pack_rows(rows: list[list[Any]]) -> bytes:
    """Packed rows (`_packed`) as the job reads them back (`_unpack_checked`): one line, the
    rows' JSON texts separated by commas (one encoder call for a chunk: ~20 against ~40 ms
    for 10 000 rows a line each). Not empty."""
    return json.dumps(rows, ensure_ascii=False)[1:-1].encode() + b"\n"


def _unpack_checked(blob: bytes) -> Iterator[list[Any]]:
    """The rows `_check_contacts` packed, one at a time (never the whole text in memory):
    the lines of each inflated block decoded by one `json.loads` (a JSON text holds no raw
    newline, so the lines joined by commas are the rows' array). A line holds the rows of a
    chunk (`_pack_rows`) or, packed before it, of one row: both read the same way."""
    inflater = zlib.decompressobj()
    rest = b""
    step = 1 << 16
    for start in range(0, len(blob), step):
        lines, _sep, rest = (rest + inflater.decompress(blob[start : start + step])).rpartition(
            b"\n"
        )
        if lines:
            yield from json.loads(b"[" + lines.replace(b"\n", b",") + b"]")
    rest += inflater.flush()
    for line in rest.split(b"\n"):
        if line:
            yield from json.loads(b"[" + line + b"]")


def _writable_companies(actor: User, ids: Iterable[int]) -> dict[int, tuple[str, int, int | None]]:
    """Of these companies, the live ones the importer may still write to: {id: (name,
    responsible id, team id)}."""
    found: dict[int, tuple[str, int, int | None]] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        live = Company.objects.filter(
            pk__in=wanted[start : start + LOOKUP_CHUNK], merged_into__isnull=True, is_deleted=False
        )
        for pk, name, owner, team in scope_for_write(live, actor=actor).values_list(
            "pk", "name", "responsible_id", "team_id"
        ):
            found[pk] = (name, owner, team)
    return found


class _RowsGoneError(Exception):
    """Rolls the job's transaction back: rows at companies no longer the importer's, and the
    user did not ask to import only the good rows."""


def _import_run_checked(job: ImportJob) -> ImportJob:
    """The job of a contacts file from the dry run's cleaned rows (`checked_rows`): the rows
    are not read or validated again. In one transaction, under the import lock, the packed
    rows are read `COPY_CHUNK` at a time (`_CheckedRun`): what the base may have changed
    since the dry run is checked again — that the companies are still the importer's (a row
    at one that is not is bad, as a new check would find it) and the duplicates — and the new
    rows written — contact, `contact_created` event, company link — by `COPY` on PostgreSQL.
    Any failure rolls everything back."""
    run = _CheckedRun(job)
    try:
        with transaction.atomic():
            _lock_contact_imports()
            created = _write_checked_contacts(job, run.new_rows(), run.companies)
            if run.gone_rows and not job.skip_invalid:
                raise _RowsGoneError
            job.errors, job.error_rows = run.sorted_errors(), job.error_rows + run.gone_rows
            job.duplicate_rows, job.duplicates = run.duplicate_rows, run.duplicates
            job.checked_rows, job.checked_stamp = b"", None
            _finish_job(job, created=created, skipped=job.error_rows)
    except _RowsGoneError:
        message = _("Some rows became invalid since the check; nothing was imported.")
        return _fail(job, message, run.sorted_errors())
    except DomainError as exc:
        return _fail(job, _("Nothing was imported: %(error)s") % {"error": exc.message})
    return job


class _CheckedRun:
    """The job's pass over the packed rows, inside its transaction: of each chunk, the
    companies not asked yet read in one query (`companies`: the importer's still), the rows
    at the others reported bad, the base asked about the chunk's phones and e-mails, and the
    rows that repeat nobody yielded in file order. Once a row is bad without `skip_invalid`,
    nothing more is yielded (the transaction will be rolled back) but every bad row is still
    reported."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.companies: dict[int, tuple[str, int, int | None]] = {}
        self.asked: set[int] = set()
        self.errors: list[dict[str, Any]] = list(job.errors)
        self.gone_rows = self.duplicate_rows = 0
        self.duplicates: list[dict[str, Any]] = []
        self.column = next((h for h, f in job.mapping.items() if f == "company_inn"), "")

    def new_rows(self) -> Iterator[list[Any]]:
        ask_base = not self._base_unchanged()
        finder = _DuplicateFinder(self.job, ask_base=ask_base)
        # The base unchanged and no row of the file repeating an earlier one in the dry run:
        # no row can be a duplicate now (the rows asked are those rows, or fewer), so none is
        # asked (~5 µs a row).
        repeats = ask_base or self.job.duplicate_rows > 0
        packed = _unpack_checked(_job_bytes(self.job, "checked_rows"))
        while chunk := list(itertools.islice(packed, COPY_CHUNK)):
            wanted = {row[9] for row in chunk if row[9] is not None} - self.asked
            self.companies.update(_writable_companies(self.job.created_by, wanted))
            self.asked |= wanted
            kept = [row for row in chunk if row[9] is None or row[9] in self.companies]
            if len(kept) < len(chunk):
                self._gone([row for row in chunk if row[9] not in self.companies])
            finder.look_up((p for r in kept for p in r[3]), (e for r in kept for e in r[4]))
            for row in kept:
                match = finder(row[0], row[1], row[3], row[4]) if repeats else None
                if match is not None:
                    self.duplicate_rows += 1
                    if len(self.duplicates) < MAX_STORED_ERRORS:
                        self.duplicates.append(match)
                elif not self.gone_rows or self.job.skip_invalid:
                    yield row

    def _base_unchanged(self) -> bool:
        """Whether the dry run's answer about the base stands (under the import lock, so no
        other import writes meanwhile): it matched no contact of the base — every duplicate
        it reported, all of them kept, repeats an earlier row of the file — and no contact
        has been written since it began (`_contacts_unchanged_since`). Then the base would
        match none of the values now either, and it is not asked again (~10 µs a row)."""
        job = self.job
        reported = job.duplicates or []
        if len(reported) < job.duplicate_rows:
            return False
        if any(d.get("same_as_row") is None for d in reported):
            return False
        return _contacts_unchanged_since(job.checked_stamp, job.valid_rows + job.duplicate_rows)

    def _gone(self, rows: list[list[Any]]) -> None:
        for row in rows:
            if row[9] is None:
                continue
            self.gone_rows += 1
            self.errors.append(
                {
                    "row": row[0],
                    "field": "company_inn",
                    "column": self.column,
                    "message": _("There is no company with INN %(inn)s among your clients.")
                    % {"inn": row[10]},
                    "value": row[10],
                }
            )

    def sorted_errors(self) -> list[dict[str, Any]]:
        self.errors.sort(key=lambda e: int(e.get("row") or 0))
        return self.errors[:MAX_STORED_ERRORS]


def _write_checked_contacts(
    job: ImportJob, rows: Iterable[list[Any]], companies: Mapping[int, tuple[str, int, int | None]]
) -> int:
    """Write cleaned contact rows (`_packed`'s) with what `contact_create` writes for each:
    the contact (owned like its company, or by the job's responsible), its `contact_created`
    event with the snapshot, and the company link — `COPY_CHUNK` rows at a time (`rows` is
    consumed as a stream; `companies` may grow while it is). PostgreSQL: contact ids reserved
    from the sequence, then contacts, events and links by `COPY` (`import_copy`); SQLite:
    bulk inserts.
    Returns how many contacts."""
    owner, owner_team = _resolve_owner(job.created_by, job.responsible, None)
    default = (owner.pk, owner_team.pk if owner_team is not None else None)
    write = copy_contacts if bulkcopy.supported() else _insert_contacts
    stamp = timezone.now()
    created = 0
    stream = iter(rows)
    while batch := list(itertools.islice(stream, COPY_CHUNK)):
        created += write(job.created_by, batch, companies, default, stamp)
    return created


def _insert_contacts(
    actor: User, batch: list[list[Any]], companies: _Companies, default: _Owner, stamp: datetime
) -> int:
    """Other databases: a chunk of contacts and their events by bulk inserts."""
    values = [_checked_values(row, companies, default) for row in batch]
    made = Contact.objects.bulk_create(
        Contact(
            full_name=v["full_name"],
            position=v["position"],
            phones=v["phones"],
            emails=v["emails"],
            messengers={},
            birthday=date.fromisoformat(v["birthday"]) if v["birthday"] else None,
            gender=v["gender"],
            mailing_consent=v["mailing_consent"],
            notes=v["notes"],
            search_text=_checked_search_text(v),
            company_id=v["company_id"],
            responsible_id=v["responsible_id"],
            team_id=v["team_id"],
        )
        for v in values
    )
    event_append_created_rows(
        (
            (
                Contact.EVENT_CASE_TYPE,
                str(contact.pk),
                {"after": _checked_snapshot(v)},
                [ObjectRef(Company.EVENT_CASE_TYPE, str(v["company_id"]), "company")]
                if v["company_id"] is not None
                else [],
            )
            for contact, v in zip(made, values, strict=True)
        ),
        activity=events.CONTACT_CREATED,
        actor=actor,
        chunk=COPY_CHUNK,
    )
    return len(values)


def _checked_values(
    row: list[Any], companies: Mapping[int, tuple[str, int, int | None]], default: _Owner
) -> dict[str, Any]:
    """A packed row as the fields of its contact."""
    _n, name, position, phones, emails, birthday, gender, consent, notes, cid, _inn = row
    company = companies[cid] if cid is not None else None
    return {
        "full_name": name,
        "position": position,
        "phones": phones,
        "emails": emails,
        "birthday": birthday,
        "gender": gender,
        "mailing_consent": consent,
        "notes": notes,
        "company_id": cid,
        "company_name": company[0] if company else None,
        "responsible_id": company[1] if company else default[0],
        "team_id": company[2] if company else default[1],
    }


def _checked_search_text(v: Mapping[str, Any]) -> str:
    """`_contact_search_text` of a cleaned import row (no messengers): `search_text_of`'s
    words — the name, position and company when not empty, every phone and e-mail —
    without its per-part type checks (`test_clean_fast_paths` compares both)."""
    return search_text(v["full_name"], v["position"], v["phones"], v["emails"], v["company_name"])


def _checked_snapshot(v: Mapping[str, Any]) -> dict[str, Any]:
    """`_CONTACT_HISTORY.snapshot` of a cleaned import row."""
    data = {f: v.get(f) for f in CONTACT_FIELDS}
    data["messengers"] = {}
    data["company"] = v["company_name"]
    return data
