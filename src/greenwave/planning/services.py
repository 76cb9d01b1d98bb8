"""Writers of the planning app: build the day plan, close it into plan vs fact.

The fact of each item is computed from the activities the manager actually completed that
day (calls, meetings, tasks, e-mails for the item's client, deal or activity), so a day
cannot be closed with a typed-in «сделано». Each miss needs a comment; a day closes once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from greenwave.accounts.models import Team, User
from greenwave.accounts.scoping import (
    can_write_for_user,
    team_subtree_ids,
    visible_team_ids,
    writable_team_ids,
)
from greenwave.activities.models import Activity, ActivityKind, ActivityStatus
from greenwave.core.errors import DomainError, not_found
from greenwave.core.services import event_append, event_append_for, ref
from greenwave.crm.models import Company
from greenwave.sales.models import Deal

from . import events
from .errors import PlanningError
from .kpis import BUILTIN_KEYS, Month, mode_of, sync_builtin, today
from .models import (
    DayPlan,
    DayPlanItem,
    DayStatus,
    ItemPriority,
    ItemResult,
    ItemSource,
    Kpi,
    KpiUnit,
    MonthPlan,
    PlanningSettings,
    PlanTarget,
    RevenueBasis,
)

# A note is a record, not work with the client: it does not count as the fact of a goal.
FACT_KINDS = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.TASK, ActivityKind.EMAIL)


def user_zone(user: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def today_for(user: User) -> date:
    return timezone.now().astimezone(user_zone(user)).date()


def day_bounds(user: User, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=user_zone(user))
    return start, start + timedelta(days=1)


def _require_owner(actor: User, plan: DayPlan) -> None:
    if plan.user_id != actor.pk:
        raise DomainError(
            PlanningError.NOT_YOUR_DAY,
            _("Only the manager whose day it is can change its plan."),
            status=403,
        )


def _require_open(plan: DayPlan) -> None:
    if plan.status != DayStatus.OPEN:
        raise DomainError(
            PlanningError.DAY_ALREADY_CLOSED,
            _("The day %(date)s is already closed.")
            % {"date": date_format(plan.date, "SHORT_DATE_FORMAT")},
            details={"date": plan.date.isoformat()},
            status=409,
        )


@transaction.atomic
def day_plan_open(*, actor: User, day: date | None = None) -> DayPlan:
    """The actor's plan of the day, created empty on first use."""
    plan, _created = DayPlan.objects.get_or_create(
        user=actor, date=day or today_for(actor), defaults={"team_id": actor.team_id}
    )
    return plan


@transaction.atomic
def day_plan_add_item(
    *,
    actor: User,
    plan: DayPlan,
    goal: str,
    company: Company | None = None,
    priority: str = ItemPriority.NORMAL,
    source: str = ItemSource.MANUAL,
    activity: Activity | None = None,
    deal: Deal | None = None,
) -> DayPlanItem:
    _require_owner(actor, plan)
    plan = DayPlan.objects.select_for_update().get(pk=plan.pk)  # the day may have closed
    _require_open(plan)
    goal = (goal or "").strip()
    if not goal:
        raise DomainError(
            PlanningError.GOAL_REQUIRED,
            _("Say what you want to achieve with this client today."),
            details={"field": "goal"},
        )
    if priority not in ItemPriority.values or source not in ItemSource.values:
        raise DomainError(PlanningError.INVALID, _("Unknown priority or source."))
    teams = visible_team_ids(actor)
    for record in (company, deal, activity):
        if record is None or teams is None:
            continue
        if record.responsible_id != actor.pk and record.team_id not in teams:
            raise not_found(_("Not found."))
    if company is None:
        company = (deal.company if deal else None) or (activity.company if activity else None)
    item = DayPlanItem.objects.create(
        plan=plan,
        company=company,
        goal=goal[:500],
        priority=priority,
        source=source,
        activity=activity,
        deal=deal,
        order=plan.items.count(),
    )
    objects = [ref(actor, "responsible")]
    if company is not None:
        objects.append(ref(company, "client"))
    event_append_for(
        plan,
        activity=events.DAY_ITEM_ADDED,
        actor=actor,
        payload={"goal": item.goal, "priority": priority, "source": source},
        objects=objects,
    )
    return item


