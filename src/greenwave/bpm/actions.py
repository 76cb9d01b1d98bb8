"""The registry of named service-task actions a BPMN file may call (`gw:action="…"`).

Processes act on Greenwave only through these typed functions, which call the apps'
services — never arbitrary code. Apps register their actions in `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

ActionFunc = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ServiceAction:
    name: str
    label: Any
    func: ActionFunc


class ActionError(Exception):
    """A business error an action reports with a code (e.g. `card_declined`).

    A boundary error event on the service task with that error code (or with none) takes the
    process down its error path, with `error_code` and `error_message` as variables; without
    such an event the failure is an incident, like any other exception.
    """

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


_ACTIONS: dict[str, ServiceAction] = {}


def register_action(name: str, label: Any, func: ActionFunc) -> None:
    _ACTIONS[name] = ServiceAction(name, label, func)


def unregister_action(name: str) -> None:
    _ACTIONS.pop(name, None)


def action_names() -> list[str]:
    return sorted(_ACTIONS)


def run_action(name: str, element_id: str, variables: dict[str, Any]) -> Mapping[str, Any] | None:
    action = _ACTIONS.get(name)
    if action is None:
        raise LookupError(f"Unknown service action {name!r} in {element_id}.")
    return action.func(variables)


def _notify(variables: Mapping[str, Any]) -> dict[str, Any]:
    # The notice itself (in-app and e-mail) is sent once the step is saved, by
    # `bpm.notifications.step_effects`: it needs the instance, which an action does not see.
    return {"notified": True}


def _absence_record(variables: Mapping[str, Any]) -> None:
    # Written to the event log by `bpm.notifications.absence_record` after the step.
    return None


def _noop(variables: Mapping[str, Any]) -> None:
    return None


register_action("notify", _("Notify"), _notify)
register_action("absence_record", _("Record an absence"), _absence_record)
register_action("noop", _("Do nothing"), _noop)
