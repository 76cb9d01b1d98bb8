"""What a process step costs the server, statement by statement (issue #23).

Run from the repository (`PYTHONPATH=src .venv/bin/python bench/bpm_split.py [N] [ROUNDS]`,
`BENCH_DB` naming a copy of the quick benchmark database): the benchmark's ten-task process is
deployed, an instance started and five of its tasks completed through the services; the sixth
completion's message is captured as the step builds it (`stepwrites._one_message`) and ends in
ROLLBACK instead of COMMIT, so the instance's row keeps the version the message's guards name.
That message is then sent again on a connection of its own, whole and in parts (each statement
alone, the instance's UPDATE with a smaller state, the events statement with one event or
without its definition links), N times a variant, the variants taking turns for ROUNDS rounds.
Each figure is the backend's CPU an execution (`/proc/<pid>/stat`, utime + stime: the machine
must be the server's) less that of an empty transaction, and the wall time of the round trip.
Without the COMMIT nothing is flushed and the deferred foreign-key checks do not run (one
variant runs them: `SET CONSTRAINTS ALL IMMEDIATE` before the ROLLBACK); the flush is the rest
of a step's server time. The instance and its events are deleted at the end.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

QUICK_DEALS = 20_000
STATE_HEAD = '{"data"'


def _captured_step() -> tuple[list[tuple[str, tuple[Any, ...]]], int]:
    """The statements (text, values) of one completion, its COMMIT replaced by ROLLBACK, and
    the instance's id."""
    import bpm_bench

    from greenwave.accounts.models import User
    from greenwave.bpm import services, stepwrites

    admin = User.objects.get(username="gen_admin_01")
    runner = User.objects.get(username="gen_hunter_01")
    definition = services.definition_upload_and_deploy(
        actor=admin, xml=bpm_bench.lead_process_xml(), key="bench_lead_10"
    )
    instance = services.instance_start(actor=runner, definition=definition)
    [task] = services.tasks_opened(instance)
    for _ in range(5):
        done = services.task_complete(actor=runner, task=task, data={})
        [task] = services.tasks_opened(done.instance)
    captured: list[tuple[str, tuple[Any, ...]]] = []
    original = stepwrites._one_message

    def capture(cursor: Any, statements: list[Any]) -> tuple[str, list[Any] | None]:
        if statements[-1][0] == "COMMIT" and not captured:
            statements = [*statements[:-1], ("ROLLBACK", (), None, None)]
            captured.extend((sql, tuple(params)) for sql, params, *_rest in statements)
        return original(cursor, statements)

    stepwrites._one_message = capture
    try:
        services.task_complete(actor=runner, task=task, data={})
    finally:
        stepwrites._one_message = original
    return captured, instance.pk


def _replaced(params: tuple[Any, ...], test: Callable[[Any], bool], new: Any) -> tuple[Any, ...]:
    return tuple(new(value) if test(value) else value for value in params)


