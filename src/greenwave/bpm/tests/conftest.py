"""Fixtures of the bpm tests: BPMN files and a deployed approval process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from greenwave.bpm import services
from greenwave.bpm.engine import fresh, runtime, walks
from greenwave.bpm.models import ProcessDefinition
from greenwave.bpm.tests.statetext import normalised

FILES = Path(__file__).parent / "files"

# The shared steps assert (an instance's end): their failures are explained as the tests' own.
pytest.register_assert_rewrite("greenwave.bpm.tests.steps")


@pytest.fixture(autouse=True)
def _every_state_saved_as_spiff_writes_it(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each state a bpm test saves is also written by Spiff's own converters, and the texts
    must be the same: the engine writes the task trees itself (`engine.statedump`) in the
    format Spiff restores."""
    differing: list[str] = []
    write = runtime._dump_state

    def checked(workflow: Any, *fragments: Any) -> str:
        text = write(workflow, *fragments)
        if text != runtime.dump_as_spiff(workflow):
            differing.append(text)
        return text

    monkeypatch.setattr(runtime, "_dump_state", checked)
    yield
    assert not differing, f"{len(differing)} states written unlike Spiff: {differing[0][:300]}"


@pytest.fixture(autouse=True)
def _every_walk_as_spiffs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each walk of a run's tasks the engine makes itself (`walks.every_task`,
    `walks.ready_tasks`) lists the tasks Spiff's `get_tasks(state=ANY_MASK)` or
    `get_tasks(state=READY)` lists, in its order."""
    differing: list[list[Any]] = []
    walk = walks.every_task

    def checked(workflow: Any) -> list[Any] | None:
        tasks = walk(workflow)
        if tasks is not None and tasks != workflow.get_tasks(state=runtime.TaskState.ANY_MASK):
            differing.append(tasks)
        return tasks

    ready = walks.ready_tasks

    def ready_checked(workflow: Any) -> list[Any] | None:
        tasks = ready(workflow)
        if tasks is not None and tasks != workflow.get_tasks(state=runtime.TaskState.READY):
            differing.append(tasks)
        return tasks

    monkeypatch.setattr(walks, "every_task", checked)
    monkeypatch.setattr(walks, "ready_tasks", ready_checked)
    yield
    assert not differing, f"{len(differing)} walks unlike Spiff's"


@pytest.fixture(autouse=True)
def _every_spared_walk_would_find_nothing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each time the engine spares one of Spiff's walks (`walks`), Spiff's walk would have
    found nothing to act on: for `do_engine_steps`, no READY task that is not manual and no
    active sub-process; for `update_waiting_tasks`, no WAITING task."""
    wrong: list[str] = []
    idle, spiffs_update = walks.nothing_to_run, walks.BpmnWorkflow.update_waiting_tasks
    state = runtime.TaskState

    def idle_checked(workflow: Any) -> bool:
        answer = idle(workflow)
        ready = workflow.get_tasks(state=state.READY)
        if answer and (
            workflow.get_active_subprocesses() or not all(t.task_spec.manual for t in ready)
        ):
            wrong.append(f"do_engine_steps spared with {ready}")
        return answer

    walked: list[Any] = []

    def update_walked(workflow: Any) -> None:
        walked.append(workflow)
        spiffs_update(workflow)

    def update_checked(workflow: Any) -> None:
        waiting = workflow.get_tasks(state=state.WAITING, skip_subprocesses=True)
        before = len(walked)
        spare(workflow)
        if waiting and len(walked) == before:
            wrong.append(f"update_waiting_tasks spared with {waiting}")

    spare = walks._update_waiting_tasks
    monkeypatch.setattr(walks, "nothing_to_run", idle_checked)
    monkeypatch.setattr(walks.BpmnWorkflow, "update_waiting_tasks", update_walked)
    monkeypatch.setattr(walks, "_update_waiting_tasks", update_checked)
    yield
    assert not wrong, f"{len(wrong)} walks spared wrongly: {wrong[0]}"


