"""Spiff's loggers under the settings: each has its own level (Spiff tests a logger's own
`level`, not the effective one, before it adds detail to a record it builds whether or not
it is logged), warnings still pass, and nothing walks the task tree for a record."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from greenwave.bpm.engine import fresh, runtime
from greenwave.bpm.tests.test_engine_walks import SEQUENCE

SPIFFS = ("spiff.workflow", "spiff.task", "spiff.data", "spiff.dmn")
# Spiff's `Workflow` (only `bpm.engine` imports Spiff) and `Task`.
_WORKFLOW = next(c for c in fresh.BpmnWorkflow.__mro__ if c.__module__ == "SpiffWorkflow.workflow")


@pytest.mark.parametrize("name", SPIFFS)
def test_each_spiff_logger_has_its_own_level_and_lets_warnings_through(name: str) -> None:
    logger = logging.getLogger(name)
    assert logger.level >= logging.INFO
    assert logger.isEnabledFor(logging.WARNING)
    assert not logger.isEnabledFor(logging.INFO)


def test_no_record_of_spiffs_walks_the_tree_or_carries_the_data(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An instance from its start to its end: Spiff's `Workflow completed` record (and any
    other) is built without the list of every task (a walk of the tree) and without the
    tasks' data."""
    extras: list[dict[str, Any]] = []
    for cls in (_WORKFLOW, fresh.Task):
        collect = cls.collect_log_extras

        def recorded(self: Any, dct: Any = None, _collect: Any = collect) -> dict[str, Any]:
            extra: dict[str, Any] = _collect(self, dct)
            extras.append(extra)
            return extra

        monkeypatch.setattr(cls, "collect_log_extras", recorded)
    run = runtime.ProcessRun.start(runtime.compile_process(SEQUENCE, "p"))
    while not run.snapshot().completed:
        run.complete_user_task(run.ready_user_tasks()[0].task_id, {"x": 1})
    assert any("completed" in e for e in extras)  # the workflow's own record was built
    assert not [e for e in extras if "tasks" in e or "data" in e]
    assert not [r for r in caplog.records if r.name.startswith("spiff")]


def test_a_warning_of_spiffs_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("spiff.task").warning("a warning")
    assert [r.getMessage() for r in caplog.records if r.name == "spiff.task"] == ["a warning"]
