"""`import_csv`: contacts/s through Greenwave's contact import vs PostgreSQL `COPY` of the same
rows into the same table — target ≥ 0.3.

Greenwave: the path of the import page — `crm.services.import_upload` (a head of sales uploads
the CSV; the queued `crm.tasks.read_import` reads it), `import_check` with the suggested column
mapping (the queued `check_import` is the dry run: every row validated), `import_confirm`
(queues the job on the database task queue); each queued task run the way `manage.py
db_worker` runs it, in a worker process of its own whose peak RSS is reported (the last,
`run_import`, is `import_run`: the dry run's cleaned rows, the companies and duplicates checked
again, then all written in one transaction — contact, `contact_created` event and its company
link per row). Both passes look for duplicates (phones and e-mails already in the
base or on an earlier row); the CSV's phones are unique and not in the base, so none is
skipped. Ceiling: the same rows, as the import stores them (company, owner, team,
normalised phones and e-mails, search text), written by one `COPY … FROM STDIN` in one
transaction. Both sides are measured `RUNS` times, interleaved (the import first in even runs,
the COPY first in odd ones), each run with a deterministic CSV of its own (seed `SEED + run`)
whose rows its COPY writes; the medians are compared (a single COPY swung 18–30 k rows/s
between runs a minute apart, and the verdict with it). Each run's imported rows are compared
with its COPY rows (same count, same values), and both sets are deleted after each run (with
the import's events, job and task row) so that every run meets the dataset as generated; the
contacts table is vacuumed before the first run and after each delete (not timed: without
autovacuum, the dead copies of earlier runs' rows were visited by every duplicate probe).
Besides the wall-clock ratio the details give the CPU seconds of the import — the worker's
tasks and the web side's services, each process and its database server process — and of the
ceiling's COPY (medians of the runs): on a machine shared with other work they move far less
than the wall times.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import random
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from greenwave.datagen.benchreport import FAIL, BenchResult, verdict

_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
TARGET = 0.3
RSS_TARGET_MB = 300  # the worker\'s peak resident memory during the import must stay under it
SEED = 9
IMPORTER = "gen_head_of_sales_02"
WITH_COMPANY_SHARE = 0.7
HEADERS = (
    "ФИО",
    "Должность",
    "Телефон",
    "Email",
    "Дата рождения",
    "Пол",
    "Согласие на рассылку",
    "ИНН компании",
)
POSITIONS = (
    "Генеральный директор",
    "Менеджер по закупкам",
    "Главный инженер",
    "Финансовый директор",
    "Коммерческий директор",
    "Главный бухгалтер",
    "Начальник отдела снабжения",
    "Юрист",
    "",
)
MAIL_HOSTS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "rambler.ru")
COMPARED = (
    "full_name",
    "position",
    "phones",
    "emails",
    "birthday",
    "gender",
    "mailing_consent",
    "company_id",
    "responsible_id",
    "team_id",
    "search_text",
)


@dataclass(frozen=True)
class Company:
    pk: int
    inn: str
    name: str
    responsible_id: int
    team_id: int | None


def _companies(actor: Any) -> list[Company]:
    """The live companies the importer sees (the contacts' `ИНН компании` comes from these)."""
    from greenwave.accounts.scoping import scope_records
    from greenwave.crm.models import Company as CompanyModel

    live = CompanyModel.objects.filter(merged_into__isnull=True, is_deleted=False).exclude(inn="")
    rows = scope_records(live, actor=actor).order_by("pk")
    by_inn: dict[str, Company] = {}
    for pk, inn, name, responsible_id, team_id in rows.values_list(
        "pk", "inn", "name", "responsible_id", "team_id"
    ):
        by_inn.setdefault(inn, Company(pk, inn, name, responsible_id, team_id))  # first by pk
    if not by_inn:
        raise RuntimeError(f"{IMPORTER} sees no company with an INN in the bench database")
    return sorted(by_inn.values(), key=lambda c: c.pk)


def _phones_in_base() -> set[str]:
    """The phones of the live contacts: the CSV draws none of them (the import would skip
    such a row as a duplicate, and the rows written would no longer match the COPY's)."""
    from greenwave.crm.models import Contact

    return {
        p
        for phones in Contact.objects.filter(is_deleted=False).values_list("phones", flat=True)
        for p in phones
    }


def _valid_mobile(rng: random.Random, taken: set[str]) -> str:
    """A valid mobile not in `taken` (which it joins: the file holds each phone once)."""
    import phonenumbers

    from greenwave.datagen import names

    while True:
        phone = names.mobile(rng)
        if phone not in taken and phonenumbers.is_valid_number(phonenumbers.parse(phone, "RU")):
            taken.add(phone)
            return phone


def make_contacts(
    count: int,
    *,
    companies: list[Company],
    actor: Any,
    taken: set[str] | None = None,
    seed: int = SEED,
) -> tuple[bytes, list[tuple[Any, ...]]]:
    """A deterministic CSV of `count` Russian contacts (`;`, UTF-8 with BOM, as Excel saves)
    and the same contacts as the rows the import stores (for `COPY`), in file order. Phones
    are unique in the file and not among `taken` (the base's: no row is a duplicate)."""
    from greenwave.crm.services import search_text_of
    from greenwave.datagen import names

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    rows: list[tuple[Any, ...]] = []
    today = date(2026, 1, 1)
    for n in range(count):
        female = rng.random() < 0.45
        first, last, middle = names.person(rng, female)
        full_name = f"{last} {first} {middle}"
        position = rng.choice(POSITIONS)
        phone = _valid_mobile(rng, taken if taken is not None else set())
        company = rng.choice(companies) if rng.random() < WITH_COMPANY_SHARE else None
        host = (
            names.host(names.brand(company.name)) if company is not None else rng.choice(MAIL_HOSTS)
        )
        email = f"{names.translit(first)[0]}.{names.translit(last)}{n}@{host}"
        birthday = (
            today - timedelta(days=rng.randint(22 * 365, 65 * 365)) if rng.random() < 0.6 else None
        )
        consent = rng.random() < 0.3
        writer.writerow(
            (
                full_name,
                position,
                phone,
                email,
                birthday.strftime("%d.%m.%Y") if birthday else "",
                "ж" if female else "м",
                "да" if consent else "нет",
                company.inn if company else "",
            )
        )
        rows.append(
            (
                full_name,
                position,
                [phone],
                [email.lower()],
                birthday,
                "female" if female else "male",
                consent,
                company.pk if company else None,
                company.responsible_id if company else actor.pk,
                company.team_id if company else actor.team_id,
                search_text_of(
                    full_name,
                    position,
                    [phone],
                    [email.lower()],
                    [],
                    company.name if company else "",
                ),
            )
        )
    return ("\ufeff" + out.getvalue()).encode(), rows


def _import(
    actor: Any, content: bytes, worker: WorkerProcess | None = None
) -> tuple[int, dict[str, float]]:
    """The import page's path, timed by stage: the web side's services in this process, the
    queued tasks in `worker` (a worker process of its own, whose RSS is sampled), or in this
    process without one. Returns the job id and the stage seconds (and, with a worker, its
    peak RSS in MB at the end of each stage: `rss_upload` …)."""
    from greenwave.crm import selectors, services
    from greenwave.crm.models import ImportStatus

    def run(name: str, job_id: int, stage: str) -> None:
        if worker is None:
            _run_queued(name, job_id)
        else:
            times[f"rss_{stage}"] = worker.run(name, job_id)

    times: dict[str, float] = {}
    started = time.perf_counter()
    job = services.import_upload(
        actor=actor, kind="contacts", file_name="contacts.csv", content=content
    )
    run("read_import", job.pk, "upload")  # the worker reads the file
    times["upload"] = time.perf_counter() - started
    mark = time.perf_counter()
    # the page's reads of the job (`import_get`, as `import_detail` and the API read it): its
    # suggested mapping, then the dry run's report
    job = selectors.import_get(actor=actor, pk=job.pk)
    job = services.import_check(actor=actor, job=job, mapping=dict(job.mapping))
    run("check_import", job.pk, "check")  # the dry run, in the worker
    job = selectors.import_get(actor=actor, pk=job.pk)
    times["check"] = time.perf_counter() - mark
    assert job.error_rows == 0, job.errors[:3]
    assert job.duplicate_rows == 0, job.duplicates[:3]  # the CSV's phones are new
    mark = time.perf_counter()
    services.import_confirm(actor=actor, job=job)
    run("run_import", job.pk, "job")
    times["job"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - started
    job = selectors.import_get(actor=actor, pk=job.pk)
    if job.status != ImportStatus.DONE:
        raise RuntimeError(f"import {job.status}: {job.message} {job.errors[:3]}")
    return job.pk, times


class PeakRss:
    """The process's peak resident memory while the block runs (sampled every 10 ms from
    /proc/self/statm: `ru_maxrss` cannot be reset), and its RSS before. Megabytes."""

    def __init__(self) -> None:
        self.before = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> PeakRss:
        self.before = self.peak = _rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:  # not Linux
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class WorkerProcess:
    """A worker process of its own, as `manage.py db_worker` is one (Django set up, the task
    modules imported, a database connection open), which runs the queued tasks this process
    names (`run`) and answers with its peak RSS so far — so that the RSS measured is the
    worker's, not the bench process's with its own copies of the CSV and expected rows."""

    def __init__(self) -> None:
        import subprocess
        import sys

        env = os.environ.copy()  # the bench database's DATABASE_URL and settings
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_SRC, env.get("PYTHONPATH")]))
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        ready = self._answer()
        self.before = float(ready["rss_mb"])
        self.peak = self.before
        self._cpu_seen = {"worker": float(ready["cpu_s"]), "server": float(ready["server_cpu_s"])}
        self.cpu = {"worker": 0.0, "server": 0.0}

    def _answer(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the import worker died (exit {self.proc.wait()})")
        answer: dict[str, Any] = json.loads(line)
        if answer.get("error"):
            raise RuntimeError(answer["error"])
        return answer

    def run(self, name: str, job_id: int) -> float:
        """Run the job's queued task `name`; its peak RSS (MB) since it started. The CPU
        seconds the task took in the worker and in its server process are added to `cpu`
        (`worker`, `server`)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{name} {job_id}\n")
        self.proc.stdin.flush()
        answer = self._answer()
        for key, field in (("worker", "cpu_s"), ("server", "server_cpu_s")):
            self.cpu[key] += float(answer[field]) - self._cpu_seen[key]
            self._cpu_seen[key] = float(answer[field])
        self.peak = float(answer["peak_mb"])
        return self.peak

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def _worker_main() -> None:
    """The worker process's side of `WorkerProcess`: one JSON line when it is ready (its RSS),
    then one a task."""
    import sys
    import traceback

    import django

    django.setup()
    from django.db import connection

    import greenwave.crm.tasks  # noqa: F401  (what a db_worker has imported)

    connection.ensure_connection()
    backend = _backend_pid()
    out = sys.stdout
    rss = PeakRss()
    with rss:
        print(json.dumps({"rss_mb": rss.before, **_cpu_seconds(backend)}), file=out, flush=True)
        for line in sys.stdin:
            name, job_id = line.split()
            try:
                _run_profiled(name, int(job_id))
            except Exception:
                print(json.dumps({"error": traceback.format_exc()}), file=out, flush=True)
                continue
            rss.peak = max(rss.peak, _rss_mb())
            print(json.dumps({"peak_mb": rss.peak, **_cpu_seconds(backend)}), file=out, flush=True)


def _cpu_seconds(backend: int) -> dict[str, float]:
    """The CPU seconds used so far by this process and by its database server process
    (`backend`, from /proc: the bench's server runs on this machine; 0 when unreadable).
    CPU time moves far less than wall time on a machine shared with other work."""
    try:
        with open(f"/proc/{backend}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        server = 0.0
    return {"cpu_s": time.process_time(), "server_cpu_s": server}


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _run_profiled(name: str, job_id: int) -> None:
    """`_run_queued`, under cProfile when `IMPORT_PROFILE` names a folder (one
    `<task>.prof` a step there, for `python -m pstats`). `IMPORT_PROFILE_CLOCK=process`
    times by the worker's CPU (`time.process_time`: the Python's own cost, without the
    waits on the server), otherwise by the wall clock."""
    folder = os.environ.get("IMPORT_PROFILE")
    if not folder:
        _run_queued(name, job_id)
        return
    import cProfile

    clock = os.environ.get("IMPORT_PROFILE_CLOCK", "wall")
    profile = cProfile.Profile(time.process_time) if clock == "process" else cProfile.Profile()
    profile.runcall(_run_queued, name, job_id)
    os.makedirs(folder, exist_ok=True)
    profile.dump_stats(os.path.join(folder, f"{name}.prof"))


def _run_queued(name: str, job_id: int) -> None:
    """What `manage.py db_worker` does with the job's queued task (in this process: no
    start-up); the task row is deleted afterwards."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)

    task = DBTaskResult.objects.ready().get(
        task_path=f"greenwave.crm.tasks.{name}", args_kwargs__args=[job_id]
    )
    task.claim("bench")
    Worker(
        queue_names=[task.queue_name],
        interval=0,
        batch=True,
        backend_name=task.backend_name,
        startup_delay=False,
        max_tasks=1,
        worker_id="bench",
        excluded_queue_names=[],
    ).run_task(task)
    task.refresh_from_db()
    if task.traceback:
        raise RuntimeError(task.traceback)
    DBTaskResult.objects.filter(pk=task.pk).delete()