@pytest.fixture(autouse=True)
def _every_fresh_tree_as_spiffs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each new workflow the engine copies from a predicted tree (`fresh.FreshTree`) is the
    one Spiff's `BpmnWorkflow(...)` makes, but for its task ids and times."""
    differing: list[str] = []
    make = fresh.FreshTree.workflow

    def checked(tree: fresh.FreshTree, script_engine: Any) -> Any:
        workflow = make(tree, script_engine)
        spiffs = fresh.BpmnWorkflow(tree.spec, tree.subprocess_specs, script_engine=script_engine)
        text = normalised(runtime.dump_as_spiff(workflow))
        if text != normalised(runtime.dump_as_spiff(spiffs)):
            differing.append(text)
        return workflow

    monkeypatch.setattr(fresh.FreshTree, "workflow", checked)
    yield
    assert not differing, f"{len(differing)} new workflows unlike Spiff's: {differing[0][:300]}"


@pytest.fixture
def approval_xml() -> bytes:
    return (FILES / "approval.bpmn").read_bytes()


@pytest.fixture
def failing_condition_xml() -> bytes:
    """A user task, then a gateway whose conditions read `limit`, which nothing sets: the
    step after the task fails (an incident)."""
    return (FILES / "failing_condition.bpmn").read_bytes()


@pytest.fixture
def readers_xml() -> bytes:
    """A sequential multi-instance task `read`, one iteration per name in `readers`."""
    return (FILES / "readers.bpmn").read_bytes()


@pytest.fixture
def readers_then_archive_xml() -> bytes:
    """`readers.bpmn` with a task `archive` after the readings."""
    return (FILES / "readers_then_archive.bpmn").read_bytes()


@pytest.fixture
def deploy(db: Any) -> Callable[..., ProcessDefinition]:
    def make(xml: bytes, **kwargs: Any) -> ProcessDefinition:
        return services.definition_upload_and_deploy(actor=None, xml=xml, **kwargs)

    return make


@pytest.fixture
def two_steps(deploy: Callable[..., ProcessDefinition]) -> ProcessDefinition:
    """`files/two_steps.bpmn` deployed: two user tasks in a row."""
    return deploy((FILES / "two_steps.bpmn").read_bytes())


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """No run kept by an earlier test (`_RUNS`) and no block of task keys drawn by one
    (`_KEYS`: the next optimistic step draws its own); the kept runs dropped after."""
    services.steps._RUNS.clear()
    services.steps._KEYS.clear()
    yield
    services.steps._RUNS.clear()


@pytest.fixture
def approval(deploy: Callable[..., ProcessDefinition], approval_xml: bytes) -> ProcessDefinition:
    return deploy(approval_xml)


@pytest.fixture
def make_deal(db: Any) -> Callable[..., Any]:
    """A deal of the user's team (a process bound to a record must name one its starter sees)."""
    from greenwave.sales import selectors as sales_selectors
    from greenwave.sales import services as sales

    def make(responsible: Any, title: str = "Deal") -> Any:
        pipeline = sales_selectors.pipeline_default()
        assert pipeline is not None
        return sales.deal_create(
            actor=None, title=title, pipeline=pipeline, responsible=responsible
        )

    return make


@pytest.fixture
def library(db: Any) -> dict[str, ProcessDefinition]:
    """The built-in processes of the seeds, installed, by key."""
    return {d.key: d for d in services.library_install(actor=None)}


@pytest.fixture
def start_on_deal(
    library: dict[str, ProcessDefinition], make_deal: Callable[..., Any]
) -> Callable[[str, Any], Any]:
    """Start the built-in process `key` as `user` on a new deal of the user's team."""

    def start(key: str, user: Any) -> Any:
        deal = make_deal(user)
        return services.instance_start(
            actor=user, definition=library[key], object_type="deal", object_id=deal.pk
        )

    return start
