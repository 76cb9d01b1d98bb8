"""A new instance's task tree copied from the tree predicted once per process
(`engine.fresh`): the same workflow as Spiff's own but for its task ids and times, new ids
for every start, restorable, and Spiff's own path whenever Spiff would log.
(`conftest.py` also holds every copied workflow of every bpm test to Spiff's.)"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from lxml import etree

from greenwave.bpm.engine import fresh, runtime
from greenwave.bpm.tests.statetext import normalised
from greenwave.bpm.tests.test_engine_walks import PARALLEL, SEQUENCE, SUBPROCESS

_TESTS = Path(__file__).parent
_BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _shipped() -> list[tuple[str, bytes, str]]:
    """(name, file, process id) of every executable process of the tests' files."""
    out = [("sequence", SEQUENCE, "p"), ("parallel", PARALLEL, "p"), ("sub", SUBPROCESS, "p")]
    for path in sorted(
        [*(_TESTS / "files").glob("*.bpmn"), *(_TESTS / "conformance").glob("*.bpmn")]
    ):
        data = path.read_bytes()
        out.extend(
            (f"{path.name}:{process.get('id')}", data, process.get("id"))
            for process in etree.fromstring(data).iter(f"{_BPMN}process")
            if process.get("isExecutable") != "false"
        )
    return out


SHIPPED = _shipped()


def _compiled(data: bytes, process_id: str) -> runtime.CompiledProcess:
    try:
        return runtime.compile_process(data, process_id)
    except runtime.EngineError as exc:
        pytest.skip(f"not executable here: {exc.message}")


def _spiffs(compiled: runtime.CompiledProcess) -> runtime.CompiledProcess:
    """The same process, its new workflows made by Spiff's `BpmnWorkflow(...)`."""
    return dataclasses.replace(compiled, fresh_tree=None)


def _started(compiled: runtime.CompiledProcess) -> str:
    try:
        return normalised(runtime.ProcessRun.start(compiled, variables={"amount": 5}).dump())
    except runtime.EngineError as exc:
        return f"refused: {exc.message}"


@pytest.mark.parametrize(("name", "data", "process_id"), SHIPPED, ids=[s[0] for s in SHIPPED])
def test_a_copied_tree_is_spiffs_own_new_and_started(
    name: str, data: bytes, process_id: str
) -> None:
    compiled = _compiled(data, process_id)
    tree = compiled.fresh_tree
    assert tree is not None
    engine = runtime.SandboxScriptEngine()
    copied = tree.workflow(engine)
    spiffs = fresh.BpmnWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=engine)
    assert normalised(runtime.dump_as_spiff(copied)) == normalised(runtime.dump_as_spiff(spiffs))
    assert list(copied.tasks) != list(spiffs.tasks)
    assert _started(compiled) == _started(_spiffs(compiled))


def test_the_tests_processes_are_copied_not_left_to_spiff() -> None:
    """Each shipped process that compiles has a tree to copy (else the comparisons above
    would hold Spiff's workflow to itself)."""
    left = []
    for name, data, process_id in SHIPPED:
        try:
            compiled = runtime.compile_process(data, process_id)
        except runtime.EngineError:
            continue
        assert compiled.fresh_tree is not None
        if compiled.fresh_tree.shape() is None:
            left.append(name)
    assert not left


def test_every_start_has_new_task_ids_and_the_tree_is_made_once() -> None:
    compiled = runtime.compile_process(SEQUENCE, "p")
    first = runtime.ProcessRun.start(compiled)
    shape = compiled.fresh_tree.shape() if compiled.fresh_tree else None
    second = runtime.ProcessRun.start(compiled)
    assert shape is not None
    assert compiled.fresh_tree is not None
    assert compiled.fresh_tree.shape() is shape
    ids = [set(run.workflow.tasks) for run in (first, second)]
    assert not ids[0] & ids[1]
    assert all(isinstance(uid, UUID) and uid.version == 4 for uid in ids[0] | ids[1])
    assert len(ids[0]) == len(shape)


def test_a_copied_start_restores_and_runs_to_its_end() -> None:
    compiled = runtime.compile_process(PARALLEL, "p")
    run = runtime.ProcessRun.start(compiled, variables={"who": "ann"})
    for _ in range(3):
        run = runtime.ProcessRun.restore(run.dump(), runtime.SERIALIZER_VERSION, compiled=compiled)
        task = run.ready_user_tasks()[0]
        assert task.data["who"] == "ann"
        run.complete_user_task(task.task_id, {})
    assert run.snapshot().completed
    assert [m.spec_id for m in run.moves][-1] == "e"


def test_when_spiff_logs_it_builds_the_workflow_itself(caplog: pytest.LogCaptureFixture) -> None:
    compiled = runtime.compile_process(SEQUENCE, "p")
    runtime.ProcessRun.start(compiled)
    assert not [r for r in caplog.records if r.name.startswith("spiff")]
    with caplog.at_level(logging.INFO, logger="spiff.workflow"):
        runtime.ProcessRun.start(compiled)
    assert "Initialized workflow" in [r.getMessage() for r in caplog.records]


def test_a_tree_of_a_kind_it_does_not_know_is_left_to_spiff(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A task with an attribute `Task.__init__` does not set here (another Spiff) is not
    copied: the tree is Spiff's."""
    monkeypatch.setattr(fresh, "_TASK_ATTRIBUTES", fresh._TASK_ATTRIBUTES - {"triggered"})
    compiled = runtime.compile_process(SEQUENCE, "p")
    tree = fresh.FreshTree(compiled.spec, compiled.subprocess_specs)
    assert tree.shape() is None
    made: list[Any] = []
    real = fresh.BpmnWorkflow

    def spiffs(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs.get("deserializing", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(fresh, "BpmnWorkflow", spiffs)
    workflow = tree.workflow(runtime.SandboxScriptEngine())
    assert made
    assert True not in made  # no copy (`deserializing=True`): Spiff's own build
    assert workflow.task_tree.state == runtime.TaskState.READY
