"""The clients of the load test: N threads, each a user with a bearer token, mixed requests.

Run as its own process by `load_bench.py` (so the clients do not share the server's or the
benchmark's interpreter): `python bench/load_clients.py PLAN.json` prints one JSON object.
Standard library only (http.client over keep-alive connections).

Each client repeats, for the plan's seconds, a request drawn from `MIX`: list deals, get a
deal, create a deal, move a deal with the version it last saw (a 409 "stale version" is the
optimistic lock working: the client takes the version from the answer and goes on), list its
task inbox, complete a task of a running approval process of its team. Deals of a team are
shared by the clients of that team, so moves race on the same rows.

A request counts in the figures (requests/s, latency percentiles) when it started after the
warm-up and ended before the stop; every answered write counts in what the database is checked
against (`created`, `moves_ok`, `completed`), warm-up included.
"""

from __future__ import annotations

import http.client
import json
import math
import random
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

# weights of the operations (out of 100)
MIX: dict[str, int] = {
    "list_deals": 25,
    "get_deal": 20,
    "create_deal": 10,
    "move_deal": 25,
    "list_tasks": 15,
    "complete_task": 5,
}
OK = {
    "list_deals": {200},
    "get_deal": {200},
    "create_deal": {201},
    "move_deal": {200},
    "list_tasks": {200},
    "complete_task": {200},
}
SAMPLES = 20  # error answers kept for the report


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, min(len(ordered), math.ceil(fraction * len(ordered)))) - 1]


class Team:
    """What the clients of one team share: its deals with their last seen versions, the
    tasks still to complete."""

    def __init__(self, deals: dict[int, tuple[int, int]], tasks: list[int]) -> None:
        self.lock = threading.Lock()
        self.deals = list(deals)
        # deal -> (version, stage) of the newest answer seen: a version and the stage of the
        # same answer, so a move with a current version always goes to another stage
        self.seen_as: dict[int, tuple[int, int]] = dict(deals)
        self.tasks = list(tasks)

    def pick(self, rng: random.Random) -> tuple[int, int, int]:
        with self.lock:
            pk = rng.choice(self.deals)
            return (pk, *self.seen_as[pk])

    def seen(self, pk: int, version: int, stage: int) -> None:
        with self.lock:
            if pk not in self.seen_as:
                self.deals.append(pk)
            if version >= self.seen_as.get(pk, (0, 0))[0]:
                self.seen_as[pk] = (version, stage)

    def next_task(self) -> int | None:
        with self.lock:
            return self.tasks.pop() if self.tasks else None


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {op: [] for op in MIX}
        self.statuses: dict[str, dict[str, int]] = {op: {} for op in MIX}
        self.errors = 0
        self.all = 0  # every answered request, warm-up included
        self.conflicts = 0
        self.samples: list[str] = []
        self.created: list[int] = []
        self.moves_ok: dict[int, int] = {}
        self.completed: list[int] = []


@dataclass
class Request:
    """One request a client is about to send, with the deal or task it is about."""

    op: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    deal: int | None = None
    task: int | None = None


@dataclass(frozen=True)
class Clock:
    """When the figures start counting (after the warm-up) and when the clients stop."""

    measure_from: float
    stop: float


