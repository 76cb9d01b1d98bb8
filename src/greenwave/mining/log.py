"""The case log the miner reads: which events of which cases, and what each event is called.

A mined case type is a view of the one event log (DESIGN.md "the event spine"):

* deals of a pipeline: their stages (creation and every move name the stage entered), the
  win or loss, and the key activities of a deal (approvals, documents attached);
* leads, and any other case type present: the activities as written;
* the instances of a BPMN process (by definition key): the tasks done, by element id —
  user tasks by their completion, other tasks by the token passing them (gateways and
  events are routing, not work: the conformance replay treats them as silent steps).

Labels are computed in SQL from the activity and its payload, so the directly-follows
relation needs the previous *label* of the case (a window `lag`), not the stored
`prev_activity` column, which names the raw activity (a stage move follows a stage move).
Every query joins the cases the reader may see (`accounts.scoping`, `bpm.scope`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import CharField, Model, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from greenwave.accounts.models import User
from greenwave.accounts.scoping import scope_records, visible_team_ids
from greenwave.bpm import events as bpm_events
from greenwave.bpm.library.texts import library_text
from greenwave.bpm.models import ProcessDefinition, ProcessInstance
from greenwave.bpm.scope import visible_instances_q
from greenwave.core.case_access import case_types
from greenwave.core.errors import CoreError, DomainError
from greenwave.core.event_labels import activity_label
from greenwave.core.models import Event
from greenwave.sales import events as sales_events
from greenwave.sales.models import (
    ApprovalKind,
    Deal,
    DealItem,
    DocumentKind,
    Lead,
    LeadSource,
    Pipeline,
    Stage,
    bilingual_label,
)
from greenwave.sales.periods import check_period_dates

from .errors import MiningError

DEAL = "deal"
LEAD = "lead"
PROCESS = "process"
START = "▶"
END = "■"

DEAL_ACTIVITIES = (
    sales_events.DEAL_CREATED,
    sales_events.DEAL_STAGE_CHANGED,
    sales_events.DEAL_WON,
    sales_events.DEAL_LOST,
    sales_events.DEAL_REOPENED,
    sales_events.DEAL_APPROVED,
    sales_events.DEAL_DOCUMENT_ATTACHED,
)
# Housekeeping a process map has no use for (edits of fields, who took a task).
NOISE = ("_changed", "_claimed", "_unclaimed", "_reassigned")


@dataclass(frozen=True)
class CaseLog:
    """What to mine: a case type (with its pipeline or process), a period, a team, a person,
    the cases' attributes (deal amount, lead source, product group) and chosen variants."""

    case_type: str
    pipeline: Pipeline | None = None
    definition: ProcessDefinition | None = None  # the latest version of the process key
    date_from: date | None = None
    date_to: date | None = None
    team_id: int | None = None
    user_id: int | None = None
    stage_names: dict[str, str] = field(default_factory=dict, compare=False)
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    source: str = ""
    product_group_id: int | None = None
    variants: frozenset[str] = frozenset()

    @property
    def narrowed(self) -> bool:
        """Does any filter beyond the case type narrow the log (the rollup answers only
        whole logs)?"""
        return bool(
            self.date_from
            or self.date_to
            or self.team_id
            or self.user_id
            or self.amount_min is not None
            or self.amount_max is not None
            or self.source
            or self.product_group_id
            or self.variants
        )

    @property
    def event_case_type(self) -> str:
        return ProcessInstance.EVENT_CASE_TYPE if self.case_type == PROCESS else self.case_type

    @property
    def process_key(self) -> str:
        return self.definition.key if self.definition else ""


def _checked_filters(
    date_from: date | None,
    date_to: date | None,
    amount_min: Decimal | None,
    amount_max: Decimal | None,
    source: str,
    variants: Any,
) -> frozenset[str]:
    """Refuse contradicting or unknown filters; the chosen variant ids."""
    # A bound at the calendar's first or last day would leave it in UTC (a 500 on SQLite).
    check_period_dates(date_from, date_to)
    if date_from and date_to and date_from > date_to:
        raise DomainError(CoreError.VALIDATION, _("The period starts after it ends."))
    if amount_min is not None and amount_max is not None and amount_min > amount_max:
        raise DomainError(
            CoreError.VALIDATION,
            _("The smallest amount is greater than the largest."),
            details={"fields": {"amount_min": str(amount_min), "amount_max": str(amount_max)}},
        )
    if source and source not in LeadSource.values:
        raise DomainError(
            CoreError.VALIDATION,
            _("Unknown source: %(source)s.") % {"source": source},
            details={"fields": {"lead_source": list(LeadSource.values)}},
        )
    chosen = frozenset(v for v in variants if v)
    if any(len(v) != VARIANT_ID_LENGTH or not v.isalnum() for v in chosen):
        raise DomainError(
            CoreError.VALIDATION,
            _("A variant is named by the id the variants list gives it."),
            details={"fields": {"variant": sorted(chosen)}},
        )
    return chosen