@transaction.atomic
def day_plan_remove_item(*, actor: User, item: DayPlanItem) -> None:
    _require_owner(actor, item.plan)
    plan = DayPlan.objects.select_for_update().get(pk=item.plan_id)
    _require_open(plan)
    event_append_for(
        plan,
        activity=events.DAY_ITEM_REMOVED,
        actor=actor,
        payload={"goal": item.goal},
        objects=[ref(actor, "responsible")],
    )
    item.delete()


@dataclass
class DayFact:
    """What the manager completed that day, matched to the plan's items."""

    by_item: dict[int, list[Activity]] = field(default_factory=dict)
    unplanned: list[Activity] = field(default_factory=list)

    def done(self, item: DayPlanItem) -> bool:
        return bool(self.by_item.get(item.pk))


def day_fact(plan: DayPlan, items: list[DayPlanItem] | None = None) -> DayFact:
    """Match the completed activities of the day to the items (one query)."""
    items = list(plan.items.all()) if items is None else items
    return day_facts([(plan, items)])[plan.pk]


def day_facts(plans: list[tuple[DayPlan, list[DayPlanItem]]]) -> dict[int, DayFact]:
    """The facts of several days at once (the team board): one query for all of them."""
    if not plans:
        return {}
    bounds = {plan.pk: day_bounds(plan.user, plan.date) for plan, _items in plans}
    done = list(
        Activity.objects.filter(
            responsible_id__in={plan.user_id for plan, _items in plans},
            status=ActivityStatus.DONE,
            kind__in=FACT_KINDS,
            completed_at__gte=min(b[0] for b in bounds.values()),
            completed_at__lt=max(b[1] for b in bounds.values()),
        )
        .select_related("company")
        .order_by("completed_at", "pk")
    )
    facts: dict[int, DayFact] = {}
    for plan, items in plans:
        start, end = bounds[plan.pk]
        own = [
            a
            for a in done
            if a.responsible_id == plan.user_id
            and a.completed_at is not None
            and start <= a.completed_at < end
        ]
        fact = DayFact(by_item={item.pk: [] for item in items})
        matched: set[int] = set()
        for item in items:
            for activity in own:
                if _fulfils(item, activity):
                    fact.by_item[item.pk].append(activity)
                    matched.add(activity.pk)
        fact.unplanned = [a for a in own if a.pk not in matched]
        facts[plan.pk] = fact
    return facts


def _fulfils(item: DayPlanItem, activity: Activity) -> bool:
    """An item taken from a given task or call is met by completing that one; an item about
    a client (or deal) by any call, meeting, task or e-mail completed with it."""
    if item.activity_id:
        return activity.pk == item.activity_id
    return bool(
        (item.company_id and activity.company_id == item.company_id)
        or (item.deal_id and activity.deal_id == item.deal_id)
    )


def _fact_rows(activities: list[Activity]) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "subject": a.subject,
            "result": a.get_call_result_display() if a.call_result else a.outcome[:200],
        }
        for a in activities
    ]


@transaction.atomic
def day_plan_close(
    *,
    actor: User,
    plan: DayPlan,
    miss_comments: Mapping[Any, str] | None = None,
    comment: str = "",
) -> DayPlan:
    """Close the day: every item becomes done or missed from the activities completed that
    day; a missed item needs a comment. A day closes once (a second close is a 409)."""
    _require_owner(actor, plan)
    plan = DayPlan.objects.select_for_update().select_related("user").get(pk=plan.pk)
    _require_open(plan)
    if plan.date > today_for(actor):
        raise DomainError(PlanningError.INVALID, _("A day can be closed only when it has come."))
    comments = {str(k): (v or "").strip() for k, v in (miss_comments or {}).items()}
    items = list(plan.items.all())
    fact = day_fact(plan, items)
    missing = [i.pk for i in items if not fact.done(i) and not comments.get(str(i.pk))]
    if missing:
        raise DomainError(
            PlanningError.MISS_COMMENT_REQUIRED,
            _("Explain every missed item: %(n)s without a comment.") % {"n": len(missing)},
            details={"items": missing, "field": "miss_comments"},
        )
    for item in items:
        done = fact.done(item)
        item.result = ItemResult.DONE if done else ItemResult.MISSED
        item.fact = _fact_rows(fact.by_item.get(item.pk, []))
        item.miss_comment = "" if done else comments[str(item.pk)]
    DayPlanItem.objects.bulk_update(items, ["result", "fact", "miss_comment", "updated_at"])
    plan.status = DayStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.comment = (comment or "").strip()
    plan.planned_count = len(items)
    plan.done_count = sum(1 for i in items if i.result == ItemResult.DONE)
    plan.unplanned_count = len(fact.unplanned)
    plan.save()
    event_append_for(
        plan,
        activity=events.DAY_CLOSED,
        actor=actor,
        payload={
            "date": plan.date.isoformat(),
            "planned": plan.planned_count,
            "done": plan.done_count,
            "missed": plan.planned_count - plan.done_count,
            "unplanned": plan.unplanned_count,
        },
        objects=[ref(actor, "responsible")],
    )
    return plan


