"""`api_list`, `api_create`: requests/s through the full stack vs a bare Django view.

Both sites run under gunicorn (gthread, 2 workers × 4 threads, keep-alive) on 127.0.0.1 with
Greenwave's production settings and the same database; `loadgen.py` drives them from its own
process. Greenwave: bearer token, middleware, scoping (a head of sales sees their teams),
ninja schemas, services with events. Ceiling: the same query and JSON, nothing else.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greenwave.datagen.benchreport import BenchResult, verdict

TARGET = 0.5
CLIENTS = 8  # concurrent keep-alive clients of every load (the p50/p99 are theirs)
BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "-k",
    "gthread",
    "-w",
    "2",
    "--threads",
    "4",
    "--keep-alive",
    "30",
    "--log-level",
    "warning",
    "--access-logfile",
    "/dev/null",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        DEBUG="false",
        PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


@contextmanager
def serving(argv: list[str], env: dict[str, str], what: str, stop_s: float = 10) -> Iterator[int]:
    """Run `argv` (a server given `-b 127.0.0.1:<port>` by the caller) until it accepts on
    the port; yields its pid and stops it on leaving."""
    port = int(argv[argv.index("-b") + 1].rsplit(":", 1)[1])
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    raise RuntimeError(f"{what} did not start: {err[-2000:]}") from None
                time.sleep(0.2)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def server(app: str, settings: str) -> Iterator[int]:
    port = free_port()
    argv = [*GUNICORN, "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), app]
    with serving(argv, _env(settings), app):
        yield port


def load(
    port: int,
    path: str,
    *,
    seconds: float,
    warmup: float,
    method: str = "GET",
    body: str = "",
    headers: tuple[str, ...] = (),
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(BENCH / "loadgen.py"),
        "--port",
        str(port),
        "--path",
        path,
        "--method",
        method,
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
        "--threads",
        str(CLIENTS),
    ]
    if body:
        cmd += ["--body", body]
    for h in headers:
        cmd += ["--header", h]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 120)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def get_json(port: int, path: str, headers: dict[str, str]) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers=headers)
        return json.loads(conn.getresponse().read())
    finally:
        conn.close()


def _fmt(r: dict[str, Any]) -> str:
    return (
        f"{r['rps']:.0f} req/s p50 {r['p50_ms']:.1f} ms p99 {r['p99_ms']:.1f} ms "
        f"({r['clients']} clients)"
    )


def _latency(ours: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, Any]:
    """The results JSON's latency figures of one benchmark: p50/p99 of both sides."""
    return {
        "clients": ours["clients"],
        "p50_ms": round(ours["p50_ms"], 1),
        "p99_ms": round(ours["p99_ms"], 1),
        "ceiling_p50_ms": round(ceiling["p50_ms"], 1),
        "ceiling_p99_ms": round(ceiling["p99_ms"], 1),
    }


def _check(r: dict[str, Any], ok: int, what: str) -> None:
    if r["requests"] == 0 or set(r["statuses"]) != {str(ok)}:
        raise AssertionError(f"{what}: statuses {r['statuses']}, errors {r['errors']}")


@dataclass(frozen=True)
class _Case:
    """What both servers are asked: the head of sales' token, the list paths (the bare one
    scoped to the head's teams by hand) and the bodies of a new deal."""

    auth: str
    api_list_path: str
    bare_list_path: str
    api_body: str
    bare_body: str
    last_deal: int  # the deals after it are the benchmark's, deleted at the end


def _case() -> _Case:
    from greenwave.accounts.models import Team, User
    from greenwave.accounts.scoping import scope_records
    from greenwave.accounts.services import token_issue
    from greenwave.sales.models import Deal, Pipeline

    head = User.objects.get(username="gen_head_of_sales_02")
    _token, raw = token_issue(actor=None, user=head, name="bench")
    teams = sorted(
        set(scope_records(Deal.objects.all(), actor=head).values_list("team_id", flat=True))
    )
    team_qs = "&".join(f"team={t}" for t in teams)
    pipeline = Pipeline.objects.get(code="b2b")
    assert Team.objects.filter(pk__in=teams).exists()
    deal = {"title": "Бенчмарк {n}", "pipeline_id": pipeline.pk, "amount": "1000"}
    return _Case(
        auth=f"Bearer {raw}",
        api_list_path="/api/v1/deals?page_size=50",
        bare_list_path=f"/bare/deals?page_size=50&{team_qs}",
        api_body=json.dumps(deal),
        bare_body=json.dumps({**deal, "responsible_id": head.pk, "team_id": head.team_id}),
        last_deal=Deal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )


