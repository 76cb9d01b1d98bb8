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


def run(plan: dict[str, Any]) -> dict[str, Any]:
    port, seconds, warmup = plan["port"], plan["seconds"], plan["warmup"]
    stages: list[int] = plan["stages"]
    teams = {
        key: Team({int(k): (v[0], v[1]) for k, v in t["deals"].items()}, t["tasks"])
        for key, t in plan["teams"].items()
    }
    results = Results()
    mix = {plan["only"]: 1} if plan.get("only") else MIX  # one kind of request, to analyse it
    ops, weights = list(mix), list(mix.values())
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + seconds

    def client(index: int, spec: dict[str, Any]) -> None:
        rng = random.Random(plan.get("seed", 1) * 1000 + index)
        team = teams[spec["team"]]
        headers = {"Authorization": f"Bearer {spec['token']}", "Content-Type": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        reload: int | None = None  # a deal answered 409: read it again before anything else
        while True:
            began = time.perf_counter()
            if began >= stop:
                break
            n += 1
            op = "get_deal" if reload is not None else rng.choices(ops, weights)[0]
            body: dict[str, Any] | None = None
            deal = task = None
            if op == "list_deals":
                method, path = "GET", f"/api/v1/deals?page_size=20&page={rng.randint(1, 3)}"
            elif op == "get_deal":
                deal = reload if reload is not None else team.pick(rng)[0]
                reload = None
                method, path = "GET", f"/api/v1/deals/{deal}"
            elif op == "create_deal":
                method, path = "POST", "/api/v1/deals"
                body = {
                    "title": f"{plan['marker']} {index}-{n}",
                    "pipeline_id": plan["pipeline"],
                    "amount": str(rng.randint(1, 500) * 1000),
                }
            elif op == "move_deal":
                deal, version, stage = team.pick(rng)
                method, path = "POST", f"/api/v1/deals/{deal}/move"
                body = {
                    "stage_id": rng.choice([s for s in stages if s != stage]),
                    "version": version,
                    "override_comment": "load test",
                }
            elif op == "list_tasks":
                method, path = "GET", "/api/v1/tasks?scope=mine&page_size=20"
            else:
                task = team.next_task()
                if task is None:  # the team's approvals are all done: look at the inbox
                    op, method, path = "list_tasks", "GET", "/api/v1/tasks?scope=mine&page_size=20"
                else:
                    method, path = "POST", f"/api/v1/tasks/{task}/complete"
                    body = {"data": {"decision": "approve", "comment": "load test"}}
            try:
                conn.request(
                    method,
                    path,
                    body=json.dumps(body).encode() if body is not None else None,
                    headers=headers,
                )
                response = conn.getresponse()
                raw = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                with results.lock:
                    results.errors += 1
                    if len(results.samples) < SAMPLES:
                        results.samples.append(f"{op} {path}: {type(exc).__name__} {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            done = time.perf_counter()
            answer: Any = None
            if raw and response.getheader("Content-Type", "").startswith("application/json"):
                answer = json.loads(raw)
            conflict = op == "move_deal" and status == 409
            ok = status in OK[op]
            with results.lock:
                results.all += 1
                if began >= measure_from and done <= stop:
                    results.latencies[op].append(done - began)
                    key = str(status)
                    results.statuses[op][key] = results.statuses[op].get(key, 0) + 1
                if conflict:
                    results.conflicts += 1
                elif not ok:
                    results.errors += 1
                    if len(results.samples) < SAMPLES:
                        results.samples.append(f"{op} {path}: {status} {raw[:300]!r}")
                if ok and op == "create_deal":
                    results.created.append(int(answer["id"]))
                elif ok and op == "move_deal":
                    results.moves_ok[deal] = results.moves_ok.get(deal, 0) + 1  # type: ignore[index]
                elif ok and op == "complete_task":
                    results.completed.append(task)  # type: ignore[arg-type]
            if ok and op in {"get_deal", "create_deal", "move_deal"}:
                team.seen(int(answer["id"]), int(answer["version"]), int(answer["stage_id"]))
            elif conflict:
                reload = deal
        conn.close()

    threads = [
        threading.Thread(target=client, args=(i, spec)) for i, spec in enumerate(plan["clients"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [x for values in results.latencies.values() for x in values]
    ms = 1000.0

    def summary(values: list[float]) -> dict[str, Any]:
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        return {
            "requests": len(values),
            "rps": len(values) / seconds,
            "p50_ms": p50 * ms if p50 is not None else None,
            "p99_ms": p99 * ms if p99 is not None else None,
        }

    return {
        "clients": len(plan["clients"]),
        "seconds": seconds,
        **summary(flat),
        "requests_all": results.all,
        "errors": results.errors,
        "conflicts": results.conflicts,
        "error_samples": results.samples,
        "ops": {
            op: {**summary(results.latencies[op]), "statuses": results.statuses[op]} for op in MIX
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