# --- monthly plans (seed 003 «Финансовый план») --------------------------------------------

MAX_TARGET = Decimal("1000000000000")
PLANNER_ROLES = ("head_of_sales", "admin")


def kpi_catalogue_sync() -> int:
    return sync_builtin(Kpi)


def planning_settings() -> PlanningSettings:
    found = PlanningSettings.objects.first()
    return found if found is not None else PlanningSettings.objects.create()


def _require_planner(actor: User) -> None:
    if not (actor.is_superuser or actor.has_role(*PLANNER_ROLES)):
        raise DomainError(
            PlanningError.NOT_A_HEAD,
            _("Only a head of sales or an administrator sets plans."),
            status=403,
        )


@transaction.atomic
def planning_settings_update(*, actor: User, revenue_basis: str) -> PlanningSettings:
    if not (actor.is_superuser or actor.has_role("admin", "head_of_sales")):
        raise DomainError(PlanningError.NOT_A_HEAD, _("Only a head or an admin."), status=403)
    if revenue_basis not in RevenueBasis.values:
        raise DomainError(PlanningError.INVALID, _("Unknown revenue basis."))
    rules = PlanningSettings.objects.select_for_update().filter(pk=planning_settings().pk).get()
    before = rules.revenue_basis
    rules.revenue_basis = revenue_basis
    rules.save()
    event_append(
        case_type=PlanningSettings.EVENT_CASE_TYPE,
        case_id=rules.pk,
        activity=events.PLANNING_SETTINGS_CHANGED,
        actor=actor,
        payload={"revenue_basis": [before, revenue_basis]},
    )
    return rules


def require_open_period(month: Month) -> None:
    """A month's plan is locked once the month is over."""
    if month.last < today():
        raise DomainError(
            PlanningError.PLAN_LOCKED,
            _("The plan of %(m)s is locked: the month is over.") % {"m": month.key},
            details={"period": month.key},
            status=409,
        )


def _require_subject_writable(actor: User, user: User | None, team: Team | None) -> None:
    _require_planner(actor)
    if user is not None and not can_write_for_user(actor, user):
        raise not_found(_("Not found."))
    if team is not None:
        teams = writable_team_ids(actor)
        if teams is not None and team.pk not in teams:
            raise not_found(_("Team not found."))


def _clean_targets(raw: Mapping[str, Any], kpis: dict[str, Kpi]) -> dict[str, Decimal | None]:
    """{key: number|None} → checked Decimals; every error names its key, nothing is kept."""
    unknown = sorted(k for k in raw if k not in kpis)
    if unknown:
        raise DomainError(
            PlanningError.UNKNOWN_KPI,
            _("Unknown KPI: %(keys)s.") % {"keys": ", ".join(unknown)},
            details={"keys": unknown},
        )
    clean: dict[str, Decimal | None] = {}
    bad: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or value == "":
            clean[key] = None
            continue
        try:
            number = Decimal("".join(str(value).split()).replace("\u202f", "").replace(",", "."))
        except (InvalidOperation, ValueError):
            bad[key] = str(value)[:40]
            continue
        kpi = kpis[key]
        limit = Decimal(100) if kpi.unit == KpiUnit.PERCENT else MAX_TARGET
        if not number.is_finite() or number < 0 or number > limit:
            bad[key] = str(value)[:40]
            continue
        clean[key] = number.quantize(Decimal("0.01"))
    if bad:
        raise DomainError(
            PlanningError.BAD_TARGET,
            _("A target must be a number from 0 (percent up to 100): %(keys)s.")
            % {"keys": ", ".join(sorted(bad))},
            details={"targets": bad},
        )
    return clean


