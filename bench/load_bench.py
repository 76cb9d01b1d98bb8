"""`load_mixed`: a bounded load test — mixed reads and writes of deals and tasks, then a check
that the database lost nothing.

The bench starts `gunicorn greenwave.config.wsgi -w 2` (sync workers, production settings) on
a free port against the benchmark database, prepares per team of the four heads of sales
(`gen_head_of_sales_01..04`) a pool of deals to move and running `contract_approval`
processes whose first task waits in the head's inbox, and runs `load_clients.py` in its own
process: N clients (round robin over the heads, so 4 clients per team at 16) for a fixed time,
each drawing list deals / get a deal / create a deal / move a deal with its version / list
the task inbox / complete an approval task (`load_clients.MIX`). Then `load_verify` compares
the database with every answer the clients got (0 lost updates), and everything the run made
is deleted, so the dataset stays as generated.

In `make bench` (`run.py`): one client, then 16 clients; the ratio is the throughput of 16
clients over the throughput the two workers would give if each served like the one client
alone (16 clients' req/s ÷ (2 × one client's req/s)) — the ceiling measured in the same run.
Errors (a 5xx, a refused request other than the optimistic lock's 409, a broken connection)
or any lost update make it FAIL whatever the ratio.

Alone: `.venv/bin/python bench/load_bench.py` (1M dataset, 60 s per client count) or
`QUICK=1 .venv/bin/python bench/load_bench.py` (20 000 deals, 10 s), `--clients 1 4 16`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from load_clients import MIX  # noqa: E402

NAME = "load_mixed"
TARGET = 0.75
WORKERS = 2
LATENCY_CLIENTS = 8  # the run whose p99 the report gives, as the API benchmarks' clients
HEADS = tuple(f"gen_head_of_sales_{i:02d}" for i in range(1, 5))
STAGES = ("qualification", "needs", "presentation")  # no stage here opens a process
PROCESS = "contract_approval"
MARK = "Нагрузка"


@contextmanager
def gunicorn(workers: int = WORKERS) -> Iterator[tuple[int, int]]:
    """`gunicorn greenwave.config.wsgi -w <workers>` (sync) on a free port; yields the port and
    the master's pid."""
    from api_bench import _env, free_port, serving

    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "greenwave.config.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    with serving(argv, _env("greenwave.config.settings.prod"), "gunicorn", stop_s=15) as pid:
        yield port, pid