def _source_of(
    case_type: str, pipeline_id: int | None, process: str
) -> tuple[Pipeline | None, ProcessDefinition | None, dict[str, str]]:
    """The pipeline or process definition mined, and the names of its labels."""
    pipeline = definition = None
    names: dict[str, str] = {}
    if case_type == DEAL:
        pipeline, names = _pipeline_and_stage_names(pipeline_id)
        if pipeline is None:
            raise DomainError(CoreError.NOT_FOUND, _("Pipeline not found."))
    elif case_type == PROCESS:
        definition = (
            ProcessDefinition.objects.filter(key=process).order_by("-version").first()
            if process
            else None
        )
        if definition is None:
            raise DomainError(CoreError.NOT_FOUND, _("Process definition not found."))
        # A built-in process's steps in the reader's language, as the process pages show them.
        names = {
            f"el:{k}": library_text(definition.key, v.get("name") or "") or k
            for k, v in (definition.metadata.get("elements") or {}).items()
        }
    elif case_type not in present_case_types():
        raise DomainError(
            MiningError.UNKNOWN_CASE_TYPE,
            _("There are no events of the case type %(type)s.") % {"type": case_type},
            details={"fields": {"case_type": case_type}},
        )
    return pipeline, definition, names


def _pipeline_and_stage_names(pipeline_id: int | None) -> tuple[Pipeline | None, dict[str, str]]:
    """The pipeline mined (this one, else the default of the active ones) and the names of its
    stages' labels, in one statement: the pipeline's row once per stage (the model's own
    columns and converters). Through the ORM — two statements, or this join compiled anew
    each time — it was a quarter of the whole map's time when the rollup answers the map."""
    where, params = ("p.id = %s", [pipeline_id]) if pipeline_id else ("p.is_active = %s", [True])
    sql = (
        "SELECT p.*, s.id AS stage_pk, s.name AS stage_name, s.name_en AS stage_en "  # noqa: S608
        f"FROM {Pipeline._meta.db_table} p LEFT JOIN {Stage._meta.db_table} s "
        f"ON s.pipeline_id = p.id WHERE {where} "
        f"ORDER BY p.is_default DESC, p.{connection.ops.quote_name('order')}, p.id"
    )
    rows: Iterable[Any] = Pipeline.objects.raw(sql, params)
    pipeline: Pipeline | None = None
    names: dict[str, str] = {}
    for row in rows:
        if pipeline is None:
            pipeline = row
        elif row.pk != pipeline.pk:
            break
        if row.stage_pk is not None:
            names[f"stage:{row.stage_pk}"] = bilingual_label(row.stage_name, row.stage_en)
    return pipeline, names


def case_log(  # noqa: PLR0913 -- keyword-only: the log's filters, each by name
    *,
    case_type: str = DEAL,
    pipeline_id: int | None = None,
    process: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    team_id: int | None = None,
    user_id: int | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    source: str = "",
    product_group_id: int | None = None,
    variants: Any = (),
) -> CaseLog:
    """Check the filters and resolve the pipeline or process they name (4xx on bad input)."""
    chosen = _checked_filters(date_from, date_to, amount_min, amount_max, source, variants)
    if process and case_type in ("", DEAL):
        case_type = PROCESS
    pipeline, definition, names = _source_of(case_type, pipeline_id, process)
    deal_only = amount_min is not None or amount_max is not None or product_group_id
    if (deal_only and case_type != DEAL) or (source and case_type not in (DEAL, LEAD)):
        raise DomainError(
            CoreError.VALIDATION,
            _("Amount and product group filter deals; source filters deals and leads."),
            details={"fields": {"case_type": case_type}},
        )
    return CaseLog(
        case_type,
        pipeline,
        definition,
        date_from,
        date_to,
        team_id,
        user_id,
        names,
        amount_min=amount_min,
        amount_max=amount_max,
        source=source,
        product_group_id=product_group_id,
        variants=chosen,
    )


VARIANT_ID_LENGTH = 12


def variant_id(labels: Any) -> str:
    """A short stable id of a path (the sequence of labels), for filtering by variant."""
    text = "\x1f".join(labels)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:VARIANT_ID_LENGTH]


