"""The walks of Spiff's the engine spares (`engine.walks`): a step with nothing for them to
find makes none; a step with something makes Spiff's own, and the process goes on as before.
(`conftest.py` also holds every spared walk of every bpm test to Spiff's answer.)"""

from __future__ import annotations

from typing import Any

import pytest

from greenwave.bpm import engine
from greenwave.bpm.engine import runtime, walks

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="https://greenwave.example/tests"><process id="p" isExecutable="true">"""
_TAIL = "</process></definitions>"


def _flows(*pairs: tuple[str, str]) -> str:
    return "".join(
        f'<sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(pairs)
    )


SEQUENCE = (
    _HEAD
    + '<startEvent id="s"/><userTask id="a"/><userTask id="b"/><endEvent id="e"/>'
    + _flows(("s", "a"), ("a", "b"), ("b", "e"))
    + _TAIL
).encode()

PARALLEL = (
    _HEAD
    + '<startEvent id="s"/><parallelGateway id="fork"/><userTask id="a"/><userTask id="b"/>'
    + '<parallelGateway id="join"/><userTask id="c"/><endEvent id="e"/>'
    + _flows(("s", "fork"), ("fork", "a"), ("fork", "b"), ("a", "join"), ("b", "join"))
    + _flows(("join", "c"), ("c", "e")).replace('id="f', 'id="g')
    + _TAIL
).encode()

SUBPROCESS = (
    _HEAD
    + '<startEvent id="s"/><subProcess id="sp"><startEvent id="s2"/><userTask id="inner"/>'
    + '<endEvent id="e2"/><sequenceFlow id="i1" sourceRef="s2" targetRef="inner"/>'
    + '<sequenceFlow id="i2" sourceRef="inner" targetRef="e2"/></subProcess>'
    + '<userTask id="after"/><endEvent id="e"/>'
    + _flows(("s", "sp"), ("sp", "after"), ("after", "e"))
    + _TAIL
).encode()


@pytest.fixture
def spiffs_walks(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many rounds of engine steps are made (each walks for READY tasks) and how many
    times Spiff walks for WAITING tasks (`update_waiting_tasks`)."""
    counts = {"engine_steps": 0, "waiting": 0}
    engine_round = walks.engine_round
    waiting = walks.BpmnWorkflow.update_waiting_tasks

    def counted_round(*args: Any) -> bool:
        counts["engine_steps"] += 1
        return engine_round(*args)

    def counted_waiting(self: Any) -> None:
        counts["waiting"] += 1
        waiting(self)

    monkeypatch.setattr(walks, "engine_round", counted_round)
    monkeypatch.setattr(walks.BpmnWorkflow, "update_waiting_tasks", counted_waiting)
    return counts


def _ready(run: engine.ProcessRun) -> list[str]:
    return [t.spec_id for t in run.ready_user_tasks()]


def _task(run: engine.ProcessRun, element: str) -> str:
    return next(t.task_id for t in run.ready_user_tasks() if t.spec_id == element)


def test_a_step_between_user_tasks_makes_none_of_spiffs_walks(
    spiffs_walks: dict[str, int],
) -> None:
    run = engine.ProcessRun.start(engine.compile_process(SEQUENCE, "p"))
    assert _ready(run) == ["a"]
    assert walks.nothing_to_run(run.workflow)
    spiffs_walks.update(engine_steps=0, waiting=0)
    run.complete_user_task(_task(run, "a"), {"x": 1})
    assert spiffs_walks == {"engine_steps": 0, "waiting": 0}
    assert _ready(run) == ["b"]
    assert run.dump() == runtime.dump_as_spiff(run.workflow)
    # The last one runs the end event: Spiff's engine steps do it.
    run.complete_user_task(_task(run, "b"), {})
    assert spiffs_walks["engine_steps"] >= 1
    assert run.snapshot().completed
    assert run.variables() == {"x": 1}


def test_a_task_that_is_not_manual_is_left_to_spiffs_engine_steps() -> None:
    compiled = engine.compile_process(SEQUENCE, "p")
    workflow = walks.BpmnWorkflow(compiled.spec, compiled.subprocess_specs)
    assert not walks.nothing_to_run(workflow)  # its start task is READY and runs by itself
    run = engine.ProcessRun(workflow)
    run.advance()
    assert _ready(run) == ["a"]
    assert walks.nothing_to_run(run.workflow)


