"""Writers of the KPIs added from building blocks (heads, directors, administrators): create,
update, activate. Re-exported by `services`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.record_change import record_change, record_insert
from greenwave.core.services import assign, event_append_for
from greenwave.core.values import EMPTY

from . import events
from .errors import PlanningError
from .kpis import BUILTIN_KEYS, validate_custom
from .models import (
    Kpi,
    KpiDirection,
    KpiSource,
    KpiUnit,
)
from .services import (
    _require_planner,
)

# --- KPIs added from building blocks (heads, directors, administrators) ----------------

KPI_FIELDS = (
    "name",
    "name_en",
    "unit",
    "direction",
    "definition",
    "definition_en",
    "source",
    "aggregate",
    "record",
    "field",
    "date_field",
    "filters",
    "event_activity",
    "is_active",
)


@dataclass(frozen=True)
class KpiSpec:
    """What a KPI added from building blocks is: its names, unit, direction and definition,
    and how it is computed (records counted, summed or averaged, or events counted)."""

    name: str
    name_en: str = ""
    unit: str = KpiUnit.COUNT
    direction: str = KpiDirection.UP
    definition: str = ""
    definition_en: str = ""
    source: str = KpiSource.RECORD
    aggregate: str = "count"
    record: str = ""
    field_name: str = ""
    date_field: str = ""
    filters: Mapping[str, Any] | None = None
    event_activity: str = ""
    is_active: bool = True


def _kpi_errors(spec: KpiSpec) -> dict[str, str]:
    """{form field: a message a person can act on} for a KPI's building blocks."""
    from .kpis import RECORDS

    source = spec.source
    codes = validate_custom(
        source=source,
        aggregate=spec.aggregate,
        record=spec.record,
        field_name=spec.field_name,
        date_field=spec.date_field,
        filters=dict(spec.filters or {}),
        event_activity=spec.event_activity,
    )
    blocks = RECORDS.get(spec.record)
    errors: dict[str, str] = {}
    for code in codes:
        if code == "source":
            errors["source"] = _("Choose what the KPI is computed from: records or the event log.")
        elif code == "aggregate":
            errors["aggregate"] = _("Choose count, sum or average.")
        elif code == "record":
            errors["record"] = _("Choose the records to count: %(r)s.") % {"r": ", ".join(RECORDS)}
        elif code == "field" and source == KpiSource.RECORD and blocks is not None:
            errors["field"] = _(
                "A sum or an average needs a numeric field of the record: %(f)s."
            ) % {"f": ", ".join(blocks[1]) or EMPTY}
        elif code == "field":
            errors["field"] = _(
                "A sum or an average needs the payload key to add up: small Latin letters, "
                "digits and «_»."
            )
        elif code == "date_field" and blocks is not None:
            errors["date_field"] = _("The month is taken by a date of the record: %(f)s.") % {
                "f": ", ".join(blocks[2])
            }
        elif code == "event_activity":
            errors["event_activity"] = _(
                "Name the event activity to count: small Latin letters, digits and «_» "
                "(e.g. call_completed)."
            )
        elif code.startswith("filters.") and blocks is not None:
            name_ = code.partition(".")[2]
            allowed = blocks[3].get(name_)
            if allowed is None:
                message = _("%(n)s cannot be filtered on; filters: %(a)s.") % {
                    "n": name_,
                    "a": ", ".join(blocks[3]) or EMPTY,
                }
            else:
                message = _("%(n)s is one of: %(a)s.") % {"n": name_, "a": ", ".join(allowed)}
            errors["filters"] = " ".join(filter(None, [errors.get("filters"), message]))
    if not (spec.name or "").strip():
        errors["name"] = _("Give the KPI a name.")
    if spec.unit not in KpiUnit.values:
        errors["unit"] = _("Choose a unit.")
    if spec.direction not in KpiDirection.values:
        errors["direction"] = _("Choose whether more or less is better.")
    return errors


def _raise_kpi_errors(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors))
        raise DomainError(
            PlanningError.BAD_KPI,
            _("The KPI is not valid: %(e)s") % {"e": " ".join(errors.values())},
            details={"fields": sorted(errors), "errors": errors, "field": first},
        )


@transaction.atomic
def kpi_create(*, actor: User, key: str, spec: KpiSpec) -> Kpi:
    """A KPI from the safe building blocks (no code, no SQL); audited."""
    import re

    _require_planner(actor)
    errors = _kpi_errors(spec)
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", key or ""):
        errors = {
            "key": _(
                "The key is 2–40 small Latin letters, digits and «_», starting with a letter."
            ),
            **errors,
        }
    elif key in BUILTIN_KEYS or Kpi.objects.filter(key=key).exists():
        errors = {"key": _("The key %(k)s is taken.") % {"k": key}, **errors}
    _raise_kpi_errors(errors)
    kpi = Kpi(key=key, order=1000, **_kpi_values(spec))
    return record_insert(
        kpi,
        activity=events.KPI_CREATED,
        actor=actor,
        payload={"key": key, **{f: _plain(getattr(kpi, f)) for f in KPI_FIELDS}},
    )


def _plain(value: Any) -> Any:
    return (
        value if isinstance(value, str | bool | int | dict | list) or value is None else str(value)
    )


def _kpi_values(spec: KpiSpec) -> dict[str, Any]:
    by_record = spec.source == KpiSource.RECORD
    filters = {str(k): str(v) for k, v in (spec.filters or {}).items()}
    return {
        "name": spec.name.strip()[:120],
        "name_en": (spec.name_en or "").strip()[:120],
        "unit": spec.unit,
        "direction": spec.direction,
        "definition": (spec.definition or "").strip(),
        "definition_en": (spec.definition_en or "").strip(),
        "source": spec.source,
        "aggregate": spec.aggregate,
        "record": spec.record if by_record else "",
        "field": spec.field_name if spec.aggregate != "count" else "",
        "date_field": spec.date_field if by_record else "",
        "filters": filters if by_record else {},
        "event_activity": spec.event_activity if not by_record else "",
        "is_active": bool(spec.is_active),
    }


@transaction.atomic
def kpi_update(*, actor: User, kpi: Kpi, spec: KpiSpec) -> Kpi:
    """Change a KPI added from building blocks (the built-in eleven are the code's: only
    whether one is shown can change, through `kpi_set_active`); the changes are audited."""
    _require_planner(actor)
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    if kpi.source == KpiSource.BUILTIN:
        raise DomainError(
            PlanningError.BAD_KPI,
            _("A built-in KPI is computed by the system; it cannot be redefined."),
            status=409,
        )
    _raise_kpi_errors(_kpi_errors(spec))
    values = _kpi_values(spec)
    changes = {
        f: [_plain(getattr(kpi, f)), _plain(v)] for f, v in values.items() if getattr(kpi, f) != v
    }
    if not changes:
        return kpi
    assign(kpi, values)
    kpi.save()
    event_append_for(
        kpi,
        activity=events.KPI_UPDATED,
        actor=actor,
        payload={"key": kpi.key, "changes": changes},
    )
    return kpi


@transaction.atomic
def kpi_set_active(*, actor: User, kpi: Kpi, is_active: bool) -> Kpi:
    """Show or hide a KPI (built-in ones included) in plans and grids; audited."""
    _require_planner(actor)
    kpi = Kpi.objects.select_for_update().get(pk=kpi.pk)
    if kpi.is_active != is_active:
        record_change(
            kpi,
            {"is_active": is_active},
            activity=events.KPI_UPDATED,
            actor=actor,
            payload={"key": kpi.key, "changes": {"is_active": [not is_active, is_active]}},
        )
    return kpi
