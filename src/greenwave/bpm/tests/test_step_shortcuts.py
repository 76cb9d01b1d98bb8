"""The shorter ways of a process step (issue #23, ninth pass) give what the longer ones give:
a form without fields accepts nothing but no values (without building the form), and a
step's column values are converted as the fields themselves convert them."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F

from greenwave.bpm import services
from greenwave.bpm.errors import BpmError
from greenwave.bpm.formschema import clean_form_data
from greenwave.bpm.models import HumanTask, ProcessInstance, TaskStatus
from greenwave.bpm.stepwrites import prep_value
from greenwave.core.errors import DomainError

FILES = Path(__file__).parent / "files"

_VALUES: list[Any] = [
    None,
    "",
    "текст",
    TaskStatus.OPEN,
    0,
    7,
    2**40,
    True,
    7.0,
    "12",
    datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=UTC),
    datetime(2026, 12, 6, 3, 4, 5),  # naive: Django's way, with its warning
    {"a": [1, "два", None]},
    [],
    F("id"),
]


def _comparable(value: Any) -> Any:
    """A converted value as what it sends: a JSON wrapper by its class and its object."""
    return (type(value), value.obj if hasattr(value, "obj") else value)


def _converted(convert: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return ("value", _comparable(convert(*args, **kwargs)))
    except Exception as exc:
        return ("raised", type(exc))


@pytest.mark.parametrize("model", [HumanTask, ProcessInstance])
def test_a_steps_columns_are_converted_as_their_fields_convert_them(model: Any, db: Any) -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    checked = 0
    for field in model._meta.local_concrete_fields:
        for value in _VALUES:
            for save in (True, False):
                ours = _converted(prep_value, field, value, connection, save=save)
                django = _converted(
                    field.get_db_prep_save if save else field.get_db_prep_value, value, connection
                )
                assert ours == django, (field.name, value, save)
                checked += 1
    assert checked > 300


def test_a_form_without_fields_takes_no_values_and_refuses_any() -> None:
    assert clean_form_data([], {}) == {}
    assert clean_form_data([], {}, {}) == {}
    for data, files in (({"note": "x"}, None), ({}, {"scan": object()})):
        with pytest.raises(DomainError) as refused:
            clean_form_data([], data, files)
        assert refused.value.code == BpmError.INVALID_FORM_DATA
        assert list(refused.value.details["fields"]) == [*data, *(files or {})]


def test_a_task_without_a_form_completes_with_no_values_and_refuses_others(
    deploy: Any, two_teams: dict[str, Any]
) -> None:
    definition = deploy((FILES / "two_steps.bpmn").read_bytes())
    hunter = two_teams["hunter_a"]
    instance = services.instance_start(actor=hunter, definition=definition)
    task = HumanTask.objects.get(instance=instance, status=TaskStatus.OPEN)
    assert task.form_schema == []
    with pytest.raises(DomainError) as refused:
        services.task_complete(actor=hunter, task=task, data={"note": "x"})
    assert refused.value.code == BpmError.INVALID_FORM_DATA
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    done = services.task_complete(actor=hunter, task=task, data={})
    done.refresh_from_db()
    assert (done.status, done.result) == (TaskStatus.COMPLETED, {})