def _copy(rows: list[tuple[Any, ...]]) -> float:
    """The ceiling: the same rows by one COPY in one transaction, committed. Seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from greenwave.crm.services.import_copy import CONTACT_COPY_COLUMNS

    stamp = timezone.now()
    # The columns the import job copies, but the id (the ceiling lets the sequence give it).
    columns = ", ".join(name for name in CONTACT_COPY_COLUMNS if name != "id")
    started = time.perf_counter()
    sql = f"COPY crm_contact ({columns}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        for name, job, phones, emails, birthday, gender, consent, *owned, text in rows:
            company, owner, team = owned
            copy.write_row(
                (
                    stamp,
                    stamp,
                    name,
                    job,
                    json.dumps(phones),
                    json.dumps(emails),
                    "{}",
                    birthday,
                    gender,
                    consent,
                    "",
                    text,
                    company,
                    owner,
                    team,
                    False,
                )
            )
    return time.perf_counter() - started


def _written(after_id: int) -> list[tuple[Any, ...]]:
    from greenwave.crm.models import Contact

    return [
        (*row[:2], list(row[2]), list(row[3]), *row[4:])
        for row in Contact.objects.filter(pk__gt=after_id).order_by("pk").values_list(*COMPARED)
    ]


def _delete_contacts(after_id: int) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_eventobject WHERE event_id IN (SELECT id FROM core_event "
            "WHERE case_type = 'contact' AND case_id::bigint > %s AND case_id ~ '^[0-9]+$')",
            [after_id],
        )
        cursor.execute(
            "DELETE FROM core_event WHERE case_type = 'contact' AND case_id ~ '^[0-9]+$' "
            "AND case_id::bigint > %s",
            [after_id],
        )
        cursor.execute("DELETE FROM crm_contact WHERE id > %s", [after_id])


def _delete_job(job_id: int) -> None:
    from greenwave.core.models import Event
    from greenwave.crm.models import ImportJob

    Event.objects.filter(case_type=ImportJob.EVENT_CASE_TYPE, case_id=str(job_id)).delete()
    ImportJob.objects.filter(pk=job_id).delete()


def _vacuum_contacts() -> None:
    """`VACUUM` the contacts table: the rows of earlier runs (the same file each time, deleted
    afterwards) stay in its heap and indexes as dead tuples until a vacuum, and this machine's
    server runs without autovacuum — every run's duplicate probes then visited the dead rows
    of all the runs before (~50 µs a phone or e-mail after a few runs, against ~5 µs), and
    the table only grew. The dataset stays as generated, physically too."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM crm_contact")


