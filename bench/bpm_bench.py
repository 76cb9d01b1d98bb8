"""`bpm_throughput`: instances/s of a 10-step lead process through Greenwave's BPM services
(every step a transaction: row lock, advance, save the state, tasks, events; the client
goes on with the task the previous step opened, without reading it again) vs the same BPMN
run by SpiffWorkflow with one saved row per step (its serialized state written to a
PostgreSQL row after the start and after every step, each write its own transaction) —
target ≥ 0.5. Beside it, the rate of SpiffWorkflow in memory (parse once, no persistence)
and Greenwave's share of it.

`bpm_vs_bpmn_engine`: the same Greenwave rate vs the npm package `bpmn-engine` running the same
BPMN in Node on the same machine with its state saved after every step (`bench/node-peer/`,
started here as a subprocess) — target ≥ 4.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from greenwave.datagen.benchreport import FAIL, BenchResult, skipped, verdict

TARGET = 0.5
PEER_TARGET = 4.0
NODE_PEER = Path(__file__).resolve().parent / "node-peer"
STEPS = 10
STEP_NAMES = (
    "Принять лид",
    "Позвонить",
    "Квалифицировать",
    "Назначить встречу",
    "Провести встречу",
    "Заполнить анкету",
    "Подготовить КП",
    "Отправить КП",
    "Согласовать скидку",
    "Передать клоузеру",
)


def lead_process_xml() -> bytes:
    nodes = ['<bpmn:startEvent id="start"/>']
    previous = "start"
    for i, name in enumerate(STEP_NAMES, start=1):
        nodes.append(f'<bpmn:sequenceFlow id="f{i}" sourceRef="{previous}" targetRef="t{i}"/>')
        nodes.append(f'<bpmn:userTask id="t{i}" name="{name}"/>')
        previous = f"t{i}"
    nodes.append(f'<bpmn:sequenceFlow id="f_end" sourceRef="{previous}" targetRef="end"/>')
    nodes.append('<bpmn:endEvent id="end"/>')
    body = "\n  ".join(nodes)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench_defs"
  targetNamespace="https://greenwave.example/bench">
 <bpmn:process id="bench_lead_10" name="Обработка лида (10 шагов)" isExecutable="true">
  {body}
 </bpmn:process>
</bpmn:definitions>""".encode()


# A rate is measured in windows: each side runs for a third of the time, three rounds, the
# sides taking turns, so that a change in the machine's load (other processes on its two
# cores, another database's WAL flushes) falls on every side alike instead of on whichever
# ran while it lasted. A side is a `Window`: run for about this many seconds, answer
# (instances done, seconds taken).
Window = Callable[[float], tuple[int, float]]
ROUNDS = 3
PEER_WARM_S = 1.0


def _loop(one: Callable[[], None]) -> Window:
    def window(seconds: float) -> tuple[int, float]:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            one()
            count += 1
        return count, time.perf_counter() - started

    return window


def _interleaved(sides: dict[str, Window], seconds: float) -> dict[str, float]:
    """Instances/s of each side over `ROUNDS` rounds of windows of `seconds / ROUNDS`."""
    done = dict.fromkeys(sides, 0)
    taken = dict.fromkeys(sides, 0.0)
    for _ in range(ROUNDS):
        for name, window in sides.items():
            count, elapsed = window(seconds / ROUNDS)
            done[name] += count
            taken[name] += elapsed
    return {name: done[name] / taken[name] for name in sides}