def _kpi_map() -> dict[str, Kpi]:
    kpis = {k.key: k for k in Kpi.objects.filter(is_active=True)}
    if any(key not in kpis for key in BUILTIN_KEYS):
        kpi_catalogue_sync()
        kpis = {k.key: k for k in Kpi.objects.filter(is_active=True)}
    return kpis


def _write_targets(
    *,
    actor: User,
    month: Month,
    user: User | None,
    team: Team | None,
    targets: Mapping[str, Decimal | None],
    kpis: dict[str, Kpi],
    activity: str,
    extra: Mapping[str, Any] | None = None,
) -> MonthPlan:
    plan, created = MonthPlan.objects.get_or_create(period=month.first, user=user, team=team)
    plan = MonthPlan.objects.select_for_update().get(pk=plan.pk)
    current = {t.kpi.key: t for t in plan.targets.select_related("kpi")}
    changes: dict[str, list[str | None]] = {}
    for key, value in targets.items():
        row = current.get(key)
        before = row.target if row else None
        if value is None:
            if row is not None:
                row.delete()
                changes[key] = [str(before), None]
            continue
        if row is None:
            PlanTarget.objects.create(plan=plan, kpi=kpis[key], target=value)
        elif row.target != value:
            row.target = value
            row.save(update_fields=["target"])
        else:
            continue
        changes[key] = [str(before) if before is not None else None, str(value)]
    if changes or created:
        event_append_for(
            plan,
            activity=activity,
            actor=actor,
            payload={
                "period": month.key,
                "user_id": user.pk if user else None,
                "team_id": team.pk if team else None,
                "changes": changes,
                **(extra or {}),
            },
            objects=[ref(user, "manager")] if user else [ref(team, "team")] if team else [],
        )
    return plan


@transaction.atomic
def plan_targets_set(
    *,
    actor: User,
    month: Month,
    targets: Mapping[str, Any],
    user: User | None = None,
    team: Team | None = None,
) -> MonthPlan:
    """Set (or clear, with None) some targets of a person's or a team's month; audited."""
    if (user is None) == (team is None):
        raise DomainError(PlanningError.INVALID, _("Give either a person or a team."))
    _require_subject_writable(actor, user, team)
    require_open_period(month)
    kpis = _kpi_map()
    clean = _clean_targets(targets, kpis)
    return _write_targets(
        actor=actor,
        month=month,
        user=user,
        team=team,
        targets=clean,
        kpis=kpis,
        activity=events.PLAN_TARGETS_SET,
    )


@transaction.atomic
def plan_copy_previous(*, actor: User, month: Month, team: Team) -> int:
    """Copy last month's targets of the team and of every member into this month (targets
    already set this month are kept). Returns how many plans changed."""
    _require_subject_writable(actor, None, team)
    require_open_period(month)
    kpis = _kpi_map()
    source = (
        MonthPlan.objects.filter(period=month.previous.first)
        .filter(models_q_team_or_members(team))
        .prefetch_related("targets__kpi")
        .select_related("user", "team")
    )
    changed = 0
    for old in source:
        if old.user is not None and not can_write_for_user(actor, old.user):
            continue
        existing = set(
            PlanTarget.objects.filter(
                plan__period=month.first, plan__user=old.user, plan__team=old.team
            ).values_list("kpi__key", flat=True)
        )
        targets = {
            t.kpi.key: t.target
            for t in old.targets.all()
            if t.kpi.key in kpis and t.kpi.key not in existing
        }
        if targets:
            _write_targets(
                actor=actor,
                month=month,
                user=old.user,
                team=old.team,
                targets=targets,
                kpis=kpis,
                activity=events.PLAN_COPIED,
                extra={"from": month.previous.key},
            )
            changed += 1
    return changed


def models_q_team_or_members(team: Team) -> Any:
    from django.db.models import Q

    subtree = team_subtree_ids(team.pk)
    return Q(team_id__in=subtree) | Q(user__team_id__in=subtree, user__is_active=True)