def test_a_step_with_a_waiting_join_walks_for_it_and_the_join_goes_on(
    spiffs_walks: dict[str, int],
) -> None:
    compiled = engine.compile_process(PARALLEL, "p")
    run = engine.ProcessRun.start(compiled)
    assert sorted(_ready(run)) == ["a", "b"]
    spiffs_walks.update(engine_steps=0, waiting=0)
    run.complete_user_task(_task(run, "a"), {"from_a": 1})
    # The branch's join waits once `a` is done: Spiff's walk for waiting tasks updates it.
    assert spiffs_walks["waiting"] == 1
    waiting = [t for t in run.workflow.tasks.values() if t.state == runtime.TaskState.WAITING]
    assert [t.task_spec.bpmn_id for t in waiting] == ["join"]
    restored = engine.ProcessRun.restore(run.dump(), engine.SERIALIZER_VERSION, compiled=compiled)
    spiffs_walks.update(engine_steps=0, waiting=0)
    restored.complete_user_task(_task(restored, "b"), {"from_b": 2})
    # The other branch's join ends the waiting one before `b`'s completion is announced.
    assert spiffs_walks["waiting"] == 0
    assert _ready(restored) == ["c"]
    assert restored.variables() == {"from_a": 1, "from_b": 2}
    assert restored.dump() == runtime.dump_as_spiff(restored.workflow)


def test_an_active_sub_process_is_left_to_spiffs_engine_steps(
    spiffs_walks: dict[str, int],
) -> None:
    run = engine.ProcessRun.start(engine.compile_process(SUBPROCESS, "p"))
    assert _ready(run) == ["inner"]
    assert run.workflow.get_active_subprocesses()
    assert not walks.nothing_to_run(run.workflow)
    spiffs_walks.update(engine_steps=0, waiting=0)
    run.complete_user_task(_task(run, "inner"), {"y": 3})
    assert spiffs_walks["engine_steps"] == 1
    assert _ready(run) == ["after"]
    # The sub-process is done but kept: its tasks are asked too, and none is left to run.
    assert run.workflow.subprocesses
    assert not run.workflow.get_active_subprocesses()
    assert walks.nothing_to_run(run.workflow)
    run.complete_user_task(_task(run, "after"), {})
    assert run.snapshot().completed


def test_a_migrated_run_still_spares_the_walk_for_waiting_tasks() -> None:
    run = engine.ProcessRun.start(engine.compile_process(SEQUENCE, "p"))
    assert "update_waiting_tasks" in vars(run.workflow)
    target = engine.compile_process(SEQUENCE.replace(b'"b"', b'"b2"'), "p")
    run.migrate(target)
    assert "update_waiting_tasks" in vars(run.workflow)
    restored = engine.ProcessRun.restore(run.dump(), engine.SERIALIZER_VERSION, compiled=target)
    assert "update_waiting_tasks" in vars(restored.workflow)
    # Not a thing a saved state holds.
    assert "update_waiting_tasks" not in run.dump()


def test_the_engine_steps_make_no_round_that_would_run_nothing(
    spiffs_walks: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    spiffs_rounds: list[Any] = []
    spiffs_round = walks.BpmnWorkflow._do_engine_steps

    def counted(self: Any, *args: Any) -> Any:
        spiffs_rounds.append(self)
        return spiffs_round(self, *args)

    monkeypatch.setattr(walks.BpmnWorkflow, "_do_engine_steps", counted)
    run = engine.ProcessRun.start(engine.compile_process(SEQUENCE, "p"))
    # Spiff's `do_engine_steps` makes three: the start task, the start event, then one that
    # finds only the user task `a`; the engine's rounds are its own (no sub-process).
    assert spiffs_walks["engine_steps"] == 2
    assert spiffs_rounds == []
    assert _ready(run) == ["a"]
    assert [m.spec_id for m in run.moves] == ["s"]
    # With a sub-process the rounds are Spiff's.
    spiffs_walks.update(engine_steps=0)
    run = engine.ProcessRun.start(engine.compile_process(SUBPROCESS, "p"))
    assert _ready(run) == ["inner"]
    assert len(spiffs_rounds) >= 1
