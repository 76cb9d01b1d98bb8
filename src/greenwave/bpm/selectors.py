"""Readers of the bpm app. The inbox reads only HumanTask rows, never engine states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from greenwave.accounts.models import RoleCode, User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.core.case_access import case_link, case_links, parse_case_key
from greenwave.core.choice_filters import choice_filter
from greenwave.core.errors import not_found
from greenwave.core.listing import FilterSpec, ListQuery, ListSpec, SortSpec, apply_list_query
from greenwave.core.models import Event
from greenwave.core.selectors import event_list_for_case
from greenwave.core.values import value_rows

from . import scope
from .models import (
    DefinitionStatus,
    HumanTask,
    Incident,
    InstanceStatus,
    ProcessDefinition,
    ProcessFile,
    ProcessInstance,
    TaskStatus,
)
from .papers import run_paper

DEFINITION_LIST_SPEC = ListSpec(
    search_fields=("key", "name"),
    sorts=(
        SortSpec("key", _("Key"), ("key", "-version")),
        SortSpec("name", _("Name"), ("name",)),
        SortSpec("created", _("Uploaded"), ("created_at",)),
    ),
    default_sort="key",
    filters=(
        choice_filter("status", _("Status"), DefinitionStatus),
        FilterSpec("key", _("Key"), "key", kind="text"),
    ),
)

INSTANCE_LIST_SPEC = ListSpec(
    search_fields=("definition__name", "business_key"),
    sorts=(
        SortSpec("started", _("Started"), ("created_at",)),
        SortSpec("process", _("Process"), ("definition__name",)),
    ),
    default_sort="-started",
    filters=(
        choice_filter("status", _("Status"), InstanceStatus),
        FilterSpec("definition", _("Process key"), "definition__key", kind="text"),
        FilterSpec("object_type", _("Object type"), "object_type", kind="text"),
        FilterSpec("object_id", _("Object id"), "object_id", kind="text"),
    ),
)

TASK_LIST_SPEC = ListSpec(
    search_fields=("name", "instance__definition__name"),
    sorts=(
        SortSpec("due", _("Due"), ("due_at",)),
        SortSpec("created", _("Created"), ("created_at",)),
        SortSpec("name", _("Task"), ("name",)),
    ),
    default_sort="created",
    filters=(
        choice_filter("status", _("Status"), TaskStatus),
        FilterSpec("process", _("Process key"), "instance__definition__key", kind="text"),
        FilterSpec("overdue", _("Overdue"), "overdue", kind="bool"),
    ),
)


# -- definitions ------------------------------------------------------------------------------


def definition_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[ProcessDefinition]:
    """Definitions are shared by the whole company (not team records); anyone may start one."""
    qs = ProcessDefinition.objects.select_related("created_by").defer("xml")
    if query is not None:
        qs = apply_list_query(qs, DEFINITION_LIST_SPEC, query)
    return qs


def definition_get(*, actor: User, pk: int) -> ProcessDefinition:
    definition = ProcessDefinition.objects.select_related("created_by").filter(pk=pk).first()
    if definition is None:
        raise not_found(_("Process definition not found."))
    return definition


def definition_versions(*, actor: User, key: str) -> QuerySet[ProcessDefinition]:
    return definition_list(actor=actor).filter(key=key).order_by("-version")


def definition_latest_deployed(*, actor: User, key: str) -> ProcessDefinition:
    definition = (
        ProcessDefinition.objects.filter(key=key, status=DefinitionStatus.DEPLOYED)
        .order_by("-version")
        .first()
    )
    if definition is None:
        raise not_found(_("No deployed version of %(key)s.") % {"key": key})
    return definition


def definition_version(*, actor: User, key: str, version: int) -> ProcessDefinition:
    definition = definition_list(actor=actor).filter(key=key, version=version).first()
    if definition is None:
        raise not_found(
            _("Version %(version)s of %(key)s not found.") % {"version": version, "key": key}
        )
    return definition


def definition_migration_targets(
    *, actor: User, definition: ProcessDefinition
) -> QuerySet[ProcessDefinition]:
    """The other deployed versions of the same process (where its instances may move)."""
    return (
        definition_list(actor=actor)
        .filter(key=definition.key, status=DefinitionStatus.DEPLOYED)
        .exclude(pk=definition.pk)
        .order_by("-version")
    )


def definitions_startable(*, actor: User) -> list[ProcessDefinition]:
    """The latest deployed version of every key (what a user can start)."""
    latest = (
        ProcessDefinition.objects.filter(status=DefinitionStatus.DEPLOYED)
        .values("key")
        .annotate(v=Max("version"))
    )
    wanted = Q()
    for row in latest:
        wanted |= Q(key=row["key"], version=row["v"])
    if not latest:
        return []
    return list(ProcessDefinition.objects.filter(wanted).defer("xml").order_by("name"))


# -- instances --------------------------------------------------------------------------------


def instance_list(*, actor: User, query: ListQuery | None = None) -> QuerySet[ProcessInstance]:
    """Instances the actor started or may see by team, or has a task in (`bpm.scope`)."""
    qs = ProcessInstance.objects.filter(scope.visible_instances_q(actor))
    qs = qs.select_related("definition", "responsible").defer("state", "definition__xml")
    if query is not None:
        qs = apply_list_query(qs, INSTANCE_LIST_SPEC, query)
    return qs


def instances_unfinished_of(
    *, actor: User, definition: ProcessDefinition
) -> QuerySet[ProcessInstance]:
    """The running (and failed, not ended) instances of one version the actor may see."""
    return instance_list(actor=actor).filter(
        definition=definition, status__in=[InstanceStatus.RUNNING, InstanceStatus.FAILED]
    )


def instance_get(*, actor: User, pk: int) -> ProcessInstance:
    instance = instance_list(actor=actor).filter(pk=pk).first()
    if instance is None:
        raise not_found(_("Process not found."))
    return instance


def instance_history(*, instance: ProcessInstance) -> QuerySet[Event]:
    return event_list_for_case(case_type=ProcessInstance.EVENT_CASE_TYPE, case_id=instance.pk)


def instance_incidents(*, instance: ProcessInstance) -> QuerySet[Incident]:
    return instance.incidents.all()


def incident_get(*, actor: User, pk: int) -> Incident:
    incident = Incident.objects.select_related("instance").filter(pk=pk).first()
    if incident is None or not instance_list(actor=actor).filter(pk=incident.instance_id).exists():
        raise not_found(_("Incident not found."))
    return incident


# -- the inbox --------------------------------------------------------------------------------


def _candidate_q(actor: User) -> Q:
    """Offers to the actor: their roles within their scope, their team (`bpm.scope`)."""
    return scope.offered_q(actor)


def _task_base() -> QuerySet[HumanTask]:
    return HumanTask.objects.select_related(
        "instance__definition", "assignee", "candidate_team"
    ).defer("instance__state", "instance__definition__xml")


def _with_overdue(qs: QuerySet[HumanTask], query: ListQuery | None) -> QuerySet[HumanTask]:
    if query is None:
        return qs
    overdue = query.filters.pop("overdue", None)
    qs = apply_list_query(qs, TASK_LIST_SPEC, query)
    if overdue is not None:
        late = Q(status=TaskStatus.OPEN, due_at__lt=timezone.now())
        qs = qs.filter(late) if overdue in {"true", "1"} else qs.exclude(late)
        query.filters["overdue"] = overdue
    return qs


def task_list_mine(*, actor: User, query: ListQuery | None = None) -> QuerySet[HumanTask]:
    """Tasks assigned to me and tasks I may take (my roles, my team)."""
    qs = _task_base().filter(Q(assignee=actor) | _candidate_q(actor))
    if query is None or "status" not in query.filters:
        qs = qs.filter(status=TaskStatus.OPEN)
    return _with_overdue(qs, query)


def task_list_team(*, actor: User, query: ListQuery | None = None) -> QuerySet[HumanTask]:
    """Tasks of the teams I see (a head sees the teams under them)."""
    qs = scope_records(_task_base(), actor=actor, owner_field="assignee", team_field="team")
    if query is None or "status" not in query.filters:
        qs = qs.filter(status=TaskStatus.OPEN)
    return _with_overdue(qs, query)


def task_count_mine(actor: User) -> int:
    """The navigation badge: one query."""
    return HumanTask.objects.filter(
        Q(assignee=actor) | _candidate_q(actor), status=TaskStatus.OPEN
    ).count()


def task_get(*, actor: User, pk: int) -> HumanTask:
    """A task I am assigned to, may take, did, whose team I see, or of a process I started
    or whose team I see (to read; acting needs `services.is_candidate`); 404 otherwise."""
    visible = _visible_tasks_q(actor)
    task = _task_base().filter(Q() if visible is None else visible, pk=pk).first()
    if task is None:
        raise not_found(_("Task not found."))
    return task


def _visible_tasks_q(actor: User) -> Q | None:
    """The tasks `task_get` opens for the actor; None when they see every task."""
    teams = visible_team_ids(actor)
    if teams is None:
        return None
    visible = Q(assignee=actor) | Q(completed_by=actor) | _candidate_q(actor)
    if teams:
        visible |= Q(team_id__in=teams)
    return visible | scope.covered_instances_q(actor, "instance__")


def files_of_instance(*, instance: ProcessInstance) -> list[ProcessFile]:
    """The files handed in through the forms of the process (the document to approve)."""
    return list(instance.files.select_related("uploaded_by").order_by("created_at", "pk"))


def process_file_get(*, actor: User, pk: int) -> ProcessFile:
    """A file of a process the actor sees, or in which they hold, may take or did a task (an
    approver of another team gets the document with the task); 404 otherwise."""
    stored = ProcessFile.objects.filter(pk=pk).first()
    if stored is not None:
        if instance_list(actor=actor).filter(pk=stored.instance_id).exists():
            return stored
        involved = Q(assignee=actor) | Q(completed_by=actor) | _candidate_q(actor)
        if HumanTask.objects.filter(involved, instance_id=stored.instance_id).exists():
            return stored
    raise not_found(_("File not found."))


def tasks_of_instance(
    *, instance: ProcessInstance, actor: User | None = None
) -> QuerySet[HumanTask]:
    """The steps of a run; with the actor, `openable` says whose page they may open (one who
    sees a run for a task of their own is not shown links to the others' tasks, a 404)."""
    tasks = instance.tasks.select_related("assignee", "completed_by", "candidate_team").order_by(
        "created_at"
    )
    if actor is None:
        return tasks
    visible = _visible_tasks_q(actor)
    openable = Value(True) if visible is None else Case(When(visible, then=True), default=False)
    return tasks.annotate(openable=ExpressionWrapper(openable, output_field=BooleanField()))


# -- who holds up whom ------------------------------------------------------------------------


def holdups(*, actor: User, definition_key: str = "") -> dict[str, Any]:
    """Waiting time per step and per person, and overdue open tasks (seed 002)."""
    tasks = scope_records(HumanTask.objects.all(), actor=actor, owner_field="assignee")
    if definition_key:
        tasks = tasks.filter(instance__definition__key=definition_key)
    done = tasks.filter(status=TaskStatus.COMPLETED, completed_at__isnull=False).annotate(
        waited=F("completed_at") - F("created_at")
    )
    per_step = list(
        done.values("instance__definition__key", "instance__definition__name", "name")
        .annotate(count=Count("pk"), avg_wait=Avg("waited"), max_wait=Max("waited"))
        .order_by("-avg_wait")[:50]
    )
    per_person = list(
        done.values("completed_by__username", "completed_by__first_name", "completed_by__last_name")
        .annotate(count=Count("pk"), avg_wait=Avg("waited"), max_wait=Max("waited"))
        .order_by("-avg_wait")[:50]
    )
    now = timezone.now()
    overdue = list(
        tasks.filter(status=TaskStatus.OPEN, due_at__lt=now)
        .select_related("assignee", "instance__definition")
        .defer("instance__state", "instance__definition__xml")
        .order_by("due_at")[:100]
    )
    for task in overdue:
        task.overdue_by = now - task.due_at if task.due_at else timedelta(0)  # type: ignore[attr-defined]
    return {
        "per_step": per_step,
        "per_person": per_person,
        "overdue": overdue,
        "competence": competence_results(actor=actor),
    }


@dataclass
class CompetenceRow:
    """A manager's latest competence assessment (seed 002), as the holdups page shows it."""

    manager: str
    instance_id: int
    assessed_on: Any
    calls: Decimal | None
    meetings: Decimal | None
    overall: Decimal | None
    weak: list[str]


def _average(values: list[Any]) -> Decimal | None:
    numbers = [Decimal(str(v)) for v in values if isinstance(v, int | float)]
    if not numbers:
        return None
    return (sum(numbers, Decimal(0)) / len(numbers)).quantize(Decimal("0.1"))


def competence_results(*, actor: User) -> list[CompetenceRow]:
    """The latest finished competence assessment of each manager the actor may see, weakest
    first: the checklist averages of calls and meetings and the competences rated below 3."""
    from .library.competence import CALL_CHECKLIST, MEETING_CHECKLIST, WEAK_BELOW
    from .library.texts import library_text

    finished = (
        instance_list(actor=actor)
        .filter(definition__key="competence_assessment", status=InstanceStatus.COMPLETED)
        .order_by("-ended_at", "-pk")[:500]
    )
    latest: dict[str, ProcessInstance] = {}
    for instance in finished:
        manager = str((instance.variables or {}).get("manager") or "")
        if manager:
            latest.setdefault(manager, instance)
    names = {u.username: str(u) for u in User.objects.filter(username__in=list(latest))}
    rows = []
    for manager, instance in latest.items():
        values = instance.variables or {}
        calls = [values.get(f.name) for f in CALL_CHECKLIST]
        meetings = [values.get(f.name) for f in MEETING_CHECKLIST]
        weak = [
            library_text("competence_assessment", f.label).split(" (")[0]
            for f in (*CALL_CHECKLIST, *MEETING_CHECKLIST)
            if isinstance(values.get(f.name), int) and values[f.name] < WEAK_BELOW
        ]
        rows.append(
            CompetenceRow(
                manager=names.get(manager, manager),
                instance_id=instance.pk,
                assessed_on=instance.ended_at,
                calls=_average(calls),
                meetings=_average(meetings),
                overall=_average(calls + meetings),
                weak=weak,
            )
        )
    return sorted(rows, key=lambda r: (r.overall is None, r.overall or 0))


# -- variables as people read them --------------------------------------------------------------

# What the record card (bpm/partials/subject_card.html) already shows of a bound record.
SUBJECT_CARD_KEYS = frozenset(
    {"deal_id", "deal_title", "client_id", "client_name", "amount", "currency", "document_title"}
    # the claim's status as the run last copied it, for its gateways: the claim shows its own
    | {"claim_status"}
)


# The variables the built-in processes are started with (bpm/library), named for people.
VARIABLE_LABELS: dict[str, Any] = {
    "readers": _("Who reads the document"),
    "reader": _("Reader"),
    "deadline": _("Deadline"),
    "answer_due": _("Answer due"),
    "approver1": _("First approver"),
    "approver2": _("Second approver"),
    "commercial_director": _("Commercial director"),
    "general_director": _("General director"),
    "head": _("Head"),
    "manager": _("Manager"),
    "newcomer": _("Newcomer"),
    "application_made": _("Application made"),  # documents.hr_applications marks it
}


def variable_rows(
    *, actor: User, instance: ProcessInstance, data: Any = None, hide_subject: bool = True
) -> list[Any]:
    """Process variables (or a task's `data`) as labelled rows: labels and choice labels from
    the forms of the process's user tasks, people by name, records as links, values localized.
    """
    from .library.texts import library_form

    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    people_keys = {"responsible", "initiator"}  # usernames: shown as the people's names
    key = instance.definition.key
    for task in instance.definition.metadata.get("user_tasks", {}).values():
        # A task routed to a variable (`=initiator`): that variable holds a username.
        assignee = str(task.get("assignee") or "")
        if assignee.startswith("=") and assignee[1:].isidentifier():
            people_keys.add(assignee[1:])
        for spec in library_form(key, task.get("form") or []):
            name = spec.get("name", "")
            labels.setdefault(name, spec.get("label") or name)
            if spec.get("choices"):
                choices.setdefault(name, {str(v): str(lbl) for v, lbl in spec["choices"]})
            if spec.get("type") == "user":
                people_keys.add(name)
    values = instance.variables if data is None else data
    if not isinstance(values, dict):
        return value_rows(values)
    # A file field holds {file_id, name, size}: people read its name (the link is in the list
    # of files).
    values = {
        k: v["name"] if isinstance(v, dict) and "file_id" in v and "name" in v else v
        for k, v in values.items()
    }
    for key, names in _people_names(values, people_keys).items():
        choices.setdefault(key, {}).update(names)
    hidden = SUBJECT_CARD_KEYS if hide_subject and instance.object_type else frozenset()
    labels = {**VARIABLE_LABELS, **labels}
    return value_rows(values, labels=labels, choices=choices, hidden=hidden, actor=actor)


def _people_names(values: dict[str, Any], people_keys: set[str]) -> dict[str, dict[str, str]]:
    """Username → name for the variables that hold people: a routed task's variable, and a
    list of logins (the readers a multi-instance task goes to) when every item is a user's."""
    lists = {
        k: [str(item) for item in v]
        for k, v in values.items()
        if isinstance(v, list) and v and all(isinstance(item, str) for item in v)
    }
    wanted = {str(values[k]) for k in people_keys if isinstance(values.get(k), str) and values[k]}
    wanted.update(item for items in lists.values() for item in items)
    if not wanted:
        return {}
    names = {u.username: str(u) for u in User.objects.filter(username__in=wanted)}
    found = {
        k: {str(values[k]): names[str(values[k])]}
        for k in people_keys
        if values.get(k) and str(values[k]) in names
    }
    found.update(
        {
            k: {item: names[item] for item in items}
            for k, items in lists.items()
            if set(items) <= set(names)
        }
    )
    return found


def subject_link(*, actor: User, instance: ProcessInstance) -> Any:
    """The record a process is about as a link with its title (`core.case_access`), from its
    binding or a business key `type:id`; None when it names no known record."""
    if instance.object_type and instance.object_id:
        return case_link(instance.object_type, instance.object_id, actor=actor)
    ref = parse_case_key(instance.business_key)
    return case_link(ref[0], ref[1], actor=actor) if ref else None


def carried_paper(*, actor: User, instance: ProcessInstance) -> Any:
    """The paper the run carries (`bpm.papers`: a contract under approval) as a link the
    actor may open, or None when no app knows of one (the card then reads the variables)."""
    ref = run_paper(instance.pk)
    return case_link(ref[0], ref[1], actor=actor) if ref else None


def subject_links(instances: Any, actor: User | None = None) -> dict[int, Any]:
    """`subject_link` of a page of instances by instance id, one query per record type. Runs
    listed as such are scoped by their record (bpm.scope): no actor, no check. The runs of a
    page of tasks are not (a task goes to a role across teams): with the actor, a record they
    may not read stays «Deal #12», one more query per record type."""
    refs: dict[int, tuple[str, str]] = {}
    for instance in instances:
        if instance.object_type and instance.object_id:
            refs[instance.pk] = (instance.object_type, instance.object_id)
        elif ref := parse_case_key(instance.business_key):
            refs[instance.pk] = ref
    links = case_links(refs.values(), actor=actor)
    return {pk: links[ref] for pk, ref in refs.items() if ref in links}


# --- the home page ----------------------------------------------------------------------


def home_tasks(actor: User) -> dict[str, Any] | None:
    """The home card «Process tasks»: my inbox (open, overdue, the three oldest) and, for a
    head, the team's overdue tasks with who holds them. None when there is nothing at all."""
    now = timezone.now()
    mine = HumanTask.objects.filter(Q(assignee=actor) | _candidate_q(actor), status=TaskStatus.OPEN)
    count = mine.count()
    oldest = list(
        mine.select_related("instance__definition")
        .defer("instance__state", "instance__definition__xml")
        .order_by("created_at", "pk")[:3]
    )
    held: list[HumanTask] = []
    if actor.has_role(RoleCode.HEAD_OF_SALES, RoleCode.ADMIN):
        team = scope_records(HumanTask.objects.all(), actor=actor, owner_field="assignee")
        held = list(
            team.filter(status=TaskStatus.OPEN, due_at__lt=now, assignee__isnull=False)
            .exclude(assignee=actor)
            .select_related("assignee", "instance__definition")
            .defer("instance__state", "instance__definition__xml")
            .order_by("due_at")[:3]
        )
    if not count and not held:
        return None
    return {
        "count": count,
        "overdue": mine.filter(due_at__lt=now).count() if count else 0,
        "oldest": oldest,
        "held": held,
        "now": now,
    }


def task_form_ref(task: HumanTask) -> str:
    """The form another modeler named for this task (Camunda's `formKey`, Zeebe's
    `formDefinition`) when the file does not carry the form itself: the page explains it."""
    meta = task.instance.definition.metadata.get("user_tasks", {}).get(task.element_id, {})
    return "" if task.form_schema else str(meta.get("form_ref") or "")
