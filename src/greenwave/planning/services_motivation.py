"""Writers of motivation (seeds 002 and 004): commission schemes and assistant splits.
Re-exported by `services`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import (
    can_write_for_user,
)
from greenwave.core.errors import DomainError, not_found
from greenwave.core.record_change import record_change, record_insert
from greenwave.core.services import assign, event_append_for, ref
from greenwave.crm.models import ProductGroup

from . import events
from .errors import PlanningError
from .services import (
    _require_planner,
)
from .services_kpis import _plain


def _scheme_number(value: Any, limit: Decimal, field: str) -> Decimal:
    try:
        result = Decimal(
            str(value).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
        )
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(
            PlanningError.INVALID,
            _("Not a number: %(v)s") % {"v": value},
            details={"field": field},
        ) from exc
    if not result.is_finite() or result < 0 or result > limit:
        raise DomainError(
            PlanningError.INVALID,
            _("%(v)s is out of range: from 0 to %(max)s.") % {"v": value, "max": limit},
            details={"field": field},
        )
    return result.quantize(Decimal("0.01"))


def _scheme_clean(
    default_percent: Any,
    group_percents: Mapping[str, Any] | None,
    steps: list[list[Any]] | None,
) -> tuple[Decimal, dict[str, str], list[list[str]]]:
    groups: dict[str, str] = {}
    for key, value in (group_percents or {}).items():
        if value is None or str(value).strip() == "":
            continue
        if not str(key).isdigit():
            raise DomainError(PlanningError.INVALID, _("Unknown product group."))
        groups[str(int(key))] = str(_scheme_number(value, Decimal(100), f"group_{int(key)}"))
    known = set(
        ProductGroup.objects.filter(pk__in=[int(k) for k in groups]).values_list("pk", flat=True)
    )
    if len(known) != len(groups):
        raise DomainError(PlanningError.INVALID, _("Unknown product group."))
    clean_steps = []
    for a, b in steps or []:
        start = _scheme_number(a, Decimal(1000), "steps")
        factor = _scheme_number(b, Decimal(10), "steps")
        clean_steps.append([str(start), str(factor)])
    starts = [Decimal(a) for a, _b in clean_steps]
    if starts != sorted(set(starts)):
        raise DomainError(
            PlanningError.INVALID,
            _("Steps go up: each starts at a higher percentage of the plan than the one before."),
            details={"field": "steps"},
        )
    return _scheme_number(default_percent, Decimal(100), "default_percent"), groups, clean_steps


@transaction.atomic
def commission_scheme_save(
    *,
    actor: User,
    name: str,
    default_percent: Any,
    group_percents: Mapping[str, Any] | None = None,
    steps: list[list[Any]] | None = None,
    scheme: Any = None,
) -> Any:
    """Without `scheme`: a new scheme that becomes the active one (the previous one stays,
    inactive). With it: that scheme's rules changed. Audited either way; the statements are
    computed from the log, so they follow at once."""
    from .models import CommissionScheme

    _require_planner(actor)
    if not (name or "").strip():
        raise DomainError(
            PlanningError.INVALID, _("Give the scheme a name."), details={"field": "name"}
        )
    percent, groups, clean_steps = _scheme_clean(default_percent, group_percents, steps)
    values = {
        "name": name.strip()[:120],
        "default_percent": percent,
        "group_percents": groups,
        "steps": clean_steps,
    }
    if scheme is None:
        CommissionScheme.objects.filter(is_active=True).update(is_active=False)
        scheme = CommissionScheme(**values)
        return record_insert(
            scheme,
            activity=events.COMMISSION_SCHEME_SAVED,
            actor=actor,
            payload={
                "name": scheme.name,
                "default_percent": str(percent),
                "groups": groups,
                "steps": clean_steps,
            },
        )
    scheme = CommissionScheme.objects.select_for_update().get(pk=scheme.pk)
    changes = {
        f: [_plain(getattr(scheme, f)), _plain(v)]
        for f, v in values.items()
        if getattr(scheme, f) != v
    }
    _save_changes(scheme, values, changes, activity=events.COMMISSION_SCHEME_CHANGED, actor=actor)
    return scheme


def _save_changes(
    record: Any, values: Mapping[str, Any], changes: dict[str, Any], *, activity: str, actor: User
) -> None:
    """Write `values` and log the `changes` they make, when they make any."""
    if not changes:
        return
    assign(record, values)
    record.save()
    event_append_for(record, activity=activity, actor=actor, payload={"changes": changes})


@transaction.atomic
def commission_scheme_activate(*, actor: User, scheme: Any) -> Any:
    """Make this scheme the one that applies (the others become inactive); audited."""
    from .models import CommissionScheme

    _require_planner(actor)
    scheme = CommissionScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_active:
        return scheme
    CommissionScheme.objects.filter(is_active=True).update(is_active=False)
    record_change(
        scheme, {"is_active": True}, activity=events.COMMISSION_SCHEME_ACTIVATED, actor=actor
    )
    return scheme


# --- assistant splits (seed 002) ------------------------------------------------------------


@transaction.atomic
def _split_checked(
    *,
    actor: User,
    manager: User,
    assistant: User,
    share_percent: Any,
    valid_from: date,
    valid_until: date | None,
    split: Any,
) -> Decimal:
    """What `assistant_split_save` refuses (rights, the same person, the part, the dates, an
    overlapping split); returns the assistant's part."""
    from .models import AssistantSplit

    _require_planner(actor)
    for person in (manager, assistant):
        if not can_write_for_user(actor, person):
            raise not_found(_("Not found."))
    if manager.pk == assistant.pk:
        raise DomainError(
            PlanningError.INVALID,
            _("The assistant must be another person than the manager."),
            details={"field": "assistant"},
        )
    share = _scheme_number(share_percent, Decimal(100), "share_percent")
    if share <= 0:
        raise DomainError(
            PlanningError.INVALID,
            _("The assistant's part is above 0 %."),
            details={"field": "share_percent"},
        )
    if valid_until is not None and valid_until < valid_from:
        raise DomainError(
            PlanningError.INVALID,
            _("The split cannot end before it starts."),
            details={"field": "valid_until"},
        )
    overlapping = AssistantSplit.objects.filter(manager=manager, assistant=assistant).filter(
        models_q_overlap(valid_from, valid_until)
    )
    if split is not None:
        overlapping = overlapping.exclude(pk=split.pk)
    if overlapping.exists():
        raise DomainError(
            PlanningError.INVALID,
            _("This assistant already has a split with this manager for these dates."),
            details={"field": "valid_from"},
        )
    return share