class Client:
    """One user of the load test: its own connection, random stream and team."""

    def __init__(
        self, plan: dict[str, Any], index: int, team: Team, results: Results, clock: Clock
    ) -> None:
        self.plan, self.index, self.team = plan, index, team
        self.results, self.clock = results, clock
        self.rng = random.Random(plan.get("seed", 1) * 1000 + index)
        spec = plan["clients"][index]
        self.headers = {
            "Authorization": f"Bearer {spec['token']}",
            "Content-Type": "application/json",
        }
        mix = {plan["only"]: 1} if plan.get("only") else MIX  # one kind of request, to analyse it
        self.ops, self.weights = list(mix), list(mix.values())
        self.conn = self.connect()
        self.n = 0
        self.reload: int | None = None  # a deal answered 409: read it again before anything else

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.plan["port"], timeout=60)

    def run(self) -> None:
        while True:
            began = time.perf_counter()
            if began >= self.clock.stop:
                break
            self.n += 1
            op = (
                "get_deal"
                if self.reload is not None
                else self.rng.choices(self.ops, self.weights)[0]
            )
            request = self.request(op)
            answered = self.send(request)
            if answered is None:
                continue
            status, raw, answer, done = answered
            self.record(request, (status, raw, answer), began, done)
            conflict = request.op == "move_deal" and status == 409
            if status in OK[request.op] and request.op in {"get_deal", "create_deal", "move_deal"}:
                self.team.seen(int(answer["id"]), int(answer["version"]), int(answer["stage_id"]))
            elif conflict:
                self.reload = request.deal
        self.conn.close()

    def request(self, op: str) -> Request:
        """The request of `op`, drawn from the client's random stream and its team's rows."""
        rng = self.rng
        if op == "list_deals":
            return Request(op, "GET", f"/api/v1/deals?page_size=20&page={rng.randint(1, 3)}")
        if op == "get_deal":
            deal = self.reload if self.reload is not None else self.team.pick(rng)[0]
            self.reload = None
            return Request(op, "GET", f"/api/v1/deals/{deal}", deal=deal)
        if op == "create_deal":
            body = {
                "title": f"{self.plan['marker']} {self.index}-{self.n}",
                "pipeline_id": self.plan["pipeline"],
                "amount": str(rng.randint(1, 500) * 1000),
            }
            return Request(op, "POST", "/api/v1/deals", body)
        if op == "move_deal":
            deal, version, stage = self.team.pick(rng)
            body = {
                "stage_id": rng.choice([s for s in self.plan["stages"] if s != stage]),
                "version": version,
                "override_comment": "load test",
            }
            return Request(op, "POST", f"/api/v1/deals/{deal}/move", body, deal=deal)
        inbox = Request("list_tasks", "GET", "/api/v1/tasks?scope=mine&page_size=20")
        if op == "list_tasks":
            return inbox
        task = self.team.next_task()
        if task is None:  # the team's approvals are all done: look at the inbox
            return inbox
        body = {"data": {"decision": "approve", "comment": "load test"}}
        return Request(op, "POST", f"/api/v1/tasks/{task}/complete", body, task=task)

    def send(self, request: Request) -> tuple[int, bytes, Any, float] | None:
        """The status, raw body, JSON answer and when it was read; None when the connection
        failed (counted as an error, the connection opened again)."""
        body = request.body
        try:
            self.conn.request(
                request.method,
                request.path,
                body=json.dumps(body).encode() if body is not None else None,
                headers=self.headers,
            )
            response = self.conn.getresponse()
            raw = response.read()
            done = time.perf_counter()
        except (OSError, http.client.HTTPException) as exc:
            results = self.results
            with results.lock:
                results.errors += 1
                if len(results.samples) < SAMPLES:
                    sample = f"{request.op} {request.path}: {type(exc).__name__} {exc}"
                    results.samples.append(sample)
            self.conn.close()
            self.conn = self.connect()
            return None
        answer: Any = None
        if raw and response.getheader("Content-Type", "").startswith("application/json"):
            answer = json.loads(raw)
        return response.status, raw, answer, done

    def record(
        self, request: Request, answered: tuple[int, bytes, Any], began: float, done: float
    ) -> None:
        """Counts an answer (status, raw body, JSON): its latency and status when inside the
        measured window, and every answered write (warm-up included)."""
        status, raw, answer = answered
        op, results = request.op, self.results
        conflict = op == "move_deal" and status == 409
        ok = status in OK[op]
        with results.lock:
            results.all += 1
            if began >= self.clock.measure_from and done <= self.clock.stop:
                results.latencies[op].append(done - began)
                key = str(status)
                results.statuses[op][key] = results.statuses[op].get(key, 0) + 1
            if conflict:
                results.conflicts += 1
            elif not ok:
                results.errors += 1
                if len(results.samples) < SAMPLES:
                    results.samples.append(f"{op} {request.path}: {status} {raw[:300]!r}")
            if ok and op == "create_deal":
                results.created.append(int(answer["id"]))
            elif ok and op == "move_deal" and request.deal is not None:
                results.moves_ok[request.deal] = results.moves_ok.get(request.deal, 0) + 1
            elif ok and op == "complete_task" and request.task is not None:
                results.completed.append(request.task)


def summary(values: list[float], seconds: float) -> dict[str, Any]:
    ms = 1000.0
    p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
    return {
        "requests": len(values),
        "rps": len(values) / seconds,
        "p50_ms": p50 * ms if p50 is not None else None,
        "p99_ms": p99 * ms if p99 is not None else None,
    }


def run(plan: dict[str, Any]) -> dict[str, Any]:
    seconds = plan["seconds"]
    teams = {
        key: Team({int(k): (v[0], v[1]) for k, v in t["deals"].items()}, t["tasks"])
        for key, t in plan["teams"].items()
    }
    results = Results()
    measure_from = time.perf_counter() + plan["warmup"]
    clock = Clock(measure_from=measure_from, stop=measure_from + seconds)
    clients = [
        Client(plan, i, teams[spec["team"]], results, clock)
        for i, spec in enumerate(plan["clients"])
    ]
    threads = [threading.Thread(target=client.run) for client in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for values in results.latencies.values() for x in values]
    return {
        "clients": len(plan["clients"]),
        "seconds": seconds,
        **summary(flat, seconds),
        "requests_all": results.all,
        "errors": results.errors,
        "conflicts": results.conflicts,
        "error_samples": results.samples,
        "ops": {
            op: {**summary(results.latencies[op], seconds), "statuses": results.statuses[op]}
            for op in MIX
        },
        "created": results.created,
        "moves_ok": {str(k): v for k, v in results.moves_ok.items()},
        "completed": results.completed,
    }


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    print(json.dumps(run(plan)))


if __name__ == "__main__":
    main()