class Fixture:
    """The rows a run works on (made through the services) and what it must clean up."""

    def __init__(self, *, deals_per_team: int, tasks_per_team: int) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from greenwave.accounts.models import User
        from greenwave.accounts.services import token_issue
        from greenwave.bpm.models import HumanTask
        from greenwave.sales import services
        from greenwave.sales.models import Deal, Pipeline

        self.run_id = secrets.token_hex(3)
        self.marker = f"{MARK} {self.run_id}"
        pipeline = Pipeline.objects.get(code="b2b")
        stages = {s.code: s for s in pipeline.stages.all()}
        self.pipeline = pipeline.pk
        self.stages = [stages[code].pk for code in STAGES]
        self.created_after = Deal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.tokens: dict[str, str] = {}
        self.token_ids: list[int] = []
        self.token_prefixes: list[str] = []
        self.teams: dict[str, dict[str, Any]] = {}
        self.seeded: set[int] = set()
        self.tasks: set[int] = set()
        for username in HEADS:
            head = User.objects.get(username=username)
            token, raw = token_issue(actor=None, user=head, name=f"load {self.run_id}")
            self.tokens[username], self.token_ids = raw, [*self.token_ids, token.pk]
            self.token_prefixes.append(token.prefix)
            pool: dict[int, int] = {}
            for i in range(deals_per_team):
                deal = services.deal_create(
                    actor=head,
                    title=f"{MARK}-пул {self.run_id} {username} {i}",
                    pipeline=pipeline,
                    stage=stages[STAGES[i % len(STAGES)]],
                )
                pool[deal.pk] = deal.stage_id
            tasks: list[int] = []
            for i in range(tasks_per_team):
                title = f"{MARK}-договор {self.run_id} {username} {i}"
                deal = services.deal_create(actor=head, title=title, pipeline=pipeline)
                self.seeded.add(deal.pk)
                # The approval reviews a contract: without one the start is refused (409).
                services.deal_attach_document(
                    actor=head,
                    deal=deal,
                    kind="contract",
                    title=title,
                    file=SimpleUploadedFile("contract.txt", b"load test"),
                )
                instance = services.deal_process_start(actor=head, deal=deal, process_key=PROCESS)
                task = HumanTask.objects.get(instance_id=instance, completed_at__isnull=True)
                tasks.append(task.pk)
            self.seeded |= set(pool)
            self.tasks |= set(tasks)
            self.teams[username] = {"deals": {str(k): v for k, v in pool.items()}, "tasks": tasks}

    def plan(
        self, *, port: int, clients: int, seconds: float, warmup: float, only: str = ""
    ) -> dict[str, Any]:
        """The clients' plan; each call hands out the tasks not completed yet."""
        from greenwave.bpm.models import HumanTask
        from greenwave.sales.models import Deal

        now = {
            str(pk): [version, stage]
            for pk, version, stage in Deal.objects.filter(pk__in=self.seeded).values_list(
                "pk", "version", "stage_id"
            )
        }
        open_tasks = set(
            HumanTask.objects.filter(pk__in=self.tasks, completed_at__isnull=True).values_list(
                "pk", flat=True
            )
        )
        teams = {
            key: {
                "deals": {pk: now[pk] for pk in t["deals"]},
                "tasks": [pk for pk in t["tasks"] if pk in open_tasks],
            }
            for key, t in self.teams.items()
        }
        return {
            "port": port,
            "only": only,
            "seconds": seconds,
            "warmup": warmup,
            "marker": self.marker,
            "pipeline": self.pipeline,
            "stages": self.stages,
            "teams": teams,
            "clients": [
                {"team": HEADS[i % len(HEADS)], "token": self.tokens[HEADS[i % len(HEADS)]]}
                for i in range(clients)
            ],
        }

    def cleanup(self) -> None:
        """Delete every row the run made: deals, their events, processes, tasks, tokens and
        their events."""
        from greenwave.accounts.models import ApiToken
        from greenwave.bpm.models import ProcessInstance
        from greenwave.core.models import Event
        from greenwave.sales.models import Deal, DealDocument

        deals = self.seeded | set(
            Deal.objects.filter(pk__gt=self.created_after, title__startswith=MARK).values_list(
                "pk", flat=True
            )
        )
        keys = [str(pk) for pk in deals]
        instances = list(
            ProcessInstance.objects.filter(object_type="deal", object_id__in=keys).values_list(
                "pk", flat=True
            )
        )
        Event.objects.filter(
            case_type="process_instance", case_id__in=[str(pk) for pk in instances]
        ).delete()
        ProcessInstance.objects.filter(pk__in=instances).delete()
        Event.objects.filter(case_type="deal", case_id__in=keys).delete()
        for paper in DealDocument.objects.filter(deal_id__in=deals):
            paper.file.delete(save=False)  # the stored contract files, then the rows with deals
        Deal.objects.filter(pk__in=deals).delete()
        ApiToken.objects.filter(pk__in=self.token_ids).delete()
        Event.objects.filter(
            case_type="user", activity="token_issued", payload__token__in=self.token_prefixes
        ).delete()