def _is_state(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(STATE_HEAD)


def _is_entries(value: Any) -> bool:
    return isinstance(value, str) and value.startswith('[{"n": 0, "activity"')


def _is_links(value: Any) -> bool:
    return isinstance(value, str) and value.startswith('[{"n": 0, "object_type"')


def _variants(statements: list[tuple[str, tuple[Any, ...]]]) -> dict[str, list[Any]]:
    """Each variant: the statements of its message (BEGIN …; ROLLBACK)."""
    begin, end = ("BEGIN", ()), ("ROLLBACK", ())
    # What the COMMIT would check (the constraints are DEFERRABLE INITIALLY DEFERRED).
    immediate = ("SET CONSTRAINTS ALL IMMEDIATE", ())
    body = [s for s in statements if s[0] not in ("BEGIN", "ROLLBACK")]
    [update] = [s for s in body if any(_is_state(v) for v in s[1])]
    [events] = [s for s in body if any(_is_entries(v) for v in s[1])]
    others = [s for s in body if s is not update and s is not events]

    def first_only(value: str) -> str:
        return json.dumps(json.loads(value)[:1])

    variants: dict[str, list[Any]] = {
        "empty transaction": [begin, end],
        "whole message": [begin, *body, end],
        "  and its deferred foreign-key checks": [begin, *body, immediate, end],
        "instance UPDATE": [begin, update, end],
        "  with a third of the state": [
            begin,
            (update[0], _replaced(update[1], _is_state, lambda v: v[: len(v) // 3])),
            end,
        ],
        "  with an empty state": [
            begin,
            (update[0], _replaced(update[1], _is_state, lambda v: "{}")),
            end,
        ],
        "events (2 events, 2 links)": [begin, events, end],
        "  one event, one link": [
            begin,
            (
                events[0],
                _replaced(_replaced(events[1], _is_entries, first_only), _is_links, first_only),
            ),
            end,
        ],
        "  2 events, no links": [
            begin,
            (events[0], _replaced(events[1], _is_links, lambda v: "[]")),
            end,
        ],
    }
    new_case = _new_case_events(events)
    if new_case is not None:
        variants["  without the case's lock and previous event"] = [begin, new_case, end]
    for n, statement in enumerate(others, start=1):
        variants[f"task statement {n} ({statement[0][:28]}…)"] = [begin, statement, end]
    return variants


def _new_case_events(events: tuple[str, tuple[Any, ...]]) -> tuple[str, tuple[Any, ...]] | None:
    """The events statement as a new case's (`new_case`: no lock, no previous event), prepared
    by the instance's start in this process: its values are the step's from the entries on."""
    from greenwave.bpm import stepwrites
    from greenwave.core.services import _NO_PREVIOUS_SQL

    for name, text in stepwrites._SOURCES.items():
        if text.startswith(_NO_PREVIOUS_SQL):
            return (f"EXECUTE {name}(%s, %s, %s, %s)", events[1][3:])
    return None


def _numbered(text: str) -> str:
    """A statement's `%s` placeholders as PREPARE's `$1`, `$2`, … (`%%` as `%`)."""
    from greenwave.bpm import stepwrites

    numbers = iter(range(1, text.count("%s") + 1))
    return stepwrites._PLACEHOLDER.sub(lambda m: f"${next(numbers)}" if m[0] == "%s" else "%", text)


def _measure(variants: dict[str, list[Any]], count: int, rounds: int) -> dict[str, list[Any]]:
    import psycopg

    from greenwave.bpm import stepwrites

    conn = psycopg.ClientCursor(psycopg.connect(benchdb.database_url(QUICK_DEALS), autocommit=True))
    for name, text in stepwrites._SOURCES.items():
        body = _numbered(text)
        conn.execute(f"PREPARE {name} AS {body}")
    texts = {
        name: ";\n".join(conn.mogrify(sql, params) for sql, params in statements)
        for name, statements in variants.items()
    }
    stat = Path(f"/proc/{conn.connection.info.backend_pid}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    figures: dict[str, list[Any]] = {name: [] for name in texts}
    for _ in range(rounds):
        for name, text in texts.items():
            cpu_before, wall_before = cpu(), time.perf_counter()
            for _n in range(count):
                conn.execute(text)
            figures[name].append(
                (
                    (cpu() - cpu_before) / count * 1000,
                    (time.perf_counter() - wall_before) / count * 1000,
                )
            )
    conn.connection.close()
    print("message sizes (characters):", {name: len(text) for name, text in texts.items()})
    return figures


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    benchdb.setup_django(QUICK_DEALS)
    import bpm_bench

    statements, instance_id = _captured_step()
    try:
        figures = _measure(_variants(statements), count, rounds)
    finally:
        bpm_bench._cleanup([instance_id])
    empty = sorted(c for c, _w in figures["empty transaction"])[rounds // 2]
    # The least of the rounds too: on a shared machine the noise only adds.
    print(f"backend CPU ms an execution less an empty transaction's ({empty:.3f}): each round, ")
    print("their least; wall ms")
    for name, values in figures.items():
        cpus = [c - empty for c, _w in values]
        walls = " ".join(f"{w:6.3f}" for _c, w in values)
        each = " ".join(f"{c:6.3f}" for c in cpus)
        print(f"{name:44s} {each}  min {min(cpus):6.3f}  | {walls}")


if __name__ == "__main__":
    main()
