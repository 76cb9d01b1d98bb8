"""A run's dumps written from the fragments of its previous dump (`engine.statedump`):
the same text as a dump written whole, and as Spiff's own writer's, step after step."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import engine
from greenwave.bpm.engine import runtime, statedump, walks

FILES = Path(__file__).parent / "files"


def _written(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The tasks `statedump` converts from now on (not reused from a fragment)."""
    converted: list[Any] = []
    convert = statedump.task_dict

    def counted(task: Any, *args: Any) -> dict[str, Any]:
        converted.append(task)
        return convert(task, *args)

    monkeypatch.setattr(statedump, "task_dict", counted)
    return converted


def _whole(run: engine.ProcessRun) -> str:
    """The state written without fragments: the writer before them (Spiff's serializer)."""
    return str(runtime._STATE_SERIALIZER.serialize_json(run.workflow))


def _steps(run: engine.ProcessRun, data: dict[str, Any]) -> list[str]:
    dumps = [run.dump()]
    while run.ready_user_tasks():
        task = run.ready_user_tasks()[0]
        run.complete_user_task(task.task_id, data)
        dumps.append(run.dump())
        assert dumps[-1] == _whole(run) == runtime.dump_as_spiff(run.workflow)
    return dumps


def test_a_run_writes_again_only_the_tasks_that_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = engine.compile_process((FILES / "readers.bpmn").read_bytes(), "p")
    run = engine.ProcessRun.start(compiled, variables={"readers": ["a", "b", "c"], "n": 1})
    run.dump()
    converted = _written(monkeypatch)
    written, whole = 0, 0
    while run.ready_user_tasks():
        run.complete_user_task(run.ready_user_tasks()[0].task_id, {"note": "read", "n": 2})
        converted.clear()
        text = run.dump()
        written, whole = written + len(converted), whole + len(run.workflow.tasks)
        assert text == _whole(run) == runtime.dump_as_spiff(run.workflow)
    assert run.snapshot().completed
    # Each step wrote the few tasks it changed, not the whole tree again.
    assert 0 < written < whole * 0.7  # (written whole: as many as there are)


def test_the_texts_of_a_run_restore_in_the_writer_before_them_and_back() -> None:
    compiled = engine.compile_process((FILES / "two_steps.bpmn").read_bytes(), "two_steps")
    run = engine.ProcessRun.start(compiled, variables={"amount": 100})
    first = run.dump()
    # A state written by the writer before fragments restores, and its run's dumps
    # (from fragments after the first) are the text the old writer writes for it.
    restored = engine.ProcessRun.restore(_whole(run), engine.SERIALIZER_VERSION, compiled=compiled)
    assert restored.dump() == first
    dumps = _steps(restored, {"amount": 250})
    assert len(dumps) == 3
    for text in dumps:
        # What the new writer saved is read by the old path (Spiff's loader) as it wrote it.
        again = engine.ProcessRun.restore(text, engine.SERIALIZER_VERSION, compiled=compiled)
        assert _whole(again) == text


def test_a_changed_task_is_written_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A predicted task without data reuses its text only while it has none; a changed
    state (its time of change) or changed children write it again."""
    compiled = engine.compile_process((FILES / "two_steps.bpmn").read_bytes(), "two_steps")
    run = engine.ProcessRun.start(compiled)
    run.dump()
    workflow = run.workflow
    waiting = [t for t in workflow.tasks.values() if not t.data and t.parent and not t.parent.data]
    assert waiting
    waiting[-1].data["late"] = 1
    assert run.dump() == _whole(run)
    del waiting[-1].data["late"]
    waiting[-1].internal_data["mark"] = True
    assert run.dump() == _whole(run)
    waiting[-1].last_state_change += 1.0
    assert run.dump() == _whole(run)
    finished = [t for t in workflow.tasks.values() if t.state == engine.runtime.TaskState.COMPLETED]
    finished[0]._children.reverse()
    finished[0]._children.append(finished[0]._children[0])
    assert run.dump() == _whole(run)


def test_a_workflow_of_another_class_is_written_whole() -> None:
    compiled = engine.compile_process((FILES / "two_steps.bpmn").read_bytes(), "two_steps")
    run = engine.ProcessRun.start(compiled)

    class Other(type(run.workflow)):  # type: ignore[misc]
        pass

    run.workflow.__class__ = Other
    assert (
        statedump.state_text(run.workflow, runtime._STATE_SERIALIZER, statedump.Fragments()) is None
    )


def test_the_engines_walk_is_spiffs_and_leaves_larger_trees_to_spiff() -> None:
    compiled = engine.compile_process((FILES / "readers.bpmn").read_bytes(), "p")
    run = engine.ProcessRun.start(compiled, variables={"readers": ["a", "b"]})
    spiffs = run.workflow.get_tasks(state=runtime.TaskState.ANY_MASK)
    assert walks.every_task(run.workflow) == spiffs
    assert len(spiffs) > 3
    run.workflow.tasks.update(dict.fromkeys(range(1000), run.workflow.task_tree))
    assert walks.every_task(run.workflow) is None


def test_the_workflows_data_and_events_are_written_empty_or_by_the_encoder() -> None:
    """The workflow's data and its pending events: `{}` and `[]` written without the
    encoder when empty, through it otherwise — the serializer's text either way."""
    compiled = engine.compile_process((FILES / "two_steps.bpmn").read_bytes(), "two_steps")
    run = engine.ProcessRun.start(compiled)
    assert run.workflow.data == {}
    assert run.workflow.bpmn_events == []
    assert run.dump() == _whole(run)
    assert '"data": {}' in run.dump()
    run.workflow.data["amount"] = 100
    run.workflow.bpmn_events.append(runtime.BpmnEvent(runtime.MessageEventDefinition("paid")))
    text = run.dump()
    assert text == _whole(run) == runtime.dump_as_spiff(run.workflow)
    assert '"amount": 100' in text
    assert '"paid"' in text


def test_a_dumps_ids_are_formatted_once_per_id_object() -> None:
    names = statedump.Names()
    first = uuid.uuid4()
    assert names.get(first) == str(first)
    assert names.known[id(first)] == (first, str(first))
    same_value = uuid.UUID(str(first))  # another object: formatted, and known apart
    assert names.get(same_value) == str(first)
    assert len(names.known) == 2
    names.known[id(first)] = (first, "a kept text")  # a text is reused, not formatted again
    assert names.get(first) == "a kept text"
    names.known[id(first)] = (same_value, "another object's")  # only for the same object
    assert names.get(first) == str(first)
    names.forget_beyond(2)
    assert len(names.known) == 2
    names.forget_beyond(1)
    assert names.known == {}
    assert names.get(first) == str(first)


def test_the_encoder_and_the_states_last_items_are_the_serializers() -> None:
    serializer = runtime._STATE_SERIALIZER
    encode, tail = statedump._encoding(serializer)
    assert statedump._encoding(serializer)[0] is encode
    whole = json.loads("{" + tail + "}")
    assert whole == {"typename": "BpmnWorkflow", "serializer_version": serializer.VERSION}
    other = runtime.BpmnWorkflowSerializer(serializer.registry, version="another")
    assert json.loads("{" + statedump._encoding(other)[1] + "}")["serializer_version"] == "another"