@contextmanager
def _spiff(xml: bytes, *, saved: bool = False) -> Iterator[Window]:
    """SpiffWorkflow running the process one instance after another. `saved`: after the
    start and after every step the workflow is serialized (Spiff's own JSON serializer) and
    written to one row of a table, each write a transaction of its own (autocommit) — the
    least a persistent engine must do; the workflow itself stays in memory. The table is an
    ordinary one, so each commit waits for its WAL record to be flushed, as Greenwave's steps
    do: a temporary table (as before issue #23's eighth pass) writes no WAL and its commits
    return without a flush — a state that does not outlive the session is not persisted."""
    from io import BytesIO

    from django.db import connection
    from lxml import etree
    from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_xml(etree.parse(BytesIO(xml)), filename="bench.bpmn")
    spec = parser.get_spec("bench_lead_10")
    serializer = BpmnWorkflowSerializer()
    cursor: Any = None
    if saved:
        connection.ensure_connection()
        cursor = connection.connection.cursor()  # psycopg itself, autocommit
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_spiff_state "
            "(id bigserial PRIMARY KEY, state text NOT NULL)"
        )

    def one() -> None:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        row = 0
        if cursor is not None:
            cursor.execute(
                "INSERT INTO bench_spiff_state (state) VALUES (%s) RETURNING id",
                [serializer.serialize_json(workflow)],
            )
            row = cursor.fetchone()[0]
        done = 0
        while not workflow.is_completed():
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            assert task is not None
            task.data["step"] = done
            task.run()
            workflow.do_engine_steps()
            if cursor is not None:
                cursor.execute(
                    "UPDATE bench_spiff_state SET state = %s WHERE id = %s",
                    [serializer.serialize_json(workflow), row],
                )
            done += 1
        assert done == STEPS

    try:
        yield _loop(one)
    finally:
        if cursor is not None:
            cursor.execute("DROP TABLE IF EXISTS bench_spiff_state")
            cursor.close()


@contextmanager
def _greenwave(xml: bytes) -> Iterator[Window]:
    from greenwave.accounts.models import User
    from greenwave.bpm import services
    from greenwave.bpm.models import HumanTask, InstanceStatus, TaskStatus

    admin = User.objects.get(username="gen_admin_01")
    runner = User.objects.get(username="gen_hunter_01")
    definition = services.definition_upload_and_deploy(actor=admin, xml=xml, key="bench_lead_10")
    ids: list[int] = []

    def one() -> None:
        # The client goes on with the task each step opened (`services.tasks_opened`), as the
        # peers go on with the next task they hold in memory: the service still checks that
        # copy against the task's row under the instance's lock (a stale copy is decided by
        # the row), but the client does not read the row again between steps.
        instance = services.instance_start(actor=runner, definition=definition)
        ids.append(instance.pk)
        [task] = services.tasks_opened(instance)
        for step in range(STEPS):
            done = services.task_complete(actor=runner, task=task, data={})
            opened = services.tasks_opened(done.instance)
            if step < STEPS - 1:
                [task] = opened
        assert not opened
        assert done.instance.status == InstanceStatus.COMPLETED
        assert not HumanTask.objects.filter(instance=instance, status=TaskStatus.OPEN).exists()

    try:
        one()  # warm-up
        yield _loop(one)
    finally:
        _cleanup(ids)


def _cleanup(ids: list[int]) -> None:
    from greenwave.bpm.models import ProcessInstance
    from greenwave.core.models import Event

    keys = [str(pk) for pk in ids]
    Event.objects.filter(case_type="process_instance", case_id__in=keys).delete()
    Event.objects.filter(case_type="human_task", links__object_id__in=keys).delete()
    ProcessInstance.objects.filter(pk__in=ids).delete()


def _bpm_verdict(rates: dict[str, float]) -> BenchResult:
    ours, ceiling, in_memory = rates["greenwave"], rates["spiff_saved"], rates["spiff"]
    return verdict(
        "bpm_throughput",
        ours=ours,
        ceiling=ceiling,
        target=TARGET,
        details=f"10-step lead process: services with a saved state per step {ours:.1f} "
        f"instances/s vs SpiffWorkflow with one saved row per step {ceiling:.1f}/s "
        f"(in memory {in_memory:.1f}/s: Greenwave {ours / in_memory:.2f} of it; "
        f"{ROUNDS} rounds of alternating windows)",
        figures={
            "ours_per_s": ours,
            "ceiling_per_s": ceiling,
            "in_memory_per_s": in_memory,
            "ratio_in_memory": ours / in_memory,
        },
    )


# --- The Node bpmn-engine peer (`bpm_vs_bpmn_engine`) --------------------------------------