class Observer:
    """Where the time of a run goes, seen from outside: CPU seconds of the gunicorn workers
    and of the database's server processes per request, the time the workers waited for a
    processor while runnable (/proc/<pid>/schedstat), the machine's busy share, and what the
    database connections were doing (pg_stat_activity sampled every 50 ms)."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, master: int) -> None:
        self.master = master
        self.samples: Counter[str] = Counter()
        self.stopping = threading.Event()

    @classmethod
    def _cpu(cls, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    @staticmethod
    def _waited(pid: int) -> float:
        """Seconds the process spent runnable but waiting for a processor."""
        try:
            return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return 0.0

    def _workers(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.master:
                    found.append(int(stat.parent.name))
            except (OSError, IndexError, ValueError):
                continue
        return found

    def _backends(self, conn: Any) -> list[int]:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
        return [int(r[0]) for r in rows]

    @staticmethod
    def _machine() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    def _sample(self) -> None:
        import psycopg
        from django.conf import settings

        db = settings.DATABASES["default"]
        with psycopg.connect(
            host=db["HOST"],
            port=db["PORT"] or 5432,
            user=db["USER"],
            dbname=db["NAME"],
            password=db.get("PASSWORD") or None,
            autocommit=True,
        ) as conn:
            self.pg_before = {pid: self._cpu(pid) for pid in self._backends(conn)}
            self.pg_after = dict(self.pg_before)
            while not self.stopping.wait(0.05):
                for state, wait in conn.execute(
                    "SELECT state, coalesce(wait_event_type || ':' || wait_event, '') "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchall():
                    self.samples[f"{state} {wait}".strip()] += 1
                # a backend may end during the run (CONN_MAX_AGE): keep its last reading
                for pid in self._backends(conn):
                    self.pg_after[pid] = self._cpu(pid)

    def __enter__(self) -> Observer:
        self.worker_before = {pid: self._cpu(pid) for pid in self._workers()}
        self.waited_before = {pid: self._waited(pid) for pid in self.worker_before}
        self.machine_before = self._machine()
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._sample)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.monotonic() - self.started
        self.worker_after = {pid: self._cpu(pid) for pid in self.worker_before}
        self.waited = sum(self._waited(p) - self.waited_before[p] for p in self.waited_before)
        busy, total = self._machine()
        self.machine_busy = (busy - self.machine_before[0]) / max(1, total - self.machine_before[1])
        self.stopping.set()
        self.thread.join()

    def report(self, run: dict[str, Any]) -> dict[str, Any]:
        """Per request (all requests of the run, warm-up included)."""
        requests = max(1, run["requests_all"])
        workers = sum(self.worker_after[p] - self.worker_before[p] for p in self.worker_before)
        pg = sum(self.pg_after.get(p, 0) - self.pg_before.get(p, 0) for p in self.pg_after)
        states = sum(self.samples.values()) or 1
        return {
            "wall_s": round(self.wall, 1),
            "worker_cpu_ms_per_request": round(workers / requests * 1000, 1),
            "pg_cpu_ms_per_request": round(pg / requests * 1000, 1),
            "worker_cpu_wait_ms_per_request": round(self.waited / requests * 1000, 1),
            "workers_busy_cores": round(workers / self.wall, 2),
            "pg_busy_cores": round(pg / self.wall, 2),
            "machine_busy": round(self.machine_busy, 2),
            "connections": {k: round(v / states, 3) for k, v in self.samples.most_common(8)},
        }


def run_clients(plan: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(plan, f)
    try:
        out = subprocess.run(
            [sys.executable, str(BENCH / "load_clients.py"), f.name],
            capture_output=True,
            text=True,
            check=True,
            timeout=plan["seconds"] + plan["warmup"] + 300,
        )
    finally:
        os.unlink(f.name)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def verify(fixture: Fixture, runs: list[dict[str, Any]]) -> list[str]:
    from load_verify import Observed, collect, problems

    observed = Observed()
    for r in runs:
        observed.created += r["created"]
        observed.completed += r["completed"]
        for pk, n in r["moves_ok"].items():
            observed.moves_ok[int(pk)] = observed.moves_ok.get(int(pk), 0) + n
    snapshot = collect(
        deal_ids=fixture.seeded | set(observed.created) | set(observed.moves_ok),
        marker=fixture.marker,
        created_after=fixture.created_after,
        task_ids=fixture.tasks,
    )
    return problems(snapshot, observed, seeded=fixture.seeded)


def fmt(r: dict[str, Any]) -> str:
    p50, p99 = r["p50_ms"] or 0, r["p99_ms"] or 0
    return (
        f"{r['clients']} clients: {r['rps']:.1f} req/s, p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms, {r['errors']} errors, {r['conflicts']} version conflicts"
    )


def measure(
    clients: list[int], *, seconds: float, warmup: float, tasks_per_team: int, only: str = ""
) -> tuple[list[dict[str, Any]], list[str]]:
    """Run each client count in turn against one server; verify after all of them."""
    logging.disable(logging.INFO)  # SpiffWorkflow logs every state change of the setup
    try:
        fixture = Fixture(deals_per_team=8, tasks_per_team=tasks_per_team)
    finally:
        logging.disable(logging.NOTSET)
    runs: list[dict[str, Any]] = []
    try:
        with gunicorn() as (port, master):
            # every worker imports the URL map, the API and its schemas on its first requests:
            # a short unmeasured run first (its writes are verified like the others)
            warm = run_clients(fixture.plan(port=port, clients=2 * WORKERS, seconds=1, warmup=2))
            for n in clients:
                plan = fixture.plan(port=port, clients=n, seconds=seconds, warmup=warmup, only=only)
                with Observer(master) as observer:
                    runs.append(run_clients(plan))
                runs[-1]["where"] = observer.report(runs[-1])
                print(f"  load {fmt(runs[-1])}", file=sys.stderr, flush=True)
                for sample in runs[-1]["error_samples"][:5]:
                    print(f"    error: {sample}", file=sys.stderr, flush=True)
        found = verify(fixture, [warm, *runs])
    finally:
        fixture.cleanup()
    return runs, found


def bench_load(*, seconds: float, warmup: float, dataset: str) -> Any:
    """`make bench`: one client, then `LATENCY_CLIENTS` (its p99 is reported), then 16 clients,
    `seconds` each; the ratio compares 16 clients with one."""
    from greenwave.datagen.benchreport import FAIL, verdict

    runs, found = measure(
        [1, LATENCY_CLIENTS, 16],
        seconds=seconds,
        warmup=warmup,
        tasks_per_team=max(8, int(seconds * 3 / 4)),
    )
    one, eight, many = runs
    errors = sum(r["errors"] for r in runs)
    samples = [s for r in runs for s in r["error_samples"]][:3]
    writes = sum(_writes(r) for r in runs)
    result = verdict(
        NAME,
        ours=many["rps"],
        ceiling=WORKERS * one["rps"],
        target=TARGET,
        details=(
            f"mixed deals/tasks API on gunicorn -w {WORKERS} (sync); {fmt(many)} vs "
            f"{WORKERS} × one client {one['rps']:.1f} req/s (p50 {one['p50_ms']:.0f} ms); "
            f"{writes} writes verified, lost updates: {len(found)}"
            + (f" ({'; '.join(found[:3])})" if found else "")
            + (f"; errors: {'; '.join(samples)}" if errors else "")
            + f"; {_latency_text(eight)}; {_where(many)}; {dataset}"
        ),
        figures={
            "runs": [_slim(r) for r in runs],
            "problems": found[:50],
            "latency": _latency(eight),
        },
    )
    if errors or found:
        result.status = FAIL
    return result


def _latency(r: dict[str, Any]) -> dict[str, Any]:
    """The results JSON's latency figures: p50/p99 of the run with `LATENCY_CLIENTS` clients,
    of all its requests and of each operation of the mix."""
    return {
        "clients": r["clients"],
        "p50_ms": round(r["p50_ms"] or 0, 1),
        "p99_ms": round(r["p99_ms"] or 0, 1),
        "ops_p99_ms": {op: round(o["p99_ms"] or 0, 1) for op, o in r["ops"].items()},
    }


def _latency_text(r: dict[str, Any]) -> str:
    ops = ", ".join(f"{op} {o['p99_ms'] or 0:.0f}" for op, o in r["ops"].items())
    return f"{r['clients']} clients: p99 {r['p99_ms'] or 0:.0f} ms ({ops} ms)"


def _where(r: dict[str, Any]) -> str:
    w = r["where"]
    return (
        f"per request the workers spent {w['worker_cpu_ms_per_request']} ms of CPU and waited "
        f"{w['worker_cpu_wait_ms_per_request']} ms for a processor, PostgreSQL "
        f"{w['pg_cpu_ms_per_request']} ms of CPU; machine busy {w['machine_busy']:.0%}"
    )


def _writes(r: dict[str, Any]) -> int:
    return len(r["created"]) + sum(r["moves_ok"].values()) + len(r["completed"])


def _slim(r: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in r.items() if k not in {"created", "moves_ok", "completed"}}


def main() -> int:
    parser = argparse.ArgumentParser(description="the bounded load test, alone")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--deals", type=int, default=None, help="dataset size")
    parser.add_argument("--only", choices=list(MIX), default="", help="one request kind only")
    args = parser.parse_args()
    quick = bool(os.environ.get("QUICK"))
    seconds = args.seconds or (10.0 if quick else 60.0)
    warmup = 1.0 if quick else 3.0
    deals = args.deals or (20_000 if quick else 1_000_000)

    import benchdb

    benchdb.ensure(deals=deals, seed=1, events_per_deal=None)
    runs, found = measure(
        args.clients,
        seconds=seconds,
        warmup=warmup,
        tasks_per_team=max(8, int(seconds * len(args.clients) / 4)),
        only=args.only,
    )
    print("| clients | req/s | p50 ms | p99 ms | errors | 409 conflicts | writes |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        writes = _writes(r)
        print(
            f"| {r['clients']} | {r['rps']:.1f} | {r['p50_ms'] or 0:.0f} | {r['p99_ms'] or 0:.0f} "
            f"| {r['errors']} | {r['conflicts']} | {writes} |"
        )
    for r in runs:
        per_op = ", ".join(
            f"{op} {o['rps']:.1f}/s p50 {o['p50_ms'] or 0:.0f} p99 {o['p99_ms'] or 0:.0f} ms"
            for op, o in r["ops"].items()
            if o["requests"]
        )
        print(f"{r['clients']} clients: {per_op}")
        print(f"  where the time goes: {json.dumps(r.get('where'), ensure_ascii=False)}")
        for sample in r["error_samples"]:
            print(f"  error: {sample}")
    print(f"lost updates: {len(found)}")
    for line in found[:20]:
        print(f"  {line}")
    return 1 if found or any(r["errors"] for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