@transaction.atomic
def plan_split_team(*, actor: User, month: Month, team: Team, members: list[User]) -> int:
    """Top-down: split the team's targets among its members — sums (money, counts) in equal
    shares (counts in whole numbers, the remainder to the first), averages and shares the
    same for each. Returns the number of people planned."""
    _require_subject_writable(actor, None, team)
    require_open_period(month)
    kpis = _kpi_map()
    plan = MonthPlan.objects.filter(period=month.first, team=team).first()
    team_targets = {t.kpi.key: t.target for t in plan.targets.select_related("kpi")} if plan else {}
    if not team_targets or not members:
        raise DomainError(PlanningError.INVALID, _("Set the team's targets and members first."))
    shares: dict[int, dict[str, Decimal | None]] = {m.pk: {} for m in members}
    for key, total in team_targets.items():
        kpi = kpis.get(key)
        if kpi is None:
            continue
        if mode_of(kpi) != "sum":
            for m in members:
                shares[m.pk][key] = total
            continue
        step = Decimal(1) if kpi.unit == KpiUnit.COUNT else Decimal("0.01")
        each = (total / len(members)).quantize(step, rounding="ROUND_DOWN")
        rest = total - each * len(members)
        for i, m in enumerate(members):
            shares[m.pk][key] = each + (rest if i == 0 else 0)
    for m in members:
        if not can_write_for_user(actor, m):
            raise not_found(_("Not found."))
        _write_targets(
            actor=actor,
            month=month,
            user=m,
            team=None,
            targets=shares[m.pk],
            kpis=kpis,
            activity=events.PLAN_SPLIT,
            extra={"from_team": team.pk},
        )
    return len(members)


# --- XLSX import of a plan grid ------------------------------------------------------------

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 1000


@dataclass
class PlanGridRow:
    row: int
    user: User
    targets: dict[str, Any]


def _import_error(message: str, errors: list[dict[str, Any]]) -> DomainError:
    return DomainError(PlanningError.BAD_FILE, message, details={"errors": errors[:50]})


@transaction.atomic
def _import_header(first: Any, kpis: dict[str, Kpi]) -> list[str]:
    """The header row: `login`, then known KPI keys (else the import is refused)."""
    header = [str(c or "").strip() for c in first]
    if not header or header[0].lower() not in ("login", "логин", "username"):
        raise _import_error(
            _("The first column must be “login”, the others KPI keys."), [{"row": 1}]
        )
    unknown = [h for h in header[1:] if h and h not in kpis]
    if unknown:
        raise _import_error(
            _("Unknown KPI keys in the header: %(k)s.") % {"k": ", ".join(unknown)},
            [{"row": 1, "columns": unknown}],
        )
    return header


def _import_rows(
    rows: Any, header: list[str], kpis: dict[str, Kpi], users: Mapping[str, User]
) -> tuple[list[PlanGridRow], list[dict[str, Any]]]:
    """Every person's row checked: the parsed rows and the errors with their row numbers."""
    errors: list[dict[str, Any]] = []
    parsed: list[PlanGridRow] = []
    seen: set[str] = set()
    for number, values in enumerate(rows, start=2):
        if number > MAX_IMPORT_ROWS + 1:
            raise _import_error(
                _("More than %(n)s rows.") % {"n": MAX_IMPORT_ROWS}, [{"row": number}]
            )
        cells = list(values)
        if not any(c not in (None, "") for c in cells):
            continue
        login = str(cells[0] or "").strip()
        user = users.get(login)
        if user is None:
            errors.append({"row": number, "error": _("unknown person: %(l)s") % {"l": login}})
            continue
        if login in seen:
            errors.append({"row": number, "error": _("the person is listed twice")})
            continue
        seen.add(login)
        raw = {
            header[i]: cells[i] if i < len(cells) else None
            for i in range(1, len(header))
            if header[i]
        }
        try:
            _clean_targets(raw, kpis)
        except DomainError as exc:
            errors.append({"row": number, "error": str(exc.message)})
            continue
        parsed.append(PlanGridRow(number, user, raw))
    return parsed, errors


