"""Runs the generator into the database: reference rows in, bulk writers out, then the
sequences, the planner statistics and a record of what was generated."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction

from greenwave.accounts.models import Role, Team, User
from greenwave.activities.models import Activity, Reminder
from greenwave.bpm import engine, services
from greenwave.bpm.models import DefinitionStatus, HumanTask, ProcessDefinition, ProcessInstance
from greenwave.core.models import Event, EventObject
from greenwave.crm.models import Company, Contact, Price, PriceList, Product, ProductGroup
from greenwave.datagen.generator import (
    APPROVAL_PROCESS,
    APPROVAL_REVIEWS,
    DATASET_ACTIVITY,
    DATASET_CASE_TYPE,
    GENERATOR_VERSION,
    INITIATOR_PLACEHOLDER,
    Config,
    Generator,
    Person,
    ProcessRef,
    Reference,
    Result,
)
from greenwave.datagen.writer import TableWriter, reset_sequences
from greenwave.sales.models import (
    ClientHandoff,
    Deal,
    DealItem,
    Lead,
    LossReason,
    Pipeline,
    SalesSettings,
)
from greenwave.sales.services import sales_settings

TABLES: dict[str, type[models.Model]] = {
    "accounts.team": Team,
    "accounts.user": User,
    "accounts.user_roles": User.roles.through,
    "crm.productgroup": ProductGroup,
    "crm.product": Product,
    "crm.price": Price,
    "crm.company": Company,
    "crm.contact": Contact,
    "sales.deal": Deal,
    "sales.deal_contacts": Deal.contacts.through,
    "sales.dealitem": DealItem,
    "sales.lead": Lead,
    "sales.clienthandoff": ClientHandoff,
    "bpm.processinstance": ProcessInstance,
    "bpm.humantask": HumanTask,
    "activities.activity": Activity,
    "activities.reminder": Reminder,
    "core.event": Event,
    "core.eventobject": EventObject,
}


class DatabaseSink:
    def __init__(self) -> None:
        self.writers = {label: TableWriter(model) for label, model in TABLES.items()}

    def write(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.writers[table].write(rows)

    def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.writers[table].update(rows)

    def phase(self) -> AbstractContextManager[Any]:
        return _fast_transaction()


@contextmanager
def _fast_transaction() -> Iterator[None]:
    """One transaction; on PostgreSQL without waiting for the WAL flush at commit and, for a
    superuser, without per-row foreign-key triggers (the generator links only rows it wrote
    itself or read from the database, so the checks could only pass)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
                if row and row[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
        yield


@contextmanager
def _secondary_indexes_rebuilt(progress: Callable[[str], None]) -> Iterator[None]:
    """PostgreSQL: drop the non-unique indexes of the tables written and build them again at
    the end — one sorted build is several times faster than ten million index inserts. The
    definitions are read from the catalog, so the rebuilt indexes are exactly the migrated ones
    (and they are rebuilt even when the generation fails)."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in TABLES.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
            """,
            [tables],
        )
        definitions = cursor.fetchall()
        for name, _ddl in definitions:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        progress(f"building {len(definitions)} indexes")
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, ddl in definitions:
                cursor.execute(ddl)


def approval_process() -> ProcessRef:
    """The latest deployed contract approval process (the bpm library installed if absent),
    with what the engine's services read from its metadata for tasks and events."""
    definition = (
        ProcessDefinition.objects.filter(key=APPROVAL_PROCESS, status=DefinitionStatus.DEPLOYED)
        .order_by("-version")
        .first()
    )
    if definition is None:
        services.library_install(actor=None)
        definition = ProcessDefinition.objects.get(
            key=APPROVAL_PROCESS, status=DefinitionStatus.DEPLOYED
        )
    meta = definition.metadata
    elements = {
        pk: (str(e.get("name", "")), str(e["tag"][:1].upper() + e["tag"][1:]))
        for pk, e in meta["elements"].items()
    }
    user_tasks = {
        pk: (
            str(t.get("name") or elements[pk][0])[:255],
            list(t.get("form") or []),
            engine.iso_duration(str(t.get("due_in") or "")),
            services.role_code(str(t.get("candidate_role") or "")),
        )
        for pk, t in meta["user_tasks"].items()
    }
    return ProcessRef(
        waiting=_waiting_states(definition),
        definition_id=definition.pk,
        key=definition.key,
        version=definition.version,
        serializer_version=engine.SERIALIZER_VERSION,
        elements=elements,
        user_tasks=user_tasks,
    )


def _price_lists() -> dict[int, tuple[int, str]]:
    """The base list (level 0) and the five discount lists (levels 1–5) the crm migration
    installs; empty if any is missing."""
    base = PriceList.objects.filter(kind="base", is_active=True).order_by("pk").first()
    discounts = {
        p.level: (p.pk, p.name)
        for p in PriceList.objects.filter(kind="discount", level__in=range(1, 6))
        if p.level is not None
    }
    if base is None or len(discounts) != 5:
        return {}
    return {0: (base.pk, base.name), **discounts}


