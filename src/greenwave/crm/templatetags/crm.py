"""Template filters of the client base: readable phones and a readable change history."""

from __future__ import annotations

import functools
from typing import Any

from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from greenwave.core.models import Event
from greenwave.core.values import EMPTY
from greenwave.crm.models import ClientGoal, ClientProfile, Contact, DecisionMaker
from greenwave.crm.requisites import format_phone

register = template.Library()


@functools.cache
def _case_models() -> dict[str, type[Model]]:
    """The client base's models whose changes are events, by their case type (an event's
    `entity`), read from the app registry: a new one needs no entry here."""
    crm = apps.get_app_config("crm").get_models()
    return {m.EVENT_CASE_TYPE: m for m in crm if hasattr(m, "EVENT_CASE_TYPE")}


@register.filter
def phone(value: str) -> str:
    return format_phone(value)


def _field(model: type[Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # snapshot keys such as `responsible` names
        return None


def _readable(field: Any, value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if getattr(field, "name", "") in ("phone", "phones"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(format_phone(str(v)) for v in items)
    if getattr(field, "name", "") == "goals" and isinstance(value, list):
        labels = dict(ClientGoal.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


@register.filter
def change_rows(event: Event) -> list[dict[str, Any]]:
    """`[{label, old, new}]` of an event payload, with field names and choices in words."""
    payload = event.payload or {}
    model = _case_models().get(str(payload.get("entity") or event.case_type))
    rows: list[dict[str, Any]] = []
    changes = payload.get("changes")
    if isinstance(changes, dict):
        for name, pair in changes.items():
            field = _field(model, name)
            old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            rows.append(
                {
                    "label": capfirst(str(field.verbose_name)) if field else name,
                    "old": _readable(field, old),
                    "new": _readable(field, new),
                }
            )
        return rows
    snapshot = payload.get("after") or payload.get("before") or {}
    for name, value in snapshot.items() if isinstance(snapshot, dict) else ():
        if value in (None, "", [], {}):
            continue
        field = _field(model, name)
        label = capfirst(str(field.verbose_name)) if field else name
        rows.append({"label": label, "old": None, "new": _readable(field, value)})
    return rows


@register.filter
def event_subject(event: Event) -> str:
    """Whom a contact or decision-maker event on a company's timeline is about."""
    payload = event.payload or {}
    if payload.get("subject"):
        return str(payload["subject"])
    snapshot = payload.get("after") or payload.get("before") or {}
    if event.case_type == Contact.EVENT_CASE_TYPE:
        return str(snapshot.get("full_name") or "")
    if event.case_type == DecisionMaker.EVENT_CASE_TYPE:
        return str(snapshot.get("contact") or "")
    return ""


@register.filter
def field_value(obj: Any, name: str) -> str:
    """A model field of `obj` in words, for section-by-section cards."""
    if obj is None:
        return EMPTY
    return _readable(_field(type(obj), name), getattr(obj, name, None))


@register.filter
def field_label(model_obj: Any, name: str) -> str:
    field = _field(model_obj if isinstance(model_obj, type) else type(model_obj), name)
    return capfirst(str(field.verbose_name)) if field else name


@register.simple_tag
def profile_label(name: str) -> str:
    field = _field(ClientProfile, name)
    return capfirst(str(field.verbose_name)) if field else name
