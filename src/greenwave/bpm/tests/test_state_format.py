# ruff: noqa: E501 - inline BPMN reads better unwrapped
"""The saved engine state: its format, the older format still restoring, the spec cache."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from greenwave.bpm import engine, services
from greenwave.bpm.engine import runtime
from greenwave.bpm.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus

FILES = Path(__file__).parent / "files"
# Written by the engine before states left their specs out (commit b1776fb): the process of
# files/two_steps.bpmn started with {"amount": 100}, waiting at its first task "call".
OLD_STATE = FILES / "state_spiff-3.2.0.json"
OLD_VERSION = "spiff-3.2.0/1.5"


def _fresh(instance: ProcessInstance) -> ProcessInstance:
    return ProcessInstance.objects.get(pk=instance.pk)


def _open_task(instance: ProcessInstance) -> HumanTask:
    return HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)


def test_a_saved_state_leaves_the_specs_to_the_definition_and_names_its_format(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    instance = _fresh(services.instance_start(actor=two_teams["hunter_a"], definition=definition))
    assert instance.serializer_version == engine.SERIALIZER_VERSION
    assert instance.serializer_version.startswith("gw-state-2/spiff-")
    state = json.loads(instance.state)
    assert "spec" not in state
    assert "subprocess_specs" not in state
    assert len(instance.state) < len(OLD_STATE.read_text())


@pytest.mark.parametrize("version", [OLD_VERSION, "spiff-3.1.0/1.4"])
def test_a_state_saved_in_the_older_format_runs_on_and_is_saved_in_the_new_one(
    deploy: Any, two_teams: dict[str, Any], version: str
) -> None:
    hunter = two_teams["hunter_a"]
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    instance = services.instance_start(actor=hunter, definition=definition)
    # The row as the engine left it before: the full Spiff state, specs inside.
    old = OLD_STATE.read_text()
    waiting = next(
        task_id for task_id, task in json.loads(old)["tasks"].items() if task["task_spec"] == "call"
    )
    ProcessInstance.objects.filter(pk=instance.pk).update(state=old, serializer_version=version)
    HumanTask.objects.filter(instance=instance).update(engine_task_id=waiting)

    services.task_complete(actor=hunter, task=_open_task(instance), data={})
    instance = _fresh(instance)
    assert instance.serializer_version == engine.SERIALIZER_VERSION
    assert "spec" not in json.loads(instance.state)
    offer = _open_task(instance)
    assert offer.element_id == "offer"
    services.task_complete(actor=hunter, task=offer, data={})
    instance = _fresh(instance)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.variables["amount"] == 100
    assert instance.element_states == {"s": "done", "call": "done", "offer": "done", "e": "done"}


def test_the_engine_refuses_an_unknown_format_and_a_state_without_its_process() -> None:
    compiled = engine.compile_process((FILES / "two_steps.bpmn").read_bytes(), "two_steps")
    state = engine.ProcessRun.start(compiled).dump()
    with pytest.raises(engine.EngineError, match="Unknown serializer version"):
        engine.ProcessRun.restore(state, "gw-state-9/spiff-9.0.0/9.9")
    with pytest.raises(engine.EngineError, match="needs its compiled process"):
        engine.ProcessRun.restore(state, engine.SERIALIZER_VERSION)
    with pytest.raises(engine.EngineError, match="cannot be read"):
        engine.ProcessRun.restore("{", engine.SERIALIZER_VERSION, compiled=compiled)
    restored = engine.ProcessRun.restore(state, engine.SERIALIZER_VERSION, compiled=compiled)
    assert [t.spec_id for t in restored.ready_user_tasks()] == ["call"]


def test_a_multi_instance_started_elsewhere_finishes_in_a_process_that_parsed_the_spec_anew(
    deploy: Any, two_teams: dict[str, Any], readers_then_archive_xml: bytes
) -> None:
    """A worker restarted between two iterations: its freshly parsed specs must still merge
    the iterations of a multi-instance task it did not start."""
    definition = deploy(readers_then_archive_xml)
    head_a, head_b = two_teams["head_a"], two_teams["head_b"]
    instance = services.instance_start(
        actor=two_teams["hunter_a"],
        definition=definition,
        variables={"readers": ["head_a", "head_b"]},
    )
    services.task_complete(actor=head_a, task=_open_task(instance), data={})
    runtime._CACHE.clear()  # what a restarted worker has
    second = _open_task(instance)
    assert second.assignee == head_b
    services.task_complete(actor=head_b, task=second, data={})
    assert _open_task(instance).element_id == "archive"


def test_a_step_of_a_process_that_waits_for_no_event_takes_three_statements(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    """Lock the instance (with its definition and initiator), read its saved state (no run of
    it kept by this process: the test's transaction never commits), then close the task,
    save the state, open the next task and append the step's events in one message on
    PostgreSQL (on SQLite three writes, then a read and two inserts for the events; the
    task row is not read: the caller's copy is checked by the UPDATE) — no read of the task
    rows, timers or messages, which follow from the engine's state before and after. The
    steps of a run kept between steps: `test_step_cost.py`."""
    hunter = two_teams["hunter_a"]
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    instance = services.instance_start(actor=hunter, definition=definition)
    task = _open_task(instance)
    with CaptureQueriesContext(connection) as queries:
        services.task_complete(actor=hunter, task=task, data={})
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT pg_advisory"))
    ]
    assert not [q for q in statements if "bpm_timer" in q or "bpm_messagesubscription" in q]
    assert len(statements) == 2 + (1 if connection.vendor == "postgresql" else 3 + 3)
    assert _open_task(instance).element_id == "offer"


MULTI_INSTANCE = b"""<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
 <bpmn:process id="p" isExecutable="true">
  <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="a" sourceRef="s" targetRef="read"/>
  <bpmn:userTask id="read" name="Read">
   <bpmn:multiInstanceLoopCharacteristics id="mi" isSequential="true">
    <bpmn:loopDataInputRef>readers</bpmn:loopDataInputRef><bpmn:inputDataItem id="reader" name="reader"/>
   </bpmn:multiInstanceLoopCharacteristics>
  </bpmn:userTask>
  <bpmn:sequenceFlow id="b" sourceRef="read" targetRef="e"/><bpmn:endEvent id="e"/>
 </bpmn:process></bpmn:definitions>"""


def _subscribers(specs: list[Any]) -> list[int]:
    return [
        len(task_spec.completed_event.hard_subscribers or [])
        for process_spec in specs
        for task_spec in process_spec.task_specs.values()
    ]


def test_running_instances_leaves_the_shared_specs_as_compiled() -> None:
    """Every instance of a version runs on the same cached specs: starting and restoring
    instances must not wire anything new into them."""
    runtime._CACHE.clear()
    compiled = engine.compile_process(MULTI_INSTANCE, "p")
    specs = [compiled.spec, compiled.state_spec]
    before = _subscribers(specs)
    for _ in range(2):
        run = engine.ProcessRun.start(compiled, variables={"readers": ["a", "b"]})
        for _step in range(2):
            run = engine.ProcessRun.restore(
                run.dump(), engine.SERIALIZER_VERSION, compiled=compiled
            )
            run.complete_user_task(run.ready_user_tasks()[0].task_id, {})
        assert run.snapshot().completed
    assert _subscribers(specs) == before


CONFORMANCE = Path(__file__).parent / "conformance"


def test_every_state_of_the_conformance_runs_is_the_text_spiffs_own_writer_makes(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`engine.statedump` writes the task trees of a saved state itself (faster than Spiff's
    registry): the text must be Spiff's, state for state — the format is unchanged, so
    every saved state restores as before. The conformance files run in each modeler's
    dialect (timers, messages, sub-processes, call activities, loops, boundary events)."""
    written: list[tuple[str, str]] = []
    write = runtime._dump_state

    def both(workflow: Any, *fragments: Any) -> str:
        text = write(workflow, *fragments)
        written.append((text, runtime.dump_as_spiff(workflow)))
        return text

    monkeypatch.setattr(runtime, "_dump_state", both)
    call_command("bpmn_conformance", "--run", str(CONFORMANCE), str(FILES), stdout=StringIO())
    assert len(written) > 50
    assert [ours for ours, spiffs in written if ours != spiffs] == []
    states = [json.loads(ours) for ours, _spiffs in written]
    assert any(state["subprocesses"] for state in states)  # sub-processes' trees written too
    assert any(task["delta"].get("updates") for state in states for task in state["tasks"].values())


def _lz4_supported() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int >= 140000")
        if not cursor.fetchone()[0]:
            return False
        try:
            with transaction.atomic():
                cursor.execute("CREATE TEMPORARY TABLE gw_lz4_probe (t text COMPRESSION lz4)")
                transaction.set_rollback(True)
        except DatabaseError:
            return False
    return True


def _compression(instance: ProcessInstance) -> tuple[str | None, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_column_compression(state), "
            "(SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'state') FROM bpm_processinstance WHERE id = %s",
            [ProcessInstance._meta.db_table, instance.pk],
        )
        method, column = cursor.fetchone()
    return method, column


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's column compression")
def test_a_state_is_saved_with_lz4_and_one_saved_with_pglz_before_still_restores(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    """Migration 0005: new states compressed with lz4 (where the server has it); a state the
    server compressed with pglz before the migration restores, and its next save is lz4."""
    if not _lz4_supported():
        pytest.skip("this server has no lz4")
    hunter = two_teams["hunter_a"]
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    table = ProcessInstance._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'state'",
            [table],
        )
        assert cursor.fetchone()[0] == "l"  # as the migration left it
        # The column as it was before the migration.
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN state SET COMPRESSION pglz")
    # Long enough to be compressed inline (more than ~2 kB a row).
    started = services.instance_start(
        actor=hunter, definition=definition, variables={"note": "x" * 3000}
    )
    assert _compression(started) == ("pglz", "p")
    with connection.cursor() as cursor:  # the migration (the start's deferred checks run first)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN state SET COMPRESSION lz4")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    services.steps._RUNS.clear()  # restored from the row
    services.task_complete(actor=hunter, task=_open_task(started), data={})
    instance = _fresh(started)
    assert _compression(instance) == ("lz4", "l")
    assert _open_task(instance).element_id == "offer"
    assert instance.variables["note"] == "x" * 3000