RUNS = 3  # each side measured so many times, interleaved; the medians are compared


@dataclass
class _Run:
    """One measured run of a side: seconds, CPU seconds, the rows it wrote (compared)."""

    seconds: float
    cpu: dict[str, float]
    written: list[tuple[Any, ...]]
    times: dict[str, float]


def _import_run(actor: Any, content: bytes, worker: WorkerProcess) -> _Run:
    """One import of `content` through the import page's path, its rows read back, then
    deleted (with its events, job and task rows) and the table vacuumed."""
    from django.db.models import Max

    from greenwave.crm.models import Contact

    before = Contact.objects.aggregate(m=Max("pk"))["m"] or 0
    job_id = 0
    seen = dict(worker.cpu)
    try:
        web_cpu = _cpu_seconds(_backend_pid())
        job_id, times = _import(actor, content, worker)
        web = {k: v - web_cpu[k] for k, v in _cpu_seconds(_backend_pid()).items()}
        written = _written(before)
    finally:
        _delete_contacts(before)
        if job_id:
            _delete_job(job_id)
        _vacuum_contacts()  # the next run meets no dead copy of these rows
    cpu = {
        "worker": worker.cpu["worker"] - seen["worker"],
        "worker_server": worker.cpu["server"] - seen["server"],
        "web": web["cpu_s"],
        "web_server": web["server_cpu_s"],
    }
    return _Run(times["total"], cpu, written, times)