def plan_import_xlsx(
    *, actor: User, month: Month, file: IO[bytes], size: int, users: Mapping[str, User]
) -> int:
    """Import a grid: header `login | <kpi key> …`, one person a row. Every row is checked
    before anything is written: an error anywhere (with its row number) keeps the whole
    file out. `users` are the people the actor may plan, by login."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _require_planner(actor)
    require_open_period(month)
    if size > MAX_IMPORT_BYTES:
        raise _import_error(_("The file is larger than 2 MB."), [])
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise _import_error(_("This is not an XLSX file."), [{"error": str(exc)[:200]}]) from exc
    try:
        kpis = _kpi_map()
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = _import_header(next(rows, ()), kpis)
        parsed, errors = _import_rows(rows, header, kpis, users)
    finally:
        book.close()
    if errors:
        raise _import_error(
            _("Nothing imported: %(n)s rows have errors (first on row %(r)s).")
            % {"n": len(errors), "r": errors[0]["row"]},
            errors,
        )
    for item in parsed:
        targets = {k: v for k, v in _clean_targets(item.targets, kpis).items() if v is not None}
        _write_targets(
            actor=actor,
            month=month,
            user=item.user,
            team=None,
            targets=targets,
            kpis=kpis,
            activity=events.PLAN_IMPORTED,
            extra={"row": item.row},
        )
    return len(parsed)


@transaction.atomic
def plan_grid_save(
    *,
    actor: User,
    month: Month,
    team: Team,
    people: list[User],
    cells: Mapping[str, Any],
) -> int:
    """Save the plan entry grid: cells `t-u<user id>-<kpi key>` and `t-t<team id>-<key>`.
    Every row is checked before anything is written (all or nothing)."""
    _require_subject_writable(actor, None, team)
    require_open_period(month)
    kpis = _kpi_map()
    by_pk = {p.pk: p for p in people}
    rows: dict[str, dict[str, Any]] = {}
    for name, value in cells.items():
        owner, _sep, key = name[2:].partition("-")
        if not key or owner[:1] not in ("u", "t") or not owner[1:].isdigit():
            raise DomainError(PlanningError.INVALID, _("Unknown cell: %(c)s.") % {"c": name[:60]})
        rows.setdefault(owner, {})[key] = value
    clean: dict[str, dict[str, Decimal | None]] = {}
    for owner, raw in rows.items():
        pk = int(owner[1:])
        if (owner[0] == "u" and pk not in by_pk) or (owner[0] == "t" and pk != team.pk):
            raise not_found(_("Not found."))
        try:
            clean[owner] = _clean_targets(raw, kpis)
        except DomainError as exc:
            who = str(by_pk[pk]) if owner[0] == "u" else team.name
            raise DomainError(exc.code, f"{who}: {exc.message}", details=exc.details) from exc
    existing = {
        ("u" if plan.user_id else "t") + str(plan.user_id or plan.team_id)
        for plan in MonthPlan.objects.filter(period=month.first).filter(
            models_q_team_or_members(team)
        )
    }
    for owner, targets in clean.items():
        pk = int(owner[1:])
        if owner[0] == "u" and not can_write_for_user(actor, by_pk[pk]):
            raise not_found(_("Not found."))
        if owner not in existing and all(v is None for v in targets.values()):
            continue  # an empty row of someone without a plan: nothing to write or audit
        _write_targets(
            actor=actor,
            month=month,
            user=by_pk[pk] if owner[0] == "u" else None,
            team=team if owner[0] == "t" else None,
            targets=targets,
            kpis=kpis,
            activity=events.PLAN_TARGETS_SET,
        )
    return len(clean)


# The KPI writers and the motivation writers live in their own modules; their names are
# re-exported here (callers import them from `services`).
from .services_kpis import (  # noqa: E402
    KPI_FIELDS,
    KpiSpec,
    kpi_create,
    kpi_set_active,
    kpi_update,
)
from .services_motivation import (  # noqa: E402
    assistant_split_save,
    commission_scheme_activate,
    commission_scheme_save,
    models_q_overlap,
)

__all__ = [
    "KPI_FIELDS",
    "KpiSpec",
    "assistant_split_save",
    "commission_scheme_activate",
    "commission_scheme_save",
    "kpi_create",
    "kpi_set_active",
    "kpi_update",
    "models_q_overlap",
]
