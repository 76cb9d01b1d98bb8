"""The changes of an event as sentences people read: «Дата закрытия: 25.12.2026 → 30.12.2026»,
not `expected_close_date: 2026-12-25 → 2026-12-30`.

The payload of a *changed* event is `{"changes": {field: [before, after]}}` with JSON values.
The label and the way a value is shown come from the model whose `EVENT_CASE_TYPE` is the
event's case type (or the payload's `entity`), so core needs to know no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from .values import EMPTY, date_text, datetime_text, joined

# Fields that snapshots add beside the model's own columns.
COMMON_LABELS = {
    "responsible": gettext_lazy("Responsible"),
    "team": gettext_lazy("Team"),
    "company": gettext_lazy("Client"),
    "stage": gettext_lazy("Stage"),
    "status": gettext_lazy("Status"),
    "custom_fields": gettext_lazy("Custom fields"),
}


# Fields whose values the log keeps as a person's login (`user.username`), shown by name.
PEOPLE = frozenset({"responsible", "hunter", "closer", "farmer"})


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@cache
def _models_by_case_type() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        case_type = getattr(model, "EVENT_CASE_TYPE", None)
        if isinstance(case_type, str):
            found.setdefault(case_type, model)
    return found


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a relation seen from the other side
        return None
    return field if isinstance(field, models.Field) else None


def field_label(case_type: str, name: str) -> str:
    field = _field(_models_by_case_type().get(case_type), name)
    if name in COMMON_LABELS and (field is None or field.is_relation):
        return str(COMMON_LABELS[name])
    if field is not None:
        return capfirst(str(field.verbose_name))
    return capfirst(name.replace("_", " "))


def _scalar(value: Any, field: models.Field[Any, Any] | None) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        choices = {str(k): v for k, v in field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return datetime_text(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return date_text(value)
    if isinstance(field, models.DecimalField) and isinstance(value, str | int | float):
        try:
            return formats.number_format(Decimal(str(value)), force_grouping=True)
        except InvalidOperation:
            return str(value)
    return str(value)


def format_value(value: Any, field: models.Field[Any, Any] | None = None) -> str:
    """A JSON value of the event log as a person reads it."""
    text = joined(value, lambda v: _scalar(v, field), lambda k, v: f"{k}: {format_value(v)}")
    return _scalar(value, field) if text is None else text


def change_lines(case_type: str, payload: Any) -> list[ChangeLine]:
    """The `changes` of an event payload (and a move «from → to»), labelled and formatted."""
    if not isinstance(payload, dict):
        return []
    if "from_name" in payload and "to_name" in payload:
        return [
            ChangeLine(
                str(COMMON_LABELS["stage"]),
                format_value(_named(payload, "from_name")),
                format_value(_named(payload, "to_name")),
            )
        ]
    if not isinstance(payload.get("changes"), dict):
        return []
    entity = payload.get("entity")
    if not isinstance(entity, str):
        entity = case_type
    model = _models_by_case_type().get(entity)
    changes = {
        name: change if isinstance(change, list | tuple) and len(change) == 2 else ("", change)
        for name, change in payload["changes"].items()
    }
    people = _people_names(changes)
    lines = []
    for name, (before, after) in changes.items():
        field = _field(model, name)
        label = field_label(entity, name)
        if name in PEOPLE:
            before, after = people.get(before, before), people.get(after, after)
        lines.append(ChangeLine(label, format_value(before, field), format_value(after, field)))
    return lines


def _named(payload: dict[str, Any], key: str) -> Any:
    """A name the event wrote in both languages (`to_name`, `to_name_en`), in the reader's;
    events written before they carried the English one read as they were written."""
    english = payload.get(f"{key}_en")
    if english and (get_language() or "ru").startswith("en"):
        return english
    return payload[key]


def _people_names(changes: dict[str, Any]) -> dict[Any, str]:
    """Logins the changes name, by the person's name: «hunter → closer» reads «Иван Охотников
    → Пётр Клоузеров». A value that is no login (an older event's name) stays as it is."""
    logins = {
        value
        for name, pair in changes.items()
        if name in PEOPLE
        for value in pair
        if isinstance(value, str) and value
    }
    if not logins:
        return {}
    return {
        user.username: str(user) for user in get_user_model().objects.filter(username__in=logins)
    }