def _copy_run(expected: list[tuple[Any, ...]]) -> _Run:
    """One ceiling run: the same rows by COPY, read back, deleted, the table vacuumed."""
    from django.db.models import Max

    from greenwave.crm.models import Contact

    before = Contact.objects.aggregate(m=Max("pk"))["m"] or 0
    copy_cpu = _cpu_seconds(_backend_pid())
    try:
        seconds = _copy(expected)
        cpu = {k: v - copy_cpu[k] for k, v in _cpu_seconds(_backend_pid()).items()}
        written = _written(before)
    finally:
        _delete_contacts(before)
        _vacuum_contacts()
    return _Run(seconds, {"copy": cpu["cpu_s"], "copy_server": cpu["server_cpu_s"]}, written, {})


def _same_rows(imported: list[tuple[Any, ...]], copied: list[tuple[Any, ...]], rows: int) -> None:
    if len(imported) != len(copied) or len(copied) != rows:
        raise AssertionError(f"imported {len(imported)} rows, COPY {len(copied)}, file {rows}")
    if imported != copied:
        first = next(i for i, (a, b) in enumerate(zip(imported, copied, strict=True)) if a != b)
        raise AssertionError(f"row {first + 2} differs: {imported[first]} vs {copied[first]}")


def _median_run(runs: list[_Run]) -> _Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def _median_cpu(runs: list[_Run], key: str) -> float:
    return statistics.median(r.cpu[key] for r in runs)