def present_case_types() -> list[str]:
    """Case types the log holds besides process definitions (their uploads are no process).

    A loose index scan (one index probe per distinct type): DISTINCT over ten million events
    would read them all."""
    sql = (
        "WITH RECURSIVE t(ct) AS (SELECT min(case_type) FROM core_event UNION ALL "
        "SELECT (SELECT min(case_type) FROM core_event WHERE case_type > t.ct) FROM t "
        "WHERE t.ct IS NOT NULL) SELECT ct FROM t WHERE ct IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = [row[0] for row in cursor.fetchall()]
    # Only case types some app answers for (who may read them): not users' or teams' own logs.
    answered = {*case_types(), DEAL, LEAD, ProcessInstance.EVENT_CASE_TYPE}
    return [t for t in found if t in answered and t != ProcessDefinition.EVENT_CASE_TYPE]


def team_owned_model(case_type: str) -> type[Model] | None:
    for model in apps.get_models():
        if getattr(model, "EVENT_CASE_TYPE", None) == case_type:
            names = {f.name for f in model._meta.concrete_fields}
            if {"team", "responsible"} <= names:
                return model
    return None


def visible_cases(actor: User | None, log: CaseLog) -> QuerySet[Any] | None:
    """The records of the mined cases the actor may read (None: every case of the type).

    No actor: every case of the log (the rollup, which is read only by readers of all)."""
    qs: QuerySet[Any]
    if log.case_type == DEAL:
        qs = Deal.objects.filter(pipeline=log.pipeline)
        qs = qs if actor is None else scope_records(qs, actor=actor)
    elif actor is None:
        return None if log.case_type not in (LEAD, PROCESS) else _all_cases(log)
    elif log.case_type == LEAD:
        qs = scope_records(Lead.objects.all(), actor=actor)
    elif log.case_type == PROCESS:
        qs = ProcessInstance.objects.filter(definition__key=log.process_key).filter(
            visible_instances_q(actor)
        )
    else:
        model = team_owned_model(log.case_type)
        if model is not None:
            qs = scope_records(model._default_manager.all(), actor=actor)
        elif visible_team_ids(actor) is None:
            if log.team_id or log.user_id:
                return Event.objects.none()
            return None
        else:
            raise DomainError(
                CoreError.PERMISSION_DENIED,
                _("Only a reader of every team's records may mine this case type."),
            )
    if log.team_id:
        qs = qs.filter(team_id=log.team_id)
    if log.user_id:
        qs = qs.filter(responsible_id=log.user_id)
    return _attributes(qs, log)


def _attributes(qs: QuerySet[Any], log: CaseLog) -> QuerySet[Any]:
    """Narrow the cases by their attributes: a deal's amount and the product groups of its
    lines, a deal's (its lead's) or a lead's source."""
    if log.amount_min is not None:
        qs = qs.filter(amount__gte=log.amount_min)
    if log.amount_max is not None:
        qs = qs.filter(amount__lte=log.amount_max)
    if log.product_group_id:
        lines = DealItem.objects.filter(product__group_id=log.product_group_id)
        qs = qs.filter(pk__in=lines.values("deal_id"))
    if log.source:
        if log.case_type == DEAL:
            qs = qs.filter(pk__in=Lead.objects.filter(source=log.source).values("deal_id"))
        else:
            qs = qs.filter(source=log.source)
    return qs


def _all_cases(log: CaseLog) -> QuerySet[Any]:
    if log.case_type == LEAD:
        return Lead.objects.all()
    return ProcessInstance.objects.filter(definition__key=log.process_key)


def json_text(key: str, alias: str = "e") -> str:
    """A text field of the event payload in this database's dialect (keys are constants)."""
    if connection.vendor == "postgresql":
        return f"({alias}.payload->>'{key}')"
    return f"json_extract({alias}.payload, '$.{key}')"


def seconds_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _label_sql(log: CaseLog) -> tuple[str, str, list[Any]]:
    """(label expression, extra WHERE, params) of the case type's events."""
    if log.case_type == DEAL:
        label = (
            f"CASE e.activity WHEN '{sales_events.DEAL_CREATED}' THEN 'stage:' || "
            f"{json_text('stage')} WHEN '{sales_events.DEAL_STAGE_CHANGED}' THEN 'stage:' || "
            f"{json_text('to_stage')} WHEN '{sales_events.DEAL_APPROVED}' THEN 'approved:' || "
            f"{json_text('approval')} WHEN '{sales_events.DEAL_DOCUMENT_ATTACHED}' THEN "
            f"'document:' || {json_text('document')} ELSE e.activity END"
        )
        marks = ", ".join(["%s"] * len(DEAL_ACTIVITIES))
        return label, f"AND e.activity IN ({marks})", list(DEAL_ACTIVITIES)
    if log.case_type == PROCESS:
        label = f"'el:' || {json_text('element')}"
        where = f"AND (e.activity = %s OR (e.activity = %s AND {json_text('kind')} LIKE %s))"
        return label, where, [bpm_events.TASK_COMPLETED, bpm_events.TOKEN_MOVED, "%Task"]
    where = " ".join("AND e.activity NOT LIKE %s" for _n in NOISE)
    return "e.activity", where, [f"%{n}" for n in NOISE]


def _period(log: CaseLog) -> tuple[str, list[Any]]:
    """The period's bounds as the database compares them (SQLite keeps naive UTC text: an
    aware bound would be compared by its wall-clock digits, its offset ignored)."""
    tz = timezone.get_current_timezone()
    adapt = connection.ops.adapt_datetimefield_value
    sql, params = "", []
    if log.date_from:
        sql += " AND e.timestamp >= %s"
        params.append(adapt(datetime.combine(log.date_from, time.min, tzinfo=tz)))
    if log.date_to:
        sql += " AND e.timestamp < %s"
        day_after = datetime.combine(log.date_to + timedelta(days=1), time.min, tzinfo=tz)
        params.append(adapt(day_after))
    return sql, params


def events_sql(
    actor: User | None,
    log: CaseLog,
    *,
    case_ids: list[str] | None = None,
    max_id: int | None = None,
) -> tuple[str, list[Any]]:
    """SELECT case_id, label, ts, id, actor_id of the readable cases' events (no ORDER BY).

    The visible cases are the ORM's own compilation of the scoped queryset; every value
    travels as a parameter; the fragments are constants.
    """
    label, where, params = _label_sql(log)
    params = [log.event_case_type, *params]
    # A semi-join (IN): SQLite builds an index on the case keys for it, PostgreSQL hashes them.
    scoped, scoped_params = "", []
    cases = visible_cases(actor, log)
    if cases is not None:
        keys = cases.order_by().values(key=Cast("pk", CharField()))
        case_sql, case_params = keys.query.sql_with_params()
        scoped, scoped_params = f" AND e.case_id IN ({case_sql})", list(case_params)
    period, period_params = _period(log)
    extra = ""
    if case_ids is not None:
        extra = " AND e.case_id IN ({})".format(", ".join(["%s"] * len(case_ids)) or "NULL")
    if max_id is not None:
        extra += " AND e.id <= %s"
    sql = (
        f"SELECT e.case_id AS case_id, {label} AS label, e.timestamp AS ts, e.id AS id, "  # noqa: S608
        f"e.actor_id AS actor_id FROM core_event e "
        f"WHERE e.case_type = %s {where}{scoped}{period}{extra}"
    )
    tail = [*(case_ids or []), *([max_id] if max_id is not None else [])]
    return sql, [*params, *scoped_params, *period_params, *tail]


def label_name(log: CaseLog, label: str) -> str:
    """What people read for a label: the stage or task name, or the activity's own label."""
    if label in (START, END):
        return _("start") if label == START else _("end")
    if label in log.stage_names:
        return log.stage_names[label]
    kind, _sep, rest = label.partition(":")
    if kind == "approved":
        approvals = dict(ApprovalKind.choices)
        return str(approvals.get(rest, _("Approved: %(what)s") % {"what": rest}))
    if kind == "document":
        what = dict(DocumentKind.choices).get(rest, rest)
        return _("Document: %(what)s") % {"what": what}
    if kind == "el":
        return rest

    return str(activity_label(label))


def traces(actor: User, log: CaseLog, *, chunk: int = 2000) -> Any:
    """Yield (case_id, [(label, timestamp, actor_id), ...]) case by case, in bounded memory.

    One ordered scan streamed with a server-side cursor; a case is held until its last event.
    With variants chosen, only the cases whose path is one of them.
    """
    if log.variants:
        for case_id, steps in _traces(actor, log, chunk):
            if variant_id(s[0] for s in steps) in log.variants:
                yield case_id, steps
        return
    yield from _traces(actor, log, chunk)


def _traces(actor: User, log: CaseLog, chunk: int) -> Any:
    sql, params = events_sql(actor, log)
    sql = f"SELECT case_id, label, ts, actor_id FROM ({sql}) x ORDER BY case_id, ts, id"  # noqa: S608
    current: str | None = None
    steps: list[tuple[str, datetime, int | None]] = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            for case_id, label, ts, actor_id in rows:
                if case_id != current:
                    if current is not None and steps:
                        yield current, steps
                    current, steps = case_id, []
                steps.append((label, _as_datetime(ts), actor_id))
    if current is not None and steps:
        yield current, steps


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def period_q(log: CaseLog) -> Any:
    """The period of the log as an ORM filter on events."""
    from django.db.models import Q

    tz = timezone.get_current_timezone()
    q = Q()
    if log.date_from:
        q &= Q(timestamp__gte=datetime.combine(log.date_from, time.min, tzinfo=tz))
    if log.date_to:
        q &= Q(timestamp__lt=datetime.combine(log.date_to + timedelta(days=1), time.min, tzinfo=tz))
    return q