def _node_peer_rate(xml: bytes, seconds: float, *, warm: float = 0.0) -> dict[str, Any]:
    """Run bench/node-peer/run.js on the same BPMN; its JSON report (per_s, version, …).
    `warm`: seconds of untimed instances before the timed ones (at least one runs). Installs
    the pinned packages with `npm ci` from the lock file when they are missing."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise FileNotFoundError("node" if node is None else "npm")
    if not (NODE_PEER / "node_modules" / "bpmn-engine" / "package.json").exists():
        subprocess.run(
            [npm, "ci", "--prefix", str(NODE_PEER), "--no-audit", "--no-fund", "--silent"],
            check=True,
            capture_output=True,
            timeout=600,
        )
    with tempfile.NamedTemporaryFile(suffix=".bpmn") as bpmn:
        bpmn.write(xml)
        bpmn.flush()
        done = subprocess.run(
            [node, str(NODE_PEER / "run.js"), bpmn.name, str(seconds), str(STEPS), str(warm)],
            check=True,
            capture_output=True,
            text=True,
            timeout=(seconds + warm) * 4 + 120,
        )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _node_peer(xml: bytes, reports: list[dict[str, Any]]) -> Window:
    """The peer as a side: each window one run of its script, timed by itself after Node's
    start and `PEER_WARM_S` of untimed instances (V8 compiles the hot code in the first
    second: a cold window of one second ran ~20–40 % slower than a three-second one);
    `reports` collects the runs' reports."""

    def window(seconds: float) -> tuple[int, float]:
        report = _node_peer_rate(xml, seconds, warm=PEER_WARM_S)
        reports.append(report)
        return int(report["instances"]), float(report["seconds"])

    return window


def _peer_failed(exc: Exception) -> BenchResult:
    name = "bpm_vs_bpmn_engine"
    if isinstance(exc, FileNotFoundError):
        return skipped(name, PEER_TARGET, f"{exc.filename or exc} is not installed")
    assert isinstance(exc, subprocess.CalledProcessError)
    tail = (exc.stderr or b"")[-300:]
    text = tail.decode(errors="replace") if isinstance(tail, bytes) else tail
    return BenchResult(
        name=name,
        target=PEER_TARGET,
        ratio=0.0,
        status=FAIL,
        details=f"node peer failed ({' '.join(map(str, exc.cmd[:2]))}): {text.strip()}",
    )


def _peer_verdict(ours: float, rate: float, reports: list[dict[str, Any]]) -> BenchResult:
    last = reports[-1]
    instances = sum(int(report["instances"]) for report in reports)
    seconds = sum(float(report["seconds"]) for report in reports)
    return verdict(
        "bpm_vs_bpmn_engine",
        ours=ours,
        ceiling=rate,
        target=PEER_TARGET,
        details=f"10-step lead process: Greenwave services {ours:.1f} instances/s vs Node "
        f"{last['node']} bpmn-engine {last['version']} {rate:.1f}/s (state saved after every "
        f"step: getState() → JSON string in a Map, recover + resume for the next step; "
        f"{instances} instances in {seconds:.1f} s; {ROUNDS} rounds of alternating windows)",
        figures={"ours_per_s": ours, "peer_per_s": rate, "peer": last},
    )


def bench_bpm_all(*, seconds: float) -> list[BenchResult]:
    """`bpm_throughput` and `bpm_vs_bpmn_engine` from one interleaved measurement: Greenwave,
    Spiff with a saved row, Spiff in memory and the Node peer take turns in windows."""
    xml = lead_process_xml()
    reports: list[dict[str, Any]] = []
    peer_failure: BenchResult | None = None
    try:
        _node_peer_rate(xml, 0.1)  # installs the peer's packages if missing; fails early
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        peer_failure = _peer_failed(exc)
    # SpiffWorkflow logs every state change at INFO: silence both sides alike while timing.
    logging.disable(logging.INFO)
    try:
        with (
            _greenwave(xml) as greenwave,
            _spiff(xml, saved=True) as spiff_saved,
            _spiff(xml) as spiff,
        ):
            sides = {"greenwave": greenwave, "spiff_saved": spiff_saved, "spiff": spiff}
            if peer_failure is None:
                sides["peer"] = _node_peer(xml, reports)
            rates = _interleaved(sides, seconds)
    finally:
        logging.disable(logging.NOTSET)
    own = _bpm_verdict(rates)
    if peer_failure is not None:
        return [own, peer_failure]
    return [own, _peer_verdict(rates["greenwave"], rates["peer"], reports)]