def bench_import(*, rows: int, runs: int = RUNS) -> BenchResult:
    """`runs` imports and `runs` ceiling COPYs, interleaved (import first in even runs, COPY
    first in odd ones), each run with a file of its own (seed `SEED + run`) that its COPY
    writes too, every run's rows deleted and the table vacuumed after it: the medians of
    both sides are compared, so that neither side's single swing decides the verdict."""
    from greenwave.accounts.models import User

    _vacuum_contacts()  # the leftovers of earlier runs (not timed)
    actor = User.objects.get(username=IMPORTER)
    companies = _companies(actor)
    taken = _phones_in_base()
    imports: list[_Run] = []
    copies: list[_Run] = []
    size = 0
    with WorkerProcess() as worker:
        for run in range(runs):
            content, expected = make_contacts(
                rows, companies=companies, actor=actor, taken=set(taken), seed=SEED + run
            )
            size = len(content)
            if run % 2:
                copies.append(_copy_run(expected))
            imports.append(_import_run(actor, content, worker))
            if not run % 2:
                copies.append(_copy_run(expected))
            _same_rows(imports[-1].written, copies[-1].written, rows)
            imports[-1].written = copies[-1].written = []
    return _verdict(rows, size, imports, copies, worker)


def _verdict(
    rows: int, size: int, imports: list[_Run], copies: list[_Run], worker: WorkerProcess
) -> BenchResult:
    median, ceiling_run = _median_run(imports), _median_run(copies)
    times = median.times
    ours, ceiling = rows / median.seconds, rows / ceiling_run.seconds
    stages = ", ".join(
        f"{k} {v:.1f} s" for k, v in times.items() if k != "total" and not k.startswith("rss")
    )
    cpu = {k: _median_cpu(imports, k) for k in ("worker", "worker_server", "web", "web_server")}
    cpu |= {k: _median_cpu(copies, k) for k in ("copy", "copy_server")}
    rss_within = worker.peak < RSS_TARGET_MB
    result = verdict(
        "import_csv",
        ours=ours,
        ceiling=ceiling,
        target=TARGET,
        details=f"{_n(rows)} contacts ({size / 1e6:.1f} MB CSV, "
        f"{WITH_COMPANY_SHARE:.0%} at a company by INN) by upload + dry run + job: medians of "
        f"{len(imports)} runs each, interleaved, a file of its own each: {_n(ours)} rows/s in "
        f"{median.seconds:.2f} s ({stages}; all: "
        f"{' / '.join(f'{r.seconds:.2f}' for r in imports)} s) vs COPY {_n(ceiling)} rows/s "
        f"in {ceiling_run.seconds:.2f} s (all: {' / '.join(f'{r.seconds:.2f}' for r in copies)} "
        f"s); each run's rows the same on both sides; peak RSS of the worker process "
        f"{worker.peak:.0f} MB ({worker.before:.0f} MB before the first import; its peak so far at "
        f"the end of the median run's upload / dry run / job {times['rss_upload']:.0f} / "
        f"{times['rss_check']:.0f} / {times['rss_job']:.0f} MB; target under {RSS_TARGET_MB} "
        f"MB: {'within' if rss_within else 'OVER'}; CPU seconds a run (medians), process + its "
        f"server process: the worker's tasks {cpu['worker']:.2f} + {cpu['worker_server']:.2f}, "
        f"the web side's services {cpu['web']:.2f} + {cpu['web_server']:.2f}, COPY "
        f"{cpu['copy']:.2f} + {cpu['copy_server']:.2f})",
        figures={
            "rows": rows,
            "runs": len(imports),
            "ours_s": median.seconds,
            "copy_s": ceiling_run.seconds,
            "ours_all_s": [r.seconds for r in imports],
            "copy_all_s": [r.seconds for r in copies],
            "rss_peak_mb": round(worker.peak),
            "rss_before_mb": round(worker.before),
            "rss_target_mb": RSS_TARGET_MB,
            "worker_cpu_s": cpu["worker"],
            "worker_server_cpu_s": cpu["worker_server"],
            "web_cpu_s": cpu["web"],
            "web_server_cpu_s": cpu["web_server"],
            "copy_cpu_s": cpu["copy"],
            "copy_server_cpu_s": cpu["copy_server"],
            **times,
        },
    )
    if not rss_within:  # the memory bound is a target of its own, whatever the ratio
        result.status = FAIL
    return result


def _n(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--worker"]:
        _worker_main()
