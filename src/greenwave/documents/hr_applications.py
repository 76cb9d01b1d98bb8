"""The employee's application (заявление) of the HR processes of seed 001, made from the
built-in DOCX template `builtin/hr_application.docx` once the employee has filled in the form,
and kept with the process so that the head, HR and the accountant each see it with their task.

The library's HR processes call it by a service step `gw:action="hr_application"` right after
the form (vacation, time off, business trip, dismissal). The action itself only marks the step;
the file is made once the step is saved (`bpm.notifications.register_step_effect`), because it
needs the process run: who started it (the employee: name, position) and the form's values.
The application is addressed to the signatory of the default legal entity (documents'
requisites: «Генеральному директору ООО … Иванову И. И.»).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.bpm.actions import register_action
from greenwave.bpm.notifications import register_step_effect
from greenwave.bpm.services import process_file_attach

from .builtin import builtin_path
from .context import ru_date, ru_money
from .rendering import render_docx
from .requisites import (
    initials,
    name_dative,
    name_genitive,
    position_dative,
    position_genitive,
)

ACTION = "hr_application"
# The process key → the kind the template's body is chosen by, and the file's name.
KINDS: dict[str, tuple[str, str]] = {
    "vacation": ("vacation", "Заявление на отпуск"),
    "time_off": ("time_off", "Заявление на отгул"),
    "business_trip": ("business_trip", "Заявление на командировку"),
    "dismissal": ("dismissal", "Заявление об увольнении"),
}
FIELD = "application"  # the ProcessFile's field: what the file list names it by


def _day(value: Any) -> str:
    try:
        return ru_date(date.fromisoformat(str(value)))
    except ValueError:
        return ""


def _days(start: Any, end: Any) -> str:
    try:
        count = (date.fromisoformat(str(end)) - date.fromisoformat(str(start))).days + 1
    except ValueError:
        return ""
    if count <= 0:
        return ""
    tail = count % 100
    if tail % 10 == 1 and tail != 11:
        word = "календарный день"
    elif 2 <= tail % 10 <= 4 and not 12 <= tail <= 14:
        word = "календарных дня"
    else:
        word = "календарных дней"
    return f"{count} {word}"


def _full_name(person: Any) -> str:
    if person is None:
        return ""
    parts = [person.last_name, person.first_name, getattr(person, "middle_name", "")]
    return " ".join(p for p in parts if p) or str(person.username)


def application_context(
    *,
    process_key: str,
    variables: Mapping[str, Any],
    employee: Any,
    entity: Any,
    today: date,
) -> dict[str, Any]:
    """What the template is filled with: the addressee (the legal entity's signatory), the
    employee, the application's kind and the form's values as a Russian paper writes them."""
    kind = KINDS[process_key][0]
    name = _full_name(employee)
    position = str(getattr(employee, "position", "") or "")
    advance = variables.get("advance")
    signatory = str(getattr(entity, "signatory_name", "") or "")
    return {
        "seller": {"name": getattr(entity, "name", "") if entity is not None else ""},
        "addressee": {
            "position_dative": position_dative(
                str(getattr(entity, "signatory_position", "") or "Генеральный директор")
            ),
            "name_dative": initials(name_dative(signatory)) if signatory else "",
        },
        "employee": {
            "name": name,
            "short": initials(name),
            "name_genitive": name_genitive(name),
            "position_genitive": position_genitive(position) if position else "сотрудника",
        },
        "application": {
            "kind": kind,
            "vacation_kind": str(variables.get("vacation_kind") or ""),
            "compensation": str(variables.get("compensation") or ""),
            "date_from": _day(variables.get("date_from")),
            "date_to": _day(variables.get("date_to")),
            "days": _days(variables.get("date_from"), variables.get("date_to")),
            "last_day": _day(variables.get("last_day")),
            "destination": str(variables.get("destination") or ""),
            "purpose": str(variables.get("purpose") or ""),
            "reason": str(variables.get("reason") or ""),
            "advance": ru_money(Decimal(str(advance))) if advance not in (None, "", 0) else "",
            "comment": str(variables.get("comment") or ""),
        },
        "document": {"date": ru_date(today)},
    }


def application_render(
    *, process_key: str, variables: Mapping[str, Any], employee: Any, entity: Any, today: date
) -> bytes:
    """The filled DOCX of an application (the built-in template)."""
    context = application_context(
        process_key=process_key,
        variables=variables,
        employee=employee,
        entity=entity,
        today=today,
    )
    return render_docx(builtin_path(ACTION), context)


def application_file_name(process_key: str, employee: Any) -> str:
    title = KINDS[process_key][1]
    short = initials(_full_name(employee))
    return f"{title} — {short}.docx" if short else f"{title}.docx"


def attach_application(instance: Any, element_id: str, actor: Any) -> None:
    """The step effect: render the application of this run and keep it with the process."""
    from .services import legal_entity_default

    key = instance.definition.key
    if key not in KINDS:
        return  # a process of another key calling the action: nothing to fill in
    variables = dict(instance.variables or {})
    employee = instance.responsible
    content = application_render(
        process_key=key,
        variables=variables,
        employee=employee,
        entity=legal_entity_default(),
        today=timezone.localdate(),
    )
    process_file_attach(
        actor=actor,
        instance=instance,
        field=FIELD,
        name=application_file_name(key, employee),
        content=content,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        element_id=element_id,
    )


def register() -> None:
    """Called from the app's `ready()`: the action the library's HR processes name."""
    register_action(ACTION, _("Make the employee's application from its template"), _marked)
    register_step_effect(ACTION, attach_application)


def _marked(variables: Mapping[str, Any]) -> dict[str, Any]:
    return {"application_made": True}