def _measure(
    case: _Case, *, seconds: float, warmup: float
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The four loads (list and create, ours and bare) and the first list page of each;
    the deals created are deleted with their events afterwards."""
    from greenwave.core.models import Event
    from greenwave.sales.models import Deal

    auth = (f"Authorization: {case.auth}",)
    figures: dict[str, Any] = {}
    try:
        with (
            server("greenwave.config.wsgi:application", "greenwave.config.settings.prod") as gw,
            server("bare_wsgi:application", "bare_site") as bare,
        ):
            api_page = get_json(gw, case.api_list_path, {"Authorization": case.auth})
            bare_page = get_json(bare, case.bare_list_path, {})
            figures["api_list"] = load(
                gw, case.api_list_path, seconds=seconds, warmup=warmup, headers=auth
            )
            figures["bare_list"] = load(bare, case.bare_list_path, seconds=seconds, warmup=warmup)
            figures["api_create"] = load(
                gw,
                "/api/v1/deals",
                seconds=seconds,
                warmup=warmup,
                method="POST",
                body=case.api_body,
                headers=auth,
            )
            figures["bare_create"] = load(
                bare,
                "/bare/deals",
                seconds=seconds,
                warmup=warmup,
                method="POST",
                body=case.bare_body,
            )
    finally:
        created = list(Deal.objects.filter(pk__gt=case.last_deal).values_list("pk", flat=True))
        Event.objects.filter(case_type="deal", case_id__in=[str(pk) for pk in created]).delete()
        Deal.objects.filter(pk__in=created).delete()
    return figures, api_page, bare_page


def bench_api(*, seconds: float, warmup: float, dataset: str) -> list[BenchResult]:
    figures, api_page, bare_page = _measure(_case(), seconds=seconds, warmup=warmup)
    same = api_page["count"] == bare_page["count"] and [d["id"] for d in api_page["items"]] == [
        d["id"] for d in bare_page["items"]
    ]
    if not same:
        raise AssertionError("api_list and the bare view answer different pages")
    _check(figures["api_list"], 200, "api_list")
    _check(figures["bare_list"], 200, "bare_list")
    _check(figures["api_create"], 201, "api_create")
    _check(figures["bare_create"], 201, "bare_create")
    seen = api_page["count"]  # null beyond GREENWAVE_LIST_COUNT_LIMIT (bounded counts)
    scope = (
        f"head of sales sees {seen} deals"
        if seen is not None
        else "head of sales sees more deals than the list's count limit"
    )
    return [
        verdict(
            "api_list",
            ours=figures["api_list"]["rps"],
            ceiling=figures["bare_list"]["rps"],
            target=TARGET,
            details=f"GET /api/v1/deals?page_size=50 {_fmt(figures['api_list'])} vs bare view "
            f"{_fmt(figures['bare_list'])}; {scope}; same page; {dataset}",
            figures={
                "ours": figures["api_list"],
                "ceiling": figures["bare_list"],
                "latency": _latency(figures["api_list"], figures["bare_list"]),
            },
        ),
        verdict(
            "api_create",
            ours=figures["api_create"]["rps"],
            ceiling=figures["bare_create"]["rps"],
            target=TARGET,
            details=f"POST /api/v1/deals {_fmt(figures['api_create'])} vs bare insert of deal + "
            f"event {_fmt(figures['bare_create'])}; {dataset}",
            figures={
                "ours": figures["api_create"],
                "ceiling": figures["bare_create"],
                "latency": _latency(figures["api_create"], figures["bare_create"]),
            },
        ),
    ]