def _waiting_states(
    definition: ProcessDefinition,
) -> dict[str, tuple[str, dict[str, str], tuple[str, ...]]]:
    """Run the contract approval once in the engine along its straight path (every review
    approves) and keep, at each review it waits at, the state the services would save: a
    running generated instance gets that state (with its initiator), so it can be advanced
    like any other. Empty if the process is not the expected one."""
    compiled = engine.compile_process(definition.xml_bytes, definition.process_id)
    run = engine.ProcessRun.start(
        compiled,
        variables={"initiator": INITIATOR_PLACEHOLDER},
        service_actions=definition.metadata.get("service_actions", {}),
    )
    waiting: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {}
    ids: list[str] = []
    for element in APPROVAL_REVIEWS:
        snap = run.snapshot()
        ready = [t for t in snap.ready_tasks if t.spec_id == element]
        if len(snap.ready_tasks) != 1 or not ready:
            return {}
        ids.append(ready[0].task_id)
        waiting[element] = (run.dump(), dict(snap.element_states), ())
        run.complete_user_task(ready[0].task_id, {"decision": "approve", "comment": ""})
    return {
        element: (state, states, tuple(ids)) for element, (state, states, _i) in waiting.items()
    }


def _base_prices() -> list[tuple[int, Decimal, str]]:
    """The active products with a price in the base list: id, price, name."""
    rows = Price.objects.filter(
        price_list__kind="base", price_list__is_active=True, product__is_active=True, amount__gt=0
    ).order_by("product_id", "pk")
    prices: dict[int, tuple[int, Decimal, str]] = {}
    for product_id, amount, name in rows.values_list("product_id", "amount", "product__name"):
        prices.setdefault(product_id, (product_id, amount, name))
    return list(prices.values())


def reference(people: list[Person] | None = None) -> Reference:
    """What the generated rows point at. With `people` the work goes to those users and the
    deals are priced from the products already in the catalogue."""
    spiff = logging.getLogger("spiff")  # the engine's INFO lines would fill the command's output
    level = spiff.level
    spiff.setLevel(logging.WARNING)
    try:
        approval = approval_process()  # may install the library: before the next ids are read
    finally:
        spiff.setLevel(level)
    sales_settings()  # the department rules' row, created as the first handoff would
    rules = SalesSettings.objects.get(pk=1)
    pipeline = Pipeline.objects.get(code="b2b")
    stages = [
        (s.pk, s.code, s.name, s.expected_days, s.probability)
        for s in pipeline.stages.order_by("order")
    ]
    reasons = [(r.pk, r.name) for r in LossReason.objects.filter(pipeline=pipeline, is_active=True)]
    roles = dict(Role.objects.values_list("code", "pk"))
    writers = {label: TableWriter(model) for label, model in TABLES.items()}
    lists = _price_lists()
    return Reference(
        pipeline_id=pipeline.pk,
        stages=stages,
        loss_reasons=reasons,
        roles=roles,
        next_ids={label: w.next_id() for label, w in writers.items()},
        approval=approval,
        hunter_share=(rules.hunter_share_percent, rules.hunter_share_months),
        time_zone=settings.TIME_ZONE,
        price_lists=lists,
        people=list(people or []),
        products=_base_prices() if people and lists else [],
        company_names=list(Company.objects.values_list("name", flat=True)),
    )


def dataset_record(*, deals: int, seed: int, events_per_deal: int | None) -> Event | None:
    """The record of a finished generation with these parameters by this generator version,
    if there is one (an older generator's data is not what this one would write)."""
    return (
        Event.objects.filter(
            case_type=DATASET_CASE_TYPE,
            activity=DATASET_ACTIVITY,
            payload__generator=GENERATOR_VERSION,
            payload__deals=deals,
            payload__seed=seed,
            payload__events_per_deal=events_per_deal,
        )
        .order_by("-id")
        .first()
    )


def generate_into_database(
    config: Config,
    *,
    progress: Callable[[str], None] = lambda _m: None,
    rebuild_indexes: bool = True,
    people: list[Person] | None = None,
) -> tuple[Result, float]:
    """Generate into the database; with `people`, for those existing users (the demo
    company) instead of new gen_* ones."""
    if not people and User.objects.filter(username__startswith="gen_").exists():
        raise RuntimeError("this database already holds a generated dataset (users gen_*)")
    started = time.monotonic()
    generator = Generator(config, reference(people), DatabaseSink())
    generator.progress = progress
    if rebuild_indexes:
        with _secondary_indexes_rebuilt(progress):
            result = generator.run()
    else:
        result = generator.run()
    reset_sequences(TABLES.values())
    if connection.vendor == "postgresql":
        progress("ANALYZE")
        with connection.cursor() as cursor:
            for model in TABLES.values():
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
    seconds = round(time.monotonic() - started, 1)
    Event.objects.create(
        case_type=DATASET_CASE_TYPE,
        case_id=f"seed{config.seed}",
        activity=DATASET_ACTIVITY,
        payload={
            "generator": GENERATOR_VERSION,
            "deals": config.deals,
            "seed": config.seed,
            "events_per_deal": config.events_per_deal,
            "end": config.end.isoformat(),
            "counts": result.counts,
            "digest": result.digest,
            "seconds": seconds,
            "database": connection.vendor,
        },
    )
    return result, seconds
