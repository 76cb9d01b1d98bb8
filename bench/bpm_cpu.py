"""The CPU of an operation of `bpm_throughput`'s two durable sides, the client's and its
PostgreSQL backend's (issue #23).

Run from the repository (`.venv/bin/python bench/bpm_cpu.py [SECONDS] [ROUNDS]`, `BENCH_DB`
naming a copy of the quick benchmark database; the machine must be the server's). Greenwave's
loop and SpiffWorkflow's with one saved row per step (`bpm_bench`'s own sides) take turns in
windows of SECONDS, ROUNDS rounds. For each window: instances/s, wall ms an operation (a start
or a step: eleven an instance), the process's CPU ms an operation (`time.process_time`) and
its backend's (`/proc/<pid>/stat`, utime + stime). On a shared machine the rates measure the
load; the CPU an operation moves much less with it, and the sides' CPU ratio is what a quiet
machine's rate ratio would be if wall time were CPU time plus the same flush on both sides.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

QUICK_DEALS = 20_000
OPERATIONS = 11  # a start and ten steps an instance
# `bpm_bench.Window`: run for about so many seconds, answer (instances done, seconds taken).
Window = Callable[[float], tuple[int, float]]


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _sides() -> dict[str, Callable[[], AbstractContextManager[Window]]]:
    import bpm_bench

    xml = bpm_bench.lead_process_xml()
    return {
        "greenwave": lambda: bpm_bench._greenwave(xml),
        "spiff, saved row": lambda: bpm_bench._spiff(xml, saved=True),
    }


def _windows(seconds: float, rounds: int) -> Iterator[str]:
    sides = _sides()
    for number in range(rounds):
        for name, side in sides.items():
            with side() as window:
                window(0.5)  # warm
                pid = _backend_pid()
                backend, own = _backend_cpu(pid), time.process_time()
                count, wall = window(seconds)
                own, backend = time.process_time() - own, _backend_cpu(pid) - backend
            ops = count * OPERATIONS
            yield (
                f"{number} {name:17s} {count / wall:6.1f}/s  wall {wall / ops * 1e3:6.3f}  "
                f"process {own / ops * 1e3:6.3f}  backend {backend / ops * 1e3:6.3f} ms an "
                f"operation  (load {os.getloadavg()[0]:.1f})"
            )


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    benchdb.setup_django(QUICK_DEALS)
    for line in _windows(seconds, rounds):
        print(line, flush=True)


if __name__ == "__main__":
    main()
