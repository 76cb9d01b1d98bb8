"""Template filters of the client base: readable phones and a readable change history."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from greenwave.core.models import Event
from greenwave.crm.models import Company, Contact, DecisionMaker
from greenwave.crm.requisites import format_phone

register = template.Library()

_MODELS: dict[str, type[Model]] = {
    Company.EVENT_CASE_TYPE: Company,
    Contact.EVENT_CASE_TYPE: Contact,
    DecisionMaker.EVENT_CASE_TYPE: DecisionMaker,
}


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
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if getattr(field, "name", "") in ("phone", "phones"):
        items = value if isinstance(value, list) else [value]
        return ", ".join(format_phone(str(v)) for v in items)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    choices = dict(getattr(field, "choices", None) or ())
    return str(choices.get(value, value))


@register.filter
def change_rows(event: Event) -> list[dict[str, Any]]:
    """`[{label, old, new}]` of an event payload, with field names and choices in words."""
    model = _MODELS.get(event.case_type)
    payload = event.payload or {}
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
