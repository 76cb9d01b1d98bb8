"""Writers of the KPIs added from building blocks (heads, directors, administrators): create,
update, activate. Re-exported by `services`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.core.errors import DomainError
from greenwave.core.services import event_append_for

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


def _kpi_errors(
    *,
    source: str,
    aggregate: str,
    record: str,
    field_name: str,
    date_field: str,
    filters: Mapping[str, Any],
    event_activity: str,
    name: str,
    unit: str,
    direction: str,
) -> dict[str, str]:
    """{form field: a message a person can act on} for a KPI's building blocks."""
    from .kpis import RECORDS

    codes = validate_custom(
        source=source,
        aggregate=aggregate,
        record=record,
        field_name=field_name,
        date_field=date_field,
        filters=dict(filters),
        event_activity=event_activity,
    )
    spec = RECORDS.get(record)
    errors: dict[str, str] = {}
    for code in codes:
        if code == "source":
            errors["source"] = _("Choose what the KPI is computed from: records or the event log.")
        elif code == "aggregate":
            errors["aggregate"] = _("Choose count, sum or average.")
        elif code == "record":
            errors["record"] = _("Choose the records to count: %(r)s.") % {"r": ", ".join(RECORDS)}
        elif code == "field" and source == KpiSource.RECORD and spec is not None:
            errors["field"] = _(
                "A sum or an average needs a numeric field of the record: %(f)s."
            ) % {"f": ", ".join(spec[1]) or "—"}
        elif code == "field":
            errors["field"] = _(
                "A sum or an average needs the payload key to add up: small Latin letters, "
                "digits and «_»."
            )
        elif code == "date_field" and spec is not None:
            errors["date_field"] = _("The month is taken by a date of the record: %(f)s.") % {
                "f": ", ".join(spec[2])
            }
        elif code == "event_activity":
            errors["event_activity"] = _(
                "Name the event activity to count: small Latin letters, digits and «_» "
                "(e.g. call_completed)."
            )
        elif code.startswith("filters.") and spec is not None:
            name_ = code.partition(".")[2]
            allowed = spec[3].get(name_)
            if allowed is None:
                message = _("%(n)s cannot be filtered on; filters: %(a)s.") % {
                    "n": name_,
                    "a": ", ".join(spec[3]) or "—",
                }
            else:
                message = _("%(n)s is one of: %(a)s.") % {"n": name_, "a": ", ".join(allowed)}
            errors["filters"] = " ".join(filter(None, [errors.get("filters"), message]))
    if not (name or "").strip():
        errors["name"] = _("Give the KPI a name.")
    if unit not in KpiUnit.values:
        errors["unit"] = _("Choose a unit.")
    if direction not in KpiDirection.values:
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
def kpi_create(
    *,
    actor: User,
    key: str,
    name: str,
    name_en: str = "",
    unit: str = KpiUnit.COUNT,
    direction: str = KpiDirection.UP,
    definition: str = "",
    definition_en: str = "",
    source: str = KpiSource.RECORD,
    aggregate: str = "count",
    record: str = "",
    field_name: str = "",
    date_field: str = "",
    filters: Mapping[str, Any] | None = None,
    event_activity: str = "",
    is_active: bool = True,
) -> Kpi:
    """A KPI from the safe building blocks (no code, no SQL); audited."""
    import re

    _require_planner(actor)
    errors = _kpi_errors(
        source=source,
        aggregate=aggregate,
        record=record,
        field_name=field_name,
        date_field=date_field,
        filters=filters or {},
        event_activity=event_activity,
        name=name,
        unit=unit,
        direction=direction,
    )
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
    kpi = Kpi.objects.create(
        key=key,
        order=1000,
        **_kpi_values(
            name=name,
            name_en=name_en,
            unit=unit,
            direction=direction,
            definition=definition,
            definition_en=definition_en,
            source=source,
            aggregate=aggregate,
            record=record,
            field_name=field_name,
            date_field=date_field,
            filters=filters,
            event_activity=event_activity,
            is_active=is_active,
        ),
    )
    event_append_for(
        kpi,
        activity=events.KPI_CREATED,
        actor=actor,
        payload={"key": key, **{f: _plain(getattr(kpi, f)) for f in KPI_FIELDS}},
        new_case=True,
    )
    return kpi


def _plain(value: Any) -> Any:
    return (
        value if isinstance(value, str | bool | int | dict | list) or value is None else str(value)
    )


def _kpi_values(
    *,
    name: str,
    name_en: str,
    unit: str,
    direction: str,
    definition: str,
    definition_en: str,
    source: str,
    aggregate: str,
    record: str,
    field_name: str,
    date_field: str,
    filters: Mapping[str, Any] | None,
    event_activity: str,
    is_active: bool,
) -> dict[str, Any]:
    by_record = source == KpiSource.RECORD
    return {
        "name": name.strip()[:120],
        "name_en": (name_en or "").strip()[:120],
        "unit": unit,
        "direction": direction,
        "definition": (definition or "").strip(),
        "definition_en": (definition_en or "").strip(),
        "source": source,
        "aggregate": aggregate,
        "record": record if by_record else "",
        "field": field_name if aggregate != "count" else "",
        "date_field": date_field if by_record else "",
        "filters": {str(k): str(v) for k, v in (filters or {}).items()} if by_record else {},
        "event_activity": event_activity if not by_record else "",
        "is_active": bool(is_active),
    }


@transaction.atomic
def kpi_update(
    *,
    actor: User,
    kpi: Kpi,
    name: str,
    name_en: str = "",
    unit: str = KpiUnit.COUNT,
    direction: str = KpiDirection.UP,
    definition: str = "",
    definition_en: str = "",
    source: str = KpiSource.RECORD,
    aggregate: str = "count",
    record: str = "",
    field_name: str = "",
    date_field: str = "",
    filters: Mapping[str, Any] | None = None,
    event_activity: str = "",
    is_active: bool = True,
) -> Kpi:
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
    _raise_kpi_errors(
        _kpi_errors(
            source=source,
            aggregate=aggregate,
            record=record,
            field_name=field_name,
            date_field=date_field,
            filters=filters or {},
            event_activity=event_activity,
            name=name,
            unit=unit,
            direction=direction,
        )
    )
    values = _kpi_values(
        name=name,
        name_en=name_en,
        unit=unit,
        direction=direction,
        definition=definition,
        definition_en=definition_en,
        source=source,
        aggregate=aggregate,
        record=record,
        field_name=field_name,
        date_field=date_field,
        filters=filters,
        event_activity=event_activity,
        is_active=is_active,
    )
    changes = {
        f: [_plain(getattr(kpi, f)), _plain(v)] for f, v in values.items() if getattr(kpi, f) != v
    }
    if not changes:
        return kpi
    for f, v in values.items():
        setattr(kpi, f, v)
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
        kpi.is_active = is_active
        kpi.save(update_fields=["is_active", "updated_at"])
        event_append_for(
            kpi,
            activity=events.KPI_UPDATED,
            actor=actor,
            payload={"key": kpi.key, "changes": {"is_active": [not is_active, is_active]}},
        )
    return kpi
