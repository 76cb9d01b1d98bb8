"""Record scope of processes: who sees and acts on an instance, its tasks and its messages.

A process runs its service tasks as the system, so the scope is checked at the door — on
what the caller hands in and on whom a task is offered to — never inside an action.

* **An instance belongs to a team** (`ProcessInstance.team`): the team of the record it is
  bound to (`object_type`/`object_id`, or a business key `type:id` naming a record), and
  when that record has no team, or the process is bound to none, the team of its
  initiator. A process the system starts for a team's record (the web-form lead) belongs to
  that team.
* **Who sees an instance**: an administrator or a role with «all» access sees every one;
  anyone else sees the instances they started, those whose team their scope covers
  (`accounts.scoping.visible_team_ids`: their own team; a head also every team below
  theirs), and those in which they hold or did a task. The tasks of an instance one sees
  are visible (read only: acting needs the rule below). A message reaches only the
  instances its sender sees, and the 409 of an ambiguous message lists only those.
* **Who may take a task offered to a role** (no assignee, `candidate_role`): a holder of
  that role whose scope covers the *instance* — its initiator, or anyone whose visible teams
  hold `instance.team`. So the head of the process's team and the heads above it get the
  offers of the head role, a head of another team does not; a role with «all» access
  (lawyer, finance, accountant, admin) covers every team and gets its role's offers from
  every team — the contract approval steps offered to «Юрист» and «Финансист» reach them
  whoever started the contract. An offer of a process of no team (the system started it
  for no team's record) goes to «all»-access holders of the role only. HR serves the whole
  company (`COMPANY_WIDE_OFFER_ROLES`): an offer to HR («Отдел кадров») reaches every HR
  holder whatever their record access (which stays «own»: HR reads no deals); once they
  take or do the task, they see its process. A task named to a
  person (`assignee`) or offered to a named team (`candidate_team`) goes there: that
  routing is the process designer's.
* **Ids in a request**: before anything runs, every record a caller names — the bound
  `object_type`/`object_id`, a business or correlation key `type:id`, any variable
  `<type>_id` or `<type>_ids` (`client_id` means a company) whose `type` is a record case
  type (deal, lead, company, contact, activity, …), in start variables, message payloads and
  task forms alike — must be a record the caller may read (`core.case_access`); otherwise
  the call is a 404 and nothing changed. The system (actor None) is trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.db.models import Q, Subquery
from django.utils.translation import gettext as _

from greenwave.accounts.models import Role, RoleCode, User
from greenwave.accounts.scoping import visible_team_ids
from greenwave.core.case_access import can_read_case, case_team, case_types
from greenwave.core.errors import CoreError, DomainError

from .models import HumanTask, ProcessInstance

# Roles whose offers reach every holder, whichever team the process belongs to: the HR
# processes of every team go to the one HR department.
COMPANY_WIDE_OFFER_ROLES = frozenset({RoleCode.HR.value})

# Variable-name prefixes that mean another case type.
RECORD_ALIASES = {"client": "company"}


# -- instances and tasks ----------------------------------------------------------------------


def covered_instances_q(actor: User, prefix: str = "") -> Q:
    """Instances whose scope the actor covers: started by them or of a team they see.

    `prefix` reaches the instance from another model (`"instance__"` from a task)."""
    teams = visible_team_ids(actor)
    if teams is None:
        return Q()
    q = Q(**{f"{prefix}responsible": actor.pk})
    if teams:
        q |= Q(**{f"{prefix}team_id__in": sorted(teams)})
    return q


def covers_instance(actor: User, instance: ProcessInstance) -> bool:
    """The same rule as `covered_instances_q`, for one loaded instance."""
    teams = visible_team_ids(actor)
    if teams is None or instance.responsible_id == actor.pk:
        return True
    return instance.team_id is not None and instance.team_id in teams


def visible_instances_q(actor: User) -> Q:
    """Instances the actor sees: covered ones and those they hold or did a task in."""
    teams = visible_team_ids(actor)
    if teams is None:
        return Q()
    involved = HumanTask.objects.filter(Q(assignee=actor) | Q(completed_by=actor)).values(
        "instance_id"
    )
    return covered_instances_q(actor) | Q(pk__in=involved)


def offered_q(actor: User) -> Q:
    """Open offers to the actor (tasks without an assignee): their roles within their scope,
    and tasks offered to their team."""
    my_roles = Role.objects.filter(users=actor).values("code")
    q = Q(assignee=None, candidate_role__in=Subquery(my_roles)) & covered_instances_q(
        actor, "instance__"
    )
    wide = sorted(code for code in COMPANY_WIDE_OFFER_ROLES if actor.has_role(code))
    if wide:
        q |= Q(assignee=None, candidate_role__in=wide)
    if actor.team_id:
        q |= Q(assignee=None, candidate_team_id=actor.team_id)
    return q


def is_candidate(actor: User, task: HumanTask) -> bool:
    """May the actor take and complete this task (the rule of `offered_q` for one task)?"""
    if task.assignee_id is not None:
        return task.assignee_id == actor.pk
    if (
        task.candidate_role
        and actor.has_role(task.candidate_role)
        and (
            task.candidate_role in COMPANY_WIDE_OFFER_ROLES or covers_instance(actor, task.instance)
        )
    ):
        return True
    return task.candidate_team_id is not None and task.candidate_team_id == actor.team_id


# -- ids handed in ----------------------------------------------------------------------------


def key_record(key: str) -> tuple[str, str] | None:
    """A business or correlation key `type:id` that names a record, as (type, id)."""
    case_type, sep, case_id = key.partition(":")
    if sep and case_id.isdigit() and case_type in case_types():
        return case_type, case_id
    return None


def _variable_records(variables: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    types = case_types()
    for name, value in variables.items():
        base, _sep, suffix = str(name).rpartition("_")
        case_type = RECORD_ALIASES.get(base, base)
        if suffix not in ("id", "ids") or case_type not in types:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None or item == "":
                continue
            yield str(name), case_type, str(item)


def check_records(
    actor: User | None,
    *,
    variables: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    keys: tuple[str, ...] = (),
) -> None:
    """Refuse (404, before anything runs) a record the actor may not read; see the module."""
    if actor is None:
        return
    wanted: list[tuple[str, str, str]] = []
    if object_type or object_id:
        if object_type not in case_types() or not object_id:
            raise DomainError(
                CoreError.VALIDATION,
                _("A process is bound to a record by its type and id (one of: %(types)s).")
                % {"types": ", ".join(case_types())},
                details={"object_type": object_type, "object_id": object_id},
            )
        wanted.append(("object_id", object_type, object_id))
    for key in keys:
        record = key_record(key)
        if record is not None:
            wanted.append(("business_key", *record))
    wanted.extend(_variable_records(variables or {}))
    for name, case_type, case_id in wanted:
        if not can_read_case(actor, case_type, case_id):
            raise DomainError(
                CoreError.NOT_FOUND,
                _("%(record)s was not found.") % {"record": f"{case_type}:{case_id}"},
                details={"field": name, "record": f"{case_type}:{case_id}"},
            )


def instance_team_id(
    actor: User | None, *, object_type: str = "", object_id: str = "", business_key: str = ""
) -> int | None:
    """The team a new instance belongs to: its record's, else its initiator's."""
    records = [(object_type, object_id)] if object_type and object_id else []
    by_key = key_record(business_key)
    if by_key is not None:
        records.append(by_key)
    for case_type, case_id in records:
        team_id = case_team(case_type, case_id)
        if team_id is not None:
            return team_id
    return actor.team_id if actor is not None else None
