"""The shorter Python of a step's services (issue #23, bpmpy) gives what the longer one gave:
a model object's copy is `copy.copy`'s, a new row is `Model(**values)`, a lane's role is
`role_code`'s answer, remembered."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.db.models.signals import post_init

from greenwave.accounts.models import RoleCode, User
from greenwave.bpm import services
from greenwave.bpm.models import HumanTask, ProcessDefinition, ProcessInstance
from greenwave.bpm.services.steps import model_copy, new_row, role_code

FILES = Path(__file__).parent / "files"


def _parts(obj: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """An object's fields, its `_state`'s own attributes, its cache of related objects."""
    values = dict(vars(obj))
    state = values.pop("_state")
    own = dict(vars(state))
    cache = own.pop("fields_cache", {})
    return values, own, cache


def _memoryviews_as_bytes(values: dict[str, Any]) -> dict[str, Any]:
    return {k: bytes(v) if isinstance(v, memoryview) else v for k, v in values.items()}


@pytest.fixture
def started(db: Any) -> ProcessInstance:
    user = User.objects.create_user(username="pyuser", password="x")
    definition = services.definition_upload_and_deploy(
        actor=None, xml=(FILES / "two_steps.bpmn").read_bytes()
    )
    return services.instance_start(actor=user, definition=definition)


def test_a_model_copy_is_what_copy_copy_gives(started: ProcessInstance) -> None:
    instance = ProcessInstance.objects.select_related("definition", "responsible").get(
        pk=started.pk
    )
    instance.definition.xml = memoryview(bytes(instance.definition.xml))
    for obj in (instance, instance.definition, instance.responsible, started):
        ours, theirs = model_copy(obj), copy.copy(obj)
        assert type(ours) is type(obj)
        ours_values, ours_state, ours_cache = _parts(ours)
        theirs_values, theirs_state, theirs_cache = _parts(theirs)
        assert _memoryviews_as_bytes(ours_values) == _memoryviews_as_bytes(theirs_values)
        assert set(ours_values) == set(theirs_values)
        assert ours_state == theirs_state
        assert ours_cache == theirs_cache
        for name, value in vars(obj).items():
            if isinstance(value, memoryview):  # a new memoryview, as pickling's
                assert getattr(ours, name) is not value
        # Its own state and cache: the original's do not change with the copy's.
        assert ours._state is not obj._state
        ours._state.adding = not obj._state.adding
        ours._state.fields_cache["marker"] = 1
        assert "marker" not in obj._state.fields_cache
        assert ours._state.adding != obj._state.adding


def test_a_model_with_its_own_pickling_is_copied_by_copy_copy(
    started: ProcessInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def getstate(self: ProcessInstance) -> dict[str, Any]:
        calls.append(self.pk)
        return dict(vars(self), _state=copy.copy(self._state))

    monkeypatch.setattr(ProcessInstance, "__getstate__", getstate)
    model_copy(started)
    assert calls == [started.pk]


def _task_values(instance: ProcessInstance) -> dict[str, Any]:
    return {
        "instance": instance,
        "engine_task_id": "abc",
        "element_id": "t1",
        "name": "Задача",
        "assignee": instance.responsible,
        "candidate_role": "",
        "candidate_team": None,
        "team_id": None,
        "form_schema": [{"name": "x", "type": "text"}],
        "due_at": None,
    }


def _instance_values(definition: ProcessDefinition, actor: User | None) -> dict[str, Any]:
    return {
        "definition": definition,
        "state": "",
        "serializer_version": 3,
        "object_type": "deal",
        "object_id": "7",
        "business_key": "deal:7",
        "responsible": actor,
        "team_id": None,
    }


def test_a_new_row_is_what_the_model_builds(started: ProcessInstance) -> None:
    for model, values in (
        (HumanTask, _task_values(started)),
        (ProcessInstance, _instance_values(started.definition, started.responsible)),
        (ProcessInstance, _instance_values(started.definition, None)),
    ):
        ours, theirs = new_row(model, **values), model(**values)
        ours_values, ours_state, ours_cache = _parts(ours)
        theirs_values, theirs_state, theirs_cache = _parts(theirs)
        # A callable default is called for each row: the same kind of value, its own.
        for name in ("created_at", "updated_at", "started_at"):
            if name in theirs_values and callable(
                model._meta.get_field(name).default  # type: ignore[union-attr]
            ):
                assert type(ours_values.pop(name)) is type(theirs_values.pop(name))
        assert list(ours_values) == list(theirs_values)  # the fields in their order
        assert ours_values == theirs_values
        assert ours_state == theirs_state
        assert ours_cache == theirs_cache
        # A mutable default is the row's own.
        for name, value in ours_values.items():
            if isinstance(value, dict | list) and name not in values:
                assert value is not theirs_values[name]


def test_a_new_row_runs_init_when_someone_listens_and_refuses_unknown_names(
    started: ProcessInstance,
) -> None:
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=HumanTask)
    try:
        task = new_row(HumanTask, **_task_values(started))
    finally:
        post_init.disconnect(receiver, sender=HumanTask)
    assert seen == [task]
    with pytest.raises(TypeError):
        new_row(HumanTask, **_task_values(started), no_such_field=1)


def test_a_role_name_is_looked_up_once() -> None:
    names = ["", "lawyer", "Юрист", "охотник", "Lawyer", "Head of sales", "nobody", " HR "]
    expected = [role_code.__wrapped__(name) for name in names]
    assert expected[1:4] == [RoleCode.LAWYER, RoleCode.LAWYER, RoleCode.HUNTER]
    role_code.cache_clear()
    assert [role_code(name) for name in names] == expected
    hits = role_code.cache_info().hits
    assert [role_code(name) for name in names] == expected
    assert role_code.cache_info().hits == hits + len(names)