def assistant_split_save(
    *,
    actor: User,
    manager: User,
    assistant: User,
    share_percent: Any,
    valid_from: date,
    valid_until: date | None = None,
    split: Any = None,
) -> Any:
    """Create (or with `split`, change) a manager → assistant split: a head may set it for
    people they write for, an administrator for anyone; audited."""
    from .models import AssistantSplit

    share = _split_checked(
        actor=actor,
        manager=manager,
        assistant=assistant,
        share_percent=share_percent,
        valid_from=valid_from,
        valid_until=valid_until,
        split=split,
    )
    values = {
        "manager": manager,
        "assistant": assistant,
        "share_percent": share,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    if split is None:
        return record_insert(
            AssistantSplit(**values),
            activity=events.ASSISTANT_SPLIT_SAVED,
            actor=actor,
            payload={
                "manager_id": manager.pk,
                "assistant_id": assistant.pk,
                "share_percent": str(share),
                "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat() if valid_until else None,
            },
            objects=[ref(manager, "manager"), ref(assistant, "assistant")],
        )
    split = AssistantSplit.objects.select_for_update().get(pk=split.pk)
    if not (
        can_write_for_user(actor, split.manager) and can_write_for_user(actor, split.assistant)
    ):
        raise not_found(_("Not found."))
    changes = {}
    for f, v in values.items():
        old = getattr(split, f)
        if old != v:
            changes[f] = [
                getattr(old, "pk", None) if isinstance(old, User) else _plain(old),
                getattr(v, "pk", None) if isinstance(v, User) else _plain(v),
            ]
    _save_changes(split, values, changes, activity=events.ASSISTANT_SPLIT_CHANGED, actor=actor)
    return split


def models_q_overlap(start: date, end: date | None) -> Any:
    from django.db.models import Q

    q = Q(valid_until__isnull=True) | Q(valid_until__gte=start)
    if end is not None:
        q &= Q(valid_from__lte=end)
    return q
